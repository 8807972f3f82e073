"""Searchable PDF: one file per document, the original scans with the newest text as an invisible layer.

The text layer is made by OCRmyPDF (MPL-2.0) from hOCR, through the path it offers for text corrected by
hand (``ocrmypdf.api._hocr_to_ocr_pdf``, marked experimental there): we lay out the work folder its
``_pdf_to_hocr`` would leave, with our own hOCR instead of Tesseract's, and OCRmyPDF renders the words
into each page (its fpdf2 renderer, with its NotoSans font, which has every Azerbaijani letter), fixes the
metadata and makes PDF/A where it can (its internal pikepdf backend, else Ghostscript when installed).

- **Images.** Each page is the scan itself: ``img2pdf`` embeds a JPEG's bytes unchanged and other images
  losslessly; a page of a PDF scan is copied as it is. OCRmyPDF's optimiser is off so nothing is re-encoded.
- **Words.** Boxes come from the page's OCR layout through the line alignment
  (:func:`workbench.formats.model.fit_layout`): a line without an image line, or a page without OCR, gets
  line- or page-level placement, never another line's box; each word is then sized to its box
  (:mod:`workbench.formats.textlayer`).
- **Metadata.** Title, date, citation (subject, keywords, ``dc:source``), the document's languages
  (``/Lang`` and ``dc:language``) and the transcription's authors.
"""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench import durable
from workbench.errors import EngineError, InputError, MissingDependencyError, StorageError
from workbench.formats.model import LANG_TO_BCP47, fit_layout
from workbench.formats.source import DocumentPages, PageSource, read_page
from workbench.formats.textlayer import TextLine, text_layer_hocr
from workbench.project import Document, Project
from workbench.store import TranscriptStore

#: The resolution assumed for a scan that does not state one (the workbench OCRs at 300 dpi).
DEFAULT_DPI = 300


@dataclass
class PdfResult:
    """What one document's PDF export did."""

    document: str
    path: Path | None
    pages: int = 0
    pdfa: str | None = None  # e.g. "PDF/A-2B" when OCRmyPDF produced PDF/A, else None
    skipped: list[str] = field(default_factory=list)  # pages left out, with why
    placements: dict[str, int] = field(default_factory=dict)  # lines per placement (word, line, page)


def _require_ocrmypdf() -> None:
    try:
        import img2pdf  # noqa: F401
        import ocrmypdf  # noqa: F401
        import pikepdf  # noqa: F401
    except ImportError as e:
        raise MissingDependencyError(
            f"PDF export needs OCRmyPDF ({e.name} is not installed).",
            hint="Run `./dev setup` (or `pip install ocrmypdf`).",
        ) from e


def citation_text(document: Document) -> str:
    """The archival reference as one line, e.g. ``GAPPOD, f. 1, op. 89, d. 112, l. 141-145``."""
    return str(document.citation)


def _page_pdf(source: PageSource) -> bytes:
    """A one-page PDF holding the page's scan: JPEG bytes as they are, other images lossless."""
    import img2pdf
    import pikepdf
    from PIL import Image

    from workbench.scans import load_image

    page = source.page
    assert page is not None and page.scan is not None
    scan = Path(page.scan)
    suffix = scan.suffix.lower()
    if suffix == ".pdf":
        # A page of a PDF scan is copied as it is (its text layer, if any, stays under ours).
        try:
            with pikepdf.open(scan) as src:
                out = pikepdf.new()
                out.pages.append(src.pages[page.frame or 0])
                buf = io.BytesIO()
                out.save(buf)
                return buf.getvalue()
        except pikepdf.PdfError as e:
            raise InputError(f"{scan}: not a readable PDF ({e}).", path=scan) from e
    if page.frame is None and suffix in (".jpg", ".jpeg", ".png"):
        data = scan.read_bytes()
        with Image.open(io.BytesIO(data)) as im:
            dpi = im.info.get("dpi")
        try:
            return _img2pdf(data, dpi)
        except (img2pdf.AlphaChannelError, img2pdf.ImageOpenError, ValueError):
            pass  # a PNG img2pdf cannot embed as it is (alpha, odd depth): the decoded image, losslessly
    # A frame of a multi-page TIFF, or an image img2pdf cannot pass through: the decoded frame as PNG.
    decoded = load_image(scan, page.frame)
    buf = io.BytesIO()
    decoded.save(buf, format="PNG")
    try:
        return _img2pdf(buf.getvalue(), decoded.info.get("dpi"))
    except (img2pdf.ImageOpenError, ValueError) as e:
        raise InputError(f"{scan}: cannot be put into a PDF ({e}).", path=scan) from e


