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

from workbench.linemap import layout_line_texts
from workbench.project import Project
from workbench.store import TranscriptStore
from workbench.tui.app import MainScreen, WorkbenchApp, make_app
from workbench.tui.sample import DEFAULT_LINES, make_demo_project

SIZE = (120, 40)
PAGE = "bagirov-1946/p3"
LAYOUT = json.loads((Path(__file__).parent / "data/ocr/bagirov-1946-p3.layout.json").read_text(encoding="utf-8"))
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
