"""The project model: a folder with ``workbench.toml``, ``scans/``, ``transcripts/`` and ``dictionaries/``.

A page's id is its scan's path under ``scans/`` without the extension (``scans/bagirov-1946/p2.png`` is
``bagirov-1946/p2``). A multi-page TIFF or PDF gives one page per frame, ``doc/file#1``, ``doc/file#2`` …
(numbered from 1). A folder under ``scans/`` is a document; its ``document.toml`` holds its metadata. A page
may also exist only as a transcript (text imported without a scan); it is listed with ``scan=None``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.config import (  # re-exported: the project's metadata types live in workbench.config
    LANGUAGES,
    Citation,
    Document,
    PageSettings,
    Region,
    Settings,
    is_lang_mode,
    load_document,
    load_settings,
    project_key_warnings,
)
from workbench.errors import PageError, ProjectNotFoundError, StorageError, UsageError
from workbench.orthography import ORTHOGRAPHIES

__all__ = [
    "DOCUMENT_FILE",
    "LANGUAGES",
    "ORTHOGRAPHIES",
    "PROJECT_FILE",
    "Citation",
    "Document",
    "Page",
    "PageSettings",
    "Project",
    "Region",
    "Settings",
    "find_project",
    "init_project",
    "is_lang_mode",
    "load_document",
    "split_frame",
    "validate_page_id",
]

PROJECT_FILE = "workbench.toml"
DOCUMENT_FILE = "document.toml"
SCAN_SUFFIXES = (".png", ".tif", ".tiff", ".jpg", ".jpeg", ".pdf")
MULTI_FRAME_SUFFIXES = (".tif", ".tiff", ".pdf")
#: Names a page-id segment may not take, because the transcript store uses them inside a page's folder.
RESERVED_SEGMENTS = frozenset({"versions", "candidates", ".", ".."})
_SEGMENT_RE = re.compile(r"^[^/\\\x00-\x1f#]+$")
_FRAME_RE = re.compile(r"^(?P<base>.+)#(?P<frame>[1-9][0-9]*)$")

DEFAULT_PROJECT_TOML = """\
# A workbench project. See README.md for every key.
[project]
name = "{name}"
# author = "Your Name"     # used for saved versions; $WORKBENCH_AUTHOR or the login name otherwise

[ocr]
lang = "auto"              # rus | aze_cyrl | rus+aze_cyrl | auto
jobs = 0                   # parallel OCR processes; 0 = all cores
timeout = 180              # seconds per page before Tesseract is stopped
"""


@dataclass(frozen=True)
class Page:
    """One page: its id, its document, and where its image comes from (``None`` for text-only pages)."""

    id: str
    document: str
    scan: Path | None
    frame: int | None = None  # 0-based frame in a multi-page TIFF/PDF

    @property
    def name(self) -> str:
        """The page's name within its document."""
        return self.id.rsplit("/", 1)[-1]


def validate_page_id(page_id: str) -> str:
    """Check that ``page_id`` is a safe relative id and return it NFC-normalised.

    Refuses absolute paths, ``..``, empty segments, backslashes and control characters, so that no page id
    can name a file outside the project.
    """
    import unicodedata

    pid = unicodedata.normalize("NFC", page_id.strip())
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs") for c in pid):
        # DEL, U+2028 and friends would break the one-line-per-page output of `pages` and `history`.
        raise PageError(
            f"Page id {page_id!r} has a control character.",
            hint="Page ids are printable: rename the scan or folder without control characters.",
        )
    if not pid:
        raise PageError("Empty page id.", hint="Give it as DOCUMENT/PAGE, e.g. bagirov-1946/p1.")
    if pid.startswith("/") or pid.startswith("\\") or re.match(r"^[A-Za-z]:", pid):
        raise PageError(f"Page id {page_id!r} is an absolute path.", hint="Give it relative to scans/.")
    m = _FRAME_RE.match(pid)
    base = m.group("base") if m else pid
    for segment in base.split("/"):
        if segment in RESERVED_SEGMENTS or not _SEGMENT_RE.match(segment):
            raise PageError(
                f"Page id {page_id!r} is not allowed (segment {segment!r}).",
                hint="Page ids are paths under scans/ without extension, with no '..', '#', or empty parts.",
            )
    return pid


