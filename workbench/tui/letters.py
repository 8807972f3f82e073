"""The letters Azerbaijani Cyrillic has and Russian lacks, and the chord keys that type them.

Textual-free. ``Ctrl-G`` then a Latin key types the letter (shift for the capital); the page's orthography
decides whether ``j`` gives й (1939 alphabet) or ј (1958 alphabet).
"""

from __future__ import annotations

#: Chord key → (lower, upper). ``j`` is resolved by orthography in :func:`letter_for`.
CHORDS: dict[str, tuple[str, str]] = {
    "a": ("ә", "Ә"),
    "g": ("ғ", "Ғ"),
    "k": ("ҝ", "Ҝ"),
    "h": ("һ", "Һ"),
    "o": ("ө", "Ө"),
    "u": ("ү", "Ү"),
    "c": ("ҹ", "Ҹ"),
    "y": ("й", "Й"),
}
YOT = {"1939": ("й", "Й"), "1958": ("ј", "Ј")}


def letter_for(key: str, orthography: str) -> str | None:
    """The letter a chord key types (``None`` if the key is not a chord key)."""
    lower = key.lower()
    if lower == "j":
        pair = YOT.get(orthography, YOT["1939"])
    elif lower in CHORDS:
        pair = CHORDS[lower]
    else:
        return None
    return pair[1] if key != lower else pair[0]


def palette(orthography: str) -> list[tuple[str, str]]:
    """(chord key, letter) pairs to show in the palette, lower case then capitals."""
    keys = ["a", "g", "k", "h", "o", "u", "c", "j", "y"]
    lower = [(k, letter_for(k, orthography) or "") for k in keys]
    upper = [(k.upper(), letter_for(k.upper(), orthography) or "") for k in keys]
    return lower + upper
