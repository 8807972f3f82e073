"""Real-word misreads: a known word that is most likely another known word the OCR misread («хроме» → «кроме»).

An isolated-word checker never flags «цепях» for «целях»: both are words. Here a known word is flagged when a
word one cheap OCR confusion away (the speller's confusion table: measured Tesseract confusions, the hand
table and the project's corrections) is much more probable in its place. In the noisy channel's units (the
speller's costs, 0.3 per factor of ten in frequency):

    gain = FREQ_WEIGHT · (log10 P(candidate in context) − log10 P(word in context)) − confusion cost

and the word is flagged when the best candidate's gain exceeds ``MARGIN``. P in context comes from word
bigram counts interpolated with the unigram frequency (:class:`ContextModel`: the archive's reviewed lines,
and any other text given to it). Where no pair of the word or the candidate with a neighbour was ever
counted, it can back off to the frequency and grammatical agreement (:mod:`workbench.dictionary.grammar`,
pymorphy3): each agreeing pair is worth ``GRAMMAR_WEIGHT`` factors of ten, each pair that cannot agree as
much against (off by default: it cost precision on the held-out split). The margin and weights were
chosen on the development split of ``bench/bench_dict_quality.py`` for precision: a wrong real-word flag
costs the transcriber time.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import regex

from workbench.dictionary.confusions import FREQ_WEIGHT, confusion_neighbours
from workbench.flags import Suggestion

__all__ = ["ContextModel", "confusion_neighbours", "real_word"]

if TYPE_CHECKING:  # type only: the speller imports this module
    from workbench.dictionary.speller import Speller

#: A candidate must be at most this far (one cheap confusion, not a plain edit).
MAX_CONFUSION = 1.0
#: How much more probable (in cost units) the candidate must be than the word as read.
MARGIN = 0.3
#: Weight of the unigram prior in the interpolated bigram probabilities (see :class:`ContextModel`): 100
#: (the best of 1 and 100 on the development split) lets a pair seen once shift the odds, not decide them.
SMOOTHING = 100.0
#: Words this frequent (Zipf) are never flagged: nothing one confusion away can be much more probable.
TOO_COMMON = 6.0
#: Factors of ten in probability per agreeing (or disagreeing) neighbour pair, where no counts exist (0: no
#: grammar). 1.0 was the development split's choice (precision 90 %, recall 42 %, against 91 % / 41 % without),
#: but on the held-out split it took precision below 70 % (68 %, against 71 % without; BENCHMARKS.md), so the
#: back-off is off: the module stays, measured, for a larger corpus or better rules.
GRAMMAR_WEIGHT = 0.0
#: Words shorter than this are not flagged (two letters leave too little to go on: «во»/«но», «ка»/«на»).
MIN_LENGTH = 2

_WORD = regex.compile(r"[\p{L}\p{M}]+(?:-[\p{L}\p{M}]+)*")


@dataclass
class ContextModel:
    """Word and word-bigram counts (folded words) from text the archive holds as right.

    Probabilities interpolate the counts with the unigram frequency ``p`` (wordfreq's, through the speller):
    ``P(x | left) = (count(left, x) + K·p(x)) / (count(left) + K)``, so without counts a word's score is its
    frequency, and a pair the archive has seen counts for what it is.
    """

    bigrams: Counter[tuple[str, str]] = field(default_factory=Counter)
    words: Counter[str] = field(default_factory=Counter)
    #: each folded word as it was first written (a name keeps its capital)
    forms: dict[str, str] = field(default_factory=dict)

    def add_text(self, text: str) -> None:
        """Count the words and word pairs of ``text`` (lower case, ё as е), line by line."""
        for line in text.split("\n"):
            written = _WORD.findall(line)
            toks = [t.lower().replace("ё", "е") for t in written]
            self.words.update(toks)
            self.bigrams.update(itertools.pairwise(toks))
            for key, form in zip(toks, written, strict=True):
                self.forms.setdefault(key, form)

    def update(self, other: ContextModel) -> None:
        """Add ``other``'s counts to these."""
        self.bigrams.update(other.bigrams)
        self.words.update(other.words)
        for key, form in other.forms.items():
            self.forms.setdefault(key, form)

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> ContextModel:
        """A model counted from ``texts``."""
        model = cls()
        for text in texts:
            model.add_text(text)
        return model

    def log_prob(self, left: str, word: str, right: str, p_word: float, p_right: float) -> float:
        """log10 P(word | left) + log10 P(right | word), interpolated with the unigram probabilities."""
        score = math.log10(p_word)
        if left:
            n = self.words.get(left, 0)
            score = math.log10((self.bigrams.get((left, word), 0) + SMOOTHING * p_word) / (n + SMOOTHING))
        if right:
            n = self.words.get(word, 0)
            score += math.log10((self.bigrams.get((word, right), 0) + SMOOTHING * p_right) / (n + SMOOTHING))
        return score


def _prob(zipf: float) -> float:
    """A Zipf frequency as a probability per word (Zipf = log10 of occurrences per billion words)."""
    return 10 ** (max(zipf, 1.0) - 9)


def real_word(speller: Speller, word: str, left: str = "", right: str = "", n: int = 5) -> list[Suggestion] | None:
    """If the known ``word`` (between ``left`` and ``right``) is likely a misread of another word: the likely
    words, best first, then ``word`` itself; else None. Unknown words are not for this check (None)."""
    if speller.lang != "rus" or not speller.is_known(word):
        return None  # Azerbaijani lists have no frequencies to weigh with
    key = speller.key(word)
    if len(key) < MIN_LENGTH or not key.isalpha():
        return None
    zw = speller.zipf_of(key)
    if zw >= TOO_COMMON:
        return None
    ctx = speller.context
    lk, rk = speller.key(left) if left else "", speller.key(right) if right else ""
    p_right = _prob(speller.zipf_of(rk)) if rk else 1.0

    def score(k: str, zipf: float) -> float:
        if ctx is None:
            return math.log10(_prob(zipf))
        return ctx.log_prob(lk, k, rk, _prob(zipf), p_right)

    def counted(k: str) -> bool:
        return ctx is not None and bool((lk and ctx.bigrams.get((lk, k))) or (rk and ctx.bigrams.get((k, rk))))

    grammar = GRAMMAR_WEIGHT > 0 and not counted(key)
    reach = FREQ_WEIGHT * GRAMMAR_WEIGHT * 4  # the most agreement can change a gain
    base = score(key, zw)
    agree_word: int | None = None
    found: list[tuple[float, str]] = []
    for cand, cost in confusion_neighbours(key, speller.confusion_table(), MAX_CONFUSION):
        zc = speller.zipf_of(cand)
        if zc <= 0:
            continue
        gain = FREQ_WEIGHT * (score(cand, zc) - base) - cost
        if grammar and gain > MARGIN - reach and not counted(cand):
            # no counts for either: what the grammar says (loaded on first use)
            from workbench.dictionary.grammar import agreement

            if agree_word is None:
                agree_word = agreement(lk, key, rk)
            gain += FREQ_WEIGHT * GRAMMAR_WEIGHT * (agreement(lk, cand, rk) - agree_word)
        if gain > MARGIN:
            found.append((gain, cand))
    if not found:
        return None
    found.sort(key=lambda gc: (-gc[0], gc[1]))
    out = []
    for gain, cand in found[: n - 1]:
        stored = speller.index.stored(cand) or speller.project_word(cand) or cand
        out.append(Suggestion(speller.display(stored, word), round(1.0 - math.exp(-gain), 4)))
    return [*out, Suggestion(word, round(math.exp(-found[0][0]), 4))]
