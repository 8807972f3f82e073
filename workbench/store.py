"""The transcript store: every save of a page is a new, immutable version on disk.

Layout (one folder per page, so two people working on different pages never touch the same file)::

    transcripts/<page-id>/versions/0001/text.txt     the full text, plain UTF-8
    transcripts/<page-id>/versions/0001/meta.json    number, time, author, source, base, status, checksum …
    transcripts/<page-id>/versions/0001/layout.json  (optional) OCR word boxes and confidences
    transcripts/<page-id>/candidates/0001/…          OCR results waiting for a human (same shape)
    transcripts/<page-id>/.recovery.txt             the TUI's autosave of unsaved edits (not a version)

A version is written into a private temporary folder (``.tmp-<pid>-<random>``), every file fsync'd, and then
the folder is renamed to its number. ``rename(2)`` of a folder onto an existing non-empty folder fails, so the
rename both claims the number and publishes the version in one atomic step: a crash leaves either the whole
version or a temporary folder that :func:`TranscriptStore.clean_temporaries` (run by every save and ``fsck``)
removes. Two writers can never take the same number. There is no index file; anything derived is rebuildable.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import secrets
import shutil
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workbench.errors import ConflictError, InputError, IntegrityError, PageError, StorageError
from workbench.project import Project, validate_page_id
from workbench.text import nfc

STATUSES = ("New", "In progress", "Done", "Final", "Ground truth")
SOURCES = ("ocr", "edit", "import", "replace", "restore")
HUMAN_SOURCES = frozenset({"edit", "import", "replace", "restore"})
FORMAT = 1
_TMP_PREFIX = ".tmp-"
#: A temporary folder older than this belongs to no living save and may be removed even if its
#: writer's pid has been reused.
_STALE_SECONDS = 600.0


def normalise_status(status: str) -> str:
    """Accept a status in any case or with ``-``/``_`` for the space (``in-progress``); return its proper name."""
    key = status.strip().lower().replace("-", " ").replace("_", " ")
    for name in STATUSES:
        if name.lower() == key:
            return name
    raise InputError(f"Unknown status {status!r}.", hint=f"Use one of: {', '.join(STATUSES)}.")


def checksum(text: str) -> str:
    """The checksum stored with a version: SHA-256 of its UTF-8 text."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class VersionMeta:
    """Everything stored about a version except its text."""

    number: int
    time: str
    author: str
    source: str
    base: int | None
    message: str
    status: str
    checksum: str
    reviewed: tuple[int, ...] = ()  # 0-based line numbers a person has marked reviewed
    ocr: dict[str, Any] | None = None  # engine, version, model, lang, settings (for source "ocr")
    conflict: bool = False  # stored on a base that was no longer the latest
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The JSON form written to ``meta.json``."""
        data = asdict(self)
        data["reviewed"] = list(self.reviewed)
        data["format"] = FORMAT
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VersionMeta:
        """Read the JSON form back."""
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        values["reviewed"] = tuple(values.get("reviewed", ()))
        return cls(**values)


@dataclass(frozen=True)
class Version:
    """A stored version: its metadata, text, and (for OCR) layout."""

    meta: VersionMeta
    text: str
    path: Path

    @property
    def number(self) -> int:
        """The version's number (1, 2, …)."""
        return self.meta.number

    def layout(self) -> dict[str, Any] | None:
        """The OCR layout (lines, words, boxes, confidences) saved with this version, if any."""
        path = self.path / "layout.json"
        if not path.exists():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise IntegrityError(f"{path}: unreadable layout ({e}).", hint="Run `workbench fsck`.") from e


@dataclass(frozen=True)
class SaveResult:
    """What a save did: the version it wrote and whether that was a conflict."""

    version: VersionMeta
    conflict: bool = False
    latest_before: int | None = None  # the newest version when the save landed (for conflict reports)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _storage_error(e: OSError, where: Path) -> StorageError:
    if e.errno == errno.ENOSPC:
        return StorageError(f"The disk is full; cannot write under {where}.", hint="Free space and save again.")
    if e.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StorageError(
            f"Cannot write under {where}: {e.strerror}.", hint="Check the folder's permissions or mount."
        )
    return StorageError(f"Cannot write under {where}: {e.strerror or e}.")


