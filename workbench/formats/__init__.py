"""Export and import of transcripts: plain text, hOCR, ALTO and PAGE XML.

Export writes one file per page, named by page id with ``/`` kept as subfolders
(``bagirov-1946/p2`` → ``OUT/bagirov-1946/p2.alto.xml``), so the output mirrors ``scans/``. Extensions:
``.txt``, ``.hocr``, ``.alto.xml``, ``.page.xml``. Import reads any of the four (detected from the content,
not only the name) into a new version of a page, with source ``import`` and the file's layout.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from workbench.durable import write_atomic
from workbench.errors import InputError, PageError, StorageError, UsageError
from workbench.formats import alto, hocr, pagexml
from workbench.formats.model import PageContent, fit_layout
from workbench.layout import Layout
from workbench.project import Project
from workbench.store import SaveResult, TranscriptStore
from workbench.text import decode_utf8, nfc, read_bytes

FORMATS = ("txt", "hocr", "alto", "page")
EXTENSIONS = {"txt": ".txt", "hocr": ".hocr", "alto": ".alto.xml", "page": ".page.xml"}

__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "PageContent",
    "detect_format",
    "dumps",
    "export_pages",
    "import_file",
    "loads",
    "output_path",
    "page_content",
]


def output_path(out_dir: Path, page_id: str, fmt: str) -> Path:
    """Where ``page_id`` is written in ``out_dir``: its id as a relative path plus the format's extension."""
    return out_dir / f"{page_id}{EXTENSIONS[fmt]}"


def page_content(project: Project, page_id: str, *, geometry: bool = True) -> PageContent:
    """The newest version of a page, with a layout that fits its text (see :func:`fit_layout`)."""
    store = TranscriptStore(project)
    version = store.read(page_id)
    if not geometry:
        return PageContent(page_id=page_id, text=version.text, layout=None)
    layout = store.latest_layout(page_id)
    width = height = None
    if layout is None:
        width, height = _scan_size(project, page_id)
    fitted = fit_layout(version.text, layout, width=width, height=height)
    if fitted.get("image") is None:
        scan = _scan_of(project, page_id)
        fitted["image"] = scan
    return PageContent(page_id=page_id, text=version.text, layout=fitted)


def _scan_of(project: Project, page_id: str) -> str | None:
    try:
        page = project.page(page_id)
    except PageError:
        return None
    return page.scan.relative_to(project.root).as_posix() if page.scan else None


def _scan_size(project: Project, page_id: str) -> tuple[int | None, int | None]:
    try:
        page = project.page(page_id)
        if page.scan is None:
            return None, None
        from workbench.scans import load_image

        im = load_image(page.scan, page.frame)
        return im.size
    except (PageError, InputError):
        return None, None


def dumps(page: PageContent, fmt: str) -> bytes:
    """Serialise a page in ``fmt`` (``txt``, ``hocr``, ``alto``, ``page``)."""
    if fmt == "txt":
        text = nfc(page.text)
        return (text if text.endswith("\n") or not text else text + "\n").encode("utf-8")
    if fmt == "hocr":
        return hocr.dump(page)
    if fmt == "alto":
        return alto.dump(page)
    if fmt == "page":
        return pagexml.dump(page)
    raise UsageError(f"Unknown format {fmt!r}.", hint=f"Use one of {', '.join(FORMATS)}.")


def detect_format(data: bytes, name: str) -> str:
    """Which of the four formats ``data`` is, from its content (root element), else its file name."""
    head = data[:4096].lstrip().lower()
    if head.startswith(b"<?xml") or head.startswith(b"<"):
        if b"<alto" in head or b":alto" in head:
            return "alto"
        if b"pcgts" in head:
            return "page"
        if b"ocr_page" in data.lower() or b"<html" in head:
            return "hocr"
    lower = name.lower()
    for fmt, ext in (("alto", ".alto.xml"), ("page", ".page.xml"), ("hocr", ".hocr"), ("hocr", ".html")):
        if lower.endswith(ext):
            return fmt
    if lower.endswith(".xml"):
        raise InputError(f"{name}: an XML file that is neither ALTO nor PAGE XML.", path=name)
    return "txt"


def loads(data: bytes, name: str, fmt: str | None = None) -> PageContent:
    """Parse a file's bytes (format detected unless given) into text and layout (``None`` for txt)."""
    fmt = fmt or detect_format(data, name)
    if fmt == "txt":
        return PageContent(page_id="", text=decode_utf8(data, source=name, transcript=True), layout=None)
    if fmt == "hocr":
        return hocr.load(data, name)
    if fmt == "alto":
        return alto.load(data, name)
    if fmt == "page":
        return pagexml.load(data, name)
    raise UsageError(f"Unknown format {fmt!r}.", hint=f"Use one of {', '.join(FORMATS)}.")


def _write_atomic(path: Path, data: bytes) -> None:
    try:
        write_atomic(path, data)
    except OSError as e:
        raise StorageError(f"Cannot write {path}: {e.strerror or e}.") from e


def export_pages(project: Project, page_ids: Sequence[str], fmt: str, out_dir: Path) -> list[Path]:
    """Write each page's newest version in ``fmt`` to ``out_dir`` (one file per page); return the files."""
    if fmt not in FORMATS:
        raise UsageError(f"Unknown format {fmt!r}.", hint=f"Use one of {', '.join(FORMATS)}.")
    project.check_output(out_dir)
    written: list[Path] = []
    for pid in page_ids:
        content = page_content(project, pid, geometry=fmt != "txt")
        path = output_path(out_dir, pid, fmt)
        project.check_output(path)  # a subfolder of out_dir may be a link into transcripts/
        _write_atomic(path, dumps(content, fmt))
        written.append(path)
    return written


def import_file(
    project: Project, path: Path, page_id: str, *, fmt: str | None = None, message: str | None = None
) -> SaveResult:
    """Store the transcription in ``path`` (txt, hOCR, ALTO or PAGE XML) as a new version of ``page_id``."""
    store = TranscriptStore(project)
    store.page_dir(page_id)  # refuse a bad page id before reading anything
    data = read_bytes(path, project.settings().max_input_bytes)
    content = loads(data, str(path), fmt)
    layout: Layout | None = content.layout
    if layout is not None:
        scan = _scan_of(project, page_id)
        if scan:
            layout = {**layout, "source_image": layout.get("image"), "image": scan}
    detected = fmt or detect_format(data, str(path))
    return store.save(
        page_id,
        content.text,
        source="import",
        message=message or f"Imported {path.name} ({detected})",
        layout=layout if layout and layout.get("lines") else None,
    )
