"""Matching one line (or one page's text) against a query: the verification every candidate line goes through.

The index only proposes lines; these functions decide, on the line as it is, where the hits are and what
kind they are. :func:`find_in_text` runs them over a whole text without any index (the TUI's search in the
page it shows, edits not yet saved included).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import regex
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from workbench.errors import UsageError
from workbench.search.fold import WORD, Learned, fold, fold_confusions, fold_line, to_text_span, word_lines
from workbench.search.model import Hit, Query, checked, sort_hits


@dataclass(frozen=True)
class Span:
    """A hit within a line: character offsets into the line, its kind, edit distance, whole word or not."""

    start: int
    end: int
    kind: str
    distance: int = 0
    whole: bool = True


def is_whole(folded: str, start: int, end: int) -> bool:
    """Whether ``folded[start:end]`` neither starts nor ends inside a word."""
    before = folded[start - 1 : start]
    after = folded[end : end + 1]
    return not (before and WORD.match(before)) and not (after and WORD.match(after))


def _find_all(haystack: str, needle: str) -> Iterable[int]:
    i = haystack.find(needle)
    while i >= 0:
        yield i
        i = haystack.find(needle, i + len(needle))


def exact_spans(line: str, query: str, confusions: bool, learned: Learned = ()) -> list[Span]:
    """Where ``query`` occurs in ``line`` once both are folded (and with confusions merged, if asked:
    the built-in classes and the ``learned`` ones)."""
    base = fold(query)
    folded, pos = fold_line(line)
    out: list[Span] = []
    taken: set[int] = set()
    for i in _find_all(folded, base):
        start, end = to_text_span(pos, i, i + len(base))
        kind = "exact" if line[start:end] == query else "folded"
        out.append(Span(start, end, kind, 0, is_whole(folded, i, i + len(base))))
        taken.add(i)
    if confusions:
        conf = fold_confusions(query, learned)
        for i in _find_all(fold_confusions(line, learned), conf):
            if i not in taken:
                start, end = to_text_span(pos, i, i + len(conf))
                out.append(Span(start, end, "confusion", 0, is_whole(folded, i, i + len(conf))))
    return out


def query_words(q: Query) -> list[str]:
    """The query's words, folded (a fuzzy query matches word by word)."""
    qwords = WORD.findall(fold(q.text))
    if not qwords:
        raise UsageError(f"Nothing to match within {q.fuzzy} edits: {q.text!r} has no letters or digits.")
    return list(qwords)


def fuzzy_spans(line: str, query: str, matches: list[dict[str, int]]) -> list[Span]:
    """Runs of consecutive words of ``line`` whose i-th word is in ``matches[i]`` (word → edit distance)."""
    folded, pos = fold_line(line)
    n = len(matches)
    base_q = fold(query)
    out: list[Span] = []
    if n == 1:  # the common case, without the bookkeeping of phrases
        first = matches[0]
        for m in WORD.finditer(folded):
            d = first.get(m.group(0))
            if d is not None:
                out.append(_word_span(line, query, base_q, m.group(0), to_text_span(pos, m.start(), m.end()), d))
        return out
    spans = [(m.start(), m.end(), m.group(0)) for m in WORD.finditer(folded)]
    for j in range(len(spans) - n + 1):
        dists = [matches[k].get(spans[j + k][2]) for k in range(n)]
        if any(d is None for d in dists):
            continue
        total = sum(d for d in dists if d is not None)
        span = to_text_span(pos, spans[j][0], spans[j + n - 1][1])
        out.append(_word_span(line, query, base_q, folded[spans[j][0] : spans[j + n - 1][1]], span, total))
    return out


