"""How words are compared: folding (case, ё/е, Latin look-alikes, aze_cyrl artefacts) and skeletons.

Three levels, from the text to the index:

* the **word** as written (kept for the flag and for the case of a suggestion);
* its **key** (``fold_key``): what "the same word" means for the known-word check: lower case, ё → е, stress
  marks dropped, Latin look-alikes inside a Cyrillic word mapped to Cyrillic, and for Azerbaijani the
  ``aze_cyrl`` artefacts repaired and ј → й (the index is stored in one orthography; the speller checks the
  orthography separately);
* its **skeleton** (``skeleton``): the key with the letters that OCR cannot tell apart merged, used only to
  find candidates. For Azerbaijani that merges exactly the letters no Tesseract model reads (ә/э/е, ғ/г,
  ҝ/к, һ/н, ө/о, ү/у, ҹ/ж/ч, ш/и), so a word garbled in four such letters is still one lookup away.
"""

from __future__ import annotations

import unicodedata

from workbench.orthography import (
    DROPPED,
    LATIN_LOOKALIKES,
    LATIN_LOOKALIKES_AZE,
    SKELETON_AZE,
    normalise_aze_cyrl,
)

_CYRILLIC = frozenset(chr(c) for c in range(0x0400, 0x0530))
_LATIN_TABLE = str.maketrans(LATIN_LOOKALIKES)
_LATIN_TABLE_AZE = str.maketrans(LATIN_LOOKALIKES_AZE)
_DROP = str.maketrans(dict.fromkeys(DROPPED))
_YO = str.maketrans({"ё": "е", "Ё": "Е"})
_SKELETON_AZE = str.maketrans(SKELETON_AZE)


def has_cyrillic(word: str) -> bool:
    """Whether ``word`` has at least one Cyrillic letter."""
    return any(ch in _CYRILLIC for ch in word)


def has_latin(word: str) -> bool:
    """Whether ``word`` has a Latin letter (A–Z, a–z)."""
    return any(("a" <= ch <= "z") or ("A" <= ch <= "Z") for ch in word)


def fix_lookalikes(word: str, lang: str) -> str:
    """Map Latin look-alike letters inside a Cyrillic word to Cyrillic (a word without Cyrillic is kept)."""
    if not has_cyrillic(word) or not has_latin(word):
        return word
    return word.translate(_LATIN_TABLE_AZE if lang == "aze_cyrl" else _LATIN_TABLE)


def aze_lower(word: str) -> str:
    """Lower-case Azerbaijani text the Azerbaijani way (Latin İ → i, I → ı; Cyrillic is plain)."""
    return word.replace("İ", "i").replace("I", "ı").lower()


def fold_key(word: str, lang: str) -> str:
    """The comparison key of ``word`` in ``lang``: see the module docstring."""
    word = unicodedata.normalize("NFC", word)
    if lang == "aze_cyrl":
        word = normalise_aze_cyrl(word, "1939")
        word = fix_lookalikes(word, lang)
        word = aze_lower(word)
    else:
        word = fix_lookalikes(word, lang).lower()
    return word.translate(_DROP).translate(_YO)


def skeleton(key: str, lang: str) -> str:
    """The candidate-finding skeleton of a folded key (identity for Russian)."""
    if lang == "aze_cyrl":
        return key.translate(_SKELETON_AZE)
    return key


def transfer_case(source: str, target: str) -> str:
    """Give ``target`` the case pattern of ``source``: UPPER, Title or as stored."""
    letters = [ch for ch in source if ch.isalpha()]
    if len(letters) > 1 and all(ch.isupper() for ch in letters):
        return target.upper()
    if letters and letters[0].isupper():
        return target[:1].upper() + target[1:]
    return target


def stored_key(stored: str) -> str:
    """The key of a form as the index stores it (already lower case and repaired: only ё → е is left)."""
    return stored.translate(_YO)
