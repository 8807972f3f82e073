"""The project model: a folder with ``workbench.toml``, ``scans/``, ``transcripts/`` and ``dictionaries/``.

A page's id is its scan's path under ``scans/`` without the extension (``scans/bagirov-1946/p2.png`` is
``bagirov-1946/p2``). A multi-page TIFF or PDF gives one page per frame, ``doc/file#1``, ``doc/file#2`` …
(numbered from 1). A folder under ``scans/`` is a document; its ``document.toml`` holds its metadata. A page
may also exist only as a transcript (text imported without a scan); it is listed with ``scan=None``.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.errors import MetadataError, PageError, ProjectNotFoundError, StorageError, UsageError

PROJECT_FILE = "workbench.toml"
DOCUMENT_FILE = "document.toml"
SCAN_SUFFIXES = (".png", ".tif", ".tiff", ".jpg", ".jpeg", ".pdf")
MULTI_FRAME_SUFFIXES = (".tif", ".tiff", ".pdf")
ORTHOGRAPHIES = ("1939", "1958")
LANGUAGES = ("rus", "aze_cyrl", "rus+aze_cyrl", "auto")
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
class Citation:
    """An archival reference: archive, fond, opis, delo, list (фонд, опись, дело, лист)."""

    archive: str | None = None
    fond: str | None = None
    opis: str | None = None
    delo: str | None = None
    list: str | None = None

    def __str__(self) -> str:
        parts = [self.archive] if self.archive else []
        for label, value in (("f.", self.fond), ("op.", self.opis), ("d.", self.delo), ("l.", self.list)):
            if value:
                parts.append(f"{label} {value}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Region:
    """A part of a page whose language is fixed: a range of lines (1-based, inclusive) or a pixel box."""

    lang: str
    lines: tuple[int, int] | None = None
    box: tuple[int, int, int, int] | None = None  # x, y, width, height in scan pixels


@dataclass(frozen=True)
class PageSettings:
    """Per-page settings from a document's metadata."""

    lang: str | None = None
    regions: tuple[Region, ...] = ()


@dataclass(frozen=True)
class Document:
    """A folder under ``scans/`` and its metadata."""

    id: str
    title: str = ""
    date: str = ""
    languages: tuple[str, ...] = ("rus",)
    orthography: str = "1939"
    #: Whether this document prints ё (``yo = true`` in ``document.toml``); None: the project's ``[dictionary] yo``.
    yo: bool | None = None
    citation: Citation = field(default_factory=Citation)
    notes: str = ""
    pages: dict[str, PageSettings] = field(default_factory=dict)

    def page_settings(self, page_name: str) -> PageSettings:
        """Settings for the page named ``page_name`` within this document (defaults if none)."""
        return self.pages.get(page_name, PageSettings())


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


@dataclass(frozen=True)
class Settings:
    """The project's settings: defaults, then ``workbench.toml``, then the environment, then flags."""

    name: str = ""
    author: str = ""
    ocr_lang: str = "auto"
    ocr_jobs: int = 0
    ocr_timeout: float = 180.0
    #: ``[dictionary] yo``: whether the archive's texts print ё. Typescripts of the period never do (a Soviet
    #: typewriter had no ё key), so by default suggestions write е where the lexicon has ё.
    yo: bool = False


