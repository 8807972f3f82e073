"""Pilot tests of the workbench app: each workflow driven by keys, checked on screen and in the store on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_async, settle, wait_for

from workbench.project import Project
from workbench.store import TranscriptStore
from workbench.tui.app import WorkbenchApp, make_app
from workbench.tui.imaging import PageImage
from workbench.tui.sample import DEFAULT_LINES, make_demo_project
from workbench.tui.screens import (
    CandidateScreen,
    ChoiceScreen,
    DiffScreen,
    HelpScreen,
    HistoryScreen,
    PagesScreen,
    short_time,
)

SIZE = (120, 40)


@pytest.fixture
def demo(tmp_path: Path) -> Project:
    return make_demo_project(tmp_path / "demo")


def app_for(project: Project, page: str = "demo/p1", **kw) -> WorkbenchApp:
    kw.setdefault("load_dictionaries", False)
    return make_app(project, page, **kw)


@run_async
async def test_open_page_shows_text_title_image_and_line_strip(demo: Project) -> None:
    app = app_for(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert app.editor.text == "\n".join(DEFAULT_LINES)
        assert app.title == "demo/p1"
        assert app.sub_title.startswith("v1")
        assert "unsaved" not in app.sub_title
        assert isinstance(app.page_view.page_image, PageImage)
        # The cursor is on line 1: its box from the layout is outlined and cut into the strip.
        layout_box = tuple(TranscriptStore(demo).read("demo/p1").layout()["lines"][0]["box"])
        assert app.page_view.line_box == layout_box
        assert app.strip.line_box == layout_box
        await pilot.press("down", "ctrl+right", "ctrl+right")
        await pilot.pause()
        second = TranscriptStore(demo).read("demo/p1").layout()["lines"][1]
        assert app.page_view.line_box == tuple(second["box"])
        assert app.page_view.word_box == tuple(second["words"][1]["box"])


@run_async
async def test_type_save_and_see_the_version_in_history(demo: Project) -> None:
    app = app_for(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("end", "space", "О", "К")
        await pilot.pause()
        assert "● unsaved" in app.sub_title
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press(*"first pass")
        await pilot.press("enter")
        await settle(pilot, app)
        assert "unsaved" not in app.sub_title and app.sub_title.startswith("v2")
        store = TranscriptStore(demo)
        version = store.read("demo/p1")
        assert version.number == 2
        assert version.text.split("\n")[0] == DEFAULT_LINES[0] + " ОК"
        assert (version.meta.author, version.meta.source, version.meta.message) == ("tester", "edit", "first pass")
        await pilot.press("f3")
        await settle(pilot, app)
        assert isinstance(app.screen, HistoryScreen)
        table = app.screen.query_one("DataTable")
        assert table.row_count == 2
        await wait_for(pilot, lambda: table.get_row("2")[7].endswith("%"), "the CER column")
        row = table.get_row("2")
        assert row[1:7] == ["2", short_time(version.meta.time), "tester", "edit", "In progress", "first pass"]
        assert float(row[7][:-1]) > 0  # CER against version 1


@run_async
async def test_azerbaijani_letters_by_chord_follow_the_orthography(tmp_path: Path) -> None:
    for orthography, yot in (("1939", "й"), ("1958", "ј")):
        project = make_demo_project(tmp_path / orthography, orthography=orthography)
        app = app_for(project)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            await pilot.press("ctrl+g", "a", "ctrl+g", "A", "ctrl+g", "j", "ctrl+g", "c")
            await pilot.pause()
            assert app.editor.document[0].startswith("әӘ" + yot + "ҹ")


@run_async
async def test_letters_palette_types_a_letter(demo: Project) -> None:
    app = app_for(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        assert app.editor.document[0].startswith("ө")


@run_async
async def test_move_through_low_confidence_words(demo: Project) -> None:
    app = app_for(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        # sample.render_page gives every fourth word of a line a confidence of 42 (< 60); the selection is the
        # word without its punctuation («В.» selects «В»), so typing over it keeps the full stop.
        expected = [line.split()[3].strip(".,") for line in DEFAULT_LINES if len(line.split()) > 3]
        seen = []
        for _ in expected:
            await pilot.press("f8")
            await pilot.pause()
            seen.append(app.editor.selected_text)
        assert seen == expected
        await pilot.press("f7")
        await pilot.pause()
        assert app.editor.selected_text == expected[-2]
        assert "low OCR confidence" in str(app.screen.query_one("#suggest").render())


@run_async
async def test_save_conflict_is_shown_with_diff_and_nothing_is_lost(demo: Project) -> None:
    # The other save lands between two looks at the store (the app's watcher of new versions is off here;
    # test_tui_store_watch.py has the save after the watcher offered the new version).
    app = app_for(demo, watch_seconds=None)
    store = TranscriptStore(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("end", "space", "m", "i", "n", "e")
        # Another process saves first, on the same base.
        other = DEFAULT_LINES[0] + " theirs\n" + "\n".join(DEFAULT_LINES[1:])
        store.save("demo/p1", other, author="colleague", base=1)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ChoiceScreen)
        body = str(app.screen.query_one(".body Static").render())
        assert "colleague" in body and "nothing was lost" in body
        assert "theirs" in body and "mine" in body
        history = store.history("demo/p1")
        assert [m.number for m in history] == [1, 2, 3]
        assert history[2].conflict and store.read("demo/p1", 3).text.split("\n")[0].endswith("mine")
        assert store.read("demo/p1", 2).text == other
        # Take theirs: restored as version 4; every version is still there.
        await pilot.click("#choice-theirs")
        await settle(pilot, app)
        assert store.read("demo/p1").text == other
        assert store.latest_number("demo/p1") == 4
        assert app.editor.text == other


@run_async
async def test_autosave_is_offered_when_the_page_is_opened_again(demo: Project) -> None:
    store = TranscriptStore(demo)
    app = app_for(demo, autosave_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("end", "space", "X", "Y", "Z")
        # The autosave runs on the app's half-second tick once typing has rested; on a loaded machine it may
        # first catch the line before all three letters arrived, and then save again.
        await wait_for(
            pilot,
            lambda: (r := store.read_recovery("demo/p1")) is not None and r["text"].split("\n")[0].endswith(" XYZ"),
            "the autosave of the typed text",
        )
        rec = store.read_recovery("demo/p1")
        assert rec is not None and rec["text"].split("\n")[0].endswith(" XYZ")
        app.exit()  # as if the terminal was killed: no save, no question
    assert store.latest_number("demo/p1") == 1
    again = app_for(demo)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot, again)
        assert isinstance(again.screen, ChoiceScreen)
        assert "XYZ" in str(again.screen.query_one(".body Static").render())
        await pilot.click("#choice-recover")
        await pilot.pause()
        assert again.editor.document[0].endswith(" XYZ")
        assert "● unsaved" in again.sub_title
        await pilot.press("ctrl+s", "enter")
        await settle(pilot, again)
    assert store.read("demo/p1").text.split("\n")[0].endswith(" XYZ")
    assert store.read_recovery("demo/p1") is None


@run_async
async def test_quit_with_unsaved_edits_asks(demo: Project) -> None:
    app = app_for(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("x", "ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.click("#choice-stay")
        await pilot.pause()
        assert app.is_running and app.editor.document[0].startswith("x")
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.click("#choice-save")
        await pilot.pause()
    assert TranscriptStore(demo).read("demo/p1").text.startswith("x")


@run_async
async def test_diff_two_versions_and_restore(demo: Project) -> None:
    store = TranscriptStore(demo)
    store.save("demo/p1", "\n".join(DEFAULT_LINES).replace("Батиров", "Багиров"), base=1)
    app = app_for(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")
        await settle(pilot, app)
        await pilot.press("space", "down", "space")  # mark versions 2 and 1
        await pilot.pause()
        assert isinstance(app.screen, DiffScreen)
        text = app.screen.query_one("#diff-text").render()
        spans = {str(text)[s.start : s.end] for s in text.spans}
        assert "Батиров" in spans and "Багиров" in spans  # word-level highlights, not whole lines
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("r")  # the cursor is on version 1
        await pilot.pause()
        await pilot.click("#choice-restore")
        await settle(pilot, app)
        assert store.latest_number("demo/p1") == 3
        assert store.read("demo/p1").meta.source == "restore"
        assert store.read("demo/p1").text == "\n".join(DEFAULT_LINES)
        assert app.editor.text == "\n".join(DEFAULT_LINES) and app.sub_title.startswith("v3")


@run_async
async def test_restore_in_the_tui_keeps_the_versions_page_marks(demo: Project) -> None:
    """Issue 9 bug 3 in the TUI face: restoring version 2 keeps its ignored words and line languages
    (the TUI and `workbench restore` both go through TranscriptStore.restore)."""
    store = TranscriptStore(demo)
    marks = {"ignored": ["Батиров"], "line_langs": {"1": "aze_cyrl"}}
    store.save("demo/p1", "\n".join(DEFAULT_LINES), base=1, reviewed=[0], extra=marks)  # v2
    store.save("demo/p1", "\n".join(DEFAULT_LINES[1:]), base=2)  # v3: no marks
    app = app_for(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")
        await settle(pilot, app)
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("down", "r")  # newest first: the cursor moves from version 3 to version 2
        await pilot.pause()
        await pilot.click("#choice-restore")
        await settle(pilot, app)
        restored = store.read("demo/p1")
        assert restored.number == 4 and restored.meta.source == "restore" and restored.meta.message.endswith("2")
        assert restored.meta.extra == marks and restored.meta.reviewed == (0,)
        assert app.session is not None and app.session.ignored == {"Батиров"}
        assert app.session.line_langs == {1: "aze_cyrl"}


@run_async
async def test_pages_list_and_next_previous_page(demo: Project) -> None:
    app = app_for(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+pagedown")
        await settle(pilot, app)
        assert app.title == "demo/p2" and app.editor.document[0] == DEFAULT_LINES[-1]
        await pilot.press("ctrl+pageup")
        await settle(pilot, app)
        assert app.title == "demo/p1"
        await pilot.press("f2")
        await settle(pilot, app)
        assert isinstance(app.screen, PagesScreen)
        assert app.screen.query_one("DataTable").row_count == 2
        await pilot.press("down", "enter")
        await settle(pilot, app)
        assert app.title == "demo/p2"


@run_async
async def test_reviewed_lines_and_line_language_are_saved(demo: Project) -> None:
    app = app_for(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("down", "ctrl+r", "shift+down", "shift+end", "ctrl+l")
        await pilot.pause()
        await pilot.click("#aze_cyrl")
        await pilot.pause()
        assert "● unsaved" in app.sub_title
        await pilot.press("ctrl+s", "enter")
        await settle(pilot, app)
    meta = TranscriptStore(demo).read("demo/p1").meta
    assert meta.reviewed == (1,)
    assert meta.extra["line_langs"] == {"1": "aze_cyrl", "2": "aze_cyrl"}


@run_async
async def test_candidate_lines_are_taken_but_never_over_reviewed_lines(demo: Project) -> None:
    store = TranscriptStore(demo)
    human = "\n".join(DEFAULT_LINES)
    store.save("demo/p1", human, base=1, reviewed=[0])
    candidate = "\n".join(line + " (ocr)" for line in DEFAULT_LINES)
    store.save_candidate("demo/p1", candidate)
    app = app_for(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f5")
        await settle(pilot, app)
        assert isinstance(app.screen, CandidateScreen)
        await pilot.press("a", "t")
        await pilot.pause()
        lines = app.editor.text.split("\n")
        assert lines[0] == DEFAULT_LINES[0]  # reviewed: kept
        assert all(line.endswith(" (ocr)") for line in lines[1:])
        assert "● unsaved" in app.sub_title


@run_async
async def test_undo_back_to_the_saved_text_removes_the_autosave(demo: Project) -> None:
    """Issue 9 bug 4: F5, take a line, Ctrl+Z («● unsaved» goes), leave the page: reopening it offered
    «Recover unsaved edits?» with the undone change. Back at the saved text, the autosave is removed."""
    store = TranscriptStore(demo)
    store.save_candidate("demo/p1", "\n".join(line + " (ocr)" for line in DEFAULT_LINES))
    app = app_for(demo, autosave_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        saved = app.editor.text
        await pilot.press("f5")
        await settle(pilot, app)
        assert isinstance(app.screen, CandidateScreen)
        await pilot.press("space", "t")  # take the cursor's line
        await wait_for(pilot, lambda: "● unsaved" in app.sub_title, "the taken line in the editor")
        await wait_for(
            pilot,
            lambda: (r := store.read_recovery("demo/p1")) is not None and "(ocr)" in r["text"],
            "the autosave of the taken line",
        )
        await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: app.editor.text == saved, "the undo")
        assert "unsaved" not in app.sub_title
        await wait_for(pilot, lambda: store.read_recovery("demo/p1") is None, "the stale autosave removed")
        await pilot.press("ctrl+pagedown")
        await settle(pilot, app)
        assert app.title == "demo/p2"
        await pilot.press("ctrl+pageup")
        await settle(pilot, app)
        assert app.title == "demo/p1"
        assert not isinstance(app.screen, ChoiceScreen)  # no «Recover unsaved edits?»
        assert app.editor.text == saved


@run_async
async def test_corrupt_or_missing_image_leaves_the_text_editable(demo: Project) -> None:
    (demo.scans_dir / "demo" / "p1.png").write_bytes(b"\x89PNG\r\n\x1a\nthis is not a png")
    (demo.scans_dir / "demo" / "p2.png").unlink()  # p2 is now a text-only page
    app = app_for(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        why = str(app.page_view.query_one(".why").render())
        assert "No image" in why and "p1.png" in why
        await pilot.press("x", "ctrl+s", "enter")
        await settle(pilot, app)
        assert TranscriptStore(demo).read("demo/p1").text.startswith("x")
        await pilot.press("ctrl+pagedown")
        await settle(pilot, app)
        assert app.title == "demo/p2"
        assert "no scan" in str(app.page_view.query_one(".why").render())
        await pilot.press("y")
        assert app.editor.document[0].startswith("y")


@run_async
async def test_help_and_command_palette_offer_every_action(demo: Project) -> None:
    app = app_for(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        titles = {c.title for c in app.get_system_commands(app.screen)}
        for action in (
            "Save version",
            "Next page",
            "History",
            "Re-OCR",
            "Next flagged word",
            "Mark lines reviewed",
            "Set language of lines",
            "Azerbaijani letters",
            "Add word to dictionary",
            "Keys",
        ):
            assert action in titles


@run_async
async def test_unexpected_error_is_a_notification_with_the_log_path(
    demo: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "tui.log"
    monkeypatch.setenv("WORKBENCH_LOG", str(log))
    app = app_for(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)

        def broken(*_args, **_kwargs):
            raise RuntimeError("disk gremlin")

        monkeypatch.setattr(app.session, "save", broken)
        await pilot.press("x", "ctrl+s", "enter")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("disk gremlin" in m and str(log) in m for m in messages)
        assert app.is_running
        assert "Traceback" in log.read_text() and "disk gremlin" in log.read_text()


@run_async
async def test_clicking_the_scan_moves_the_cursor_to_that_word(demo: Project) -> None:
    app = app_for(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        view = app.page_view
        word = TranscriptStore(demo).read("demo/p1").layout()["lines"][2]["words"][1]["box"]
        left, top, scale = view.page_image.last_view
        # The cell over the word's centre (half-blocks: one pixel wide, two pixels tall).
        cx = int((word[0] + word[2] / 2 - left) * scale)
        cy = int((word[1] + word[3] / 2 - top) * scale / 2)
        await pilot.click(view, offset=(cx, cy))
        await pilot.pause()
        assert app.editor.cursor_location == (2, DEFAULT_LINES[2].index(DEFAULT_LINES[2].split()[1]))


@run_async
async def test_zoom_pan_and_preprocessed_view_by_keys(demo: Project) -> None:
    app = app_for(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        view = app.page_view
        before = view.page_image.last_view
        await pilot.press("tab")  # focus moves from the editor to the page image
        assert view.has_focus
        await pilot.press("+", "+")
        await pilot.pause()
        assert view.zoom == pytest.approx(1.5625)
        zoomed = view.page_image.last_view
        assert zoomed[2] > before[2]  # more screen pixels per scan pixel
        await pilot.press("right", "right", "right")  # a quarter of the view each
        await pilot.pause()
        assert view.page_image.last_view[0] > zoomed[0]  # panned right
        await pilot.press("0")
        await pilot.pause()
        assert view.zoom == 1.0 and view.page_image.last_view == before
        await pilot.press("f12")
        await settle(pilot, app)  # preprocessing runs in a worker, then the view switches
        assert view.preprocessed and view.page_image.has_preprocessed
        await pilot.press("f12")
        await pilot.pause()
        assert not view.preprocessed
