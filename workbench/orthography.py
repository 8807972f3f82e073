"""The languages and orthographies of the texts, and Azerbaijani Cyrillic: ``aze_cyrl`` artefact
normalisation, й/ј orthography, Latin → Cyrillic.

This module sits below both :mod:`workbench.ocr` and :mod:`workbench.dictionary` (it imports neither), so the
two agree on every letter without importing each other. ``LANGS`` and ``ORTHOGRAPHIES`` are defined here
only.

Tesseract's ``aze_cyrl`` model was trained on text converted letter by letter from Latin, so it writes
``С̧`` (С + combining cedilla) where ``Ш`` belongs, ``Ҹ̧`` for ``Ч``, ``Ҝ̆`` for ``Ғ``, ``Ы̇`` for ``И`` and
the Kazakh/Mari look-alikes ``Ӧ``/``Ӱ`` for ``Ө``/``Ү`` (see ``../shared/AZERBAIJANI_CYRILLIC.md``). Its
word list uses the 1958 ``ј`` throughout, while most of our documents follow the 1939 alphabet (``й``).
Everything here is pure and returns NFC text; the dictionary package imports the same table so the
dictionary and the OCR agree on every letter.
"""

from __future__ import annotations

import re
import unicodedata

#: The languages a line of text (and a dictionary) can be in.
LANGS = ("rus", "aze_cyrl")
#: The two Soviet Azerbaijani Cyrillic orthographies of our period.
ORTHOGRAPHIES = ("1939", "1958")

_CEDILLA = "\u0327"
_BREVE = "\u0306"
_DOT_ABOVE = "\u0307"

#: What the ``aze_cyrl`` model writes → the letter that belongs there (applied after NFC; the base letters
#: with combining marks have no precomposed form, so they stay two code points under NFC).
AZE_CYRL_ARTEFACTS: dict[str, str] = {
    "С" + _CEDILLA: "Ш",
    "с" + _CEDILLA: "ш",
    "Ҹ" + _CEDILLA: "Ч",
    "ҹ" + _CEDILLA: "ч",
    "Ҝ" + _BREVE: "Ғ",
    "ҝ" + _BREVE: "ғ",
    "Ы" + _DOT_ABOVE: "И",
    "ы" + _DOT_ABOVE: "и",
    "Ӧ": "Ө",
    "ӧ": "ө",
    "Ӱ": "Ү",
    "ӱ": "ү",
}

_ARTEFACT_RE = re.compile("|".join(sorted(map(re.escape, AZE_CYRL_ARTEFACTS), key=len, reverse=True)))

#: Latin (today's alphabet) → Cyrillic 1939–1958. ``y`` is handled by :func:`latin_to_cyrillic` because it
#: depends on the orthography. Dotted/dotless i: Latin ``i``/``İ`` → ``и``/``И``, ``ı``/``I`` → ``ы``/``Ы``.
LATIN_TO_CYRILLIC_1939: dict[str, str] = {
    "a": "а",
    "b": "б",
    "c": "ҹ",
    "ç": "ч",
    "d": "д",
    "e": "е",
    "ə": "ә",
    "ä": "ә",  # the 1992 Latin alphabet briefly used ä for ə
    "f": "ф",
    "g": "ҝ",
    "ğ": "ғ",
    "h": "һ",  # not н: the most frequent mistake of look-alike conversion
    "x": "х",
    "ı": "ы",
    "i": "и",
    "j": "ж",
    "k": "к",
    "q": "г",
    "l": "л",
    "m": "м",
    "n": "н",
    "o": "о",
    "ö": "ө",
    "p": "п",
    "r": "р",
    "s": "с",
    "ş": "ш",
    "t": "т",
    "u": "у",
    "ü": "ү",
    "v": "в",
    "z": "з",
    "y": "й",
    "A": "А",
    "B": "Б",
    "C": "Ҹ",
    "Ç": "Ч",
    "D": "Д",
    "E": "Е",
    "Ə": "Ә",
    "Ä": "Ә",
    "F": "Ф",
    "G": "Ҝ",
    "Ğ": "Ғ",
    "H": "Һ",
    "X": "Х",
    "I": "Ы",
    "İ": "И",
    "J": "Ж",
    "K": "К",
    "Q": "Г",
    "L": "Л",
    "M": "М",
    "N": "Н",
    "O": "О",
    "Ö": "Ө",
    "P": "П",
    "R": "Р",
    "S": "С",
    "Ş": "Ш",
    "T": "Т",
    "U": "У",
    "Ü": "Ү",
    "V": "В",
    "Z": "З",
    "Y": "Й",
    # Not Azerbaijani letters, but they occur in names and foreign words.
    "w": "в",
    "W": "В",
}

