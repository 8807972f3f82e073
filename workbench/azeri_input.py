"""Typing Azerbaijani Cyrillic: Latin-script keys converted as you type, and one key per special letter.

Pure functions, no Textual: the TUI's editor calls them key by key, and the same conversion is available for
whole texts (:func:`transliterate`).

* **Transliteration mode.** Type today's Latin-script Azerbaijani (``ə ş ç ğ ö ü ı İ``) and get the page's
  Cyrillic alphabet (``y`` → ``й`` in the 1939 alphabet, ``ј`` in the 1958 one). Without those keys, an
  apostrophe after the base letter is the ASCII fallback: ``e'`` → ``ә``, ``s'`` → ``ш``, ``c'`` → ``ч``,
  ``g'`` → ``ғ``, ``o'`` → ``ө``, ``u'`` → ``ү``, ``i'`` → ``ы`` (the dotless i), ``I'`` → ``И`` (the
  dotted capital: as in the alphabet, a plain ``I`` is the capital of ``ı``, ``Ы``). A second apostrophe
  undoes the conversion and types the apostrophe.
* **Keyboard mode.** The digit keys type the letters Russian lacks, one key each, so a person typing
  Cyrillic on a Russian layout needs no chord: ``1`` ә, ``2`` ғ, ``3`` ҝ, ``4`` һ, ``5`` ө, ``6`` ү, ``7`` ҹ,
  ``8`` й or ј (by the page's alphabet); the same keys with Shift (``!@#$%^&*`` on a US layout) type the
  capitals. Digits themselves are typed with the mode off.
"""

from __future__ import annotations

import unicodedata

from workbench.orthography import LATIN_TO_CYRILLIC_1939, LATIN_TO_CYRILLIC_1958, ORTHOGRAPHIES

#: Base letter (as already converted) + apostrophe → the special letter it stands for.
APOSTROPHE_FALLBACKS: dict[str, str] = {
    "е": "ә",
    "Е": "Ә",
    "с": "ш",
    "С": "Ш",
    "ҹ": "ч",
    "Ҹ": "Ч",
    "ҝ": "ғ",
    "Ҝ": "Ғ",
    "о": "ө",
    "О": "Ө",
    "у": "ү",
    "У": "Ү",
    "и": "ы",
    "Ы": "И",
}
#: The reverse, for a second apostrophe (undo): special letter → the base letter it was made from.
_UNDO = {v: k for k, v in APOSTROPHE_FALLBACKS.items()}
APOSTROPHES = ("'", "’")

#: Keyboard mode: key → letter; ``None`` stands for the page's yot (й in 1939, ј in 1958).
KEYBOARD: dict[str, str | None] = {
    "1": "ә",
    "2": "ғ",
    "3": "ҝ",
    "4": "һ",
    "5": "ө",
    "6": "ү",
    "7": "ҹ",
    "8": None,
    "!": "Ә",
    "@": "Ғ",
    "#": "Ҝ",
    "$": "Һ",
    "%": "Ө",
    "^": "Ү",
    "&": "Ҹ",
    "*": None,
}
_YOT = {"1939": ("й", "Й"), "1958": ("ј", "Ј")}


def _table(orthography: str) -> dict[str, str]:
    if orthography not in ORTHOGRAPHIES:
        raise ValueError(f"orthography must be one of {', '.join(ORTHOGRAPHIES)}, not {orthography!r}")
    return LATIN_TO_CYRILLIC_1939 if orthography == "1939" else LATIN_TO_CYRILLIC_1958


def keyboard_letter(key: str, orthography: str = "1939") -> str | None:
    """The letter a key types in keyboard mode (``None``: the key types itself)."""
    if key not in KEYBOARD:
        return None
    letter = KEYBOARD[key]
    if letter is None:
        _table(orthography)
        lower, upper = _YOT[orthography]
        return upper if key == "*" else lower
    return letter


def keyboard_keys(orthography: str = "1939") -> list[tuple[str, str]]:
    """(key, letter) pairs of keyboard mode, lower case then capitals, for the help and the palette."""
    return [(k, keyboard_letter(k, orthography) or "") for k in KEYBOARD]


def type_latin(before: str, key: str, orthography: str = "1939") -> tuple[int, str]:
    """What typing ``key`` does in transliteration mode after the text ``before`` (the cursor's left).

    Returns (how many characters left of the cursor to replace, the text to put there). A Latin letter gives
    its Cyrillic letter; an apostrophe after a base letter turns it into the special letter (a second one
    turns it back and types the apostrophe); anything else is typed as it is.
    """
    table = _table(orthography)
    key = unicodedata.normalize("NFC", key)
    if key in APOSTROPHES and before:
        last = before[-1]
        if last in APOSTROPHE_FALLBACKS:
            return 1, APOSTROPHE_FALLBACKS[last]
        if last in _UNDO:
            return 1, _UNDO[last] + key
        return 0, key
    return 0, "".join(table.get(ch, ch) for ch in key)


def transliterate(text: str, orthography: str = "1939") -> str:
    """A whole Latin-script text in the page's Cyrillic alphabet, with the ASCII fallbacks; NFC result.

    ``transliterate("Azərbaycan", "1939") == "Азәрбайҹан"``; ``transliterate("Aze'rbaycan", "1958") ==
    "Азәрбајҹан"``.
    """
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        drop, insert = type_latin("".join(out[-1:]), ch, orthography)
        if drop:
            out.pop()
        out.extend(insert)
    return unicodedata.normalize("NFC", "".join(out))
