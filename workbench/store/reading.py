"""Reading the store: paths of pages, versions and candidates, metadata, texts, layouts, history."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from workbench.errors import IntegrityError, PageError
from workbench.layout import Layout
from workbench.layout import loads as layout_loads
from workbench.project import Project, validate_page_id, walk_transcripts
from workbench.store.caches import load_cache, write_cache
from workbench.store.model import HUMAN_SOURCES, Version, VersionMeta, checksum, digest


class StoreReader:
    """The read side of :class:`~workbench.store.TranscriptStore` (which adds writing)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.root = project.transcripts_dir
        self._history_memo: dict[str, dict[int, tuple[list[int], VersionMeta, list[Any]]]] = {}

    def page_dir(self, page_id: str) -> Path:
        """The folder of ``page_id``'s versions, checked to lie inside the project (no ``..``, no symlink out)."""
        pid = validate_page_id(page_id)
        path = self.root / pid
        self._check_inside(path, pid)
        return path

    def _check_inside(self, path: Path, pid: str) -> None:
        # Resolve what exists of the path, so that a symlinked folder (the page's, a document's, or
        # transcripts/ itself) cannot lead outside the project's transcripts/.
        probe = path
        while not os.path.lexists(probe) and probe != self.root:
            probe = probe.parent
        real = probe.resolve()
        root = self.root.resolve() if os.path.lexists(self.root) else self.root
        try:
            root.relative_to(self.project.root)
            real.relative_to(root)
        except ValueError as e:
            raise PageError(
                f"Page {pid!r}: {probe} leads outside the project's transcripts ({real}); refusing to use it.",
                hint="Replace the symbolic link by a real folder inside the project.",
            ) from e

    def kind_dir(self, page_id: str, kind: str) -> Path:
        """The page's ``versions`` or ``candidates`` folder (a symbolic link out of the project is refused)."""
        path = self.page_dir(page_id) / kind
        if os.path.islink(path):
            self._check_inside(path, page_id)
        return path

    def numbers_in(self, folder: Path | str) -> list[int]:
        """The numbered entries of a versions or candidates folder, ascending (none if it is missing)."""
        try:
            names = os.listdir(folder)
        except FileNotFoundError:
            return []
        # ASCII digits only: "²".isdigit() is true but int() refuses it.
        return sorted(int(n) for n in names if n.isascii() and n.isdigit())

    def version_numbers(self, page_id: str) -> list[int]:
        """The numbers of ``page_id``'s versions, oldest first."""
        return self.numbers_in(self.kind_dir(page_id, "versions"))

    def latest_number(self, page_id: str) -> int | None:
        """The newest version's number, or ``None`` for a page never saved."""
        nums = self.version_numbers(page_id)
        return nums[-1] if nums else None

    def read_meta_file(self, vdir: Path | str) -> VersionMeta:
        """The metadata in ``vdir/meta.json``; a missing or damaged file raises :class:`IntegrityError`."""
        return self._read_meta_raw(vdir)[1]

    def _read_meta_raw(self, vdir: Path | str) -> tuple[dict[str, Any], VersionMeta]:
        """The parsed ``meta.json`` as stored and as a :class:`VersionMeta`."""
        path = os.path.join(vdir, "meta.json")  # plain strings: history reads a thousand of these at once
        try:
            with open(path, "rb") as f:
                data = json.loads(f.read())
            if not isinstance(data, dict):
                raise TypeError(f"a JSON {type(data).__name__}, not an object")
            return data, VersionMeta.from_json(data)
        except FileNotFoundError as e:
            raise IntegrityError(f"{path}: missing.", hint="Run `workbench fsck`.") from e
        except (ValueError, TypeError) as e:
            raise IntegrityError(f"{path}: corrupt metadata ({e}).", hint="Run `workbench fsck`.") from e
        except OSError as e:  # e.g. the version "folder" is a file
            raise IntegrityError(f"{path}: unreadable ({e.strerror}).", hint="Run `workbench fsck`.") from e

    def read_folder(self, vdir: Path, *, verify: bool = True) -> Version:
        """The version stored in folder ``vdir``, its checksums verified unless ``verify`` is false."""
        meta = self.read_meta_file(vdir)
        path = vdir / "text.txt"
        try:
            data = path.read_bytes()
        except FileNotFoundError as e:
            raise IntegrityError(f"{path}: missing.", hint="Run `workbench fsck`.") from e
        except OSError as e:
            raise IntegrityError(f"{path}: unreadable ({e.strerror}).", hint="Run `workbench fsck`.") from e
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise IntegrityError(f"{path}: not UTF-8 at byte {e.start}; the file is damaged.") from e
        if verify and checksum(text) != meta.checksum:
            raise IntegrityError(
                f"{path}: checksum mismatch; version {meta.number} was changed or damaged on disk.",
                hint="Run `workbench fsck`; restore the file from a backup or git. Other versions are unaffected.",
            )
        if verify and meta.layout_checksum is not None:
            layout = vdir / "layout.json"
            try:
                found = digest(layout.read_bytes())
            except FileNotFoundError as e:
                raise IntegrityError(f"{layout}: missing.", hint="Run `workbench fsck`.") from e
            if found != meta.layout_checksum:
                raise IntegrityError(
                    f"{layout}: checksum mismatch; the word boxes of version {meta.number} were changed or damaged.",
                    hint="Run `workbench fsck`; restore the file from a backup or git. Other versions are unaffected.",
                )
        return Version(meta=meta, text=text, path=vdir)

    def latest_layout(self, page_id: str, *, skip_damaged: bool = False) -> Layout | None:
        """The newest OCR layout among the page's versions (edits keep the lines of the OCR they came from).

        Reads only ``layout.json`` files (checked against their version's checksum), newest first, never the
        texts. A damaged layout raises :class:`IntegrityError`, or is passed over with ``skip_damaged``.
        """
        folder = self.kind_dir(page_id, "versions")
        for n in reversed(self.numbers_in(folder)):
            vdir = folder / f"{n:04d}"
            path = vdir / "layout.json"
            if not path.exists():
                continue
            try:
                data = path.read_bytes()
                meta = self.read_meta_file(vdir)
                if meta.layout_checksum is not None and digest(data) != meta.layout_checksum:
                    raise IntegrityError(
                        f"{path}: checksum mismatch; the word boxes of version {n} were changed or damaged.",
                        hint="Run `workbench fsck`; restore the file from a backup or git.",
                    )
                layout = layout_loads(data.decode("utf-8"))
            except (OSError, ValueError) as e:
                if skip_damaged:
                    continue
                raise IntegrityError(f"{path}: unreadable layout ({e}).", hint="Run `workbench fsck`.") from e
            except IntegrityError:
                if skip_damaged:
                    continue
                raise
            if layout["lines"]:
                return layout
        return None

    def meta(self, page_id: str, number: int) -> VersionMeta:
        """The metadata of version ``number`` (without reading its text)."""
        return self.read_meta_file(self._version_dir(page_id, number, "versions"))

    def _version_dir(self, page_id: str, number: int, kind: str) -> Path:
        vdir = self.kind_dir(page_id, kind) / f"{number:04d}"
        if not vdir.is_dir():
            label = "candidate" if kind == "candidates" else "version"
            nums = self.numbers_in(vdir.parent)
            have = f"it has {label}s {nums[0]}–{nums[-1]}" if nums else f"it has no {label}s"
            raise PageError(f"Page {page_id!r} has no {label} {number}; {have}.")
        return vdir

    def read(self, page_id: str, number: int | None = None, *, verify: bool = True) -> Version:
        """Version ``number`` of a page (default: the latest), with its checksum verified."""
        if number is None:
            number = self.latest_number(page_id)
            if number is None:
                raise PageError(f"Page {page_id!r} has no saved transcript yet.", hint="Run `workbench ocr` or `save`.")
        return self.read_folder(self._version_dir(page_id, number, "versions"), verify=verify)

    def history(self, page_id: str) -> list[VersionMeta]:
        """Metadata of every version, oldest first. A corrupt ``meta.json`` raises for that page only.

        Keeps a derived cache per page (``.workbench-cache/history/<page-id>.json``, git-ignored, rebuilt
        when missing) keyed by each ``meta.json``'s inode, size and mtime: a page with 1,000 versions then
        costs 1,000 ``stat`` calls instead of 1,000 file reads and JSON parses. Saves never write it.
        """
        pid = validate_page_id(page_id)
        folder = str(self.kind_dir(pid, "versions"))
        # In this process, the parsed metadata under the same keys (the TUI asks for history often).
        memo = self._history_memo.setdefault(pid, {})
        cache_file = self.project.root / ".workbench-cache" / "history" / f"{pid}.json"
        cache: dict[str, list[Any]] | None = None  # the disk cache, loaded only if the memo misses
        fresh: dict[str, list[Any]] = {}
        metas: list[VersionMeta] = []
        changed = False
        for n in self.numbers_in(folder):
            vdir = f"{folder}/{n:04d}"
            try:
                st = os.stat(f"{vdir}/meta.json")
            except OSError:
                metas.append(self.read_meta_file(vdir))  # raises the right IntegrityError
                continue
            key = [st.st_ino, st.st_size, st.st_mtime_ns]
            entry = memo.get(n)
            if entry is not None and entry[0] == key:
                fresh[str(n)] = entry[2]
                metas.append(entry[1])
                continue
            if cache is None:
                cache = load_cache(cache_file)
            hit = cache.get(str(n))
            meta = None
            if hit and hit[0] == key:
                with contextlib.suppress(TypeError, ValueError, AttributeError):
                    meta = VersionMeta.from_json(hit[1])
                    fresh[str(n)] = hit
            if meta is None:
                data, meta = self._read_meta_raw(vdir)
                fresh[str(n)] = [key, data]
                changed = True
            memo[n] = (key, meta, fresh[str(n)])
            metas.append(meta)
        if changed or (cache is not None and len(fresh) != len(cache)):
            write_cache(cache_file, fresh)
        return metas

    def has_human_version(self, page_id: str) -> bool:
        """Whether any version came from a person (edit, import, replace, restore) rather than OCR."""
        return any(m.source in HUMAN_SOURCES for m in self.history(page_id))

    def candidates(self, page_id: str) -> list[VersionMeta]:
        """Metadata of the page's OCR candidates, oldest first."""
        folder = self.kind_dir(page_id, "candidates")
        return [self.read_meta_file(folder / f"{n:04d}") for n in self.numbers_in(folder)]

    def read_candidate(self, page_id: str, number: int | None = None) -> Version:
        """Candidate ``number`` (default: the newest)."""
        if number is None:
            nums = self.numbers_in(self.kind_dir(page_id, "candidates"))
            if not nums:
                raise PageError(f"Page {page_id!r} has no OCR candidates.")
            number = nums[-1]
        return self.read_folder(self._version_dir(page_id, number, "candidates"))

    def page_ids(self) -> list[str]:
        """Ids of every page with a ``versions`` or ``candidates`` folder under ``transcripts/``, sorted.

        Pages inside another page's folder (``save doc/p1/sub``) and in dot-folders (``save doc/.x``) are
        found too: the store can write them, so fsck, progress and export must see them (see
        :func:`workbench.project.walk_transcripts`). Symbolic links are not followed, so every id found names
        a folder really inside ``transcripts/``.
        """
        return walk_transcripts(self.root)[0]

    def status(self, page_id: str) -> str | None:
        """The latest version's status, or ``None`` for a page never saved."""
        latest = self.latest_number(page_id)
        return None if latest is None else self.meta(page_id, latest).status