def split_frame(page_id: str) -> tuple[str, int | None]:
    """Split ``doc/file#3`` into ``("doc/file", 2)`` (0-based frame); a plain id gives ``(id, None)``."""
    m = _FRAME_RE.match(page_id)
    if not m:
        return page_id, None
    return m.group("base"), int(m.group("frame")) - 1


class Project:
    """A workbench project on disk. Cheap to create; reads files only when asked."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.scans_dir = self.root / "scans"
        self.transcripts_dir = self.root / "transcripts"
        self.dictionaries_dir = self.root / "dictionaries"
        self.config_file = self.root / PROJECT_FILE
        self._documents: dict[str, Document] = {}
        #: Warnings about the project's files (unknown keys), in the order found; the CLI and TUI show them.
        self.warnings: list[str] = []

    def __repr__(self) -> str:
        return f"Project({str(self.root)!r})"

    # -- settings -------------------------------------------------------------------------------------

    def settings(self, overrides: dict[str, Any] | None = None) -> Settings:
        """Load settings: defaults, then ``workbench.toml``, then ``WORKBENCH_*`` variables, then ``overrides``.

        Unknown keys in ``workbench.toml`` are added to :attr:`warnings` (the faces show them).
        """
        settings, warnings = load_settings(self.config_file, overrides)
        self._warn(warnings)
        return settings

    def check_keys(self) -> list[str]:
        """Look for unknown keys in ``workbench.toml`` (typos such as ``timout``); adds them to :attr:`warnings`."""
        warnings = project_key_warnings(self.config_file)
        self._warn(warnings)
        return warnings

    def _warn(self, warnings: list[str]) -> None:
        for warning in warnings:
            if warning not in self.warnings:
                self.warnings.append(warning)

    def author(self) -> str:
        """Who saves: ``$WORKBENCH_AUTHOR``, else ``project.author`` in ``workbench.toml``, else the login name."""
        configured = self.settings().author  # $WORKBENCH_AUTHOR included, checked for control characters
        if configured:
            return configured
        try:
            return os.getlogin()
        except OSError:
            import getpass

            return getpass.getuser()

    # -- documents ------------------------------------------------------------------------------------

    def document(self, doc_id: str) -> Document:
        """The document ``doc_id`` (a folder under ``scans/``) with its metadata, parsed once."""
        if doc_id not in self._documents:
            warnings: list[str] = []
            self._documents[doc_id] = load_document(self.scans_dir / doc_id / DOCUMENT_FILE, doc_id, warnings)
            self._warn(warnings)
        return self._documents[doc_id]

    def prints_yo(self, doc_id: str | None = None) -> bool:
        """Whether the text of ``doc_id`` prints ё: its ``document.toml`` ``yo`` if it sets one, else the project's
        ``[dictionary] yo``, else False (typescripts of the period never printed ё)."""
        if doc_id is not None:
            yo = self.document(doc_id).yo
            if yo is not None:
                return yo
        return self.settings().yo

    def documents(self) -> list[str]:
        """Ids of all documents: folders under ``scans/`` or ``transcripts/`` that hold pages."""
        return sorted({p.document for p in self.pages()})

    # -- pages ----------------------------------------------------------------------------------------

    def pages(self) -> list[Page]:
        """All pages, sorted naturally by id: scan pages, then text-only pages from ``transcripts/``."""
        found: dict[str, Page] = {}
        for page in self.scan_pages():
            found.setdefault(page.id, page)
        for pid in self._transcript_page_ids():
            if pid not in found:
                found[pid] = Page(id=pid, document=_document_of(pid), scan=None)
        return sorted(found.values(), key=lambda p: natural_key(p.id))

    def page(self, page_id: str) -> Page:
        """The page ``page_id``; raises :class:`PageError` naming close matches when there is none."""
        pid = validate_page_id(page_id)
        base, frame = split_frame(pid)
        scan = self._scan_for(base)
        if scan is not None:
            if frame is None or scan.suffix.lower() in MULTI_FRAME_SUFFIXES:
                if frame is not None:
                    from workbench.scans import frame_count

                    count = frame_count(scan)
                    if frame >= count:
                        raise PageError(f"Page {pid!r}: {scan.name} has only {count} page(s).")
                    if count == 1:
                        frame = None
                return Page(id=pid, document=_document_of(pid), scan=scan, frame=frame)
        if (self.transcripts_dir / pid / "versions").is_dir():
            return Page(id=pid, document=_document_of(pid), scan=None)
        pages = self.pages()  # a walk of scans/ and transcripts/: once, for both the match and the hint
        for page in pages:
            if page.id == pid:
                return page
        import difflib

        close = difflib.get_close_matches(pid, [p.id for p in pages], n=3)
        hint = f"Did you mean {', '.join(close)}?" if close else "`workbench pages` lists the pages."
        raise PageError(f"No page {pid!r} in {self.root}.", hint=hint)

    def _scan_for(self, base: str) -> Path | None:
        folder = _find_normalised(self.scans_dir, base.split("/")[:-1])
        stem = base.rsplit("/", 1)[-1]
        if folder is None:
            return None
        for suffix in SCAN_SUFFIXES:
            for candidate in (folder / f"{stem}{suffix}", folder / f"{stem}{suffix.upper()}"):
                if candidate.is_file():
                    self._check_inside(candidate)
                    return candidate
        # A name written in another normal form (macOS writes «й» as и + U+0306): compare NFC names.
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            return None
        for entry in entries:
            if entry.suffix.lower() in SCAN_SUFFIXES and _nfc(entry.stem) == stem and entry.is_file():
                self._check_inside(entry)
                return entry
        return None

    def check_output(self, path: Path) -> None:
        """Refuse to write ``path`` (a file or folder a command writes) if it is or resolves into ``transcripts/``.

        Only the store writes there: a command's output folder inside it could overwrite a version's files.
        """
        refuse_transcripts_output(path, self.root)

    def _check_inside(self, path: Path) -> None:
        """Refuse a path (e.g. a symlink) that resolves outside the project."""
        try:
            path.resolve().relative_to(self.root)
        except ValueError as e:
            raise PageError(
                f"{path} points outside the project ({path.resolve()}); refusing to use it.",
                hint="Copy the file into the project instead of linking to it.",
            ) from e

    def scan_pages(self) -> Iterator[Page]:
        """The pages that have scans, in folder order, without looking at ``transcripts/`` (fast).

        Files whose names cannot be page ids are left out here; :meth:`unusable_scans` lists them.
        """
        from workbench.scans import frame_count

        for path, base, problem in self._walk_scans():
            if problem is not None:
                continue
            document = _document_of(base)
            count = 1
            if path.suffix.lower() in MULTI_FRAME_SUFFIXES:
                try:
                    count = frame_count(path)
                except Exception:  # noqa: BLE001 - listing never fails on one bad scan; opening it says why
                    count = 1
            if count == 1:
                yield Page(id=base, document=document, scan=path)
            else:
                for i in range(count):
                    yield Page(id=f"{base}#{i + 1}", document=document, scan=path, frame=i)

    def unusable_scans(self) -> list[tuple[Path, str]]:
        """Scan files under ``scans/`` that are no page, each with why (``doctor`` lists them)."""
        return [(path, problem) for path, _, problem in self._walk_scans() if problem is not None]

    def _walk_scans(self) -> Iterator[tuple[Path, str, str | None]]:
        """Every scan file: its path, its page id (NFC) and, if it cannot be a page, why not."""
        if not self.scans_dir.is_dir():
            return
        for dirpath, dirnames, filenames in os.walk(self.scans_dir):
            dirnames.sort()
            rel_dir = Path(dirpath).relative_to(self.scans_dir).as_posix()
            for filename in sorted(filenames):
                path = Path(dirpath) / filename
                if path.suffix.lower() not in SCAN_SUFFIXES:
                    continue
                stem = path.stem
                base = _nfc(stem if rel_dir == "." else f"{rel_dir}/{stem}")
                try:
                    if "#" in stem:
                        # `a#1.png` beside a multi-page `a.tif` would take the id of a.tif's first page.
                        raise PageError(
                            "Its name has '#', which marks the pages of a multi-page file (doc/file#2).",
                            hint="Rename the file without '#'.",
                        )
                    validate_page_id(base)
                    self._check_inside(path)
                except PageError as e:
                    yield path, base, str(e)
                    continue
                yield path, base, None

    def _transcript_page_ids(self) -> Iterator[str]:
        yield from walk_transcripts(self.transcripts_dir)[0]

    def neighbours(self, page_id: str, ids: Sequence[str] | None = None) -> tuple[str | None, str | None]:
        """The ids of the pages before and after ``page_id`` in the page list.

        ``ids`` is the page list if the caller already holds it (listing pages walks the archive).
        """
        if ids is None:
            ids = [p.id for p in self.pages()]
        if page_id not in ids:
            return None, None
        i = ids.index(page_id)
        return (ids[i - 1] if i > 0 else None), (ids[i + 1] if i + 1 < len(ids) else None)


def refuse_transcripts_output(path: Path, root: Path | None = None) -> None:
    """Raise :class:`UsageError` if ``path`` is or resolves into the ``transcripts/`` of a project.

    ``root`` is the project's folder; without it, the project around ``path`` (if any) is meant. Symbolic
    links are followed (``Path.resolve``), so a link into ``transcripts/`` is refused as well.
    """
    target = path.resolve()
    if root is not None:
        roots = [root.resolve()]
    else:
        roots = [f for f in (target, *target.parents) if (f / PROJECT_FILE).is_file()]
    for project_root in roots:
        transcripts = project_root / "transcripts"
        if target == transcripts or transcripts in target.parents:
            raise UsageError(
                f"{path}: is inside the project's transcripts folder ({transcripts}); refusing to write there.",
                hint="Only the store writes under transcripts/ (save, import, ocr); choose another output folder.",
            )


def walk_transcripts(root: Path) -> tuple[list[str], list[tuple[Path, str]]]:
    """Every page id under ``root`` (``transcripts/``), sorted, and the folders that could not be read.

    A page is a folder holding ``versions`` or ``candidates``. Its other subfolders and folders whose names
    start with a dot are walked too, since ``save doc/p1/sub`` and ``save doc/.x`` store pages there: fsck,
    pages, progress and ``export --all`` must see every page the store can write, and say what they could
    not read. Symbolic links are not followed (a page whose versions folder is a link is still found, so
    fsck can report it).
    """
    found: list[str] = []
    unreadable: list[tuple[Path, str]] = []

    def walk(folder: str, prefix: str) -> None:
        try:
            everything = list(os.scandir(folder))
        except FileNotFoundError:
            return
        except OSError as e:
            unreadable.append((Path(folder), e.strerror or str(e)))
            return
        names = {e.name for e in everything}
        is_page = bool(prefix) and ("versions" in names or "candidates" in names)
        if is_page:
            found.append(prefix)
        for entry in everything:
            if is_page and entry.name in ("versions", "candidates"):
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                walk(entry.path, f"{prefix}/{entry.name}" if prefix else entry.name)

    walk(str(root), "")
    return sorted(found), unreadable


def _nfc(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFC", text)


def _find_normalised(root: Path, parts: list[str]) -> Path | None:
    """The folder ``root/parts…`` whose names equal ``parts`` after NFC (names on disk may be NFD)."""
    folder = root
    for part in parts:
        exact = folder / part
        if exact.is_dir():
            folder = exact
            continue
        try:
            matches = [e for e in sorted(folder.iterdir()) if _nfc(e.name) == part and e.is_dir()]
        except OSError:
            return None
        if not matches:
            return None
        folder = matches[0]
    return folder if folder.is_dir() else None


def _document_of(page_id: str) -> str:
    base, _ = split_frame(page_id)
    return base.rsplit("/", 1)[0] if "/" in base else ""


def natural_key(text: str) -> list[Any]:
    """Sort key that puts ``p2`` before ``p10``."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def find_project(start: Path | None = None) -> Project:
    """Find the project containing ``start`` (default: the current folder), looking upward."""
    here = (start or Path.cwd()).resolve()
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        if (folder / PROJECT_FILE).is_file():
            return Project(folder)
    raise ProjectNotFoundError(
        f"No {PROJECT_FILE} in {here} or any folder above it.",
        hint="Run `workbench init DIR` to create a project, or pass -C DIR.",
    )


def init_project(root: Path, name: str | None = None) -> Project:
    """Create a project at ``root`` (folders and ``workbench.toml``); an existing project is left as it is."""
    refuse_transcripts_output(root)
    try:
        root.mkdir(parents=True, exist_ok=True)
        for sub in ("scans", "transcripts", "dictionaries"):
            (root / sub).mkdir(exist_ok=True)
        config = root / PROJECT_FILE
        if not config.exists():
            title = (name or root.resolve().name).replace('"', "'")
            config.write_text(DEFAULT_PROJECT_TOML.format(name=title), encoding="utf-8")
    except OSError as e:
        raise StorageError(f"Cannot create a project at {root}: {e.strerror}.") from e
    return Project(root)
