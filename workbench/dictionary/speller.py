"""Spellers: is a word known, and what should it be. The face the TUI and the CLI use.

A :class:`Speller` joins the compiled index of its language (memory-mapped, opened once per process), the
project's own words, and the project's learned corrections. Ranking: every candidate within two edits (on
the skeleton, see :mod:`workbench.dictionary.fold`) gets a cost = OCR-weighted edit cost
(:mod:`workbench.dictionary.confusions`) + a frequency term; ``score = exp(-cost)`` in (0, 1], best first.
"""

from __future__ import annotations

import bisect
import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from workbench.dictionary.confusions import CONFUSION_COST, FREQ_WEIGHT, confusion_variants, ocr_cost, table_for
from workbench.dictionary.fold import fold_key, has_cyrillic, has_latin, skeleton, stored_key, transfer_case
from workbench.dictionary.index import LEX_BIT, PREFIX, Index, Lexicon
from workbench.dictionary.known import FREQUENT_ZIPF, get_index
from workbench.dictionary.project_dict import ProjectDictionary
from workbench.dictionary.realword import ContextModel
from workbench.dictionary.symspell import Comparer
from workbench.errors import DictionaryError
from workbench.flags import Suggestion
from workbench.orthography import LANGS, ORTHOGRAPHIES, to_orthography

ZIPF_CAP = 6.0
#: At most this many candidates (the best by their lower bound) are priced exactly: the bound is loose for
#: plain edits, and pricing is the costliest step (measured: the top five did not change on the real misreads).
MAX_PRICED = 40
#: How many answers a speller remembers (a page has a few hundred distinct words).
CACHE_SIZE = 4096
#: Words up to this long are searched one edit deep (two edits from a four-letter word reach half the
#: language, and cost the most time).
SHORT_WORD = 4
#: Long words are verified this many plain edits further than the index search (which still allows two in
#: the first seven letters): «празитольствониых» is four edits from «правительственных» but every one of them
#: is a cheap OCR confusion. Word length (skeleton letters) from which each extra edit applies.
LONG_EXTRA = {7: 1, 10: 2}
#: Zipf given to the project's own words (names and terms of the archive are "frequent" here).
PROJECT_ZIPF = 5.0
#: Cost of the space a run-together word lost («наруку» → «на руку»): one plain edit (best of 0.45–1.2 on the
#: real misreads). Azerbaijani is agglutinative and its
#: lists have no frequencies, so almost any long word splits into two listed words: a split must cost more.
SPLIT_COST = {"rus": 1.0, "aze_cyrl": 1.5}
#: A part of a split must be at least this frequent (one-letter words like «в», «с» are).
SPLIT_MIN_ZIPF = 3.0
#: The words of one letter (a run-together «вдоме» is «в доме»; a stray «ь» is not a word).
ONE_LETTER_WORDS = {"rus": frozenset("авикосуя"), "aze_cyrl": frozenset("о")}
#: Cost taken off a candidate the archive's reviewed lines contain (one factor of ten in frequency).
ARCHIVE_BONUS = 0.3
#: Cost of a correction the user has made before, word for word.
LEARNED_WORD_COST = 0.05
#: Confusion-weighted reach (chosen on the development split): when the ordinary search finds fewer than five
#: candidates (also when nine are asked for, as the TUI does) or none cheaper than EXPAND_ABOVE, the
#: EXPAND_VARIANTS cheapest forms the word may have had before up to two confusions (each variant at most
#: EXPAND_MAX_COST) are searched too, for words of EXPAND_MIN_LENGTH letters and more.
EXPAND_ABOVE = 1.0
EXPAND_MAX_COST = 1.0
EXPAND_VARIANTS = 6
EXPAND_MIN_LENGTH = 5
#: Plain edits allowed on top of a variant's confusions (the variant's search is one edit deep: cheap).
EXPAND_EDIT = 1

#: A candidate before pricing: (lower bound of its cost, query skeleton, its skeleton, tier, word id, Zipf,
#: stored form or "", verified with the long comparer).
_Candidate = tuple[float, str, str, Index, int, float, str, bool]


_NO_YO = str.maketrans({"ё": "е", "Ё": "Е"})
_CONSONANTS = frozenset("бвгджзйклмнпрстфхцчшщ")
_RUS_NOUN_ENDINGS = ("а", "у", "ом", "ым", "е", "ы", "ов", "ам", "ами", "ах", "ой", "ых", "ым", "ыми")


