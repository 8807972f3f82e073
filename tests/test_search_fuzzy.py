"""Fuzzy search (``~N``) against a brute-force reference: every word of every line compared with the query.

The index finds candidate words in its vocabulary and verifies candidate lines in bulk
(:func:`workbench.search.match.word_hits`); the reference here reads each page's latest version, folds each
line, splits it into words and computes the edit distance to the query with its own dynamic programme, so
a word the index's shortcuts missed (or a span they misplaced) shows as a difference.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from workbench.project import Project
from workbench.search import index as search_index
from workbench.search.fold import WORD, fold, fold_line, to_text_span
from workbench.search.query import Query, search
from workbench.store import TranscriptStore

WORDS = [
    "Багиров", "товарищ", "письмо", "года", "город", "народ", "весь", "если", "член", "сказал", "ещё",
    "Азәрбайҹан", "халг", "ишчи", "йашайыр", "һөкумәт", "мәктәб", "и", "в", "на", "до", "он", "она",
]  # fmt: skip
#: Noise of the kinds the archive has: a confused letter, a Latin look-alike, ё, a stress mark, the
#: ``aze_cyrl`` artefact с̧ for ш (the last two change a line's length once folded), a dropped letter.
SWAPS = {"г": "т", "и": "н", "е": "ё", "о": "o", "с": "c", "р": "p", "ш": "с\u0327", "ә": "е", "ҹ": "ж"}


def _noisy(word: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.5 or len(word) < 2:
        return word
    i = rng.randrange(len(word))
    if roll < 0.75 and word[i] in SWAPS:
        return word[:i] + SWAPS[word[i]] + word[i + 1 :]
    if roll < 0.85:
        return word[: i + 1] + "\u0301" + word[i + 1 :]
    if roll < 0.95:
        return word[:i] + word[i + 1 :]
    return word.upper()


@pytest.fixture(autouse=True)
def _close_indexes() -> Iterator[None]:
    yield
    search_index.forget_indexes()


@pytest.fixture
def noisy_archive(tmp_project: Project) -> dict[str, str]:
    """Twenty pages of noisy words (a first version each, and an edited latest one): page → latest text."""
    rng = random.Random(7)
    store = TranscriptStore(tmp_project)
    latest: dict[str, str] = {}
    for k in range(20):
        lines = [" ".join(_noisy(rng.choice(WORDS), rng) for _ in range(rng.randint(0, 9))) for _ in range(8)]
        first = "\n".join(lines)
        store.save(f"doc{k % 3}/p{k}", first, source="ocr")
        lines[rng.randrange(8)] += ", " + _noisy(rng.choice(WORDS), rng) + "."
        store.save(f"doc{k % 3}/p{k}", "\n".join(lines), source="edit")
        latest[f"doc{k % 3}/p{k}"] = store.read(f"doc{k % 3}/p{k}").text  # as stored (NFC)
    return latest


def distance(a: str, b: str) -> int:
    """Levenshtein distance, the textbook way."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def reference(pages: dict[str, str], query: str, k: int, confusions: bool) -> set[tuple[str, int, int, int, str, int]]:
    """Every (page, line, start, end, kind, distance) of a one-word query within ``k`` edits."""
    want = fold(query, confusions)
    out = set()
    for page, text in pages.items():
        for n, line in enumerate(text.split("\n")):
            folded, pos = fold_line(line)
            for m in WORD.finditer(folded):
                d = distance(want, fold(m.group(0), confusions))
                if d > k:
                    continue
                start, end = to_text_span(pos, m.start(), m.end())
                if line[start:end] == query:
                    kind = "exact"
                elif m.group(0) == fold(query):
                    kind = "folded"
                else:
                    kind = "confusion" if d == 0 else "fuzzy"
                out.add((page, n, start, end, kind, d))
    return out


@pytest.mark.parametrize("confusions", [False, True])
def test_two_edits_find_what_brute_force_finds(
    tmp_project: Project, noisy_archive: dict[str, str], confusions: bool
) -> None:
    rng = random.Random(11)
    queries = [*WORDS, *(_noisy(rng.choice(WORDS), rng) for _ in range(10)), "Багтров", "гoрод", "мәктәбләр"]
    total = 0
    for query in queries:
        hits = search(tmp_project, Query(f"{query}~2", confusions=confusions))
        got = [(h.page, h.line, h.start, h.end, h.kind, h.distance) for h in hits]
        assert len(got) == len(set(got)), f"{query}: a hit twice"
        assert set(got) == reference(noisy_archive, query, 2, confusions), query
        assert all(h.text == noisy_archive[h.page].split("\n")[h.line] for h in hits)  # the latest version
        total += len(got)
    assert total > 500  # the archive gives every query something to find (the comparison is not vacuous)