def validate_page_id(page_id: str) -> str:
    """Check that ``page_id`` is a safe relative id and return it NFC-normalised.

    Refuses absolute paths, ``..``, empty segments, backslashes and control characters, so that no page id
    can name a file outside the project.
    """
    import unicodedata

    pid = unicodedata.normalize("NFC", page_id.strip())
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

    def __repr__(self) -> str:
        return f"Project({str(self.root)!r})"

    # -- settings -------------------------------------------------------------------------------------

    def settings(self, overrides: dict[str, Any] | None = None) -> Settings:
        """Load settings: defaults, then ``workbench.toml``, then ``WORKBENCH_*`` variables, then ``overrides``."""
        data = _load_toml(self.config_file)
        project = _table(data, "project", self.config_file)
        ocr = _table(data, "ocr", self.config_file)
        dictionary = _table(data, "dictionary", self.config_file)
        values: dict[str, Any] = {
            "name": _get(project, "name", str, self.config_file, "project.name", ""),
            "author": _get(project, "author", str, self.config_file, "project.author", ""),
            "ocr_lang": _get(ocr, "lang", str, self.config_file, "ocr.lang", "auto"),
            "ocr_jobs": _get(ocr, "jobs", int, self.config_file, "ocr.jobs", 0),
            "ocr_timeout": float(_get(ocr, "timeout", (int, float), self.config_file, "ocr.timeout", 180)),
            "yo": dictionary.get("yo", False),
        }
        if not isinstance(values["yo"], bool):
            raise MetadataError(
                f"{self.config_file}: key dictionary.yo = {values['yo']!r}; use true or false.", path=self.config_file
            )
        if values["ocr_lang"] not in LANGUAGES:
            raise MetadataError(
                f"{self.config_file}: key ocr.lang = {values['ocr_lang']!r} is not one of {', '.join(LANGUAGES)}.",
                path=self.config_file,
            )
        if values["ocr_jobs"] < 0 or values["ocr_timeout"] <= 0:
            raise MetadataError(
                f"{self.config_file}: ocr.jobs must be >= 0 and ocr.timeout > 0.", path=self.config_file
            )
        env_author = os.environ.get("WORKBENCH_AUTHOR")
        if env_author:
            values["author"] = env_author
        for key, value in (overrides or {}).items():
            if value is not None:
                values[key] = value
        return Settings(**values)

    def author(self) -> str:
        """Who saves: ``$WORKBENCH_AUTHOR``, else ``project.author`` in ``workbench.toml``, else the login name."""
        env_author = os.environ.get("WORKBENCH_AUTHOR")
        if env_author:
            return env_author
        configured = self.settings().author
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
            self._documents[doc_id] = load_document(self.scans_dir / doc_id / DOCUMENT_FILE, doc_id)
        return self._documents[doc_id]

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
        folder = (self.scans_dir / base).parent
        stem = base.rsplit("/", 1)[-1]
        if not folder.is_dir():
            return None
        for suffix in SCAN_SUFFIXES:
            for candidate in (folder / f"{stem}{suffix}", folder / f"{stem}{suffix.upper()}"):
                if candidate.is_file():
                    self._check_inside(candidate)
                    return candidate
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
        """The pages that have scans, in folder order, without looking at ``transcripts/`` (fast)."""
        from workbench.scans import frame_count

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
                base = stem if rel_dir == "." else f"{rel_dir}/{stem}"
                try:
                    validate_page_id(base)
                    self._check_inside(path)
                except PageError:
                    continue  # an unusable file name is reported by `workbench doctor`, not fatal here
                document = _document_of(base)
                count = 1
                if path.suffix.lower() in MULTI_FRAME_SUFFIXES:
                    try:
                        count = frame_count(path)
                    except Exception:
                        count = 1
                if count == 1:
                    yield Page(id=base, document=document, scan=path)
                else:
                    for i in range(count):
                        yield Page(id=f"{base}#{i + 1}", document=document, scan=path, frame=i)

    def _transcript_page_ids(self) -> Iterator[str]:
        if not self.transcripts_dir.is_dir():
            return
        for dirpath, dirnames, _ in os.walk(self.transcripts_dir):
            if "versions" in dirnames or "candidates" in dirnames:
                rel = Path(dirpath).relative_to(self.transcripts_dir).as_posix()
                dirnames[:] = []
                if rel != ".":
                    yield rel
            else:
                dirnames[:] = [d for d in dirnames if not d.startswith(".")]

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


# -- metadata parsing ---------------------------------------------------------------------------------


def _load_toml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    from workbench.text import read_text

    text = read_text(path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise MetadataError(f"{path}: not valid TOML: {e}.", path=path, hint="Fix the file and retry.") from e


def _table(data: dict[str, Any], key: str, path: Path) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise MetadataError(f"{path}: [{key}] must be a table.", path=path)
    return value


def _get(table: dict[str, Any], key: str, kind: Any, path: Path, dotted: str, default: Any) -> Any:
    if key not in table:
        return default
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, kind):
        expected = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise MetadataError(
            f"{path}: key {dotted} must be {expected}, not {type(value).__name__} ({value!r}).", path=path
        )
    if isinstance(value, str):
        import unicodedata

        value = unicodedata.normalize("NFC", value)
    return value