class TranscriptStore:
    """Versions of every page in a project. All methods are safe to call from several processes."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.root = project.transcripts_dir

    # -- paths ----------------------------------------------------------------------------------------

    def page_dir(self, page_id: str) -> Path:
        """The folder of ``page_id``'s versions, checked to lie inside the project (no ``..``, no symlink out)."""
        pid = validate_page_id(page_id)
        path = self.root / pid
        # Resolve what exists of the path so a symlinked folder cannot lead outside the project.
        probe = path
        while not probe.exists() and probe != self.root:
            probe = probe.parent
        try:
            probe.resolve().relative_to(self.project.root)
        except ValueError as e:
            raise PageError(
                f"Page {pid!r}: {probe} leads outside the project ({probe.resolve()}); refusing to write there."
            ) from e
        return path

    def _kind_dir(self, page_id: str, kind: str) -> Path:
        return self.page_dir(page_id) / kind

    # -- reading --------------------------------------------------------------------------------------

    def _numbers(self, folder: Path) -> list[int]:
        try:
            names = os.listdir(folder)
        except FileNotFoundError:
            return []
        return sorted(int(n) for n in names if n.isdigit())

    def version_numbers(self, page_id: str) -> list[int]:
        """The numbers of ``page_id``'s versions, oldest first."""
        return self._numbers(self._kind_dir(page_id, "versions"))

    def latest_number(self, page_id: str) -> int | None:
        """The newest version's number, or ``None`` for a page never saved."""
        nums = self.version_numbers(page_id)
        return nums[-1] if nums else None

    def _read_meta(self, vdir: Path) -> VersionMeta:
        path = vdir / "meta.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return VersionMeta.from_json(data)
        except FileNotFoundError as e:
            raise IntegrityError(f"{path}: missing.", hint="Run `workbench fsck`.") from e
        except (ValueError, TypeError) as e:
            raise IntegrityError(f"{path}: corrupt metadata ({e}).", hint="Run `workbench fsck`.") from e

    def _read(self, vdir: Path, *, verify: bool = True) -> Version:
        meta = self._read_meta(vdir)
        path = vdir / "text.txt"
        try:
            data = path.read_bytes()
        except FileNotFoundError as e:
            raise IntegrityError(f"{path}: missing.", hint="Run `workbench fsck`.") from e
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise IntegrityError(f"{path}: not UTF-8 at byte {e.start}; the file is damaged.") from e
        if verify and checksum(text) != meta.checksum:
            raise IntegrityError(
                f"{path}: checksum mismatch; version {meta.number} was changed or damaged on disk.",
                hint="Run `workbench fsck`; restore the file from a backup or git. Other versions are unaffected.",
            )
        return Version(meta=meta, text=text, path=vdir)

    def meta(self, page_id: str, number: int) -> VersionMeta:
        """The metadata of version ``number`` (without reading its text)."""
        return self._read_meta(self._version_dir(page_id, number, "versions"))

    def _version_dir(self, page_id: str, number: int, kind: str) -> Path:
        vdir = self._kind_dir(page_id, kind) / f"{number:04d}"
        if not vdir.is_dir():
            label = "candidate" if kind == "candidates" else "version"
            nums = self._numbers(vdir.parent)
            have = f"it has {label}s {nums[0]}–{nums[-1]}" if nums else f"it has no {label}s"
            raise PageError(f"Page {page_id!r} has no {label} {number}; {have}.")
        return vdir

    def read(self, page_id: str, number: int | None = None, *, verify: bool = True) -> Version:
        """Version ``number`` of a page (default: the latest), with its checksum verified."""
        if number is None:
            number = self.latest_number(page_id)
            if number is None:
                raise PageError(f"Page {page_id!r} has no saved transcript yet.", hint="Run `workbench ocr` or `save`.")
        return self._read(self._version_dir(page_id, number, "versions"), verify=verify)

    def history(self, page_id: str) -> list[VersionMeta]:
        """Metadata of every version, oldest first. A corrupt ``meta.json`` raises for that page only."""
        folder = self._kind_dir(page_id, "versions")
        return [self._read_meta(folder / f"{n:04d}") for n in self._numbers(folder)]

    def has_human_version(self, page_id: str) -> bool:
        """Whether any version came from a person (edit, import, replace, restore) rather than OCR."""
        return any(m.source in HUMAN_SOURCES for m in self.history(page_id))

    # -- writing --------------------------------------------------------------------------------------

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
        layout: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> SaveResult:
        """Store ``text`` as the page's next version and return what was written.

        ``base`` is the version the text was edited from. If a newer version exists, the text is still
        stored (never lost, never overwriting) as the next number, marked ``conflict``, and the result says
        so; callers report it (the CLI exits with :class:`ConflictError`'s code). ``status`` and
        ``reviewed`` default to the latest version's.
        """
        return self._save(
            "versions",
            page_id,
            text,
            author=author,
            source=source,
            base=base,
            message=message,
            status=status,
            reviewed=reviewed,
            ocr=ocr,
            layout=layout,
            extra=extra,
        )

    def save_candidate(
        self,
        page_id: str,
        text: str,
        *,
        author: str | None = None,
        message: str = "",
        ocr: dict[str, Any] | None = None,
        layout: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> SaveResult:
        """Store an OCR result beside the page's versions, for a person to diff and take in part."""
        return self._save(
            "candidates",
            page_id,
            text,
            author=author,
            source="ocr",
            base=self.latest_number(page_id),
            message=message,
            status=None,
            reviewed=(),
            ocr=ocr,
            layout=layout,
            extra=extra,
        )

    def candidates(self, page_id: str) -> list[VersionMeta]:
        """Metadata of the page's OCR candidates, oldest first."""
        folder = self._kind_dir(page_id, "candidates")
        return [self._read_meta(folder / f"{n:04d}") for n in self._numbers(folder)]

    def read_candidate(self, page_id: str, number: int | None = None) -> Version:
        """Candidate ``number`` (default: the newest)."""
        if number is None:
            nums = self._numbers(self._kind_dir(page_id, "candidates"))
            if not nums:
                raise PageError(f"Page {page_id!r} has no OCR candidates.")
            number = nums[-1]
        return self._read(self._version_dir(page_id, number, "candidates"))

    def _save(
        self,
        kind: str,
        page_id: str,
        text: str,
        *,
        author: str | None,
        source: str,
        base: int | None,
        message: str,
        status: str | None,
        reviewed: Iterable[int] | None,
        ocr: dict[str, Any] | None,
        layout: dict[str, Any] | None,
        extra: dict[str, Any] | None,
    ) -> SaveResult:
        if source not in SOURCES:
            raise InputError(f"Unknown source {source!r}; use one of {', '.join(SOURCES)}.")
        text = nfc(text)
        folder = self._kind_dir(page_id, kind)
        latest_versions = self.version_numbers(page_id)
        latest = latest_versions[-1] if latest_versions else None
        if base is not None and kind == "versions" and base not in latest_versions:
            raise InputError(f"Page {page_id!r} has no version {base} to base a save on.")
        prev = None
        if kind == "versions" and latest is not None and (status is None or reviewed is None):
            with contextlib.suppress(IntegrityError):
                prev = self._read_meta(folder / f"{latest:04d}")
        status = (
            normalise_status(status)
            if status
            else (prev.status if prev else "New" if source == "ocr" else "In progress")
        )
        reviewed_t = tuple(sorted(set(reviewed))) if reviewed is not None else (prev.reviewed if prev else ())
        author = author if author is not None else self.project.author()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.clean_temporaries(page_id)
            tmp = folder / f"{_TMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
            tmp.mkdir()
        except OSError as e:
            raise _storage_error(e, folder) from e
        try:
            _write_file(tmp / "text.txt", text.encode("utf-8"))
            if layout is not None:
                _write_file(tmp / "layout.json", json.dumps(layout, ensure_ascii=False).encode("utf-8"))
            number = (self._numbers(folder) or [0])[-1] + 1
            while True:
                now = self._numbers(folder)
                newest = now[-1] if now else None
                conflict = kind == "versions" and base is not None and newest is not None and newest != base
                meta = VersionMeta(
                    number=number,
                    time=datetime.now(UTC).isoformat(timespec="milliseconds"),
                    author=author,
                    source=source,
                    base=base if base is not None else (newest if kind == "versions" else latest),
                    message=nfc(message),
                    status=status,
                    checksum=checksum(text),
                    reviewed=reviewed_t,
                    ocr=ocr,
                    conflict=conflict,
                    extra=extra or {},
                )
                _write_file(tmp / "meta.json", json.dumps(meta.to_json(), ensure_ascii=False, indent=1).encode("utf-8"))
                _fsync_dir(tmp)
                target = folder / f"{number:04d}"
                try:
                    os.rename(tmp, target)
                except OSError as e:
                    if e.errno in (errno.ENOTEMPTY, errno.EEXIST):
                        number = max(number + 1, (self._numbers(folder) or [0])[-1] + 1)
                        continue  # another writer took this number: take the next
                    raise
                _fsync_dir(folder)
                return SaveResult(version=meta, conflict=conflict, latest_before=newest)
        except OSError as e:
            shutil.rmtree(tmp, ignore_errors=True)
            raise _storage_error(e, folder) from e
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    def restore(self, page_id: str, number: int, *, author: str | None = None, message: str = "") -> SaveResult:
        """Save a new version equal to version ``number``; nothing is deleted."""
        old = self.read(page_id, number)
        return self.save(
            page_id,
            old.text,
            author=author,
            source="restore",
            message=message or f"restored version {number}",
            status=old.meta.status,
            reviewed=old.meta.reviewed,
        )

    def set_status(self, page_id: str, status: str, *, author: str | None = None) -> SaveResult:
        """Record a new status as a new version with the same text."""
        latest = self.read(page_id)
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
        )

    def clean_temporaries(self, page_id: str | None = None) -> list[Path]:
        """Remove temporary folders left by saves that died; return what was removed.

        A folder is removed when its writer's process is gone or it is older than ten minutes, so a
        save in progress in another process is never disturbed.
        """
        removed: list[Path] = []
        folders: list[Path]
        if page_id is not None:
            page = self.page_dir(page_id)
            folders = [page / "versions", page / "candidates"]
        else:
            folders = [Path(d) for d, _, _ in os.walk(self.root) if Path(d).name in ("versions", "candidates")]
        for folder in folders:
            try:
                entries = list(folder.iterdir())
            except FileNotFoundError:
                continue
            for entry in entries:
                if not entry.name.startswith(_TMP_PREFIX):
                    continue
                if _tmp_is_live(entry):
                    continue
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
        return removed

    # -- autosave (not versions) -------------------------------------------------------------------------

    def recovery_path(self, page_id: str) -> Path:
        """Where the TUI keeps unsaved edits of ``page_id`` (written atomically, deleted after a save)."""
        return self.page_dir(page_id) / ".recovery.json"

    def write_recovery(self, page_id: str, text: str, base: int | None) -> None:
        """Atomically write the autosave of unsaved edits (write, fsync, rename)."""
        path = self.recovery_path(page_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".recovery-{os.getpid()}.tmp")
        data = {"text": nfc(text), "base": base, "time": datetime.now(UTC).isoformat(timespec="seconds")}
        try:
            _write_file(tmp, json.dumps(data, ensure_ascii=False).encode("utf-8"))
            os.replace(tmp, path)
        except OSError as e:
            raise _storage_error(e, path.parent) from e

    def read_recovery(self, page_id: str) -> dict[str, Any] | None:
        """The autosave of ``page_id`` (``{"text", "base", "time"}``) if one exists."""
        path = self.recovery_path(page_id)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return None

    def discard_recovery(self, page_id: str) -> None:
        """Delete the autosave of ``page_id`` (after a save, or when the user declines it)."""
        with contextlib.suppress(FileNotFoundError):
            self.recovery_path(page_id).unlink()


def _tmp_is_live(entry: Path) -> bool:
    try:
        pid = int(entry.name[len(_TMP_PREFIX) :].split("-", 1)[0])
    except ValueError:
        return False
    try:
        age = time.time() - entry.stat().st_mtime
    except FileNotFoundError:
        return True  # already gone; nothing to do
    if age > _STALE_SECONDS:
        return False
    if pid == os.getpid():
        return False  # our own leftovers: our saves are sequential within a thread of control
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def conflict_error(page_id: str, result: SaveResult, base: int | None) -> ConflictError:
    """The error the CLI reports for a save that landed as a conflict."""
    return ConflictError(
        f"Page {page_id!r}: saved as version {result.version.number}, based on {base}, but version "
        f"{result.latest_before} was saved meanwhile.",
        hint="Nothing was lost. Compare with "
        f"`workbench diff {page_id} {result.latest_before} {result.version.number}`.",
    )