#: The 1958 reform replaced й by ј; everything else in the table is the same.
LATIN_TO_CYRILLIC_1958: dict[str, str] = {**LATIN_TO_CYRILLIC_1939, "y": "ј", "Y": "Ј"}


def _check_orthography(orthography: str) -> str:
    if orthography not in ORTHOGRAPHIES:
        raise ValueError(f"orthography must be one of {', '.join(ORTHOGRAPHIES)}, not {orthography!r}")
    return orthography


def to_orthography(text: str, orthography: str) -> str:
    """Write й or ј (and capitals) as ``orthography`` (``"1939"`` → й, ``"1958"`` → ј); NFC result.

    Apply it to Azerbaijani text only: Russian keeps й in both periods.
    """
    text = unicodedata.normalize("NFC", text)
    if _check_orthography(orthography) == "1939":
        return text.replace("ј", "й").replace("Ј", "Й")
    return text.replace("й", "ј").replace("Й", "Ј")


def repair_artefacts(text: str) -> str:
    """Repair only the ``aze_cyrl`` model's letters (с̧→ш, …), leaving й/ј as they are; NFC result."""
    text = unicodedata.normalize("NFC", text)
    return unicodedata.normalize("NFC", _ARTEFACT_RE.sub(lambda m: AZE_CYRL_ARTEFACTS[m.group(0)], text))


def normalise_aze_cyrl(text: str, orthography: str = "1939") -> str:
    """Repair the ``aze_cyrl`` model's letters (с̧→ш, ҹ̧→ч, ҝ̆→ғ, ы̇→и, ӧ→ө, ӱ→ү, capitals too).

    Also writes й/ј to match ``orthography`` and returns NFC text. Idempotent.
    """
    return unicodedata.normalize("NFC", to_orthography(repair_artefacts(text), orthography))


def latin_to_cyrillic(text: str, orthography: str = "1939") -> str:
    """Convert today's Latin-script Azerbaijani to Cyrillic of ``orthography``, letter by letter.

    Characters without an entry (digits, punctuation, letters already Cyrillic) pass through; the result
    is NFC. Latin ``i`` → ``и``, ``ı`` → ``ы``, ``İ`` → ``И``, ``I`` → ``Ы``, ``y`` → ``й`` (1939) or ``ј`` (1958).
    """
    table = LATIN_TO_CYRILLIC_1939 if _check_orthography(orthography) == "1939" else LATIN_TO_CYRILLIC_1958
    # NFC first so that "ş" written as s + cedilla, or "İ" as I + dot above, is one key.
    text = unicodedata.normalize("NFC", text)
    return unicodedata.normalize("NFC", "".join(table.get(ch, ch) for ch in text))


#: Letters only Azerbaijani uses among our two languages (cheap evidence for the per-line language choice).
AZERI_ONLY_LETTERS = frozenset("әғҝһөүҹјӘҒҜҺӨҮҸЈ")
#: Letters that Russian uses and 1939–58 Azerbaijani uses only in loanwords (and 1958+ hardly at all).
RUSSIAN_ONLY_LETTERS = frozenset("щъьэюяёЩЪЬЭЮЯЁ")


# -- look-alikes: what the speller's keys and the search's folding treat as the same letter ------------------

#: Latin letters that look like Cyrillic ones in a typescript or to an OCR engine (speller and search fold them).
LATIN_LOOKALIKES = {
    "a": "а",
    "e": "е",
    "o": "о",
    "p": "р",
    "c": "с",
    "x": "х",
    "y": "у",
    "A": "А",
    "B": "В",
    "C": "С",
    "E": "Е",
    "H": "Н",
    "K": "К",
    "M": "М",
    "O": "О",
    "P": "Р",
    "T": "Т",
    "X": "Х",
    "Y": "У",
}
#: In Azerbaijani text a Latin h stands for һ (the garbled 1955 letter has it), not for н.
LATIN_LOOKALIKES_AZE = {**LATIN_LOOKALIKES, "h": "һ", "H": "Һ", "i": "и"}
#: Marks that do not change a word: stress accents, soft hyphen, zero-width space.
DROPPED = "\u0301\u0300\u00ad\u200b"
#: The letters no Tesseract model tells apart in Azerbaijani, merged: the dictionary's skeletons, and the
#: search's OCR confusion classes.
SKELETON_AZE = {
    "ә": "е",
    "э": "е",
    "ғ": "г",
    "ҝ": "к",
    "һ": "н",
    "ө": "о",
    "ү": "у",
    "ҹ": "ж",
    "ч": "ж",
    "ш": "и",
}
