"""The archive's search index: SQLite FTS5 with a trigram tokenizer, beside the project, derived and disposable.

``.workbench-cache/search.sqlite`` (git-ignored) holds, for every page's latest version (every version when
built with ``all_versions``):

* ``lines``: each non-blank line's text as stored, with its page, version and 0-based line number;
* ``fts``: the lines folded at the confusion level (see :mod:`workbench.search.fold`) in a contentless FTS5
  table with the ``trigram`` tokenizer and ``detail=none``: it answers "which lines hold all these
  trigrams", a superset the query then verifies; positions are not kept, which makes it a third the size;
* ``words``: the same lines folded at the base level in a second contentless FTS5 table, with the
  ``unicode61`` tokenizer (diacritics kept: й is not и): the lines that hold a word; and ``vocab``, an
  ``fts5vocab`` view of it, every distinct word of the archive, from which the fuzzy search draws its
  candidates. SQLite keeps both up to date with the lines, so there is no word table to maintain.

The store calls :func:`on_save` after every version it writes (CLI and TUI alike), which re-indexes that
page in one transaction; an index that cannot be updated is marked stale (``search.stale``) and the save
goes on. The index is never trusted blindly: its schema and fold versions are checked on opening, each
page's ``versions`` folder is compared by stat (mtime, links, inode) with what was indexed, changed pages are
re-indexed, and a missing, damaged or stale index is rebuilt, into a temporary file renamed over the old.
"""

from __future__ import annotations

# The store imports this module after every save: what a save needs when there is no index yet is sqlite3
# and a stat, so the folding tables (and the regex module) are imported only when there is work to do.
import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.errors import IntegrityError, StorageError
from workbench.search.pages import INDEX_FILE, PageText, StoreLike, document_of, index_path, page_stamp, read_versions

if TYPE_CHECKING:
    from workbench.search.fold import Learned

SCHEMA_VERSION = 2
STALE_FILE = "search.stale"
#: How long a long-lived process (the TUI) trusts its last check that every page is indexed as it is.
RECHECK_SECONDS = 10.0

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE pages(id INTEGER PRIMARY KEY, page TEXT NOT NULL UNIQUE, doc TEXT NOT NULL,
                   version INTEGER NOT NULL, status TEXT NOT NULL, stamp TEXT NOT NULL);
CREATE TABLE lines(id INTEGER PRIMARY KEY, page INTEGER NOT NULL, version INTEGER NOT NULL,
                   line INTEGER NOT NULL, latest INTEGER NOT NULL, text TEXT NOT NULL);
