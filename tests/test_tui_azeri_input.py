"""Pilot tests: Azerbaijani input modes of the editor (transliteration as you type, one key per letter)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_async

from workbench.azeri_input import KEYBOARD
from workbench.tui.app import WorkbenchApp, make_app
from workbench.tui.sample import make_demo_project

SIZE = (120, 40)


async def settle(pilot, app: WorkbenchApp) -> None:  # type: ignore[no-untyped-def]
    """Let workers finish and the screen catch up (instead of sleeping)."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


@run_async
@pytest.mark.parametrize(("orthography", "expected"), [("1939", "Азәрбайҹан"), ("1958", "Азәрбајҹан")])
async def test_typing_latin_in_transliteration_mode(tmp_path: Path, orthography: str, expected: str) -> None:
    project = make_demo_project(tmp_path / orthography, orthography=orthography)
    app = make_app(project, "demo/p1", load_dictionaries=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        first = app.editor.document[0]
        await pilot.press("ctrl+t")
        assert app.editor.input_mode == "translit"
        await pilot.press(*"Azərbaycan", "space", "A", "z", "e", "'")
        await pilot.pause()
        assert app.editor.document[0] == f"{expected} Азә{first}"
        await pilot.press("ctrl+t", "A")  # off again: Latin is Latin
        await pilot.pause()
        assert app.editor.input_mode == "plain"
        assert app.editor.document[0] == f"{expected} АзәA{first}"


@run_async
async def test_each_special_letter_is_one_key_in_keyboard_mode(tmp_path: Path) -> None:
    for orthography, yot in (("1939", "йЙ"), ("1958", "јЈ")):
        project = make_demo_project(tmp_path / orthography, orthography=orthography)
        app = make_app(project, "demo/p1", load_dictionaries=False)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            first = app.editor.document[0]
            await pilot.press("ctrl+n")
            assert app.editor.input_mode == "keyboard"
            for key in KEYBOARD:
                await pilot.press(key)
            await pilot.pause()
            typed = "әғҝһөүҹ" + yot[0] + "ӘҒҜҺӨҮҸ" + yot[1]
            assert app.editor.document[0] == typed + first
            await pilot.press("ctrl+n", "1")  # off: the digit is a digit
            await pilot.pause()
            assert app.editor.document[0] == typed + "1" + first
