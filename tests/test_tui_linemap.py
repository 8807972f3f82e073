"""Pilot tests: the TUI ties the editor's lines to the scan by content (issue 9), with the real app and store."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_async, settle, wait_for

from workbench.project import Project
from workbench.store import TranscriptStore
from workbench.tui.app import WorkbenchApp, make_app
from workbench.tui.sample import DEFAULT_LINES, make_demo_project
from workbench.tui.screens import CandidateScreen

SIZE = (120, 40)


@pytest.fixture
def demo(tmp_path: Path) -> Project:
    return make_demo_project(tmp_path / "demo")


def app_for(project: Project, page: str = "demo/p1") -> WorkbenchApp:
    return make_app(project, page, load_dictionaries=False)


def boxes(project: Project) -> list[dict]:
    layout = TranscriptStore(project).read("demo/p1", 1).layout()
    assert layout is not None
    return layout["lines"]


@run_async
async def test_deleting_a_line_keeps_every_other_line_on_its_own_image(demo: Project) -> None:
    """The issue: delete line 1; with the cursor on the next line, strip and word box showed another line."""
    lines = boxes(demo)
    app = app_for(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("shift+down", "backspace")  # delete the first line
        await wait_for(pilot, lambda: app.editor.text == "\n".join(DEFAULT_LINES[1:]), "the line deleted")
        await pilot.press("ctrl+right", "ctrl+right")  # to the second word of «Докладываю о ходе …»
        await wait_for(pilot, lambda: app.strip.line_box == tuple(lines[1]["box"]), "the strip on its own line")
        assert app.page_view.line_box == tuple(lines[1]["box"])
        assert app.page_view.word_box == tuple(lines[1]["words"][1]["box"])
        # Also after saving.
        await pilot.press("ctrl+s", "enter")
        await settle(pilot, app)
        assert TranscriptStore(demo).latest_number("demo/p1") == 2
        await pilot.press("down")
        await wait_for(pilot, lambda: app.strip.line_box == tuple(lines[2]["box"]), "the next line's own box")
        # A line typed in by hand has no image: the strip says so instead of showing another line.
        await pilot.press("end", "enter", *"Новая строка")
        await wait_for(pilot, lambda: app.strip.line_box is None, "no box for a line not on the scan")
        assert app.page_view.line_box is None
        assert "not on the scan" in str(app.strip.query_one(".why").render())


@run_async
async def test_taking_candidate_lines_follows_the_editors_lines(demo: Project) -> None:
    """F5 after deleting a line: the screen and the take use the editor's lines, not the candidate's numbers."""
    lines = boxes(demo)
    store = TranscriptStore(demo)
    store.save("demo/p1", "\n".join(DEFAULT_LINES[1:]), source="edit", base=1)  # a person deleted line 1
    candidate = {"width": 1240, "height": 400, "lines": [dict(line) for line in lines]}
    readings = [line.replace(line.split()[-1], line.split()[-1] + "!") for line in DEFAULT_LINES]
    for line, reading in zip(candidate["lines"], readings, strict=True):
        line["words"] = [{**w, "text": t} for w, t in zip(line["words"], reading.split(), strict=True)]
    store.save_candidate("demo/p1", "\n".join(readings), layout=candidate, ocr={"engine": "test"})
    app = app_for(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, CandidateScreen), "the candidate screen")
        screen = app.screen
        assert isinstance(screen, CandidateScreen)
        # Row i is the editor's line i against the candidate's reading of the same image line.
        assert screen.candidate.split("\n") == readings[1:]
        await pilot.press("space", "t")  # take the first differing line: the editor's line 1
        await wait_for(pilot, lambda: app.editor.text != "\n".join(DEFAULT_LINES[1:]), "the line taken")
        assert app.editor.text.split("\n") == [readings[1], *DEFAULT_LINES[2:]]
