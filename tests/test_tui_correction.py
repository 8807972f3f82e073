"""Pilot tests of the correction flow's bugs of issue 9: flagged words after typing, the letter chord over a
selection, the re-OCR dialog's Enter, form feeds through a TUI save, and dialog keys.

The page is the sample archive's ``bagirov-1946/p3`` as Tesseract read it (``tests/data/ocr/``): its line
«без того наши фелай рвутся против тгнков с дубинкой и куласхом,» has two low-confidence words (53 and 30),
«но это недостаточно. Е» a third («Е», 26).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_async, settle, wait_for
from textual import events

from workbench.linemap import layout_line_texts
from workbench.project import Project
from workbench.store import TranscriptStore
from workbench.tui.app import MainScreen, WorkbenchApp, make_app
from workbench.tui.sample import DEFAULT_LINES, make_demo_project
from workbench.tui.screens import CandidateScreen, DiffScreen, HistoryScreen

SIZE = (120, 40)
PAGE = "bagirov-1946/p3"
LAYOUT = json.loads((Path(__file__).parent / "data/ocr/bagirov-1946-p3.layout.json").read_text(encoding="utf-8"))
CHARACTERS = {"enter": "\r", "tab": "\t", "space": " "}
TANKS = "без того наши фелай рвутся против тгнков с дубинкой и куласхом,"


@pytest.fixture
def p3(sample_project: Project) -> Project:
    layout = {**LAYOUT, "image": f"scans/{PAGE}.jpg"}
    text = "\n".join(layout_line_texts(layout))
    assert TANKS in text.split("\n")
    TranscriptStore(sample_project).save(PAGE, text, source="ocr", author="tesseract", layout=layout)
    return sample_project


@pytest.fixture
def demo(tmp_path: Path) -> Project:
    return make_demo_project(tmp_path / "demo")


async def select_flag(pilot, app: WorkbenchApp, word: str) -> None:
    """F8 until ``word`` is the selected flagged word."""
    for _ in range(len(app.editor.all_marks()) + 1):
        await pilot.press("f8")
        if app.editor.selected_text == word:
            return
    raise AssertionError(f"F8 never reached {word!r}")


def shown_suggestions(app: WorkbenchApp) -> str:
    return str(app.screen_stack[0].query_one("#suggest").render())


# -- bug 1: F8 right after typing ------------------------------------------------------------------------


@run_async
async def test_f8_right_after_typing_selects_the_next_flagged_word_of_the_new_text(p3: Project) -> None:
    """F8 to «тгнков», type «танк», F8 at once: the selection covered «асхом,» (the old offsets of
    «куласхом,», 2 letters further right before the edit) and typing then overwrote the wrong letters."""
    app = make_app(p3, PAGE, load_dictionaries=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await select_flag(pilot, app, "тгнков")
        row = app.editor.cursor_location[0]
        assert app.editor.document[row] == TANKS
        # Back to back: the page's recheck waits for 0.3 s without typing, so F8 comes before it.
        await pilot.press(*"танк", "f8")
        assert app.editor.selected_text == "куласхом"
        mark = app.editor.selected_mark()
        assert mark is not None and mark.word == "куласхом"
        assert shown_suggestions(app).startswith("куласхом (")
        await pilot.press(*"кулаком")
        assert app.editor.document[row] == "без того наши фелай рвутся против танк с дубинкой и кулаком,"


@run_async
async def test_f8_right_after_typing_shows_the_next_words_suggestions(p3: Project) -> None:
    """The same with the dictionaries: «куласхом» is an unknown word, and its suggestions show (there were none)."""
    from workbench.dictionary import load_speller
    from workbench.errors import DictionaryError

    try:
        load_speller(None, "rus")
    except DictionaryError as e:
        pytest.skip(f"dictionaries not built (`workbench dict build`): {e}")
    app = make_app(p3, PAGE)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert app.suggestions_state == "ready"
        await select_flag(pilot, app, "тгнков")
        row = app.editor.cursor_location[0]
        await pilot.press(*"танк", "f8")
        assert app.editor.selected_text == "куласхом"
        shown = shown_suggestions(app)
        assert shown.startswith("куласхом (") and "no suggestions" not in shown and " 1 " in shown, shown
        await pilot.press("1")
        assert app.editor.document[row].startswith("без того наши фелай рвутся против танк с дубинкой и ")
        assert app.editor.document[row].endswith(",") and "куласхом" not in app.editor.document[row]


@run_async
async def test_marks_follow_lines_inserted_above_them_before_the_recheck(p3: Project) -> None:
    """A line added above a flagged word moves its mark down with it at once (no recheck needed for F8)."""
    app = make_app(p3, PAGE, load_dictionaries=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await select_flag(pilot, app, "тгнков")
        row = app.editor.cursor_location[0]
        # A paragraph break above the line (as Enter or a paste makes it), then F8 with no await in between:
        # no recheck can have run.
        app.editor.insert("\n", (row, 0))
        app.editor.move_cursor((row, 0))
        app.action_next_flag()
        assert app.editor.selection == ((row + 1, 34), (row + 1, 40))
        assert app.editor.selected_text == "тгнков"
        await pilot.press(*"танков")
        assert app.editor.document[row + 1] == TANKS.replace("тгнков", "танков")


# -- bug 2: the letter chord over a selection ------------------------------------------------------------


@run_async
async def test_ctrl_g_letter_replaces_the_selected_word(p3: Project) -> None:
    app = make_app(p3, PAGE, load_dictionaries=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await select_flag(pilot, app, "Е")
        row = app.editor.cursor_location[0]
        assert app.editor.document[row] == "но это недостаточно. Е"
        await pilot.press("ctrl+g", "j")  # back to back, no pause: the letter must not be lost
        assert app.editor.document[row] == "но это недостаточно. й"
        # Three letters typed by chord, selected, and one more chord: one letter is left.
        await pilot.press("space", "ctrl+g", "a", "ctrl+g", "a", "ctrl+g", "a")
        assert app.editor.document[row] == "но это недостаточно. й әәә"
        await pilot.press("shift+left", "shift+left", "shift+left")
        assert app.editor.selected_text == "әәә"
        await pilot.press("ctrl+g", "a")
        assert app.editor.document[row] == "но это недостаточно. й ә"
        assert app.editor.selected_text == ""
        # Chord and letter in one burst (as a terminal delivers them when typed fast): the letter arrives.
        await pilot.press("shift+left")
        send(app, keys_typed_now(app, "ctrl+g", "h", "ctrl+g", "o"))
        await wait_for(pilot, lambda: app.editor.document[row].endswith(" һө"), "both letters")
        assert app.editor.document[row] == "но это недостаточно. й һө"


@run_async
async def test_letters_palette_and_keyboard_mode_replace_the_selection(demo: Project) -> None:
    app = make_app(demo, "demo/p1", load_dictionaries=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        first = DEFAULT_LINES[0]
        word = first.split()[0]
        await pilot.press("home", *["shift+right"] * len(word), "ctrl+o")
        await wait_for(pilot, lambda: not isinstance(app.screen, MainScreen), "the letters palette")
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), "the palette closed")
        assert app.editor.document[0] == "ө" + first[len(word) :]
        await pilot.press("shift+left", "ctrl+n", "1", "ctrl+n")  # keyboard mode: 1 types ә
        assert app.editor.document[0] == "ә" + first[len(word) :]
        await pilot.press("shift+left", "ctrl+t", "o", "ctrl+t")  # transliteration: o types о
        assert app.editor.document[0] == "о" + first[len(word) :]


# -- bug 6: Enter in the re-OCR dialog -------------------------------------------------------------------


@run_async
async def test_enter_on_the_reocr_dialog_never_closes_it_silently(demo: Project) -> None:
    """F4, Tab, Enter: Tab had moved the focus to Cancel, and Enter closed the dialog with no OCR and no word."""
    app = make_app(demo, "demo/p1", load_dictionaries=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        before = len(app._notifications)
        await pilot.press("f4")
        await wait_for(pilot, lambda: app.screen.query("#run"), "the OCR dialog")
        await pilot.press("tab", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), "the dialog closed")
        said = [n.message for n in list(app._notifications)[before:]]
        started = any(w.group == "ocr" for w in app.workers)
        assert started or any("nothing was run" in m for m in said), said
        # Escape says the same.
        before = len(app._notifications)
        await pilot.press("f4")
        await wait_for(pilot, lambda: app.screen.query("#run"), "the OCR dialog")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), "the dialog closed")
        assert any("nothing was run" in n.message for n in list(app._notifications)[before:])


# -- bug 8: form feed and U+2028 through a TUI save ------------------------------------------------------


@run_async
async def test_form_feed_and_line_separators_survive_edits_autosave_recovery_and_save(demo: Project) -> None:
    """Only \\n ends a line: \\f, U+2028, U+2029 and tabs stay in their lines byte for byte, through edits of
    other lines, undo and redo, the autosave, its recovery after a killed terminal, and the save."""
    store = TranscriptStore(demo)
    lines = ["\fЗаголовок\tстраницы", "первая\u2028строка\f", "вторая строка", "\u2028", "абзац\u2029конец\x0c"]
    text = "\n".join(lines) + "\n"
    store.save("demo/p1", text, author="tester", source="edit")
    app = make_app(demo, "demo/p1", load_dictionaries=False, autosave_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert app.editor.text == text and app.editor.document.line_count == len(lines) + 1
        # Edit the third line; type on the fourth, undo it, redo it, undo it again.
        await pilot.press("down", "down", "end", *" ок", "down", "end", "x", "ctrl+z", "ctrl+y", "ctrl+z")
        lines[2] += " ок"
        await wait_for(
            pilot,
            lambda: (r := store.read_recovery("demo/p1")) is not None and r["text"] == "\n".join(lines) + "\n",
            "the autosave of the edit",
        )
        app.exit()  # as if the terminal was killed
    again = make_app(demo, "demo/p1", load_dictionaries=False)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot, again)
        await wait_for(pilot, lambda: again.screen.query("#choice-recover"), "the recovery offer")
        await pilot.click("#choice-recover")
        await wait_for(pilot, lambda: "● unsaved" in again.sub_title, "the recovered edits")
        await pilot.press("down", "down", "down", "down", "home", "!")  # and the last line, with its U+2029
        lines[4] = "!" + lines[4]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: again.screen.query("#message"), "the save dialog")
        await pilot.press("enter")
        await wait_for(pilot, lambda: store.latest_number("demo/p1") == 3, "the saved version")
    saved = store.read("demo/p1")
    assert (saved.path / "text.txt").read_bytes() == ("\n".join(lines) + "\n").encode("utf-8")


# -- bug 9: dialog keys and F3 ---------------------------------------------------------------------------


@pytest.fixture
def two_versions(demo: Project) -> Project:
    store = TranscriptStore(demo)
    store.save("demo/p1", "\n".join([*DEFAULT_LINES, "ещё строка"]), author="tester", source="edit")
    return demo


@run_async
async def test_f3_opens_the_history_and_never_closes_it(two_versions: Project) -> None:
    app = make_app(two_versions, "demo/p1", load_dictionaries=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen), "the history")
        await pilot.press("f3")  # already open: it stays (one history, focused)
        assert [type(s) for s in app.screen_stack] == [MainScreen, HistoryScreen]
        assert app.focused is app.screen.query_one("DataTable")
        await pilot.press("escape", "f3")  # Esc closes, F3 opens again
        assert [type(s) for s in app.screen_stack] == [MainScreen, HistoryScreen]
        app.screen.query_one("DataTable").blur()
        await pilot.press("f3")
        assert [type(s) for s in app.screen_stack] == [MainScreen, HistoryScreen]
        assert app.focused is app.screen.query_one("DataTable")  # refocused
        await pilot.press("d")  # version 2 against version 1
        await wait_for(pilot, lambda: isinstance(app.screen, DiffScreen), "the diff")
        app.action_history()  # History from the command palette over the diff: the one history, on top
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen), "the history back on top")
        assert [type(s) for s in app.screen_stack] == [MainScreen, HistoryScreen]
        await pilot.press("escape")
        assert [type(s) for s in app.screen_stack] == [MainScreen]


def keys_typed_now(app: WorkbenchApp, *keys: str) -> list[events.Key]:
    """Key events as the terminal driver makes them when the keys are typed (stamped with the time now)."""
    made = []
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else CHARACTERS.get(key))
        event.set_sender(app)
        made.append(event)
    return made


def send(app: WorkbenchApp, keys: list[events.Key]) -> None:
    """Hand key events to the app as the driver does, all at once (as on a busy machine)."""
    assert app._driver is not None
    for event in keys:
        app._driver.send_message(event)


@run_async
async def test_dialog_letters_typed_while_it_was_open_stay_out_of_the_transcript(demo: Project) -> None:
    """a, t, t: the first t takes the lines and closes the candidate dialog; the second t, typed while the
    dialog was still up but handled after it closed (a busy machine), landed in the transcript."""
    store = TranscriptStore(demo)
    store.save_candidate("demo/p1", "\n".join(line + " (ocr)" for line in DEFAULT_LINES))
    app = make_app(demo, "demo/p1", load_dictionaries=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, CandidateScreen), "the candidate dialog")
        late = keys_typed_now(app, "t", "d", "r", "enter")  # typed now, while the dialog is open
        await pilot.press("a", "t")
        await wait_for(pilot, lambda: app.focused is app.editor, "the dialog closed, the editor focused")
        send(app, late)
        await pilot.press("x")  # typed after the dialog closed: typed as usual
        assert app.editor.text == "x" + "\n".join(line + " (ocr)" for line in DEFAULT_LINES)


@run_async
async def test_take_with_no_line_chosen_keeps_the_candidate_dialog_open(demo: Project) -> None:
    store = TranscriptStore(demo)
    store.save_candidate("demo/p1", "\n".join(line + " (ocr)" for line in DEFAULT_LINES))
    app = make_app(demo, "demo/p1", load_dictionaries=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, CandidateScreen), "the candidate dialog")
        await pilot.press("t")  # nothing chosen: it used to close, and the next keys were typed into the page
        assert isinstance(app.screen, CandidateScreen)
        assert any("No line chosen" in n.message for n in app._notifications)
        await pilot.press("space", "t")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), "the dialog closed")
        assert app.editor.document[0] == DEFAULT_LINES[0] + " (ocr)"
