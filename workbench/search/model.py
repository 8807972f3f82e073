"""What a search is asked (:class:`Query`) and what it answers (:class:`Hit`), and how hits are ranked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

import regex

from workbench.errors import UsageError
from workbench.project import natural_key
from workbench.text import nfc

#: The kinds of hit, best first.
KINDS = ("exact", "folded", "confusion", "fuzzy")
MAX_FUZZY = 3


class Hit(NamedTuple):
    """One match: page, version, 0-based line, character span in the line, the line, how it matched.

    A named tuple rather than a frozen dataclass: as immutable, and four times quicker to make (a fuzzy
    search over the whole archive makes tens of thousands).
    """

    page: str
    version: int
    line: int
    start: int
    end: int
    text: str
    kind: str
    distance: int = 0
    whole: bool = True
    box: tuple[int, int, int, int] | None = None

    @property
    def found(self) -> str:
        """The matched text as it is written in the line."""
        return self.text[self.start : self.end]

    def to_json(self) -> dict[str, Any]:
        """The hit as JSON (``line`` 1-based like the CLI's output; ``start``/``end`` 0-based offsets)."""
        return {
            "page": self.page,
            "version": self.version,
            "line": self.line + 1,
            "start": self.start,
            "end": self.end,
            "found": self.found,
            "text": self.text,
            "kind": self.kind,
            "distance": self.distance,
            "box": list(self.box) if self.box is not None else None,
        }


@dataclass(frozen=True)
class Query:
    """What to look for and where."""

    text: str
    fuzzy: int = 0
    regex: bool = False
    confusions: bool = False
    doc: str | None = None
    status: str | None = None
    all_versions: bool = False
    limit: int | None = None
    pages: Sequence[str] | None = field(default=None)
    #: With ``confusions``, the letter classes the project learned on top of the built-in ones (see
    #: :func:`workbench.search.fold.learned_classes`); None: :func:`~workbench.search.query.search` reads
    #: the project's ``confusions.json``.
    learned: tuple[tuple[str, str], ...] | None = None


_TILDE = regex.compile(r"~(\d)$")


def checked(query: Query) -> Query:
    """The query in NFC, stripped, with a trailing ``~N`` read as ``fuzzy=N``; a UsageError if it cannot work."""
    text = nfc(query.text).strip()
    tilde = _TILDE.search(text)
    if tilde and not query.regex:  # «Багиров~1»: the search engines' way of asking for edits
        text = text[: tilde.start()].rstrip()
        query = replace(query, fuzzy=max(query.fuzzy, int(tilde.group(1))))
    if not text:
        raise UsageError("Nothing to search for: the query is empty.")
    if "\n" in text:
        raise UsageError("Search for one line at a time (the query has a line break).")
    if not 0 <= query.fuzzy <= MAX_FUZZY:
        raise UsageError(f"--fuzzy must be 0 to {MAX_FUZZY}, not {query.fuzzy}.")
    if query.regex and query.fuzzy:
        raise UsageError("Give --regex or --fuzzy, not both.")
    status = query.status
    if status is not None:
        from workbench.store import normalise_status

        status = normalise_status(status)
    return replace(query, text=text, status=status)


def sort_hits(hits: list[Hit], page_ranks: Mapping[str, int] | None = None) -> list[Hit]:
    """``hits`` sorted best first, in place (see :mod:`workbench.search.query` for the order).

    The pages are put in natural order once (``page_ranks``: the index keeps it), so that each hit's key
    holds numbers only.
    """
    if page_ranks is None or any(h.page not in page_ranks for h in hits):
        page_ranks = {page: i for i, page in enumerate(sorted({h.page for h in hits}, key=natural_key))}
    kind_rank = {kind: i for i, kind in enumerate(KINDS)}
    ranks = page_ranks
    hits.sort(key=lambda h: (kind_rank[h.kind], h.distance, not h.whole, ranks[h.page], -h.version, h.line, h.start))
    return hits
