"""Grammatical agreement of neighbouring Russian words (pymorphy3): the real-word check's back-off.

Where the word pairs counted from the archive and the corpus say nothing about a word and its neighbours, the
real-word check (:mod:`workbench.dictionary.realword`) weighs frequencies alone; agreement adds what the
grammar says: «у мена» cannot be (у governs the genitive, «мена» has none), «у меня» can. Two rules, each
applied only where pymorphy3's analyses leave no doubt about what the words are:

* **government**: a preposition and the next word, which must have a case the preposition takes
  (:data:`GOVERNS`) if every analysis of it is a word with case;
* **concord**: a full adjective or participle and a noun after it, which agree in case, number and (in the
  singular) gender in at least one pair of their analyses.

:func:`agreement` counts, for a word between its neighbours, the pairs that agree (+1) and the pairs that
cannot (−1); pairs the rules do not speak about count 0.

The analyser (OpenCorpora's dictionary, ~0.6 s to load) is loaded on first use, once per process.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable
from typing import Any

#: Cases each preposition governs (OpenCorpora grammemes; gen2/loc2/acc2 count as their main case).
GOVERNS: dict[str, frozenset[str]] = {
    p: frozenset(cases.split())
    for ps, cases in (
        ("в во на", "accs loct"),
        ("у от до из без для около после среди против вокруг кроме ради возле мимо вместо вдоль из-за из-под", "gent"),
        ("с со", "gent ablt accs"),
        ("к ко благодаря согласно навстречу", "datv"),
        ("о об обо", "loct accs"),
        ("по", "datv loct accs"),
        ("при", "loct"),
        ("за под подо", "accs ablt"),
        ("над надо перед передо", "ablt"),
        ("между", "ablt gent"),
        ("через сквозь про", "accs"),
    )
    for p in ps.split()
}
_CASE_OF = {"gen2": "gent", "loc2": "loct", "acc2": "accs", "gen1": "gent", "loc1": "loct"}
#: Parts of speech that have case (a word with another analysis, an adverb say, may follow anything).
_CASED = frozenset({"NOUN", "ADJF", "PRTF", "NPRO", "NUMR"})
#: Below this share of pymorphy3's estimate an analysis is not taken into account (rare readings of «в», «о»).
MIN_SCORE = 0.05

_lock = threading.Lock()


@functools.cache
def _analyzer() -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


def analyzer() -> Any:
    """The process's pymorphy3 ``MorphAnalyzer`` (loaded on first use)."""
    with _lock:
        return _analyzer()


@functools.lru_cache(maxsize=65536)
def _parses(word: str) -> tuple[tuple[str | None, str | None, str | None, str | None], ...]:
    """(part of speech, case, number, gender) of each likely analysis of ``word`` (folded, lower case)."""
    out = []
    for p in analyzer().parse(word):
        if p.score < MIN_SCORE:
            continue
        tag = p.tag
        case = _CASE_OF.get(str(tag.case), tag.case) if tag.case else None
        out.append((tag.POS, case, tag.number, tag.gender))
    return tuple(out)


def _government(prep: str, word: str) -> int:
    parses = _parses(prep)
    if not parses or any(pos != "PREP" for pos, *_ in parses):
        return 0
    cases = GOVERNS.get(prep)
    following = _parses(word)
    if cases is None or not following:
        return 0
    if any(pos in _CASED and case in cases for pos, case, _, _ in following):
        return 1
    if all(pos in _CASED and case is not None for pos, case, _, _ in following):
        return -1
    return 0


def _agree(adj: tuple[str | None, ...], noun: tuple[str | None, ...]) -> bool:
    _, case_a, num_a, gen_a = adj
    _, case_n, num_n, gen_n = noun
    if case_a != case_n or num_a != num_n:
        return False
    return num_a == "plur" or gen_a is None or gen_n is None or gen_a == gen_n


def _concord(first: str, second: str) -> int:
    a, b = _parses(first), _parses(second)
    adjs = [p for p in a if p[0] in ("ADJF", "PRTF")]
    nouns = [p for p in b if p[0] == "NOUN"]
    if not adjs or not nouns or len(adjs) < len(a) or len(nouns) < len(b):
        return 0  # only where both are surely an adjective and a noun
    return 1 if any(_agree(x, y) for x in adjs for y in nouns) else -1


def agreement(left: str, word: str, right: str) -> int:
    """Agreeing pairs minus pairs that cannot agree, of ``word`` with its neighbours (folded words; "" for
    none): see the module docstring."""
    total = 0
    if left:
        total += _government(left, word) or _concord(left, word)
    if right:
        total += _government(word, right) or _concord(word, right)
    return total


def warm(words: Iterable[str] = ("в",)) -> None:
    """Load the analyser now (a worker can call this before the first check needs it)."""
    for w in words:
        _parses(w)
