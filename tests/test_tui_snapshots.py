"""Snapshot tests (pytest-textual-snapshot) of the main screen, the diff screen and the help screen.

Deterministic: fixed terminal sizes, no clock in the header, no dictionaries (no timing-dependent notices),
cursor blink off, a page rendered from a fixed text with FreeMono. Update with `--snapshot-update` after a
deliberate change and look at the SVGs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.project import Project
from workbench.store import TranscriptStore
from workbench.tui.app import make_app
from workbench.tui.sample import DEFAULT_LINES, make_demo_project
from workbench.tui.screens import DiffScreen


@pytest.fixture
def demo(tmp_path: Path) -> Project:
    return make_demo_project(tmp_path / "demo")


async def _ready(pilot) -> None:
    app = pilot.app
    await pilot.pause()
    await app.workers.wait_for_complete()
    app.editor.cursor_blink = False
    await pilot.pause()


def test_main_screen(demo: Project, snap_compare) -> None:
    async def run_before(pilot) -> None:
        await _ready(pilot)
        await pilot.press("down", "f8")  # a flagged word selected, its line outlined and cut into the strip
        await pilot.pause()

    assert snap_compare(
        make_app(demo, "demo/p1", load_dictionaries=False), terminal_size=(110, 32), run_before=run_before
    )


def test_main_screen_80x24(demo: Project, snap_compare) -> None:
    assert snap_compare(make_app(demo, "demo/p1", load_dictionaries=False), terminal_size=(80, 24), run_before=_ready)


def test_diff_screen(demo: Project, snap_compare) -> None:
    old = "\n".join(DEFAULT_LINES)
    new = old.replace("Батиров", "Багиров").replace("хлопка", "хлопка и винограда")
    TranscriptStore(demo).save("demo/p1", new, base=1)

    async def run_before(pilot) -> None:
        await _ready(pilot)
        pilot.app.push_screen(DiffScreen("demo/p1: version 1 → version 2", old, new))
        await pilot.pause()

    assert snap_compare(
        make_app(demo, "demo/p1", load_dictionaries=False), terminal_size=(110, 32), run_before=run_before
    )


def test_help_screen(demo: Project, snap_compare) -> None:
    async def run_before(pilot) -> None:
        await _ready(pilot)
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(
        make_app(demo, "demo/p1", load_dictionaries=False), terminal_size=(110, 40), run_before=run_before
    )
