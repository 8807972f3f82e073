"""The TUI with hostile content: text it must keep byte for byte, and faults it must report (issue 15)."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import pytest
from helpers import run_async
from textual.worker import WorkerFailed

from workbench.project import Project
from workbench.store import TranscriptStore
from workbench.tui.app import WorkbenchApp, make_app
from workbench.tui.sample import make_demo_project

SIZE = (120, 40)


@pytest.fixture
def demo(tmp_path: Path) -> Project:
    return make_demo_project(tmp_path / "demo")


async def settle(pilot, app: WorkbenchApp) -> None:
    """Let workers finish and the screen catch up (instead of sleeping)."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


@run_async
async def test_form_feed_and_other_line_breaks_of_python_stay_in_their_line(demo: Project) -> None:
    # str.splitlines (which Textual's document used) breaks lines at \f, \v, \x1c and U+2028: the editor gave
    # them back as newlines, and a save turned a typescript's page break into an empty line.
    store = TranscriptStore(demo)
    text = "first page\n\fsecond page\u2028end\n"
    store.save("demo/p1", text, author="tester", source="edit")
    app = make_app(demo, "demo/p1", load_dictionaries=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert app.editor.text == text
        assert app.editor.document.line_count == 3  # "\n" ends lines, nothing else
        await pilot.press("X")  # at the start of the first line
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot, app)
    saved = store.read("demo/p1")
    assert saved.text == "X" + text
    assert (saved.path / "text.txt").read_bytes() == ("X" + text).encode("utf-8")


@run_async
async def test_a_corrupt_autosave_is_moved_aside_and_the_user_told(demo: Project) -> None:
    # It used to read as "no autosave": no recovery offered, and the next autosave overwrote it.
    store = TranscriptStore(demo)
    recovery = store.recovery_path("demo/p1")
    recovery.write_text('{"text": "edits the user typed, then the power went', encoding="utf-8")
    app = make_app(demo, "demo/p1", load_dictionaries=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        messages = [n.message for n in app._notifications]
        assert any("autosave" in m and "moved aside" in m for m in messages), messages
    aside = list(recovery.parent.glob(".recovery-corrupt-*.json"))
    assert len(aside) == 1 and "power went" in aside[0].read_text(encoding="utf-8")


@run_async
async def test_an_unknown_key_in_the_configuration_is_shown(demo: Project) -> None:
    text = demo.config_file.read_text(encoding="utf-8").replace("timeout = 180", "timout = 180")
    demo.config_file.write_text(text, encoding="utf-8")
    app = make_app(demo, "demo/p1", load_dictionaries=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        messages = [n.message for n in app._notifications]
        assert any("ocr.timout" in m and "did you mean 'timeout'" in m for m in messages), messages


@run_async
async def test_an_image_that_fails_to_draw_is_said_so_not_left_loading(
    demo: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 15 item 12: drawing the 144-megapixel scan raised in the image worker and the pane stayed on
    # "Loading the scan…" for good. Whatever fails there now, the pane says there is no image, and why.
    from workbench.tui.imaging import PageImage

    def broken(*_args: object, **_kwargs: object) -> None:
        raise ValueError("x1 must be greater than or equal to x0")

    monkeypatch.setattr(PageImage, "view", broken)
    app = make_app(demo, "demo/p1", load_dictionaries=False)
    async with app.run_test(size=SIZE) as pilot:
        why = ""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # poll for the pane's state, with a deadline
            with contextlib.suppress(WorkerFailed):  # the image worker fails: that is the point
                await app.workers.wait_for_complete()
            await pilot.pause()
            why = str(app.page_view.query_one(".why").render())
            if "Loading" not in why:
                break
        assert "No image" in why and "could not be shown" in why, why
