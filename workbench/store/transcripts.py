"""Writing the store: every save is a new, immutable version published by one atomic rename."""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workbench import durable
from workbench.errors import InputError, IntegrityError
from workbench.layout import Layout
from workbench.project import validate_page_id
from workbench.search import index as search_index
from workbench.store import fsck as fsck_module
from workbench.store import recovery
from workbench.store.caches import load_cache, status_entry, write_cache
from workbench.store.model import (
    SOURCES,
    STATUSES,
    Draft,
    SaveResult,
    VersionMeta,
    carry_reviewed,
    digest,
    lines_of,
    normalise_status,
)
from workbench.store.reading import StoreReader
from workbench.store.temporaries import LIVE_TEMPORARIES, clean_folder, new_temporary
from workbench.text import check_name, check_transcript, nfc


@dataclass(frozen=True)
class _Resolved:
    """A draft with every default decided and its files encoded: what is written into the version's folder."""

    data: bytes
    layout_data: bytes | None
    author: str
    source: str
    base: int | None
    latest: int | None
    message: str
    status: str
    reviewed: tuple[int, ...]
    ocr: dict[str, Any] | None
    extra: dict[str, Any] | None
    warnings: tuple[str, ...] = ()


class TranscriptStore(StoreReader):
    """Versions of every page in a project. All methods are safe to call from several processes."""

    def save(
        self,
        page_id: str,
        text: str,
        *,
        author: str | None = None,
        source: str = "edit",
        base: int | None = None,
        message: str = "",
        status: str | None = None,
        reviewed: Iterable[int] | None = None,
        ocr: dict[str, Any] | None = None,
        layout: Layout | None = None,
        extra: dict[str, Any] | None = None,
    ) -> SaveResult:
        """Store ``text`` as the page's next version and return what was written.

        ``base`` is the version the text was edited from. If a newer version exists, the text is still
        stored (never lost, never overwriting) as the next number, marked ``conflict``, and the result says
        so; callers report it (the CLI exits with :class:`ConflictError`'s code). ``status`` and
        ``reviewed`` default to the latest version's.
        """
        draft = Draft(text, author, source, base, message, status, reviewed, ocr, layout, extra)
        return self.save_draft(page_id, draft)

    def save_draft(self, page_id: str, draft: Draft) -> SaveResult:
        """:meth:`save` with what the save carries in one :class:`Draft`."""
        return self._save("versions", page_id, draft)

    def save_candidate(
        self,
        page_id: str,
        text: str,
        *,
        author: str | None = None,
        message: str = "",
        ocr: dict[str, Any] | None = None,
        layout: Layout | None = None,
        extra: dict[str, Any] | None = None,
    ) -> SaveResult:
        """Store an OCR result beside the page's versions, for a person to diff and take in part."""
        draft = Draft(
            text, author, "ocr", self.latest_number(page_id), message, None, (), ocr=ocr, layout=layout, extra=extra
        )
        return self._save("candidates", page_id, draft)

    def _resolve(self, kind: str, page_id: str, draft: Draft) -> _Resolved:
        """Check a draft and decide what it leaves open (status, reviewed marks, author) from its base."""
        if draft.source not in SOURCES:
            raise InputError(f"Unknown source {draft.source!r}; use one of {', '.join(SOURCES)}.")
        text = nfc(draft.text)
        check_transcript(text, source=f"Page {page_id!r}")  # NUL, escape … never enter a transcript
        if draft.author is not None:
            check_name(draft.author, what="The author")
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError as e:  # lone surrogates from a broken clipboard or decoder
            raise InputError(f"Page {page_id!r}: the text has an invalid character at offset {e.start}.") from e
        page = self.page_dir(page_id)
        latest_versions = self.numbers_in(page / "versions")
        latest = latest_versions[-1] if latest_versions else None
        base = draft.base
        if base is not None and kind == "versions" and base not in latest_versions:
            raise InputError(f"Page {page_id!r} has no version {base} to base a save on.")
        prev_meta: VersionMeta | None = None
        prev_text: str | None = None
        warnings: list[str] = []
        parent = base if base is not None else latest
        if kind == "versions" and parent is not None and (draft.status is None or draft.reviewed is None):
            # Status and reviewed marks follow the version this text was edited from (its base). A damaged
            # base is skipped for the newest intact version before it, and the save result says so.
            prev_meta, prev_text, warnings = self._intact_base(page_id, parent, marks=draft.reviewed is None)
        status = (
            normalise_status(draft.status)
            if draft.status
            else (prev_meta.status if prev_meta else "New" if draft.source == "ocr" else "In progress")
        )
        n_lines = len(lines_of(text))
        if draft.reviewed is not None:
            marks = sorted(set(draft.reviewed))
            if marks and marks[0] < 0:
                raise InputError(f"Page {page_id!r}: reviewed line numbers must be 0 or more, not {marks[0]}.")
            reviewed = tuple(i for i in marks if i < n_lines)  # lines that no longer exist cannot be reviewed
        elif prev_meta is not None and prev_text is not None:
            reviewed = carry_reviewed(prev_text, text, prev_meta.reviewed)
        else:
            reviewed = ()
        layout = draft.layout
        return _Resolved(
            data=data,
            layout_data=json.dumps(layout, ensure_ascii=False).encode("utf-8") if layout is not None else None,
            author=draft.author if draft.author is not None else self.project.author(),
            source=draft.source,
            base=base,
            latest=latest,
            message=draft.message,
            status=status,
            reviewed=reviewed,
            ocr=draft.ocr,
            extra=draft.extra,
            warnings=tuple(warnings),
        )

    def _intact_base(
        self, page_id: str, parent: int, *, marks: bool
    ) -> tuple[VersionMeta | None, str | None, list[str]]:
        """The newest version at or before ``parent`` that can be read (its text too when ``marks`` are to be
        carried and it has some), and a warning for each damaged version skipped on the way."""
        warnings: list[str] = []
        folder = self.kind_dir(page_id, "versions")
        for number in reversed([n for n in self.numbers_in(folder) if n <= parent]):
            vdir = folder / f"{number:04d}"
            try:
                meta = self.read_meta_file(vdir)
            except IntegrityError as e:
                warnings.append(f"Page {page_id!r}: version {number} is damaged ({e.message}); not used as the base.")
                continue
            if warnings:
                warnings.append(f"Page {page_id!r}: status and reviewed marks were carried from version {number}.")
            text = None
            if marks and meta.reviewed:
                try:
                    text = self.read_folder(vdir).text
                except IntegrityError as e:
                    # The marks cannot be checked against a damaged text: dropped, and the user is told.
                    warnings.append(
                        f"Page {page_id!r}: the text of version {number} is damaged ({e.message}); its "
                        f"{len(meta.reviewed)} reviewed mark(s) were dropped."
                    )
            return meta, text, warnings
        if warnings:
            warnings.append(
                f"Page {page_id!r}: no intact earlier version; the status was reset and no line is marked reviewed."
            )
        return None, None, warnings

    def _save(self, kind: str, page_id: str, draft: Draft) -> SaveResult:
        resolved = self._resolve(kind, page_id, draft)
        folder = self.kind_dir(page_id, kind)
        tmp = new_temporary(folder)
        LIVE_TEMPORARIES.add(str(tmp))
        lock_fd: int | None = None
        try:
            try:
                durable.make_dirs(folder)
                clean_folder(folder)
                tmp.mkdir()
                # Held for the whole save, so a cleaner in another process or thread leaves this folder alone.
                lock_fd = durable.lock_folder(tmp)
            except OSError as e:
                raise durable.storage_error(e, folder) from e
            result = self._publish(kind, folder, tmp, resolved)
        finally:
            if lock_fd is not None:
                os.close(lock_fd)
            LIVE_TEMPORARIES.discard(str(tmp))
        if kind == "versions":
            # Derived data follows every version, whoever saved it (CLI, TUI, OCR, replace, restore). The hook
            # never raises: the version above is durable whatever happens to the index.
            search_index.on_save(self, page_id, result.version, resolved.data.decode("utf-8"))
        return result

    def _publish(self, kind: str, folder: Path, tmp: Path, r: _Resolved) -> SaveResult:
        """Write the files into ``tmp`` and rename it to the next free number (the commit point)."""
        try:
            # Write everything first and fsync afterwards, all together (see durable.fsync_all).
            written = [tmp / "text.txt", tmp / "meta.json"]
            durable.write_file(tmp / "text.txt", r.data, sync=False)
            if r.layout_data is not None:
                durable.write_file(tmp / "layout.json", r.layout_data, sync=False)
                written.append(tmp / "layout.json")
            number = (self.numbers_in(folder) or [0])[-1] + 1
            first = True
            while True:
                now = self.numbers_in(folder)
                newest = now[-1] if now else None
                conflict = kind == "versions" and r.base is not None and newest is not None and newest != r.base
                meta = VersionMeta(
                    number=number,
                    time=datetime.now(UTC).isoformat(timespec="milliseconds"),
                    author=r.author,
                    source=r.source,
                    base=r.base if r.base is not None else (newest if kind == "versions" else r.latest),
                    message=nfc(r.message),
                    status=r.status,
                    checksum=digest(r.data),
                    reviewed=r.reviewed,
                    ocr=r.ocr,
                    conflict=conflict,
                    extra=r.extra or {},
                    layout_checksum=digest(r.layout_data) if r.layout_data is not None else None,
                )
                meta_data = json.dumps(meta.to_json(), ensure_ascii=False, indent=1).encode("utf-8")
                durable.write_file(tmp / "meta.json", meta_data, sync=not first)
                if first:
                    # The files' data and the folder's entries, so that the renamed folder is complete.
                    durable.fsync_all([*written, tmp])
                    first = False
                try:
                    durable.rename_noreplace(tmp, folder / f"{number:04d}")
                except FileExistsError:
                    number = max(number + 1, (self.numbers_in(folder) or [0])[-1] + 1)
                    continue  # another writer took this number: take the next
                except OSError as e:
                    if e.errno != errno.ENOTEMPTY:
                        raise
                    number = max(number + 1, (self.numbers_in(folder) or [0])[-1] + 1)
                    continue
                durable.fsync_dir(folder)
                return SaveResult(version=meta, latest_before=newest, warnings=r.warnings)
        except OSError as e:
            shutil.rmtree(tmp, ignore_errors=True)
            raise durable.storage_error(e, folder) from e
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    def restore(self, page_id: str, number: int, *, author: str | None = None, message: str = "") -> SaveResult:
        """Save a new version equal to version ``number``; nothing is deleted.

        Equal means the page marks too: its status, reviewed lines and everything in ``extra`` (ignored words,
        line languages), so the restored page is flagged and checked as version ``number`` was. Both faces
        (``workbench restore`` and the TUI's history and conflict dialogs) restore through here.
        """
        old = self.read(page_id, number)
        return self.save(
            page_id,
            old.text,
            author=author,
            source="restore",
            message=message or f"restored version {number}",
            status=old.meta.status,
            reviewed=old.meta.reviewed,
            extra=dict(old.meta.extra) or None,
        )

    def set_status(self, page_id: str, status: str, *, author: str | None = None) -> SaveResult:
        """Record a new status as a new version with the same text.

        The text is the latest version's, so a damaged latest version cannot be given a status: the error says
        to restore a good version first (which is a new save, never blocked by the damage).
        """
        try:
            latest = self.read(page_id)
        except IntegrityError as e:
            raise IntegrityError(
                f"{e.message} Its status cannot be set.",
                hint=f"`workbench history {page_id}` lists the versions; `workbench restore {page_id} N` saves a "
                "good one as the newest, then set the status.",
            ) from e
        name = normalise_status(status)
        return self.save(
            page_id,
            latest.text,
            author=author,
            source="edit",
            base=latest.number,
            message=f"status: {name}",
            status=name,
            reviewed=latest.meta.reviewed,
            extra=dict(latest.meta.extra) or None,  # the same text keeps its ignored words and line languages
        )

    def clean_temporaries(self, page_id: str | None = None) -> list[Path]:
        """Remove temporary folders left by saves that died; return what was removed.

        A folder is removed only when no process holds its lock (its writer is gone), so a save in progress
        in another process or another thread is never disturbed.
        """
        removed: list[Path] = []
        pages = [page_id] if page_id is not None else self.page_ids()
        # _kind_dir refuses a versions folder that is a symbolic link out of the project.
        folders = [self.kind_dir(pid, kind) for pid in pages for kind in ("versions", "candidates")]
        for folder in folders:
            removed.extend(clean_folder(folder))
        return removed

    def progress(self, page_ids: Iterable[str] | None = None, *, include: Iterable[str] = ()) -> dict[str, int]:
        """How many pages are in each status (``STATUSES`` order), from each page's latest metadata.

        ``page_ids`` defaults to every page with a transcript; ``include`` adds pages (e.g. every scan's) that
        count as ``New`` when they have no transcript. A page whose latest metadata is damaged counts under
        ``"corrupt"``. Over the whole archive this keeps a derived cache (``.workbench-cache/store-status.json``,
        git-ignored, rebuilt when missing) keyed by each page's folder and latest ``meta.json`` stat, so a
        second run reads one ``stat`` per page instead of parsing every page's metadata.
        """
        counts = dict.fromkeys(STATUSES, 0)

        def count(status: str | None) -> None:
            key = status or "New"
            counts[key] = counts.get(key, 0) + 1

        if page_ids is not None:
            for pid in page_ids:
                try:
                    count(self.status(pid))
                except IntegrityError:
                    count("corrupt")
            return counts
        known = self.page_ids()
        cache_file = self.project.root / ".workbench-cache" / "store-status.json"
        cache = load_cache(cache_file)
        fresh: dict[str, list[Any]] = {}
        root = str(self.root)
        for pid in known:
            entry = status_entry(os.path.join(root, pid, "versions"), cache.get(pid))
            if entry is None:
                count(None)
                continue
            fresh[pid] = entry
            count(entry[-1])
        extra = {validate_page_id(p) for p in include} - set(known)
        for _ in extra:
            count(None)
        if fresh != cache:
            write_cache(cache_file, fresh)
        return counts

    def fsck(self) -> fsck_module.FsckReport:
        """Check every version and candidate; remove dead temporaries; report what is wrong (see :mod:`.fsck`)."""
        return fsck_module.fsck(self)

    # -- autosave (not versions; see :mod:`workbench.store.recovery`) ---------------------------------------

    def recovery_path(self, page_id: str) -> Path:
        """Where the TUI keeps unsaved edits of ``page_id`` (written atomically, deleted after a save)."""
        return recovery.recovery_path(self, page_id)

    def write_recovery(self, page_id: str, text: str, base: int | None) -> None:
        """Atomically write the autosave of unsaved edits (write, fsync, rename)."""
        recovery.write_recovery(self, page_id, text, base)

    def read_recovery(self, page_id: str) -> dict[str, Any] | None:
        """The autosave of ``page_id`` (``{"text", "base", "time"}``) if one exists."""
        return recovery.read_recovery(self, page_id)

    def discard_recovery(self, page_id: str) -> None:
        """Delete the autosave of ``page_id`` (after a save, or when the user declines it)."""
        recovery.discard_recovery(self, page_id)
