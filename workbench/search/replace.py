"""Replacing what a search found: a preview (each line before and after), then one new version per page.

The one writer of replacements: ``workbench replace`` (``workbench.dictionary.replace``) and the TUI's
archive search both build :class:`Edit` s and go through :func:`plan` and :func:`apply`:

* :func:`plan` reads each page's latest version and applies the edits to copies of its lines, refusing an
  edit whose line is no longer what the search saw (the page changed since) and, unless asked, an edit on a
  line marked reviewed;
* :func:`apply` saves each changed page once (``source: replace``, based on the version planned from, so
  restoring the previous version undoes it) and learns each correction into the project's confusions and
  dictionary, once per distinct pair.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbench.dictionary.fold import transfer_case
from workbench.search.fold import WORD, fold
from workbench.text import nfc

if TYPE_CHECKING:
    from workbench.project import Project
    from workbench.search.model import Hit
    from workbench.store import SaveResult

#: Why an edit was left out of a plan.
REVIEWED = "reviewed"
CHANGED = "changed since the search"


@dataclass(frozen=True)
class Edit:
    """Replace ``line[start:end]`` (which reads ``found``) of a page's line by ``replacement``."""

    page: str
    line: int
    start: int
    end: int
    found: str
    replacement: str
    expected: str | None = None  # the whole line as the search saw it (None: do not check)


@dataclass(frozen=True)
class LineChange:
    """One line of a page, before and after its edits."""

    line: int
    old: str
    new: str
    edits: tuple[Edit, ...]


@dataclass(frozen=True)
class PagePlan:
    """What replacing will do to one page: the version it starts from, the changed lines, what was skipped."""

    page: str
    base: int
    new_text: str
    changes: tuple[LineChange, ...]
    skipped: tuple[tuple[Edit, str], ...]

    @property
    def count(self) -> int:
        """How many replacements the page gets."""
        return sum(len(c.edits) for c in self.changes)


def edits_for(hits: Iterable[Hit], new: str) -> list[Edit]:
    """An edit per hit replacing the found text by ``new`` in the found text's case (UPPER, Title)."""
    new = nfc(new).strip()
    return [Edit(h.page, h.line, h.start, h.end, h.found, transfer_case(h.found, new), h.text) for h in hits]


def plan(project: Project, edits: Sequence[Edit], *, include_reviewed: bool = False) -> list[PagePlan]:
    """What :func:`apply` would write, page by page (in the order the pages first appear in ``edits``)."""
    from workbench.store import TranscriptStore

    store = TranscriptStore(project)
    by_page: dict[str, list[Edit]] = {}
    for e in edits:
        by_page.setdefault(e.page, []).append(e)
    plans: list[PagePlan] = []
    for page, page_edits in by_page.items():
        version = store.read(page)
        lines = version.text.split("\n")
        reviewed = set(version.meta.reviewed)
        skipped: list[tuple[Edit, str]] = []
        by_line: dict[int, list[Edit]] = {}
        for e in page_edits:
            if e.line >= len(lines) or (e.expected is not None and lines[e.line] != e.expected):
                skipped.append((e, CHANGED))
            elif e.line in reviewed and not include_reviewed:
                skipped.append((e, REVIEWED))
            else:
                by_line.setdefault(e.line, []).append(e)
        changes: list[LineChange] = []
        for i in sorted(by_line):
            new_line, applied = _apply_line(lines[i], by_line[i])
            if new_line != lines[i]:
                changes.append(LineChange(i, lines[i], new_line, tuple(applied)))
                lines[i] = new_line
        plans.append(PagePlan(page, version.number, "\n".join(lines), tuple(changes), tuple(skipped)))
    return plans


def _apply_line(line: str, edits: list[Edit]) -> tuple[str, list[Edit]]:
    """Apply non-overlapping edits right to left (so earlier offsets stay valid); overlapping ones are dropped."""
    applied: list[Edit] = []
    last_start = len(line) + 1
    for e in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        if e.end > last_start or line[e.start : e.end] != e.found:
            continue
        line = line[: e.start] + e.replacement + line[e.end :]
        applied.append(e)
        last_start = e.start
    applied.reverse()
    return line, applied


def apply(
    project: Project, plans: Sequence[PagePlan], *, author: str | None = None, learn: bool = True
) -> list[tuple[PagePlan, SaveResult]]:
    """Save each page that changes as one new version (``source: replace``) and learn the corrections."""
    from workbench.store import TranscriptStore

    store = TranscriptStore(project)
    results: list[tuple[PagePlan, SaveResult]] = []
    for p in plans:
        if not p.changes:
            continue
        pairs = sorted({(e.found, e.replacement) for c in p.changes for e in c.edits})
        what = ", ".join(f"«{a}» → «{b}»" for a, b in pairs[:3]) + (" …" if len(pairs) > 3 else "")
        result = store.save(
            p.page,
            p.new_text,
            author=author if author is not None else project.author(),
            source="replace",
            base=p.base,
            message=f"replace {what} ({p.count} occurrence{'s' if p.count != 1 else ''})",
        )
        results.append((p, result))
    if learn and results:
        learn_corrections(project, [e for p, _ in results for c in p.changes for e in c.edits])
    return results


def learn_corrections(project: Project, edits: Iterable[Edit]) -> None:
    """Teach the project dictionary and confusions each distinct word correction once (not phrases)."""
    from workbench.dictionary.project_dict import ProjectDictionary

    seen: dict[tuple[str, str], Edit] = {}
    for e in edits:
        if len(WORD.findall(e.found)) == 1 and len(WORD.findall(e.replacement)) == 1:
            seen.setdefault((fold(e.found), fold(e.replacement)), e)
    if not seen:
        return
    dictionary = ProjectDictionary(project)
    for e in seen.values():
        dictionary.learn(e.found, e.replacement, lang_of(e.replacement))


def lang_of(word: str) -> str:
    """The language a corrected word is learned in: Azerbaijani if it has a letter only Azerbaijani uses."""
    from workbench.orthography import AZERI_ONLY_LETTERS

    return "aze_cyrl" if any(ch in AZERI_ONLY_LETTERS for ch in word) else "rus"
