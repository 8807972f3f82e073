"""Searching the index: exact (folded) substrings, whole words within an edit distance, or a regex.

* **Exact** (default): the query is a substring of a line once both are folded (see
  :mod:`workbench.search.fold`); the trigram index gives the lines that hold every trigram of the query,
  each of which is then verified.
* **Fuzzy** (``fuzzy=N``): each word of the query matches a word of the line within ``N`` edits (a phrase
  matches consecutive words). The archive's distinct words of a close length (the word index's vocabulary)
  are compared with rapidfuzz's Levenshtein distance; the lines that hold the words found come from the
  word index, nearest words first, and are verified in bulk (:func:`~workbench.search.match.word_hits`:
  a common short word two edits away is in tens of thousands of lines, and every one is a hit).
* **Regex** (``regex=True``): a ``regex``-module pattern, case-insensitive, on each line as written.

Hits are ranked: exactly as typed, then equal once folded, then equal only with OCR confusions merged,
then by edit distance; whole words before parts of words; then in page and line order.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from workbench.search.fold import Learned, fold, fold_confusions, learned_members, trigrams
from workbench.search.index import SearchIndex, get_index
from workbench.search.match import compile_regex, exact_spans, fuzzy_spans, query_words, regex_spans, word_hits
from workbench.search.model import Hit, Query, checked, sort_hits

if TYPE_CHECKING:
    from workbench.project import Project

__all__ = ["Hit", "Query", "search", "similar_words"]

_CHUNK = 900  # SQLite's bound-parameter limit is 999 on older builds
_MAX_SPELLINGS = 27  # of one trigram whose letters are in learned classes


def search(project: Project, query: Query) -> list[Hit]:
    """Every hit of ``query`` in the project's index (built or refreshed first), best first."""
    from workbench.store import TranscriptStore

    q = checked(query)
    if q.confusions and q.learned is None:
        from workbench.search.learned import project_learned

        q = replace(q, learned=project_learned(project))
    index = get_index(TranscriptStore(project))
    if q.all_versions and not index.all_versions:
        index.ensure_fresh()
        if not index.all_versions:
            index.rebuild(all_versions=True)
    for attempt in (1, 2):
        with index.lock:
            index.ensure_fresh()
            try:
                hits = _run(index, q)
                break
            except sqlite3.DatabaseError:
                if attempt == 2:
                    raise
                index.rebuild()  # a damaged file is rebuilt, never trusted
    with index.lock:
        ranks = index.page_ranks()
    sort_hits(hits, ranks)
    return hits[: q.limit] if q.limit is not None else hits


# -- fetching lines ---------------------------------------------------------------------------------------------

_LINE_COLUMNS = "SELECT l.id, p.page, l.version, l.line, l.text FROM "


def _filters(q: Query) -> tuple[str, list[Any]]:
    where: list[str] = []
    args: list[Any] = []
    if not q.all_versions:
        where.append("l.latest = 1")
    if q.doc:
        doc = q.doc.strip("/")
        where.append("(p.doc = ? OR p.doc LIKE ? ESCAPE '\\')")
        args += [doc, doc.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "/%"]
    if q.status:
        where.append("p.status = ?")
        args.append(q.status)
    if q.pages is not None:
        where.append(f"p.page IN ({','.join('?' * len(q.pages))})")
        args += list(q.pages)
    return " AND ".join(where), args


def _quoted(gram: str) -> str:
    return '"' + gram.replace('"', '""') + '"'


def _fts_expression(folded: str, learned: Learned = ()) -> str:
    """The trigram query: every trigram of ``folded`` (the index's confusion fold), "" when there is none.

    The index holds the built-in confusion fold; a letter of a learned class may stand there as any letter
    of its class, so such a trigram asks for any of its spellings (one with too many is left out: the
    lines are verified anyway).
    """
    members = learned_members(learned) if learned else {}
    terms: list[str] = []
    for gram in trigrams(folded):
        spellings = ["".join(p) for p in itertools.product(*(members.get(c, c) for c in gram))]
        if len(spellings) == 1:
            terms.append(_quoted(gram))
        elif len(spellings) <= _MAX_SPELLINGS:
            terms.append("(" + " OR ".join(map(_quoted, spellings)) + ")")
    return " AND ".join(terms)


def _lines_matching(db: sqlite3.Connection, q: Query, folded: str) -> list[tuple[int, str, int, int, str]]:
    where, args = _filters(q)
    expression = _fts_expression(folded, q.learned or ()) if len(folded) >= 3 else ""
    if expression:
        sql = _LINE_COLUMNS + "fts JOIN lines l ON l.id = fts.rowid JOIN pages p ON p.id = l.page WHERE fts MATCH ?"
        return db.execute(sql + (f" AND {where}" if where else ""), [expression, *args]).fetchall()
    # Fewer than three letters have no trigram (or every one has too many spellings): every line is a candidate.
    sql = _LINE_COLUMNS + "lines l JOIN pages p ON p.id = l.page"
    return db.execute(sql + (f" WHERE {where}" if where else ""), args).fetchall()


def _lines_by_id(db: sqlite3.Connection, q: Query, ids: Iterable[int]) -> list[tuple[int, str, int, int, str]]:
    where, args = _filters(q)
    id_list = sorted(ids)
    out: list[tuple[int, str, int, int, str]] = []
    for k in range(0, len(id_list), _CHUNK):
        chunk = id_list[k : k + _CHUNK]
        sql = _LINE_COLUMNS + f"lines l JOIN pages p ON p.id = l.page WHERE l.id IN ({','.join('?' * len(chunk))})"
        out += db.execute(sql + (f" AND {where}" if where else ""), [*chunk, *args]).fetchall()
    return out