class Speller:
    """Known-word checks and ranked suggestions for one language (and orthography, for Azerbaijani)."""

    def __init__(
        self,
        index: Lexicon,
        lang: str,
        orthography: str = "1939",
        project: ProjectDictionary | None = None,
        *,
        yo: bool = False,
    ) -> None:
        if lang not in LANGS:
            raise DictionaryError(f"No dictionary for language {lang!r}; there are {', '.join(LANGS)}.")
        if orthography not in ORTHOGRAPHIES:
            raise DictionaryError(f"Unknown orthography {orthography!r}; use 1939 or 1958.")
        self.index = index
        self.lang = lang
        self.orthography = orthography
        #: whether suggestions may write ё (a typescript never printed it: е where the lexicon has ё)
        self.yo = yo
        self.project = project
        #: the archive's reviewed text: word bigrams for the real-word check and words that rank higher
        #: (None: frequencies alone decide); set with :meth:`use_context`
        self.context: ContextModel | None = None
        self.archive: ContextModel | None = None
        self._archive_only: dict[str, str] = {}
        self.table = table_for(lang)
        self._cmp = Comparer(2)
        self._cmp_long = Comparer(2 + max(LONG_EXTRA.values(), default=0))
        self._stamp: tuple[float, float] | None = None
        self._cache: dict[tuple[str, int], list[Suggestion]] = {}
        self._seg_memo: dict[tuple[str, str], float] = {}
        self._checked = 0.0
        self._project_keys: dict[str, str] = {}
        self._segments: dict[str, int] = {}
        self._learned_words: dict[str, dict[str, int]] = {}
        self._refresh()

    # -- project data ---------------------------------------------------------------------------------

    def _refresh(self) -> None:
        """Reload the project's words and confusions if their files changed (checked at most every 0.5 s)."""
        if self.project is None:
            return
        now = time.monotonic()
        if self._stamp is not None and now - self._checked < 0.5:
            return
        self._checked = now
        stamp = self.project.stamp()
        if stamp == self._stamp:
            return
        self._stamp = stamp
        self._cache.clear()
        self._seg_memo.clear()
        self._project_keys = {}
        for w in self.project.words(self.lang):
            key = fold_key(w, self.lang)
            self._project_keys[key] = w
            if self.lang == "rus" and key[-1:] in _CONSONANTS and " " not in key:
                # names decline: Багиров → Багирова, Багирову, Багировым, Багирове
                for ending in _RUS_NOUN_ENDINGS:
                    self._project_keys.setdefault(key + ending, w + ending)
        learned = self.project.confusions().get(self.lang, {})
        self._segments = dict(learned.get("segments", {}))
        self._learned_words = {}
        for pair, count in learned.get("words", {}).items():
            wrong, _, right = pair.partition(">")
            self._learned_words.setdefault(wrong, {})[right] = int(count)

    # -- checks ---------------------------------------------------------------------------------------

    def key(self, word: str) -> str:
        """The folded key of ``word`` in this speller's language."""
        return fold_key(word, self.lang)

    def _wrong_orthography(self, word: str) -> bool:
        if self.lang != "aze_cyrl":
            return False
        if self.orthography == "1939":
            return "ј" in word or "Ј" in word
        return "й" in word or "Й" in word

    def knows_key(self, key: str) -> bool:
        """Whether a folded key is in the project's words, a lexicon, or frequent enough in wordfreq."""
        if key in self._project_keys:
            return True
        found = self.index.entry(key)
        return found is not None and (found[1] or found[0] >= FREQUENT_ZIPF)

    def is_known(self, word: str) -> bool:
        """Whether ``word`` is a correct word (case-insensitive, ё = е; a Latin letter in a Cyrillic word is not)."""
        self._refresh()
        if has_latin(word) and has_cyrillic(word):
            return False
        if self._wrong_orthography(word):
            return False
        key = self.key(word)
        if self.knows_key(key):
            return True
        # compounds with a hyphen («из-за» is listed; «юго-западный» may be known only by its parts)
        if "-" in key:
            parts = [p for p in key.split("-") if p]
            return bool(parts) and all(self.knows_key(p) for p in parts)
        return False

    def zipf_of(self, key: str) -> float:
        """Frequency (Zipf) of a known key, ``PROJECT_ZIPF`` for project words, 0 if unknown."""
        if key in self._project_keys:
            return PROJECT_ZIPF
        found = self.index.entry(key)
        if found is None or not (found[1] or found[0] >= FREQUENT_ZIPF):
            return 0.0
        return found[0]

    def use_context(self, model: ContextModel | None, archive: ContextModel | None = None) -> None:
        """Check and rank with text the archive vouches for (None: without).

        ``model``: word pairs for the real-word check (the archive's reviewed lines, a corpus). ``archive``:
        the archive's reviewed lines alone; their words rank higher among the suggestions (ARCHIVE_BONUS),
        and those no dictionary knows (a name corrected once) are suggested like project words.
        """
        self._refresh()
        self.context = model
        self.archive = archive
        self._archive_only = {}
        if archive is not None:
            for key, form in archive.forms.items():
                if len(key) > 1 and not self.knows_key(key):
                    self._archive_only[key] = form
        self._cache.clear()

    def display(self, stored: str, original: str) -> str:
        """A stored form as a suggestion for ``original``: the page's orthography, ё or е, ``original``'s case."""
        return self._display(stored, original)

    def project_word(self, key: str) -> str | None:
        """The project dictionary's form of a folded key, if it has one."""
        self._refresh()
        return self._project_keys.get(key)

    def confusion_table(self) -> dict[tuple[str, str], float]:
        """Every confusion and its cost: the language's table with the project's learned corrections."""
        self._refresh()
        if not self._segments:
            return self.table
        from workbench.dictionary.confusions import learned_cost

        table = dict(self.table)
        for seg, count in self._segments.items():
            a, sep, b = seg.partition(">")
            if sep:
                table[(a, b)] = min(learned_cost(int(count)), table.get((a, b), 1.0))
        return table

    def real_word(self, word: str, left: str = "", right: str = "", n: int = 5) -> list[Suggestion] | None:
        """If the known ``word`` is likely a misread of a more probable word one cheap confusion away (between
        the words ``left`` and ``right``): those words, best first, then ``word``; else None."""
        from workbench.dictionary.realword import real_word

        return real_word(self, word, left, right, n)

    def _display(self, stored: str, original: str) -> str:
        if self.lang == "aze_cyrl":
            stored = to_orthography(stored, self.orthography)
        if not self.yo:
            stored = stored.translate(_NO_YO)
        if not stored.islower():
            return stored  # a project word written with capitals (a name) keeps them
        return transfer_case(original, stored)

    def _freq_cost(self, zipf: float) -> float:
        return FREQ_WEIGHT * (ZIPF_CAP - min(zipf, ZIPF_CAP))

    def suggest(self, word: str, n: int = 5) -> list[Suggestion]:
        """Up to ``n`` corrections of ``word``, best first (also for a known word that has Latin letters)."""
        self._refresh()
        # a page repeats its misreads: remember answers until the project's words or confusions change
        cached = self._cache.get((word, n))
        if cached is None:
            cached = self._suggest(word, n)
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            self._cache[(word, n)] = cached
        return list(cached)

    def _suggest(self, word: str, n: int) -> list[Suggestion]:  # noqa: C901 - the hot path, kept in one frame
        key = self.key(word)
        if not key:
            return []
        costs: dict[str, tuple[float, str]] = {}  # folded key → (cost, display form)

        def offer(cand_key: str, display: str, cost: float) -> None:
            if cand_key not in costs or cost < costs[cand_key][0]:
                costs[cand_key] = (cost, display)

        for right, count in self._learned_words.get(key, {}).items():
            offer(right, right, LEARNED_WORD_COST / count)
        skel = skeleton(key, self.lang)
        max_edit = 1 if len(skel) <= SHORT_WORD else 2
        verify = max_edit + max((extra for size, extra in LONG_EXTRA.items() if len(skel) >= size), default=0)
        lookups: dict[tuple[str, int], tuple[int, Any]] = {}  # index candidates by skeleton prefix: see _gather
        best = self._price(self._gather(key, max_edit, verify, 0.0, lookups), key, n, offer)
        if len(key) >= EXPAND_MIN_LENGTH and (len(best) < min(n, 5) or best[0] > EXPAND_ABOVE):
            # nothing near enough: search again from what the word may have been before its cheapest misreads
            # (a word four plain edits away is often two cheap confusions away)
            scored: list[_Candidate] = []
            table = self.confusion_table()  # with the project's learned corrections
            for variant, vcost in confusion_variants(key, table, EXPAND_MAX_COST, limit=EXPAND_VARIANTS):
                scored += self._gather(variant, EXPAND_EDIT, EXPAND_EDIT, vcost, lookups)
            self._price(scored, key, n, offer)
        for pkey, pword in [*self._project_keys.items(), *self._archive_only.items()]:
            if abs(len(pkey) - len(key)) <= 2 and self._cmp.distance(skel, skeleton(pkey, self.lang)) >= 0:
                cost = ocr_cost(key, pkey, self.table, self._segments) + self._freq_cost(PROJECT_ZIPF)
                offer(pkey, pword, cost)
        if self.archive is not None:
            # the archive's reviewed lines: a word written there before is the likelier reading here
            seen = self.archive.words
            for ckey, (cost, display) in list(costs.items()):
                if ckey in seen:
                    costs[ckey] = (cost - ARCHIVE_BONUS, display)
        ranked_costs = sorted(c for c, _ in costs.values())
        # a split costs at least SPLIT_COST: skip the lookups when n cheaper candidates are already there
        if len(ranked_costs) < n or ranked_costs[n - 1] > SPLIT_COST[self.lang]:
            for left, right, cost in self._splits(key):
                offer(f"{left} {right}", f"{left} {right}", cost)
        if self._wrong_orthography(word) or (has_latin(word) and has_cyrillic(word)):
            pass  # the repaired form is already among the candidates (distance 0 on the key)
        elif self.is_known(word):
            # a known word is its own best suggestion, as written
            costs.pop(key, None)
            ranked = sorted(costs.values(), key=lambda cd: (cd[0], cd[1]))[: n - 1]
            return [Suggestion(word, 1.0)] + [
                Suggestion(self._display(d, word), round(math.exp(-c), 4)) for c, d in ranked
            ]
        ranked = sorted(costs.values(), key=lambda cd: (cd[0], cd[1]))[:n]
        return [Suggestion(self._display(d, word), round(math.exp(-c), 4)) for c, d in ranked]

    def _gather(
        self, key: str, max_edit: int, verify: int, base: float, lookups: dict[tuple[str, int], tuple[int, Any]]
    ) -> list[_Candidate]:
        """Candidates of the folded ``key`` from the index (its skeleton ≤ ``max_edit`` away in the prefix, ≤
        ``verify`` in all), each with a lower bound of its cost (plus ``base``: what undoing a variant's
        confusions costs)."""
        # (lower bound of the cost, query skeleton, skeleton, tier, word id, zipf, stored form or "", long
        # comparer?): the bound needs only distances, so stored forms are priced only for the few candidates
        # that can still make the top n
        scored: list[_Candidate] = []
        lb_edit = self._min_edit_cost()
        aze = self.lang == "aze_cyrl"
        skel = skeleton(key, self.lang)
        long = verify > 2
        # the index is searched by the first PREFIX letters (and filtered by length): variants that differ only
        # further on share one lookup (a deeper one serves a shallower), and only their distances differ
        where = (skel[:PREFIX], len(skel))
        done = lookups.get(where)
        if done is None or done[0] < max_edit:
            done = lookups[where] = (max_edit, self.index.candidates(skel, max_edit))
        for tier, ids, skels, raw in done[1]:
            # bulk filter in C (rapidfuzz's OSA over the skeleton blob), bounds in numpy; symspellpy's comparer
            # confirms each candidate that gets priced below
            d = process.cdist([skel], skels, scorer=OSA.distance, score_cutoff=verify, dtype=np.int32)[0]
            zipf = (raw & np.uint16(LEX_BIT - 1)) / 100.0
            # wordfreq's long tail (typos, debris) is not known, so never suggested
            keep = np.nonzero((d <= verify) & (((raw & LEX_BIT) != 0) | (zipf >= FREQUENT_ZIPF)))[0]
            if not len(keep):
                continue
            d, zipf = d[keep], zipf[keep]
            freq = FREQ_WEIGHT * (ZIPF_CAP - np.minimum(zipf, ZIPF_CAP))
            if aze:
                # the skeleton hides the cheap letters: bound them by the exact distance (0.2 each), and
                # what differs on the skeleton too by the cheapest other confusion
                stored_forms = [tier.word(int(ids[k])) for k in keep.tolist()]
                d_exact = process.cdist([key], stored_forms, scorer=OSA.distance, dtype=np.int32)[0]
                lb = lb_edit * np.maximum(d_exact - d, 0) + min(lb_edit * 2.5, CONFUSION_COST) * d + freq
            else:
                stored_forms = [""] * len(keep)
                lb = lb_edit * d + freq  # every differing letter costs at least the cheapest confusion
            lb = lb + base
            # only the most promising reach Python: the bound's best MAX_PRICED of this tier
            top = np.argsort(lb, kind="stable")[:MAX_PRICED].tolist()
            kept_ids, lb_l, zipf_l, keep_l = ids[keep].tolist(), lb.tolist(), zipf.tolist(), keep.tolist()
            for k in top:
                scored.append((lb_l[k], skel, skels[keep_l[k]], tier, kept_ids[k], zipf_l[k], stored_forms[k], long))
        return scored

    def _price(
        self, scored: list[_Candidate], key: str, n: int, offer: Callable[[str, str, float], None]
    ) -> list[float]:
        """Price the candidates exactly against ``key`` (best lower bounds first, until the rest cannot make the
        top ``n``); returns the sorted costs offered."""
        scored.sort(key=lambda c: c[0])
        best: list[float] = []
        for rank, (lb, query, sk, tier, i, z, stored, long) in enumerate(scored):
            if (len(best) >= n and lb >= best[n - 1]) or rank >= MAX_PRICED:
                break
            cmp = self._cmp_long if long else self._cmp
            if cmp.distance(query, sk) < 0:  # symspellpy's Damerau-OSA (editdistpy), as SymSpell.lookup
                continue
            stored = stored or tier.word(i)
            ckey = stored_key(stored) if "ё" in stored else stored
            cost = ocr_cost(key, ckey, self.table, self._segments, self._seg_memo) + self._freq_cost(z)
            offer(ckey, stored, cost)
            bisect.insort(best, cost)
        return best

    def _min_edit_cost(self) -> float:
        """The cheapest a differing letter can be: the cheapest confusion or learned pair."""
        cheapest = min(self.table.values())
        if self._segments:
            from workbench.dictionary.confusions import learned_cost

            cheapest = min(cheapest, learned_cost(max(self._segments.values())))
        return cheapest

    def _split_part_zipf(self, part: str, one_letter: frozenset[str]) -> float:
        """A split's part must be a real word: a one-letter word, a project word, or one a lexicon lists
        (wordfreq alone lists «ии», «ке» as frequent enough, and «врагаии» is not «врага ии»)."""
        if len(part) == 1 and part not in one_letter:
            return 0.0
        if part in self._project_keys:
            return PROJECT_ZIPF
        found = self.index.entry(part)
        if found is None or not found[1]:
            return 0.0
        return found[0]

    def _splits(self, key: str) -> list[tuple[str, str, float]]:
        """Two known words that ``key`` may be, run together («наруку» → «на», «руку»)."""
        if len(key) < 4 or "-" in key:
            return []
        out = []
        one_letter = ONE_LETTER_WORDS.get(self.lang, frozenset())
        min_part = 2 if self.lang == "rus" else 3  # Azerbaijani has no frequencies to vouch for short parts
        for i in range(1, len(key)):
            left, right = key[:i], key[i:]
            if (len(left) < min_part and left not in one_letter) or (len(right) < min_part and right not in one_letter):
                continue
            zl = self._split_part_zipf(left, one_letter)
            if zl < SPLIT_MIN_ZIPF:
                continue
            zr = self._split_part_zipf(right, one_letter)
            if zr < SPLIT_MIN_ZIPF:
                continue
            out.append((left, right, SPLIT_COST[self.lang] + self._freq_cost(min(zl, zr))))
        return out


def load_speller(project: Any, lang: str, orthography: str = "1939", *, yo: bool = False) -> Speller:
    """The speller for ``lang`` (``rus`` or ``aze_cyrl``) with ``project``'s words and corrections.

    ``yo``: whether the text prints ё; when False (typescripts: the default) no suggestion has ё.

    ``project`` may be None (no project dictionary). Raises :class:`DictionaryError` with a rebuild hint
    when the built dictionary is missing or corrupt.
    """
    if lang not in LANGS:
        raise DictionaryError(f"No dictionary for language {lang!r}; there are {', '.join(LANGS)}.")
    pd = ProjectDictionary(project) if project is not None else None
    return Speller(get_index(lang), lang, orthography, pd, yo=yo)
