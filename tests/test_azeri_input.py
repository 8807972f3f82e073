"""Typing Azerbaijani: Latin keys to the page's Cyrillic alphabet, ASCII fallbacks, keyboard-mode keys."""

from __future__ import annotations

import pytest

from workbench.azeri_input import KEYBOARD, keyboard_letter, transliterate, type_latin
from workbench.orthography import AZERI_ONLY_LETTERS


def typed(keys: str, orthography: str) -> str:
    """The text after typing ``keys`` one by one in transliteration mode."""
    text = ""
    for key in keys:
        drop, insert = type_latin(text, key, orthography)
        text = text[: len(text) - drop] + insert
    return text


@pytest.mark.parametrize(
    ("keys", "orthography", "expected"),
    [
        ("Azərbaycan", "1939", "Азәрбайҹан"),
        ("Azərbaycan", "1958", "Азәрбајҹан"),
        ("Aze'rbaycan", "1939", "Азәрбайҹан"),  # ASCII fallback for ə
        ("s'e'he'r", "1939", "шәһәр"),
        ("Çörək", "1958", "Чөрәк"),
        ("c'o're'k'", "1939", "чөрәк'"),  # k has no fallback: the apostrophe stays
        ("İran", "1939", "Иран"),
        ("I'ran", "1939", "Иран"),
        ("qızı", "1939", "гызы"),
        ("qi'zi'", "1939", "гызы"),
        ("ağ", "1939", "ағ"),
        ("ag'", "1939", "ағ"),
        ("ü", "1939", "ү"),
        ("u'", "1939", "ү"),
        ("e''", "1939", "е'"),  # a second apostrophe undoes the letter and types the apostrophe
        ("1955-ci il", "1939", "1955-ҹи ил"),
    ],
)
def test_typing_latin_gives_the_pages_alphabet(keys: str, orthography: str, expected: str) -> None:
    assert typed(keys, orthography) == expected
    assert transliterate(keys, orthography) == expected


def test_every_special_letter_has_one_key_in_keyboard_mode() -> None:
    for orthography, yot in (("1939", "йЙ"), ("1958", "јЈ")):
        letters = {keyboard_letter(k, orthography) for k in KEYBOARD}
        wanted = (set("әғҝһөүҹӘҒҜҺӨҮҸ") | set(yot)) & (AZERI_ONLY_LETTERS | set("йЙ"))
        assert wanted <= letters, wanted - letters
        assert all(len(k) == 1 for k in KEYBOARD)
    assert keyboard_letter("8", "1939") == "й" and keyboard_letter("8", "1958") == "ј"
    assert keyboard_letter("*", "1958") == "Ј"
    assert keyboard_letter("a", "1939") is None


def test_bad_orthography_is_refused() -> None:
    with pytest.raises(ValueError, match="orthography"):
        type_latin("", "a", "1940")


def test_transliterate_command_is_what_the_tui_types() -> None:
    import subprocess
    import sys

    def run(*args: str, stdin: str | None = None) -> str:
        out = subprocess.run(
            [sys.executable, "-m", "workbench", "transliterate", *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return out.stdout

    assert run("Azərbaycan") == "Азәрбайҹан\n"
    assert run("Azərbaycan", "--orthography", "1958") == "Азәрбајҹан\n"
    assert run(stdin="s'e'he'r\nqi'z\n") == "шәһәр\nгыз\n"