def word_hits(rows: Sequence[tuple[str, int, int, str]], query: str, match: dict[str, int]) -> list[Hit]:
    """The hits of a one-word fuzzy query in many (page, version, line, text) rows, as :func:`fuzzy_spans`.

    The same hits at a fraction of the cost (a common word two edits away is in tens of thousands of
    lines): a line's words come from ``str.split`` of its :func:`~workbench.search.fold.word_lines` form and are
    intersected with ``match`` in C; only the words found are then located, by ``str.find``.
    """
    base_q = fold(query)
    keys = match.keys()
    out: list[Hit] = []
    for (page, version, line_no, text), spaced in zip(rows, word_lines([r[3] for r in rows]), strict=True):
        if spaced is None:  # a line whose fold changes its length: the general way
            out += [
                Hit(page, version, line_no, s.start, s.end, text, s.kind, s.distance)
                for s in fuzzy_spans(text, query, [match])
            ]
            continue
        size = len(spaced)
        for w in keys & spaced.split():
            d = match[w]
            n = len(w)
            i = spaced.find(w)
            while i >= 0:
                e = i + n
                if (i == 0 or spaced[i - 1] == " ") and (e == size or spaced[e] == " "):
                    if text[i:e] == query:
                        kind = "exact"
                    elif w == base_q:
                        kind = "folded"
                    else:
                        kind = "confusion" if d == 0 else "fuzzy"
                    out.append(Hit(page, version, line_no, i, e, text, kind, d))
                    i = spaced.find(w, e)
                else:
                    i = spaced.find(w, i + 1)
    return out


def _word_span(line: str, query: str, base_q: str, found: str, span: tuple[int, int], distance: int) -> Span:
    if line[span[0] : span[1]] == query:
        kind = "exact"
    elif found == base_q:
        kind = "folded"
    else:
        kind = "confusion" if distance == 0 else "fuzzy"
    return Span(span[0], span[1], kind, distance)


def compile_regex(text: str) -> regex.Pattern[str]:
    """The query as a case-insensitive pattern of the ``regex`` module (a UsageError if it is not one)."""
    try:
        return regex.compile(text, regex.IGNORECASE | regex.V1)
    except regex.error as e:
        raise UsageError(f"Not a valid regular expression: {text!r} ({e}).") from e


def regex_spans(line: str, pattern: regex.Pattern[str]) -> list[Span]:
    """Every non-empty match of ``pattern`` in ``line`` as written."""
    return [
        Span(m.start(), m.end(), "exact", 0, is_whole(line, m.start(), m.end()))
        for m in pattern.finditer(line)
        if m.end() > m.start()
    ]


def words_within(words: Iterable[str], word: str, k: int, confusions: bool, learned: Learned = ()) -> dict[str, int]:
    """Which of ``words`` (base fold) are within ``k`` edits of ``word`` (base fold), and how far."""
    choices = list(dict.fromkeys(words))
    key = fold_confusions(word, learned) if confusions else word
    folded = [fold_confusions(w, learned) for w in choices] if confusions else choices
    return {
        choices[i]: int(d)
        for _c, d, i in process.extract(key, folded, scorer=Levenshtein.distance, score_cutoff=k, limit=None)
    }


def find_in_text(text: str, query: Query, page: str = "", version: int = 0) -> list[Hit]:
    """Every hit of ``query`` in ``text`` (one page, no index), best first; lines are 0-based."""
    q = checked(query)
    lines = text.split("\n")
    hits: list[Hit] = []
    pattern = compile_regex(q.text) if q.regex else None
    matches: list[dict[str, int]] = []
    if q.fuzzy and pattern is None:
        vocab = WORD.findall(fold(text))
        matches = [words_within(vocab, w, q.fuzzy, q.confusions, q.learned or ()) for w in query_words(q)]
    for i, line in enumerate(lines):
        if pattern is not None:
            spans = regex_spans(line, pattern)
        elif q.fuzzy:
            spans = fuzzy_spans(line, q.text, matches)
        else:
            spans = exact_spans(line, q.text, q.confusions, q.learned or ())
        hits += [Hit(page, version, i, s.start, s.end, line, s.kind, s.distance, s.whole) for s in spans]
    return sort_hits(hits)
