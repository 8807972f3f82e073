"""The layout keeps the editor readable at 80×24 (issue 9): the page image pane collapses on its own at narrow
widths (the line strip above the editor still shows the current line's image) and with a key at any width."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_async, settle, wait_for

from workbench.project import Project
from workbench.tui import actions
from workbench.tui.app import WorkbenchApp, make_app
from workbench.tui.sample import make_demo_project

#: Lines as long as a typescript's (about 65 characters), longer than the editor beside the page pane at 80.
LINES = [
    "Товарищу Сталину И. В. Докладываю о ходе работ по уборке хлопка и",
    "винограда в колхозах Азербайджанской ССР по состоянию на 1 октября",
    "1946 года. Уборка хлопка проходит организованно во всех районах, и",
    "план сдачи выполнен на 84 процента. Секретарь ЦК КП(б) Азербайджана",
]


@pytest.fixture
def long_lines(tmp_path: Path) -> Project:
    return make_demo_project(tmp_path / "demo", pages={"p1": LINES})


def editor_columns(app: WorkbenchApp) -> int:
    """How many characters of a line the editor shows (its width less the line-number gutter)."""
    editor = app.editor
    return editor.scrollable_content_region.width - editor.gutter_width


def line_fully_visible(app: WorkbenchApp) -> bool:
    editor = app.editor
    row = editor.cursor_location[0]
    top = int(editor.scroll_offset.y)
    return (
        top <= row < top + editor.scrollable_content_region.height
        and int(editor.scroll_offset.x) == 0
        and len(editor.document[row]) <= editor_columns(app)
    )


@run_async
async def test_at_80x24_the_editor_takes_the_width_and_shows_the_current_line(long_lines: Project) -> None:
    app = make_app(long_lines, "demo/p1", load_dictionaries=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("down", "down", "end")  # the end of a 66-character line
        await pilot.pause()
        assert not app.page_view.display  # collapsed on its own at this width
        assert app.editor.region.x == 0 and app.editor.region.width == 80
        assert app.strip.display and app.strip.region.width == 80  # the line's image stays above it
        assert app.editor.region.height >= 10
        assert line_fully_visible(app)
        # The key shows the pane anyway (the user's choice wins over the width), and hides it again.
        key = next(c.key for c in actions.commands() if c.action == "toggle_page_pane")
        await pilot.press(key)
        await wait_for(pilot, lambda: app.page_view.display and app.editor.region.x > 0, "the page pane shown")
        assert app.editor.region.width < 80
        await pilot.press(key)
        await wait_for(pilot, lambda: app.editor.region.width == 80, "the page pane hidden again")
        assert line_fully_visible(app)


@run_async
async def test_the_page_pane_collapses_with_a_key_at_any_width_and_follows_resizes(long_lines: Project) -> None:
    app = make_app(long_lines, "demo/p1", load_dictionaries=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, app)
        assert app.page_view.display and app.editor.region.x > 0  # wide: the scan beside the text
        titles = [c.title for c in actions.palette()]
        assert "Page image on/off" in titles
        await app.run_action("toggle_page_pane")  # what the palette entry runs
        await wait_for(pilot, lambda: not app.page_view.display and app.editor.region.x == 0, "the pane hidden")
        await app.run_action("toggle_page_pane")
        await wait_for(pilot, lambda: app.page_view.display, "the pane shown")
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: not app.page_view.display, "the pane collapsed at 80 columns")
        await pilot.resize_terminal(140, 40)
        await wait_for(pilot, lambda: app.page_view.display, "the pane back when wide again")