CREATE VIRTUAL TABLE fts USING fts5(text, tokenize='trigram case_sensitive 1', detail=none, content='');
CREATE VIRTUAL TABLE words USING fts5(text, tokenize='unicode61 remove_diacritics 0', detail=none, content='');
CREATE VIRTUAL TABLE vocab USING fts5vocab(words, 'row');
"""
_INDEXES = """
CREATE INDEX lines_page ON lines(page, version);
"""


class Damaged(Exception):
    """The index file cannot be trusted (internal: the index rebuilds itself)."""


class SearchIndex:
    """One project's index, one connection, one lock (saves may come from a worker thread)."""

    def __init__(self, store: StoreLike) -> None:
        self.store = store
        self.project = store.project
        self.path = index_path(self.project)
        self.stale_path = self.path.with_name(STALE_FILE)
        self.lock = threading.RLock()
        self._db: sqlite3.Connection | None = None
        self._inode: int | None = None
        self._checked_at = -1e9
        self.all_versions = False
        #: Counts what opening found, for the CLI and the tests: "rebuilt", "refreshed" pages.
        self.last_check: dict[str, int] = {}
        self._writes = 0  # this process's transactions, so caches of the vocabulary know when to go
        self._vocab: dict[tuple[int, bool, Learned], list[str]] | None = None
        self._vocab_key: tuple[int, int] = (-1, -1)
        self._names: dict[int, str] = {}
        self._ranks: dict[str, int] = {}
        self._names_key: tuple[int, int] = (-1, -1)

    # -- connection ------------------------------------------------------------------------------------

    def _connect(self, path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30.0)
        # Derived data: a crash or power cut that damages it costs a rebuild, never a transcript, so the
        # index does not pay for fsync (the journal still makes a crashed process's transaction roll back).
        db.execute("PRAGMA synchronous=OFF")
        return db

    def _open_existing(self) -> sqlite3.Connection:
        try:
            st = os.stat(self.path)
        except FileNotFoundError as e:
            raise Damaged("missing") from e
        try:
            db = self._connect(self.path)
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.Error as e:
            raise Damaged(str(e)) from e
        from workbench.search.fold import FOLD_VERSION

        if meta.get("schema") != str(SCHEMA_VERSION) or meta.get("fold") != str(FOLD_VERSION):
            db.close()
            raise Damaged("made by another version of the workbench")
        if meta.get("complete") != "1":
            db.close()
            raise Damaged("an unfinished build")
        self.all_versions = meta.get("all_versions") == "1"
        self._inode = st.st_ino
        return db

    def db(self) -> sqlite3.Connection:
        """The open connection (opening, checking and if need be rebuilding the index first)."""
        with self.lock:
            self._close_if_replaced()
            if self._db is None:
                self.ensure_fresh()
            assert self._db is not None
            return self._db

    def _close_if_replaced(self) -> None:
        """Another process rebuilt (or removed) the file: let go of the old one, to read the new one."""
        if self._db is None:
            return
        try:
            moved = os.stat(self.path).st_ino != self._inode
        except FileNotFoundError:
            moved = True
        if moved:
            self.close()

    def close(self) -> None:
        """Close the connection (the next use opens it again)."""
        with self.lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def stats(self) -> dict[str, int]:
        """What the index holds: pages, lines, distinct words, bytes on disk, and whether all versions."""
        with self.lock:
            db = self.db()
            count = {t: int(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in ("pages", "lines", "vocab")}
            return {**count, "bytes": os.stat(self.path).st_size, "all_versions": int(self.all_versions)}

    # -- freshness ---------------------------------------------------------------------------------------

    def ensure_fresh(self, *, force: bool = False) -> None:
        """Make the index match the transcripts: rebuild it if it cannot be trusted, else re-index changes.

        A long-lived process checks the pages again only after :data:`RECHECK_SECONDS` (its own saves
        update the index directly); ``force`` checks now.
        """
        with self.lock:
            if self.stale_path.exists():
                self.rebuild()
                return
            if self._db is None:
                try:
                    self._db = self._open_existing()
                except Damaged:
                    self.rebuild()
                    return
                force = True
            if force or time.monotonic() - self._checked_at > RECHECK_SECONDS:
                try:
                    self._refresh_changed()
                except sqlite3.DatabaseError:
                    self.rebuild()

    def _refresh_changed(self) -> None:
        store = self.store
        db = self._db
        assert db is not None
        indexed = dict(db.execute("SELECT page, stamp FROM pages").fetchall())
        changed = 0
        for pid in store.page_ids():
            stamp = page_stamp(store, pid, listed=True)
            if stamp is None:
                continue
            if indexed.pop(pid, None) != stamp:
                self._reindex_page(store, pid, stamp)
                changed += 1
        for gone in indexed:  # pages whose transcripts were removed
            with self._transaction() as tx:
                self._delete_page(tx, gone)
            changed += 1
        self._checked_at = time.monotonic()
        self.last_check = {"refreshed": changed}

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self._db
        assert db is not None
        db.execute("BEGIN IMMEDIATE")
        self._writes += 1
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _cache_key(self) -> tuple[int, int]:
        """A key that changes whenever the database does (the in-memory copies compare it).

        SQLite's ``data_version`` counts other connections' commits; ``_writes`` this process's own.
        """
        db = self.db()
        return int(db.execute("PRAGMA data_version").fetchone()[0]), self._writes

    def page_names(self) -> dict[int, str]:
        """Page ids by their row in ``pages`` (kept in memory until the database changes)."""
        self._page_tables()
        return self._names

    def page_ranks(self) -> dict[str, int]:
        """Each page id's place in natural order (``p2`` before ``p10``), the order hits are listed in."""
        self._page_tables()
        return self._ranks

    def _page_tables(self) -> None:
        key = self._cache_key()
        if key != self._names_key:
            from workbench.project import natural_key

            self._names = dict(self.db().execute("SELECT id, page FROM pages").fetchall())
            self._ranks = {page: i for i, page in enumerate(sorted(self._names.values(), key=natural_key))}
            self._names_key = key

    def words_of_length(self, length: int, confusions: bool, learned: Learned = ()) -> list[str]:
        """The archive's distinct words (base fold) of one length, or their confusion folds; kept in memory.

        The fuzzy search compares a query word with every word of a close length; reading them from SQLite
        each time would cost more than comparing. The copy is dropped when this process writes or SQLite's
        ``data_version`` says another process did.
        """
        db = self.db()
        key = self._cache_key()
        if key != self._vocab_key or self._vocab is None:
            by_length: dict[tuple[int, bool, Learned], list[str]] = {}
            for (term,) in db.execute("SELECT term FROM vocab"):
                by_length.setdefault((len(term), False, ()), []).append(term)
            self._vocab, self._vocab_key = by_length, key
        if not confusions:
            learned = ()
        got = self._vocab.get((length, confusions, learned))
        if got is None:
            plain = self._vocab.get((length, False, ()), [])
            from workbench.search.fold import fold_confusions

            got = [fold_confusions(w, learned) for w in plain] if confusions else plain
            self._vocab[(length, confusions, learned)] = got
        return got

    # -- building ------------------------------------------------------------------------------------------

    def rebuild(self, *, all_versions: bool | None = None, progress: Callable[[int, int], None] | None = None) -> None:
        """Build the index from every page into a temporary file and rename it over the old one.

        ``all_versions`` None keeps the current choice (latest versions only for a new index).
        """
        with self.lock:
            if all_versions is not None:
                self.all_versions = all_versions
            self.close()
            store = self.store
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{INDEX_FILE}.{os.getpid()}.tmp")
            tmp.unlink(missing_ok=True)
            try:
                db = self._connect(tmp)
                db.execute("PRAGMA journal_mode=OFF")
                db.executescript(_SCHEMA)
                from workbench.search.build import Builder
                from workbench.search.fold import FOLD_VERSION as fold_version

                Builder(db, self.all_versions).build(store, progress)
                db.executescript(_INDEXES)
                db.executemany(
                    "INSERT INTO meta VALUES (?, ?)",
                    [
                        ("schema", str(SCHEMA_VERSION)),
                        ("fold", str(fold_version)),
                        ("all_versions", "1" if self.all_versions else "0"),
                        ("complete", "1"),
                    ],
                )
                db.close()
                os.replace(tmp, self.path)
            except (OSError, sqlite3.Error) as e:
                tmp.unlink(missing_ok=True)
                raise StorageError(
                    f"Could not build the search index {self.path}: {e}.",
                    hint="Check that the project folder is writable and the disk has room.",
                ) from e
            self.stale_path.unlink(missing_ok=True)
            self._db = self._open_existing()
            self._checked_at = time.monotonic()
            self.last_check = {"rebuilt": 1}

    # -- updating one page -------------------------------------------------------------------------------

    def update_page(self, store: StoreLike, page_id: str, meta: Any, text: str) -> None:
        """Index version ``meta`` of a page that was just saved (the store's save hook calls this).

        Opening here checks only the file (not every page: a save must stay quick); the next search in this
        process checks the pages.
        """
        with self.lock:
            self._close_if_replaced()
            if self._db is None:
                self._db = self._open_existing()
            stamp = page_stamp(store, page_id) or ""
            if store.latest_number(page_id) != meta.number:
                self._reindex_page(store, page_id, stamp)  # a newer version came after this one
                return
            with self._transaction() as tx:
                old = tx.execute("SELECT version FROM pages WHERE page = ?", (page_id,)).fetchone()
                if old is not None and old[0] > meta.number:
                    return
                self._write_page(tx, page_id, [PageText(page_id, meta.number, meta.status, text)], stamp)

    def _reindex_page(self, store: StoreLike, page_id: str, stamp: str) -> None:
        try:
            texts = list(read_versions(store, page_id, self.all_versions))
        except IntegrityError:
            texts = []  # a damaged latest version is not searchable; fsck reports it
        with self._transaction() as tx:
            if texts:
                self._write_page(tx, page_id, texts, stamp)
            else:
                self._delete_page(tx, page_id)

    def _write_page(self, tx: sqlite3.Connection, page_id: str, texts: list[PageText], stamp: str) -> None:
        """Replace what the index holds of a page (or, with all versions, add the new ones)."""
        row = tx.execute("SELECT id FROM pages WHERE page = ?", (page_id,)).fetchone()
        latest = texts[-1]
        if row is None:
            cur = tx.execute(
                "INSERT INTO pages(page, doc, version, status, stamp) VALUES (?, ?, ?, ?, ?)",
                (page_id, document_of(page_id), latest.version, latest.status, stamp),
            )
            pid = int(cur.lastrowid or 0)
        else:
            pid = int(row[0])
            tx.execute(
                "UPDATE pages SET version = ?, status = ?, stamp = ? WHERE id = ?",
                (latest.version, latest.status, stamp, pid),
            )
            if self.all_versions:
                have = {v for (v,) in tx.execute("SELECT DISTINCT version FROM lines WHERE page = ?", (pid,))}
                texts = [t for t in texts if t.version not in have]
                tx.execute("UPDATE lines SET latest = 0 WHERE page = ?", (pid,))
            elif len(texts) == 1:
                _update_lines(tx, pid, texts[0])
                return
            else:
                _delete_lines(tx, "page = ?", (pid,))
        for t in texts:
            _insert_lines(tx, pid, t, latest=t is latest)
        if self.all_versions and not texts:  # the newest was indexed already: mark it latest again
            tx.execute("UPDATE lines SET latest = 1 WHERE page = ? AND version = ?", (pid, latest.version))

    def _delete_page(self, tx: sqlite3.Connection, page_id: str) -> None:
        row = tx.execute("SELECT id FROM pages WHERE page = ?", (page_id,)).fetchone()
        if row is None:
            return
        _delete_lines(tx, "page = ?", (row[0],))
        tx.execute("DELETE FROM pages WHERE id = ?", (row[0],))


# -- shared writing helpers ---------------------------------------------------------------------------------


def _insert_lines(tx: sqlite3.Connection, page: int, t: PageText, *, latest: bool) -> None:
    for i, line in enumerate(t.text.split("\n")):
        if line.strip():
            _insert_line(tx, page, t.version, i, line, latest=latest)


def _insert_line(tx: sqlite3.Connection, page: int, version: int, i: int, line: str, *, latest: bool) -> None:
    cur = tx.execute(
        "INSERT INTO lines(page, version, line, latest, text) VALUES (?, ?, ?, ?, ?)",
        (page, version, i, int(latest), line),
    )
    lid = int(cur.lastrowid or 0)
    from workbench.search.fold import fold

    tx.execute("INSERT INTO fts(rowid, text) VALUES (?, ?)", (lid, fold(line, True)))
    tx.execute("INSERT INTO words(rowid, text) VALUES (?, ?)", (lid, fold(line)))


def _update_lines(tx: sqlite3.Connection, page: int, t: PageText) -> None:
    """Bring a page's lines to a new version touching only what changed (a save changes a line or two)."""
    old: dict[str, list[tuple[int, int]]] = {}
    for lid, line_no, line in tx.execute("SELECT id, line, text FROM lines WHERE page = ?", (page,)):
        old.setdefault(line, []).append((line_no, lid))
    added: list[tuple[int, str]] = []
    for i, line in enumerate(t.text.split("\n")):
        if not line.strip():
            continue
        same = old.get(line)
        if not same:
            added.append((i, line))
            continue
        # the same text at the same number if there is one, else the nearest
        line_no, lid = min(same, key=lambda e: abs(e[0] - i))
        same.remove((line_no, lid))
        if line_no != i:
            tx.execute("UPDATE lines SET line = ? WHERE id = ?", (i, lid))
    gone = [lid for rows in old.values() for _, lid in rows]
    for k in range(0, len(gone), 500):
        chunk = gone[k : k + 500]
        _delete_lines(tx, f"id IN ({','.join('?' * len(chunk))})", tuple(chunk))
    tx.execute("UPDATE lines SET version = ? WHERE page = ?", (t.version, page))
    for i, line in added:
        _insert_line(tx, page, t.version, i, line, latest=True)


def _delete_lines(tx: sqlite3.Connection, where: str, args: tuple[Any, ...]) -> None:
    """Delete lines and their trigrams and words (a contentless table needs the text it was given)."""
    from workbench.search.fold import fold

    rows = tx.execute(f"SELECT id, text FROM lines WHERE {where}", args).fetchall()
    for lid, line in rows:
        tx.execute("INSERT INTO fts(fts, rowid, text) VALUES ('delete', ?, ?)", (lid, fold(line, True)))
        tx.execute("INSERT INTO words(words, rowid, text) VALUES ('delete', ?, ?)", (lid, fold(line)))
    tx.execute(f"DELETE FROM lines WHERE {where}", args)


# -- the process's open indexes, and the store's hook --------------------------------------------------------

_OPEN: dict[Path, SearchIndex] = {}
_OPEN_LOCK = threading.Lock()


def get_index(store: StoreLike) -> SearchIndex:
    """The process's index of the store's project (one per project, shared by the searches and the save hook)."""
    key = index_path(store.project)
    with _OPEN_LOCK:
        index = _OPEN.get(key)
        if index is None:
            index = _OPEN[key] = SearchIndex(store)
        return index


def forget_indexes() -> None:
    """Close every open index (tests, and a process about to fork)."""
    with _OPEN_LOCK:
        for index in _OPEN.values():
            index.close()
        _OPEN.clear()


def on_save(store: StoreLike, page_id: str, meta: Any, text: str) -> None:
    """The store's save hook: index the new version; never fail the save (a failed update marks it stale).

    A project without an index yet is left alone: the first search builds it.
    """
    index = get_index(store)
    if not index.path.exists():
        return
    try:
        index.update_page(store, page_id, meta, text)
    except Exception:  # noqa: BLE001
        # Broad on purpose, like the CLI's and the TUI's edges: the version is already durable on disk and
        # only the derived index missed it, so no fault of the index may make the save look failed. Say so
        # on disk instead: every process rebuilds before it trusts the index again.
        with contextlib.suppress(OSError):
            index.stale_path.touch()
        index.close()
