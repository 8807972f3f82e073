"""The state of the page being edited, without Textual: what the app shows and saves.

Keeping this model free of widgets lets tests and benchmarks drive it directly, and keeps the app a thin
view over the store, the project and the OCR layout.
"""

from __future__ import annotations

import contextlib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench import linemap
from workbench.errors import WorkbenchError
from workbench.flags import Flag
from workbench.layout import Layout
from workbench.linemap import Box
from workbench.orthography import LANGS
from workbench.project import Page, Project
from workbench.store import SaveResult, TranscriptStore, VersionMeta

#: Words Tesseract was less sure of than this (0–100) are marked "low confidence".
LOW_CONFIDENCE = 60.0
_WORD_RE = re.compile(r"\S+")


@dataclass
class PageSession:
    """One open page: the version the editor started from, its layout, reviewed lines and line languages."""

    project: Project
    store: TranscriptStore
    page: Page
    base: int | None = None
    saved_text: str = ""
    status: str = "New"
    reviewed: set[int] = field(default_factory=set)
    layout: Layout | None = None
    line_langs: dict[int, str] = field(default_factory=dict)
    orthography: str = "1939"
    languages: tuple[str, ...] = ("rus",)
    ignored: set[str] = field(default_factory=set)
    #: words ignored on the document's other pages (a historical spelling accepted once is accepted throughout)
    document_ignored: set[str] = field(default_factory=set)
    regions: dict[int, str] = field(default_factory=dict)  # from document.toml: 0-based line → lang
    page_lang: str | None = None  # [pages.<name>] lang in document.toml
    #: whether this page's text prints ё: the document's ``yo``, else the project's (Project.prints_yo)
    yo: bool = False

    @classmethod
    def open(cls, project: Project, store: TranscriptStore, page_id: str) -> PageSession:
        """Load the latest version of ``page_id`` (an empty text for a page never saved)."""
        page = project.page(page_id)
        session = cls(project=project, store=store, page=page)
        with contextlib.suppress(WorkbenchError):
            session.yo = project.settings().yo
        with contextlib.suppress(WorkbenchError):
            doc = project.document(page.document)
            session.yo = project.prints_yo(page.document)
            session.orthography = doc.orthography
            session.languages = tuple(doc.languages) or ("rus",)
            settings = doc.page_settings(page.name)
            session.page_lang = settings.lang
            for region in settings.regions:
                if region.lines and region.lang in LANGS:
                    for n in range(region.lines[0], region.lines[1] + 1):
                        session.regions[n - 1] = region.lang
        session.reload()
        return session

    @property
    def page_id(self) -> str:
        """The page's id."""
        return self.page.id

    def reload(self) -> None:
        """Re-read the latest version (after a save elsewhere, a restore, or on open)."""
        latest = self.store.latest_number(self.page_id)
        self.layout = None
        if latest is None:
            self.base, self.saved_text, self.status, self.reviewed = None, "", "New", set()
            self.line_langs = {}
            return
        version = self.store.read(self.page_id, latest)
        self.base = latest
        self.saved_text = version.text
        self.status = version.meta.status
        self.reviewed = set(version.meta.reviewed)
        self.line_langs = {int(k): v for k, v in (version.meta.extra or {}).get("line_langs", {}).items()}
        self.ignored = set((version.meta.extra or {}).get("ignored", []))
        self.layout = self.store.latest_layout(self.page_id, skip_damaged=True)
        self.document_ignored = self._document_ignored()

    def _document_ignored(self) -> set[str]:
        """The words ignored on the other pages of this page's document (their latest versions)."""
        out: set[str] = set()
        root = self.project.transcripts_dir
        # only this document's folder is walked (not the whole archive: a page move must stay cheap)
        for folder, dirs, _files in os.walk(root / self.page.document):
            if "versions" not in dirs:
                continue
            dirs.clear()
            pid = Path(folder).relative_to(root).as_posix()
            if pid == self.page_id:
                continue
            with contextlib.suppress(WorkbenchError, ValueError):
                latest = self.store.latest_number(pid)
                if latest is not None:
                    out.update((self.store.meta(pid, latest).extra or {}).get("ignored", []))
        return out

    def is_ignored(self, word: str) -> bool:
        """Whether ``word`` is not to be flagged: ignored on this page or on another page of the document."""
        return word in self.ignored or word in self.document_ignored

    def history(self) -> list[VersionMeta]:
        """The page's versions, oldest first."""
        return self.store.history(self.page_id)

    def save(self, text: str, *, message: str = "", status: str | None = None) -> SaveResult:
        """Save the editor's text as a new version based on the one it was edited from."""
        extra: dict[str, Any] = {}
        if self.line_langs:
            extra["line_langs"] = {str(k): v for k, v in sorted(self.line_langs.items())}
        if self.ignored:
            extra["ignored"] = sorted(self.ignored)
        result = self.store.save(
            self.page_id,
            text,
            source="edit",
            base=self.base,
            message=message,
            status=status or None,
            reviewed=sorted(i for i in self.reviewed if i < text.count("\n") + 1),
            extra=extra or None,
        )
        self.base = result.version.number
        self.saved_text = self.store.read(self.page_id, self.base).text
        self.status = result.version.status
        self.store.discard_recovery(self.page_id)
        return result

    # -- layout -----------------------------------------------------------------------------------------
    # Text lines are tied to the layout's image lines by content (workbench.linemap), never by number: a
    # deleted, added, split or merged line leaves every other line on its own image line. Each method takes
    # the text as it is now (the editor's); ``None`` means the saved text.

    def _text(self, text: str | None) -> str:
        return self.saved_text if text is None else text

    def line_box(self, line: int, text: str | None = None) -> Box | None:
        """The scan box of text line ``line`` (0-based), or ``None`` when it has no image line."""
        return linemap.line_box(self._text(text), self.layout, line)

    def text_height(self, line: int, text: str | None = None) -> int | None:
        """The median height of the image words of text line ``line`` (how tall its letters are)."""
        heights = sorted(b[3] for b in linemap.word_boxes_of(self._text(text), self.layout, line) if b is not None)
        return heights[len(heights) // 2] if heights else None

    def word_box(self, line: int, text_line: str, column: int, text: str | None = None) -> Box | None:
        """The scan box of the word under ``column`` of text line ``line`` (``text_line``), if it has one."""
        full = self._text(text)
        if text is None and full.split("\n")[line : line + 1] != [text_line]:
            return None  # the editor's line is not the saved one: no word of it can be placed
        return linemap.word_box(full, self.layout, line, column)

    def line_at(self, x: float, y: float, text: str | None = None) -> tuple[int, int] | None:
        """The (text line, word index in it) whose image holds the scan point (x, y); the nearest line by height.

        The word index is -1 when no word of that text line is at ``x``; ``None`` when the image line there
        has no text line (a person deleted it).
        """
        lines = (self.layout["lines"] if self.layout else [])
        best: tuple[float, int] | None = None
        for j, image_line in enumerate(lines):
            _, by, _, bh = image_line.get("box") or (0, 0, 0, 0)
            distance = 0.0 if by <= y <= by + bh else min(abs(y - by), abs(y - by - bh))
            if best is None or distance < best[0]:
                best = (distance, j)
        if best is None:
            return None
        full = self._text(text)
        alignment = linemap.align(full, self.layout)
        j = best[1]
        words = lines[j].get("words") or []
        hit = None
        for m, word in enumerate(words):
            box = linemap.as_box(word.get("box"))
            if box is not None and box[0] <= x <= box[0] + box[2]:
                hit = m
                break
        if hit is not None:
            for i, refs in enumerate(alignment.words):
                if (j, hit) in refs:
                    return i, refs.index((j, hit))
        i_line = linemap.text_line_of(full, self.layout, j)
        return None if i_line is None else (i_line, -1)

    def low_confidence(self, text: str, threshold: float = LOW_CONFIDENCE) -> list[Flag]:
        """Words the OCR was unsure of, where the text still has the OCR's word (unchanged ones only).

        The mark covers the word's letters, not the punctuation around it («губернатора,» marks
        «губернатора»), so typing over the selection keeps the comma.
        """
        marks: list[Flag] = []
        layout_lines = (self.layout["lines"] if self.layout else [])
        alignment = linemap.align(text, self.layout)
        for i, line in enumerate(text.split("\n")):
            if i in self.reviewed or alignment.lines[i] is None:
                continue
            for m, ref in zip(_WORD_RE.finditer(line), alignment.words[i], strict=False):
                if ref is None:
                    continue
                w = (layout_lines[ref[0]].get("words") or [])[ref[1]]
                conf = w.get("conf")
                if conf is None or not 0 <= float(conf) < threshold or w.get("text") != m.group():
                    continue
                start, end = _letters_span(m.group())
                if start < end:
                    marks.append(Flag(i, m.start() + start, m.start() + end, m.group()[start:end], kind="lowconf"))
        return marks

    def lang_of_line(self, line: int, text: str | None = None) -> str:
        """The language of a line: set in the app, else a region of document.toml, else the OCR's for its
        image line, else the page's or the document's first language."""
        if line in self.line_langs:
            return self.line_langs[line]
        if line in self.regions:
            return self.regions[line]
        lines = (self.layout["lines"] if self.layout else [])
        mapping = linemap.line_map(self._text(text), self.layout) if lines else []
        j = mapping[line] if 0 <= line < len(mapping) else None
        if j is not None and lines[j].get("lang") in LANGS:
            return str(lines[j]["lang"])
        if self.page_lang in LANGS:
            return str(self.page_lang)
        first = self.languages[0] if self.languages else "rus"
        return first if first in LANGS else "rus"


def _letters_span(word: str) -> tuple[int, int]:
    """Where a word's letters start and end, without the punctuation around it (quotes, commas, brackets)."""
    start, end = 0, len(word)
    while start < end and unicodedata.category(word[start])[0] in "PS":
        start += 1
    while end > start and unicodedata.category(word[end - 1])[0] in "PS":
        end -= 1
    return start, end
