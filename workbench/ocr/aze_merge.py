"""Merging an ``aze_cyrl`` and a ``rus`` reading of an Azerbaijani word into the best spelling.

The ``aze_cyrl`` model cannot write ш, й and the Russian loanword letters; the ``rus`` model cannot write
the Azerbaijani ones. These functions keep the Azerbaijani reading and take from the Russian one only
what the Azerbaijani model lacks, then let a dictionary pick among the few spellings the two allow.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from workbench.ocr.choose import INNER_E
from workbench.orthography import AZERI_ONLY_LETTERS, to_orthography

#: Letters Azerbaijani (with its Russian loanwords) uses that the aze_cyrl model cannot write, but rus can.
_RUS_SUPPLIES = frozenset("шйцщъьюяёШЙЦЩЪЬЮЯЁ")


_LOWER_AZ = "а-яәөүғҝһҹјыи"
_YOT_PAIR = re.compile(rf"(?<=[{_LOWER_AZ}])Ии")
_YOT_RUN = re.compile(rf"(?<=[{_LOWER_AZ}])И+(?=[{_LOWER_AZ}]|$)")


def repair_aze_yot(word: str) -> str:
    """Turn the aze_cyrl model's ``И``/``Ии`` inside a lower-case word into ``й`` (it has no й or ј glyph).

    A capital И after a lower-case letter is never right in running text; the model writes it for й.
    """
    word = _YOT_PAIR.sub("й", word)
    return _YOT_RUN.sub(lambda m: "й" * len(m.group(0)), word)


def combine_aze_rus(aze: str, rus: str) -> str:
    """One word from an ``aze_cyrl`` reading (normalised) and a ``rus`` reading of the same word.

    The aze_cyrl reading is kept, except where the rus reading has a letter aze_cyrl cannot write (ш й and
    the Russian loanword letters) against a stretch without any Azerbaijani-only letter: aze_cyrl writes
    п or и for ш and И or Ии for й, and those stretches are taken from rus. ҹ/ч stay as aze_cyrl read them
    (rus reads both as ч).
    """
    if aze == rus:
        return aze
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, aze, rus, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        a, r = aze[i1:i2], rus[j1:j2]
        if tag == "replace" and len(a) == len(r):
            # Letter by letter: a letter only rus can write replaces aze_cyrl's look-alike, never one of
            # the Azerbaijani letters.
            out.append(
                "".join(
                    rc if rc in _RUS_SUPPLIES and ac not in AZERI_ONLY_LETTERS else ac
                    for ac, rc in zip(a, r, strict=True)
                )
            )
        elif tag == "replace" and set(r) <= _RUS_SUPPLIES and not set(a) & AZERI_ONLY_LETTERS:
            out.append(r)  # "Ии" for й, "пп" for шш
        else:
            out.append(a)  # equal, delete (aze has more), or insert (ignored: rus adds nothing aze lacks)
    return "".join(out)


_EDGE_PUNCT = re.compile(r"^(\W*)(.*?)(\W*)$", re.DOTALL)


def pick_known(word: str, rus_word: str, speller: Any, orthography: str) -> str:
    """With an Azerbaijani dictionary: if ``word`` is unknown, try the few spellings the two readings allow.

    Those are ҹ → ч where the rus reading has ч (aze_cyrl writes ҹ for both), and the rus reading itself;
    the first the dictionary knows wins. Without a dictionary, or when none is known, ``word`` stays.
    """
    if speller is None:
        return word
    lead, core, trail = _EDGE_PUNCT.match(word).groups()  # type: ignore[union-attr]
    if not core or _is_known(speller, core):
        return word
    rus_core = _EDGE_PUNCT.match(rus_word).group(2)  # type: ignore[union-attr]
    candidates: list[str] = []
    if len(rus_core) == len(core):
        swapped = "".join(rc if ac in "ҹҸ" and rc in "чЧ" else ac for ac, rc in zip(core, rus_core, strict=True))
        if swapped != core:
            candidates.append(swapped)
    if rus_core and not INNER_E.search(rus_core):
        candidates.append(to_orthography(rus_core, orthography))
    for candidate in candidates:
        if _is_known(speller, candidate):
            return lead + candidate + trail
    return word


def _is_known(speller: Any, word: str) -> bool:
    try:
        return bool(speller.is_known(word))
    except Exception:  # noqa: BLE001 - a broken dictionary must not cost the page
        return False
