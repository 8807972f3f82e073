"""The state of the page being edited, without Textual: what the app shows and saves.

Keeping this model free of widgets lets tests and benchmarks drive it directly, and keeps the app a thin
view over the store, the project and the OCR layout.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from typing import Any

from workbench.errors import WorkbenchError
from workbench.project import Page, Project
from workbench.store import SaveResult, TranscriptStore, VersionMeta

#: Words Tesseract was less sure of than this (0–100) are marked "low confidence".
LOW_CONFIDENCE = 60.0
LANGS = ("rus", "aze_cyrl")
_WORD_RE = re.compile(r"\S+")


@dataclass(frozen=True)
class Mark:
    """A flagged span of a line: ``kind`` is ``unknown`` (not in the dictionaries) or ``lowconf`` (OCR unsure)."""

    line: int
    start: int
    end: int
    word: str
    kind: str
    suggestions: tuple[str, ...] = ()
    lang: str = ""


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
    layout: dict[str, Any] | None = None
    line_langs: dict[int, str] = field(default_factory=dict)
    orthography: str = "1939"
    languages: tuple[str, ...] = ("rus",)
    ignored: set[str] = field(default_factory=set)
    regions: dict[int, str] = field(default_factory=dict)  # from document.toml: 0-based line → lang
    page_lang: str | None = None  # [pages.<name>] lang in document.toml

    @classmethod
    def open(cls, project: Project, store: TranscriptStore, page_id: str) -> PageSession:
        """Load the latest version of ``page_id`` (an empty text for a page never saved)."""
        page = project.page(page_id)
        session = cls(project=project, store=store, page=page)
        with contextlib.suppress(WorkbenchError):
            doc = project.document(page.document)
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

    def line_box(self, line: int) -> tuple[int, int, int, int] | None:
        """The scan box of text line ``line`` (0-based), if the layout has it."""
        lines = (self.layout or {}).get("lines") or []
        if 0 <= line < len(lines):
            box = lines[line].get("box")
            return tuple(box) if box else None  # type: ignore[return-value]
        return None

    def text_height(self, line: int) -> int | None:
        """The median height of the words of line ``line`` in the layout (how tall its letters are)."""
        lines = (self.layout or {}).get("lines") or []
        if not 0 <= line < len(lines):
            return None
        heights = sorted(int(w["box"][3]) for w in lines[line].get("words") or [] if w.get("box"))
        return heights[len(heights) // 2] if heights else None

    def word_box(self, line: int, text_line: str, column: int) -> tuple[int, int, int, int] | None:
        """The scan box of the word under ``column`` of a text line, matched by word position in the line."""
        lines = (self.layout or {}).get("lines") or []
        if not 0 <= line < len(lines):
            return None
        words = lines[line].get("words") or []
        for k, m in enumerate(_WORD_RE.finditer(text_line)):
            if m.start() <= column <= m.end():
                if k < len(words) and words[k].get("box"):
                    return tuple(words[k]["box"])  # type: ignore[return-value]
                return None
        return None

    def line_at(self, x: float, y: float) -> tuple[int, int] | None:
        """The (line, word index) whose box holds the scan point (x, y); the nearest line by height."""
        lines = (self.layout or {}).get("lines") or []
        best: tuple[float, int] | None = None
        for i, line in enumerate(lines):
            _, by, _, bh = line.get("box") or (0, 0, 0, 0)
            distance = 0.0 if by <= y <= by + bh else min(abs(y - by), abs(y - by - bh))
            if best is None or distance < best[0]:
                best = (distance, i)
        if best is None:
            return None
        line_no = best[1]
        for k, word in enumerate(lines[line_no].get("words") or []):
            wx, _, ww, _ = word.get("box") or (0, 0, 0, 0)
            if wx <= x <= wx + ww:
                return line_no, k
        return line_no, -1

    def low_confidence(self, text: str, threshold: float = LOW_CONFIDENCE) -> list[Mark]:
        """Words the OCR was unsure of, where the line still has the OCR's words (unchanged ones only)."""
        marks: list[Mark] = []
        lines = (self.layout or {}).get("lines") or []
        for i, line in enumerate(text.split("\n")):
            if i >= len(lines) or i in self.reviewed:
                continue
            words = lines[i].get("words") or []
            for k, m in enumerate(_WORD_RE.finditer(line)):
                if k >= len(words):
                    break
                w = words[k]
                conf = w.get("conf")
                if conf is not None and 0 <= float(conf) < threshold and w.get("text") == m.group():
                    marks.append(Mark(i, m.start(), m.end(), m.group(), "lowconf"))
        return marks

    def lang_of_line(self, line: int) -> str:
        """The language of a line: set in the app, else a region of document.toml, else the OCR layout's,
        else the page's or the document's first language."""
        if line in self.line_langs:
            return self.line_langs[line]
        if line in self.regions:
            return self.regions[line]
        lines = (self.layout or {}).get("lines") or []
        if 0 <= line < len(lines) and lines[line].get("lang") in LANGS:
            return str(lines[line]["lang"])
        if self.page_lang in LANGS:
            return str(self.page_lang)
        first = self.languages[0] if self.languages else "rus"
        return first if first in LANGS else "rus"


def word_at(text_line: str, column: int) -> tuple[int, int, str] | None:
    """The whitespace-delimited word under ``column``: (start, end, word)."""
    for m in _WORD_RE.finditer(text_line):
        if m.start() <= column <= m.end():
            return m.start(), m.end(), m.group()
    return None
