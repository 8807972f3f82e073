"""Building the search index in bulk: every page's lines, folded a page at a time, in page order."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from workbench.errors import IntegrityError
from workbench.project import natural_key
from workbench.search.fold import fold_lines
from workbench.search.pages import PageText, StoreLike, document_of, page_stamp, read_versions


class Builder:
    """Bulk build into a fresh database, in one transaction."""

    def __init__(self, db: sqlite3.Connection, all_versions: bool) -> None:
        self.db = db
        self.all_versions = all_versions
        self.line_id = 0

    def build(self, store: StoreLike, progress: Callable[[int, int], None] | None) -> None:
        """Index every page of ``store`` (``progress(done, total)`` after each page)."""
        page_ids = sorted(store.page_ids(), key=natural_key)
        self.db.execute("BEGIN")
        for done, pid in enumerate(page_ids, 1):
            stamp = page_stamp(store, pid, listed=True)
            if stamp is not None:
                try:
                    texts = list(read_versions(store, pid, self.all_versions))
                except IntegrityError:
                    texts = []  # a damaged latest version is not searchable; fsck reports it
                if texts:
                    self._add_page(pid, texts, stamp)
            if progress is not None:
                progress(done, len(page_ids))
        self.db.execute("COMMIT")

    def _add_page(self, pid: str, texts: list[PageText], stamp: str) -> None:
        latest = texts[-1]
        cur = self.db.execute(
            "INSERT INTO pages(page, doc, version, status, stamp) VALUES (?, ?, ?, ?, ?)",
            (pid, document_of(pid), latest.version, latest.status, stamp),
        )
        page_row = cur.lastrowid
        rows: list[tuple[int, Any, int, int, int, str]] = []
        trigram_rows: list[tuple[int, str]] = []
        word_rows: list[tuple[int, str]] = []
        for t in texts:
            lines = t.text.split("\n")
            for i, (line, conf, base) in enumerate(zip(lines, fold_lines(lines, True), fold_lines(lines), strict=True)):
                if not line.strip():
                    continue
                self.line_id += 1
                rows.append((self.line_id, page_row, t.version, i, int(t is latest), line))
                trigram_rows.append((self.line_id, conf))
                word_rows.append((self.line_id, base))
        self.db.executemany("INSERT INTO lines(id, page, version, line, latest, text) VALUES (?, ?, ?, ?, ?, ?)", rows)
        self.db.executemany("INSERT INTO fts(rowid, text) VALUES (?, ?)", trigram_rows)
        self.db.executemany("INSERT INTO words(rowid, text) VALUES (?, ?)", word_rows)
