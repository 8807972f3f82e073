"""Pilot tests of search in the TUI: Ctrl+F in the page, the archive search screen, replace with preview."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import run_async, settle, wait_for
from rich.text import Text
from textual.command import CommandList
from textual.widgets import DataTable, Input, Static

from workbench.project import Project, init_project
from workbench.search import index as search_index
from workbench.search.query import Query, search
from workbench.store import TranscriptStore
from workbench.tui.app import WorkbenchApp, make_app
from workbench.tui.hit_strips import NO_BOX, PENDING, strip_text
from workbench.tui.imaging import load_page_image
from workbench.tui.sample import make_demo_project
from workbench.tui.screens import HelpScreen
from workbench.tui.search_screen import ReplacePreviewScreen, SearchScreen

SIZE = (140, 44)
PAGES = {
    "doc/p1": "Товарищ Батиров сказал.\nБатиров знает.\nИ всё.",
    "doc/p2": "Письмо БАТИРОВ.\nЕщё раз Батиров.",
    "doc/p3": "Здесь Батиров.\nБатиров, Батиров.",
    "doc/p4": "Здесь его нет.",
}
REVIEWED = {"doc/p1": [1], "doc/p2": [0], "doc/p3": [0]}  # one line with «Батиров» on each page is reviewed


@pytest.fixture(autouse=True)
def _close_indexes() -> Iterator[None]:
    yield
    search_index.forget_indexes()


@pytest.fixture
def archive(tmp_path: Path) -> Project:
    project = init_project(tmp_path / "proj", name="test")
    store = TranscriptStore(project)
    for pid, text in PAGES.items():
        store.save(pid, text, source="import", reviewed=REVIEWED.get(pid, []))
    return project


def app_for(project: Project, page: str = "doc/p1") -> WorkbenchApp:
    return make_app(project, page, load_dictionaries=False)


@run_async
async def test_ctrl_f_selects_each_hit_in_the_page(archive: Project) -> None:
    app = app_for(archive, "doc/p3")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+f")
        await pilot.press(*"батиров")
        await pilot.press("enter")
        await pilot.pause()
        sel = app.editor.selection
        assert (sel.start, sel.end) == ((0, 6), (0, 13))
        await pilot.press("enter")
        await pilot.pause()
        assert (app.editor.selection.start, app.editor.selection.end) == ((1, 0), (1, 7))
        await pilot.press("up", "up")  # back past the first hit: wraps to the last
        await pilot.pause()
        assert (app.editor.selection.start, app.editor.selection.end) == ((1, 9), (1, 16))
        await pilot.press("escape")
        await pilot.pause()
        assert app.editor.has_focus


@run_async
async def test_replace_across_three_pages_makes_three_versions_and_spares_reviewed_lines(archive: Project) -> None:
    store = TranscriptStore(archive)
    app = app_for(archive)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f6")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await pilot.press(*"Батиров", "enter")
        await settle(pilot, app)
        table = screen.query_one("#hits", DataTable)
        assert table.row_count == 7 and {h.page for h in screen.hits} == {"doc/p1", "doc/p2", "doc/p3"}
        screen.query_one("#replacement", Input).focus()
        await pilot.press(*"Багиров")
        await pilot.click("#replace-all")
        await settle(pilot, app)
        preview = app.screen
        assert isinstance(preview, ReplacePreviewScreen)
        rows = preview.query_one(DataTable)
        # the old and the new line side by side (a line with two hits once); the three reviewed lines are left out
        assert rows.row_count == 3
        assert "3 hit(s) left alone (reviewed)" in str(preview.query_one(".hint", Static).render())
        assert [str(c) for c in rows.get_row_at(0)] == [
            "doc/p1",
            "1",
            "Товарищ Батиров сказал.",
            "Товарищ Багиров сказал.",
        ]
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, SearchScreen)
    expected = {
        "doc/p1": "Товарищ Багиров сказал.\nБатиров знает.\nИ всё.",
        "doc/p2": "Письмо БАТИРОВ.\nЕщё раз Багиров.",
        "doc/p3": "Здесь Батиров.\nБагиров, Багиров.",
    }
    for pid, text in expected.items():
        versions = store.history(pid)
        assert len(versions) == 2 and versions[-1].source == "replace"
        assert store.read(pid).text == text
        assert store.read(pid).meta.reviewed == tuple(REVIEWED[pid])
    assert len(store.history("doc/p4")) == 1
    for pid in expected:  # restore undoes each
        store.restore(pid, 1)
        assert store.read(pid).text == PAGES[pid]


@run_async
async def test_enter_on_a_hit_opens_its_page_at_the_hit(archive: Project) -> None:
    app = app_for(archive)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f6")
        await pilot.press(*"еще", "enter")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.session is not None and app.session.page_id == "doc/p2"
        assert (app.editor.selection.start, app.editor.selection.end) == ((1, 0), (1, 3))


@run_async
async def test_a_tui_save_is_seen_by_the_next_search(archive: Project) -> None:
    assert search(archive, Query("Деканозов")) == []  # builds the index
    index = search_index.get_index(TranscriptStore(archive))
    checked = index.last_check
    app = app_for(archive, "doc/p4")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("end", "space", *"Деканозов")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot, app)
    assert TranscriptStore(archive).latest_number("doc/p4") == 2
    hits = search(archive, Query("деканозов"))
    assert [(h.page, h.version, h.found) for h in hits] == [("doc/p4", 2, "Деканозов")]
    # seen through the save's own update of the index, not by a re-scan of the pages
    assert index.last_check is checked


@run_async
async def test_each_visible_hit_row_shows_its_own_line_strip(tmp_path: Path) -> None:
    """Every hit row on screen has its line's image; a line with no box says so; rows off screen wait."""
    # the hit «ров» a strip is centred on has other letters before it on every line (the strips differ)
    stems = [a + b for a in "БВГДЖЗ" for b in "аоиу"]
    pages = {f"p{k}": [f"Товарищ {stems[4 * k - 4 + j]}ров {j}{k}" for j in range(4)] for k in range(1, 7)}
    project = make_demo_project(tmp_path / "demo", pages)
    store = TranscriptStore(project)
    # a line typed in by hand (not on the scan): its hit has no box, and must not borrow another line's image
    store.save("demo/p1", "Батиров вписан от руки.\n" + store.read("demo/p1").text, source="edit")
    scans = {pid: load_page_image(project.page(pid).scan, None) for pid in (f"demo/p{k}" for k in range(1, 7))}
    app = make_app(project, "demo/p2", load_dictionaries=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f6")
        await pilot.press(*"ров", "enter")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        table = screen.query_one("#hits", DataTable)
        assert len(screen.hits) == 25 and screen.hits[0].box is None and screen.hits[0].line == 0

        def check_rows(rows: range) -> list[Text]:
            cells = [table.get_cell(str(i), "scan") for i in rows]
            for i, cell in zip(rows, cells, strict=True):
                hit = screen.hits[i]
                if hit.box is None:
                    assert cell.plain == NO_BOX, (i, cell.plain)
                else:  # the row's own line, cut from its own page
                    assert "▀" in cell.plain and cell == strip_text(scans[hit.page], hit), (i, hit)
            return cells

        visible = screen.visible_hit_rows()
        assert visible.start == 0 and 3 <= len(visible) < len(screen.hits)  # longer than the screen
        cells = check_rows(visible)
        assert len({repr(c.spans) for c in cells[1:]}) == len(cells) - 1  # a different image on every line
        # lazy: the rows below the screen have no strip yet
        assert table.get_cell(str(len(screen.hits) - 1), "scan").plain == PENDING
        await pilot.press("ctrl+end")  # to the last hit: those rows get theirs
        last = len(screen.hits) - 1
        await wait_for(pilot, lambda: last in screen.visible_hit_rows(), "the list scrolled to its end")
        await settle(pilot, app)
        check_rows(screen.visible_hit_rows())


@run_async
async def test_the_palette_offers_search_and_replace_and_the_help_lists_their_keys(archive: Project) -> None:
    app = app_for(archive)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        for typed, title in (("find", "Find in page"), ("search", "Search the archive"), ("replace", "Replace in")):
            await pilot.press("ctrl+p")
            await pilot.press(*typed)

            def offered(title: str = title) -> bool:
                lists = app.screen.query(CommandList)
                return bool(lists) and any(
                    title in str(lists.first().get_option_at_index(i).prompt) for i in range(lists.first().option_count)
                )

            await wait_for(pilot, offered, f"{title} offered for {typed!r}")
            await pilot.press("escape")
            await settle(pilot, app)
        await pilot.press("ctrl+p", *"Replace in the archive")
        await wait_for(pilot, lambda: offered("Replace in the archive"), "Replace in the archive")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen), "the archive search screen")
        await wait_for(pilot, lambda: app.screen.query_one("#replacement").has_focus, "the replacement field")
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        help_text = app.screen.markdown
        for key, what in (("Ctrl+F", "find in this page"), ("F6", "search the archive")):
            assert any(key in line and what in line for line in help_text.splitlines()), key
        assert "Replace marked / Replace all" in help_text
