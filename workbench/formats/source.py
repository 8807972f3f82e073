"""What the document exports (PDF, TEI, training lines) read about a page, gathered once.

A page's newest version is what is handed on; its OCR layout (the newest one, see
``TranscriptStore.latest_layout``) says where the lines are on the scan. The text a person edited no longer
has the OCR's line numbers, so every text line is tied to its image line by content through
:func:`workbench.linemap.line_map` (``None`` where a line has no image counterpart, never another line's).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import PageError, UsageError
from workbench.layout import Layout
from workbench.linemap import layout_line_texts, line_map
from workbench.project import Document, Page, Project, natural_key
from workbench.store import TranscriptStore, Version


@dataclass(frozen=True)
class PageSource:
    """One page as the exports see it: the newest version, its OCR layout and how their lines correspond."""

    page_id: str
    page: Page | None
    version: Version
    layout: Layout | None
    #: For each line of ``lines``: the index of its layout line, or ``None``.
    image_lines: tuple[int | None, ...]
    #: For each line of ``lines``: its language (``rus``, ``aze_cyrl`` …).
    langs: tuple[str, ...]

    @property
    def lines(self) -> list[str]:
        """The version's lines (``text.split("\\n")``: the numbering reviewed marks and ``line_langs`` use)."""
        return self.version.text.split("\n")

    @property
    def reviewed(self) -> frozenset[int]:
        """The 0-based lines a person marked reviewed in this version."""
        return frozenset(self.version.meta.reviewed)

    def ocr_text(self, line: int) -> str | None:
        """What the OCR read on text line ``line``'s image line, or ``None`` when the line has none."""
        j = self.image_lines[line]
        if j is None or self.layout is None:
            return None
        return layout_line_texts(self.layout)[j]

    def corrected(self, line: int) -> bool:
        """Whether text line ``line`` differs from what the OCR read there (whitespace runs count as one)."""
        ocr = self.ocr_text(line)
        return ocr is not None and " ".join(ocr.split()) != " ".join(self.lines[line].split())


def read_page(project: Project, page_id: str, *, store: TranscriptStore | None = None) -> PageSource:
    """Read the newest version of ``page_id`` with its layout, line correspondence and line languages."""
    store = store or TranscriptStore(project)
    version = store.read(page_id)
    layout = store.latest_layout(page_id)
    try:
        page: Page | None = project.page(page_id)
    except PageError:
        page = None
    lines = version.text.split("\n")
    image_lines = tuple(line_map(version.text, layout)) if layout else tuple(None for _ in lines)
    doc_langs = project.document(page_id.split("/", 1)[0]).languages if "/" in page_id else ("rus",)
    default = doc_langs[0] if doc_langs else "rus"
    explicit = {int(k): str(v) for k, v in (version.meta.extra or {}).get("line_langs", {}).items()}
    layout_lines = layout["lines"] if layout else []
    langs: list[str] = []
    for i, j in enumerate(image_lines):
        lang = explicit.get(i)
        if lang is None and j is not None and j < len(layout_lines):
            lang = layout_lines[j].get("lang")
        langs.append(str(lang or default))
    return PageSource(
        page_id=page_id, page=page, version=version, layout=layout, image_lines=image_lines, langs=tuple(langs)
    )


@dataclass(frozen=True)
class DocumentPages:
    """A document and the pages of it being exported, in page order."""

    document: Document
    page_ids: tuple[str, ...]


def group_by_document(project: Project, page_ids: Iterable[str]) -> list[DocumentPages]:
    """Group page ids by document (the first segment of the id), documents and pages in natural order."""
    groups: dict[str, list[str]] = {}
    for pid in page_ids:
        if "/" not in pid:
            raise UsageError(f"Page {pid!r} belongs to no document (ids are DOCUMENT/PAGE).")
        groups.setdefault(pid.split("/", 1)[0], []).append(pid)
    out: list[DocumentPages] = []
    for doc_id in sorted(groups, key=natural_key):
        ids = sorted(dict.fromkeys(groups[doc_id]), key=natural_key)
        out.append(DocumentPages(document=project.document(doc_id), page_ids=tuple(ids)))
    return out


def pages_with_text(project: Project, *, documents: Sequence[str] = ()) -> list[str]:
    """Every page that has a transcript version (of ``documents`` only, if given), in natural order."""
    store = TranscriptStore(project)
    wanted = set(documents)
    if wanted:
        known = set(project.documents())
        missing = sorted(wanted - known)
        if missing:
            raise UsageError(
                f"No document {missing[0]!r} in this project.",
                hint=f"Documents: {', '.join(sorted(known, key=natural_key)) or 'none'}.",
            )
    return [
        p.id for p in project.pages() if (not wanted or p.document in wanted) and store.latest_number(p.id) is not None
    ]


def scan_relative(project: Project, source: PageSource) -> str | None:
    """The page's scan as a path relative to the project root (``scans/doc/p1.jpg``), if it has one."""
    if source.page is None or source.page.scan is None:
        return None
    return Path(source.page.scan).relative_to(project.root).as_posix()