# -- the three ways of matching ------------------------------------------------------------------------------


def _run(index: SearchIndex, q: Query) -> list[Hit]:
    db = index.db()
    if q.regex:
        return _regex_hits(db, q)
    if q.fuzzy:
        return _fuzzy_hits(index, q)
    return _exact_hits(db, q)


def _exact_hits(db: sqlite3.Connection, q: Query) -> list[Hit]:
    hits: list[Hit] = []
    for _lid, page, version, line_no, text in _lines_matching(db, q, fold(q.text, True)):
        for sp in exact_spans(text, q.text, q.confusions, q.learned or ()):
            hits.append(Hit(page, version, line_no, sp.start, sp.end, text, sp.kind, sp.distance, sp.whole))
    return hits


def similar_words(index: SearchIndex, word: str, k: int, confusions: bool, learned: Learned = ()) -> dict[str, int]:
    """The archive's words (base fold) within ``k`` edits of ``word`` (base fold), with their distances.

    Every word of a length within ``k`` is compared (rapidfuzz's bit-parallel Levenshtein with a cutoff,
    over the vocabulary kept in memory): complete, where a trigram filter cannot be for short words (a
    seven-letter word two edits away may share none of its five trigrams).
    """
    found: dict[str, int] = {}
    key = fold_confusions(word, learned) if confusions else word
    for length in range(max(1, len(word) - k), len(word) + k + 1):
        plain = index.words_of_length(length, False)
        choices = index.words_of_length(length, True, learned) if confusions else plain
        for _c, d, i in process.extract(key, choices, scorer=Levenshtein.distance, score_cutoff=k, limit=None):
            found[plain[i]] = int(d)
    return found


def _fuzzy_hits(index: SearchIndex, q: Query) -> list[Hit]:
    db = index.db()
    qwords = query_words(q)
    matches = [similar_words(index, w, q.fuzzy, q.confusions, q.learned or ()) for w in qwords]
    if not all(matches):
        return []
    # Lines are fetched nearest words first; with a limit, once the hits at the distances seen so far fill
    # it, the farther words (whose hits all rank lower) are not looked at. Phrases are taken whole.
    levels = sorted(set(matches[0].values())) if len(matches) == 1 else [q.fuzzy * len(matches)]
    hits: list[Hit] = []
    done: set[int] = set()
    for level in levels:
        if len(matches) == 1:
            line_ids = _lines_of_words(db, [w for w, d in matches[0].items() if d == level]) - done
            done |= line_ids
            hits += word_hits(_rows_by_id(index, q, line_ids), q.text, matches[0])
        else:
            line_ids = set.intersection(*(_lines_of_words(db, list(m)) for m in matches))
            for _lid, page, version, line_no, text in _lines_by_id(db, q, line_ids):
                for sp in fuzzy_spans(text, q.text, matches):
                    hits.append(Hit(page, version, line_no, sp.start, sp.end, text, sp.kind, sp.distance, sp.whole))
        if q.limit is not None and sum(1 for h in hits if h.distance <= level) >= q.limit:
            break
    return hits


def _rows_by_id(index: SearchIndex, q: Query, ids: Iterable[int]) -> list[tuple[str, int, int, str]]:
    """(page, version, line, text) of the lines ``ids`` that pass the query's filters.

    Without a filter on the pages, the lines are read alone and the page ids come from the index's copy
    (a join costs more than the lookup, over tens of thousands of lines).
    """
    if q.doc or q.status or q.pages is not None:
        return [row[1:] for row in _lines_by_id(index.db(), q, ids)]
    names = index.page_names()
    id_list = sorted(ids)
    latest = "" if q.all_versions else " AND latest = 1"
    out: list[tuple[str, int, int, str]] = []
    for k in range(0, len(id_list), _CHUNK):
        chunk = id_list[k : k + _CHUNK]
        sql = f"SELECT page, version, line, text FROM lines WHERE id IN ({','.join('?' * len(chunk))}){latest}"
        out += [(names[p], v, n, t) for p, v, n, t in index.db().execute(sql, chunk)]
    return out


def _lines_of_words(db: sqlite3.Connection, words: list[str]) -> set[int]:
    """The lines (ids) that hold any of ``words`` (base fold), from the word index."""
    out: set[int] = set()
    for k in range(0, len(words), 200):
        expression = " OR ".join(f'"{w}"' for w in words[k : k + 200])
        out.update(r for (r,) in db.execute("SELECT rowid FROM words WHERE words MATCH ?", (expression,)))
    return out


def _regex_hits(db: sqlite3.Connection, q: Query) -> list[Hit]:
    pattern = compile_regex(q.text)
    where, args = _filters(q)
    sql = _LINE_COLUMNS + "lines l JOIN pages p ON p.id = l.page" + (f" WHERE {where}" if where else "")
    hits: list[Hit] = []
    for _lid, page, version, line_no, text in db.execute(sql, args):
        for sp in regex_spans(text, pattern):
            hits.append(Hit(page, version, line_no, sp.start, sp.end, text, sp.kind, sp.distance, sp.whole))
    return hits