def _img2pdf(data: bytes, dpi: Any) -> bytes:
    """One PDF page holding the image ``data`` at its resolution (300 dpi when it states none)."""
    import img2pdf

    x_dpi = float(dpi[0]) if dpi and dpi[0] else DEFAULT_DPI
    y_dpi = float(dpi[1]) if dpi and len(dpi) > 1 and dpi[1] else x_dpi
    layout = img2pdf.get_fixed_dpi_layout_fun((x_dpi, y_dpi))
    return bytes(img2pdf.convert(data, layout_fun=layout, rotation=img2pdf.Rotation.ifvalid))


def _scan_size(source: PageSource) -> tuple[int, int]:
    from workbench.scans import load_image

    if source.layout and source.layout.get("width") and source.layout.get("height"):
        return int(source.layout["width"]), int(source.layout["height"])
    assert source.page is not None and source.page.scan is not None
    im = load_image(Path(source.page.scan), source.page.frame)
    return im.size


def page_hocr(source: PageSource) -> tuple[bytes, dict[str, int]]:
    """The hOCR of a page's newest version placed on its scan, and how many lines got each placement.

    The boxes are :func:`~workbench.formats.model.fit_layout`'s, the one placement every export shares:
    each line on its own image line (found by content), each word on its image word; a line without an
    image line in the gap where it stands (``line`` placement), and without any layout, lines spread down
    the page (``page``). Line languages are the page's (a person's choice first, then the OCR's).
    """
    width, height = _scan_size(source)
    layout = fit_layout(source.version.text, source.layout, width=width, height=height)
    has_layout = bool(source.layout and source.layout.get("lines"))
    kept = [i for i, line in enumerate(source.lines) if line.strip()]
    counts: dict[str, int] = {}
    lines: list[TextLine] = []
    for i, line in zip(kept, layout["lines"], strict=True):
        placement = ("line" if line.get("approximate") else "word") if has_layout else "page"
        counts[placement] = counts.get(placement, 0) + 1
        words = tuple((str(w["text"]), _box(w["box"])) for w in line["words"])
        lines.append(TextLine(_box(line["box"]), words, source.langs[i], fitted=placement == "word"))
    return text_layer_hocr(int(layout["width"]), int(layout["height"]), lines), counts


def _box(value: Any) -> tuple[int, int, int, int]:
    x, y, w, h = (int(v) for v in value)
    return (x, y, w, h)


def _xmp(document: Document, authors: Sequence[str]) -> Callable[[Any], None]:
    def fill(pdf: Any) -> None:
        langs = [LANG_TO_BCP47.get(lang, lang) for lang in document.languages]
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            if document.title:
                meta["dc:title"] = document.title
            if document.date:
                meta["dc:date"] = [document.date]
            citation = citation_text(document)
            if citation:
                meta["dc:source"] = citation
            meta["dc:identifier"] = document.id
            if langs:
                meta["dc:language"] = langs
            if authors:
                meta["dc:contributor"] = list(authors)
        if langs:
            import pikepdf

            pdf.Root.Lang = pikepdf.String(langs[0])

    return fill