def _as_str(value: Any, path: Path, dotted: str) -> str:
    """Archive numbers may be written as numbers or strings (``delo = 347`` or ``delo = "347a"``)."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise MetadataError(f"{path}: key {dotted} must be text or a number, not {value!r}.", path=path)
    return str(value)


def load_document(path: Path, doc_id: str) -> Document:
    """Parse a ``document.toml``; a missing file gives a document with default metadata.

    Every bad value raises :class:`MetadataError` naming the file and the key.
    """
    data = _load_toml(path)
    known = {"title", "date", "languages", "orthography", "yo", "citation", "notes", "pages"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise MetadataError(
            f"{path}: unknown key {unknown[0]!r}.", path=path, hint=f"Known keys: {', '.join(sorted(known))}."
        )
    title = _get(data, "title", str, path, "title", "")
    date = data.get("date", "")
    if not isinstance(date, str):
        date = str(date)  # TOML dates parse as datetime.date; keep them as written
    languages = _get(data, "languages", list, path, "languages", ["rus"])
    for lang in languages:
        if lang not in ("rus", "aze_cyrl"):
            raise MetadataError(f"{path}: key languages has {lang!r}; use 'rus' and/or 'aze_cyrl'.", path=path)
    orthography = str(data.get("orthography", "1939"))
    if orthography not in ORTHOGRAPHIES:
        raise MetadataError(
            f"{path}: key orthography = {orthography!r}; use '1939' (with й) or '1958' (with ј).", path=path
        )
    yo = data.get("yo")
    if yo is not None and not isinstance(yo, bool):
        raise MetadataError(f"{path}: key yo = {yo!r}; use true (the text prints ё) or false (it writes е).", path=path)
    cit = _table(data, "citation", path)
    bad = sorted(set(cit) - {"archive", "fond", "opis", "delo", "list"})
    if bad:
        raise MetadataError(f"{path}: unknown key citation.{bad[0]}.", path=path)
    citation = Citation(**{k: _as_str(v, path, f"citation.{k}") for k, v in cit.items()})
    pages: dict[str, PageSettings] = {}
    for name, spec in _table(data, "pages", path).items():
        if not isinstance(spec, dict):
            raise MetadataError(f"{path}: [pages.{name}] must be a table.", path=path)
        pages[name] = _parse_page_settings(spec, path, f"pages.{name}")
    return Document(
        id=doc_id,
        title=title,
        date=date,
        languages=tuple(languages),
        orthography=orthography,
        yo=yo,
        citation=citation,
        notes=_get(data, "notes", str, path, "notes", ""),
        pages=pages,
    )


def _parse_page_settings(spec: dict[str, Any], path: Path, dotted: str) -> PageSettings:
    lang = spec.get("lang")
    if lang is not None and lang not in LANGUAGES:
        raise MetadataError(f"{path}: key {dotted}.lang = {lang!r} is not one of {', '.join(LANGUAGES)}.", path=path)
    regions = []
    for i, reg in enumerate(spec.get("regions", [])):
        key = f"{dotted}.regions[{i}]"
        if not isinstance(reg, dict) or reg.get("lang") not in ("rus", "aze_cyrl", "rus+aze_cyrl"):
            raise MetadataError(f"{path}: key {key} needs lang = 'rus', 'aze_cyrl' or 'rus+aze_cyrl'.", path=path)
        lines = reg.get("lines")
        box = reg.get("box")
        if (lines is None) == (box is None):
            raise MetadataError(f"{path}: key {key} needs exactly one of lines = [FIRST, LAST] or box.", path=path)
        if lines is not None and not (
            isinstance(lines, list)
            and len(lines) == 2
            and all(isinstance(n, int) and n >= 1 for n in lines)
            and lines[0] <= lines[1]
        ):
            raise MetadataError(f"{path}: key {key}.lines must be [FIRST, LAST], 1-based.", path=path)
        if box is not None and not (
            isinstance(box, list) and len(box) == 4 and all(isinstance(n, int) and n >= 0 for n in box)
        ):
            raise MetadataError(f"{path}: key {key}.box must be [X, Y, WIDTH, HEIGHT] in pixels.", path=path)
        regions.append(
            Region(
                lang=reg["lang"],
                lines=(lines[0], lines[1]) if lines else None,
                box=(box[0], box[1], box[2], box[3]) if box else None,
            )
        )
    return PageSettings(lang=lang, regions=tuple(regions))
