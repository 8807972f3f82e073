"""What the search treats as the same letter: two folding levels, and the offsets back to the text.

* **base** (always): lower case, ё → е, 1958 ј → 1939 й, Latin look-alikes inside Cyrillic text → Cyrillic
  (a Latin «о», «с», «р», «х» …), the ``aze_cyrl`` model's artefacts repaired (с̧ → ш …), stress marks, soft
  hyphens and zero-width spaces dropped;
* **confusions** (on request): the base fold with the letters OCR confuses merged into one class (ә/э/е,
  ө/о, ү/у, ҹ/ч/ж, ҝ/к, ғ/г, һ/н, ш/и, and т/г).

The tables are the dictionary's (``workbench.dictionary.fold``) and the OCR module's
(``workbench.orthography``): the search and the speller agree on what a look-alike is. The index stores the
confusion fold (a superset: whatever matches at the base level matches there too) and every hit is
verified at the level the query asked for.

Folding maps one character to one character, so a folded line is usually exactly as long as the line and
a span in it is the same span in the text; only the marks dropped and the two-code-point artefacts make the
lengths differ, and then :func:`fold_line` also returns where each folded character came from.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

import regex

from workbench.orthography import AZE_CYRL_ARTEFACTS, DROPPED, LATIN_LOOKALIKES, LATIN_LOOKALIKES_AZE, SKELETON_AZE

#: Bump when a table changes: the index stores folded text, so an index folded otherwise is rebuilt.
FOLD_VERSION = 1

#: Latin h looks like Cyrillic һ; Latin i stands for и only in transliteration, not by its look, so the
#: dictionary's Azerbaijani table is taken for h alone.
_LOOKALIKES = {**LATIN_LOOKALIKES, **{k: v for k, v in LATIN_LOOKALIKES_AZE.items() if k in "hH"}}
_SINGLE_ARTEFACTS = {k: v for k, v in AZE_CYRL_ARTEFACTS.items() if len(k) == 1}
_AFTER_LOWER = {"ё": "е", "ј": "й"}
#: The typescript's т and г differ by one stroke (the sample archive's «Батиров» for Багиров); the other
#: classes are the letters no Tesseract model tells apart in Azerbaijani.
CONFUSION_CLASSES = {**SKELETON_AZE, "т": "г"}

#: Two-code-point artefacts and dropped marks: the only things that change a line's length when folded.
_SPECIAL = re.compile(
    "|".join([*sorted((re.escape(k) for k in AZE_CYRL_ARTEFACTS if len(k) > 1), key=len, reverse=True)])
    + "|["
    + DROPPED
    + "]"
)
#: Every special above involves one of these code points: a cheap test before the regex.
_SPECIAL_MARKS = "\u0327\u0306\u0307" + DROPPED
_HAS_MARK = re.compile("[" + "".join(re.escape(ch) for ch in _SPECIAL_MARKS) + "]")


def _has_special(text: str) -> bool:
    return _HAS_MARK.search(text) is not None and _SPECIAL.search(text) is not None


WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+")


def _base_char(ch: str) -> str:
    ch = _SINGLE_ARTEFACTS.get(ch, _LOOKALIKES.get(ch, ch))
    low = ch.lower()
    if len(low) != 1:  # İ lowers to two code points; keep the length
        low = ch
    return _AFTER_LOWER.get(low, low)


class _Table(dict[int, str]):
    """A ``str.translate`` table filled on first sight of each character (the alphabet is open)."""

    def __init__(self, confusions: bool) -> None:
        super().__init__()
        self.confusions = confusions

    def __missing__(self, code: int) -> str:
        ch = _base_char(chr(code))
        if self.confusions:
            ch = CONFUSION_CLASSES.get(ch, ch)
        self[code] = ch
        return ch


BASE = _Table(confusions=False)
CONFUSIONS = _Table(confusions=True)


class _WordTable(dict[int, str]):
    """The base fold with every character that is not part of a word made a space (line breaks kept)."""

    def __missing__(self, code: int) -> str:
        ch = BASE[code]
        if code != 10 and not WORD.match(ch):
            ch = " "
        self[code] = ch
        return ch


WORDS_ONLY = _WordTable()


def table(confusions: bool) -> _Table:
    """The translate table of a level."""
    return CONFUSIONS if confusions else BASE


#: Letters a project learned to merge on top of :data:`CONFUSION_CLASSES`: (letter, its class's letter)
#: pairs, both at the confusion level, sorted (see :func:`learned_classes`); hashable, so a query holds it.
Learned = tuple[tuple[str, str], ...]


def learned_classes(pairs: Iterable[tuple[str, str]]) -> Learned:
    """The classes that one-letter corrections (what the OCR gave, what belongs) add to the built-in ones.

    Each pair whose two sides are one word character each once folded at the confusion level, and differ
    there, merges their classes (transitively: н>и and и>п make one class of all three). Longer segments
    (``rn>м``) cannot be a letter-for-letter fold and are left to ``~N``.
    """
    parent: dict[str, str] = {}

    def root(c: str) -> str:
        while parent.get(c, c) != c:
            c = parent[c]
        return c

    for a, b in pairs:
        fa, fb = fold(a, True), fold(b, True)
        if len(fa) != 1 or len(fb) != 1 or fa == fb or not WORD.match(fa) or not WORD.match(fb):
            continue
        ra, rb = root(fa), root(fb)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)  # the smallest letter of a class represents it
    return tuple(sorted((c, root(c)) for c in parent if root(c) != c))


@functools.lru_cache(maxsize=8)
def _learned_table(learned: Learned) -> dict[int, str]:
    return {ord(c): r for c, r in learned}


def learned_members(learned: Learned) -> dict[str, str]:
    """Each letter of a learned class → every letter of its class (the trigram filter's alternatives)."""
    classes: dict[str, str] = {}
    for c, r in learned:
        classes[r] = classes.get(r, r) + c
    return {c: members for members in classes.values() for c in members}


def fold_confusions(text: str, learned: Learned = ()) -> str:
    """``text`` folded at the confusion level, with the ``learned`` classes merged too."""
    out = fold(text, True)
    return out.translate(_learned_table(learned)) if learned else out


def fold(text: str, confusions: bool = False) -> str:
    """``text`` folded (see the module docstring); marks dropped, artefacts repaired."""
    tab = table(confusions)
    if not _has_special(text):
        return text.translate(tab)
    return fold_line(text, confusions)[0]


#: Code points the vectorised fold handles (Latin, Cyrillic, punctuation, …); text with others is translated.
_LUT_SIZE = 0x3000
_LUTS: dict[bool | str, Any] = {}


def fold_lines(lines: list[str], confusions: bool = False) -> list[str]:
    """Each of ``lines`` folded; a page at a time through a lookup table (the index build's hot loop).

    ``str.translate`` looks every character up in a dict, which for Cyrillic costs an int object per
    character; numpy does the same mapping on the whole page's code points at once.
    """
    text = "\n".join(lines)
    if _has_special(text):
        return [fold(line, confusions) for line in lines]
    import numpy as np

    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    if codes.size == 0 or int(codes.max()) >= _LUT_SIZE:
        return text.translate(table(confusions)).split("\n")
    lut = _LUTS.get(confusions)
    if lut is None:
        tab = table(confusions)
        lut = _LUTS[confusions] = np.array([ord(tab[c]) for c in range(_LUT_SIZE)], dtype=np.uint32)
    return str(lut[codes].tobytes().decode("utf-32-le")).split("\n")


def word_lines(lines: list[str]) -> list[str | None]:
    """Each line folded at the base level, everything that is not part of a word made a space.

    ``str.split()`` of one gives :func:`words` of the folded line, and a word's offset in it is its offset
    in the line; ``None`` for a line whose fold changes its length (see :func:`fold_line`). The lines hold
    no line break.

    The fuzzy search's verification of tens of thousands of candidate lines: numpy maps the code points of
    the whole batch at once (see :func:`fold_lines`).
    """
    if not lines:
        return []
    text = "\n".join(lines)
    if _has_special(text):
        return [None if _has_special(line) else line.translate(WORDS_ONLY) for line in lines]
    import numpy as np

    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    if codes.size == 0 or int(codes.max()) >= _LUT_SIZE:
        return list(text.translate(WORDS_ONLY).split("\n"))
    lut = _LUTS.get("words")
    if lut is None:
        lut = _LUTS["words"] = np.array([ord(WORDS_ONLY[c]) for c in range(_LUT_SIZE)], dtype=np.uint32)
    return list(lut[codes].tobytes().decode("utf-32-le").split("\n"))


def fold_line(text: str, confusions: bool = False) -> tuple[str, list[int] | None]:
    """``text`` folded, and ``None`` when every folded character is where it was in ``text``.

    Otherwise the list gives, for each folded character, its offset in ``text``, plus ``len(text)`` at the
    end: folded span ``[a, b)`` is ``[pos[a], pos[b])`` of the text.
    """
    tab = table(confusions)
    if not _has_special(text):
        return text.translate(tab), None
    out: list[str] = []
    pos: list[int] = []
    i = 0
    for m in _SPECIAL.finditer(text):
        out.append(text[i : m.start()].translate(tab))
        pos.extend(range(i, m.start()))
        repaired = AZE_CYRL_ARTEFACTS.get(m.group(0))
        if repaired is not None:
            out.append(repaired.translate(tab))
            pos.append(m.start())
        i = m.end()
    out.append(text[i:].translate(tab))
    pos.extend(range(i, len(text)))
    pos.append(len(text))
    return "".join(out), pos


def to_text_span(pos: list[int] | None, start: int, end: int) -> tuple[int, int]:
    """A span of a folded line as a span of the line (see :func:`fold_line`)."""
    if pos is None:
        return start, end
    return pos[start], pos[end]


def words(folded: str) -> list[str]:
    """The words of a folded text (letters, marks and digits; everything else separates)."""
    found: list[str] = WORD.findall(folded)
    return found


def trigrams(folded: str) -> list[str]:
    """The distinct three-character substrings of ``folded``, in order of first appearance."""
    seen: dict[str, None] = {}
    for i in range(len(folded) - 2):
        seen.setdefault(folded[i : i + 3], None)
    return list(seen)