def export_document_pdf(
    project: Project,
    group: DocumentPages,
    out_path: Path,
    *,
    store: TranscriptStore | None = None,
    progress: Callable[[str], None] | None = None,
) -> PdfResult:
    """Write one document's PDF to ``out_path`` (atomically); pages without a scan are left out and listed."""
    _require_ocrmypdf()
    import pikepdf

    store = store or TranscriptStore(project)
    document = group.document
    result = PdfResult(document=document.id, path=None)
    sources: list[PageSource] = []
    for pid in group.page_ids:
        source = read_page(project, pid, store=store)
        if source.page is None or source.page.scan is None:
            result.skipped.append(f"{pid}: no scan")
            if progress:
                progress(pid)
        else:
            sources.append(source)
    if not sources:
        return result
    # OCR versions are saved under the author "ocr"; the people are the authors of the other versions.
    authors = sorted({m.author for s in sources for m in store.history(s.page_id) if m.source != "ocr" and m.author})
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StorageError(f"Cannot create {out_path.parent}: {e.strerror or e}.") from e
    work = Path(tempfile.mkdtemp(prefix=".tmp-pdf-", dir=out_path.parent))
    try:
        origin = pikepdf.new()
        for n, source in enumerate(sources):
            with pikepdf.open(io.BytesIO(_page_pdf(source))) as one:
                origin.pages.append(one.pages[0])
            data, counts = page_hocr(source)
            for key, value in counts.items():
                result.placements[key] = result.placements.get(key, 0) + value
            prefix = work / f"{n + 1:06d}"
            Path(f"{prefix}_ocr_hocr.hocr").write_bytes(data)
            Path(f"{prefix}_hocr.json").write_text(json.dumps({"pageno": n, "orientation_correction": 0}))
        _xmp(document, authors)(origin)
        origin.save(work / "origin.pdf")
        origin.close()
        final = work / "out.pdf"
        _run_ocrmypdf(work, final, document, authors)
        result.pdfa = _pdfa_claim(final)
        # The finished PDF is on disk before its name appears, and the name survives a crash (as durable's
        # other writes): a reader never finds a half-written file under out_path.
        durable.fsync_file(final)
        os.replace(final, out_path)
        durable.fsync_dir(out_path.parent)
    except OSError as e:
        raise StorageError(f"Cannot write {out_path}: {e.strerror or e}.") from e
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result.path = out_path
    result.pages = len(sources)
    if progress:
        # Reported once OCRmyPDF has written the file: rendering and PDF/A are most of the time.
        for source in sources:
            progress(source.page_id)
    return result


def _run_ocrmypdf(work: Path, final: Path, document: Document, authors: Sequence[str]) -> None:
    from ocrmypdf.api import _hocr_to_ocr_pdf
    from ocrmypdf.exceptions import ExitCode, ExitCodeException
    from ocrmypdf.exceptions import MissingDependencyError as OcrmypdfMissing

    # OCRmyPDF logs to the root of its own logger tree; the core neither prints nor configures logging, so
    # keep its INFO chatter from reaching a handler the application may have set up.
    logging.getLogger("ocrmypdf").setLevel(logging.WARNING)
    try:
        code = _hocr_to_ocr_pdf(
            work,
            final,
            jobs=1,
            use_threads=True,
            optimize=0,  # the optimiser may re-encode images; the scans must stay as they are
            output_type="auto",  # PDF/A where OCRmyPDF can make it, else a regular PDF
            progress_bar=False,
            # The text comes from our hOCR, not from an engine: with the null engine OCRmyPDF needs no Tesseract
            # and its metadata does not credit one (the creator says "OCRmyPDF (no OCR)").
            ocr_engine="none",
            title=document.title or document.id,
            author="; ".join(authors) or None,
            subject=citation_text(document) or None,
            keywords="; ".join(x for x in (citation_text(document), document.date) if x) or None,
            languages=list(document.languages) or None,
        )
    except OcrmypdfMissing as e:
        # OCRmyPDF checks for Tesseract even when it only renders text it was given.
        raise MissingDependencyError(
            f"PDF export: OCRmyPDF needs a program that is missing ({e}).", hint="Run `./dev setup`."
        ) from e
    except ExitCodeException as e:
        raise EngineError(f"OCRmyPDF could not make the PDF of {document.id}: {e}.") from e
    if code not in (ExitCode.ok, ExitCode.pdfa_conversion_failed) or not final.exists():
        raise EngineError(f"OCRmyPDF could not make the PDF of {document.id} (exit code {int(code)}).")


def _pdfa_claim(path: Path) -> str | None:
    """``"PDF/A-2B"`` when the file declares PDF/A conformance, else ``None``."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        meta = pdf.open_metadata()
        part = meta.get("pdfaid:part")
        conformance = meta.get("pdfaid:conformance")
    return f"PDF/A-{part}{conformance or ''}" if part else None
