"""Storing OCR results and taking lines from OCR candidates.

OCR never overwrites human work: :func:`apply_ocr_result` stores a result as a new version while nobody has
edited the page, else as a candidate, and says which it did. :func:`plan_take` merges chosen candidate lines
into a text without touching reviewed lines; :func:`take_candidate` does that and saves a version (the
``take`` command). The TUI uses :func:`plan_take` to take lines into its editor.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from workbench.ocr.job import OCR_AUTHOR, OcrResult
from workbench.store import SaveResult, TranscriptStore, VersionMeta
from workbench.text import nfc


@dataclass(frozen=True)
class OcrStored:
    """What :func:`apply_ocr_result` did: the save, and whether it went to the candidates."""

    saved: SaveResult
    candidate: bool

    @property
    def version(self) -> VersionMeta:
        """The stored version's (or candidate's) metadata."""
        return self.saved.version

    @property
    def kind(self) -> str:
        """``"candidate"`` or ``"version"``, for messages."""
        return "candidate" if self.candidate else "version"


def apply_ocr_result(store: TranscriptStore, page_id: str, result: OcrResult) -> OcrStored:
    """Store an OCR result: a new version if no person has worked on the page yet, else a candidate.

    Human work (any version from an edit, import, replace or restore) is never overwritten by OCR; the
    candidate waits for the user to diff it and take lines with :func:`merge_candidate`. The check and the
    save are here, in one place, so every caller reports the same thing the store did.
    """
    if store.has_human_version(page_id):
        saved = store.save_candidate(
            page_id,
            result.text,
            author=OCR_AUTHOR,
            message=_message(result),
            ocr=result.meta,
            layout=result.layout,
        )
        return OcrStored(saved, candidate=True)
    saved = store.save(
        page_id,
        result.text,
        author=OCR_AUTHOR,
        source="ocr",
        message=_message(result),
        ocr=result.meta,
        layout=result.layout,
    )
    return OcrStored(saved, candidate=False)


def _message(result: OcrResult) -> str:
    what = f"lines {result.line_range[0] + 1}–{result.line_range[1] + 1}" if result.line_range else "page"
    return f"OCR of {what} ({result.meta.get('lang', '?')}, Tesseract {result.meta.get('tesseract_version', '?')})"


def merge_candidate(current_text: str, reviewed: Iterable[int], candidate_text: str, lines: Iterable[int]) -> str:
    """Take the candidate's ``lines`` (0-based) into ``current_text``; reviewed lines are never replaced.

    A chosen line beyond the end of the current text is appended (in order), so a candidate that found
    lines the current text lacks can still be taken in.
    """
    keep = set(reviewed)
    current = nfc(current_text).split("\n")
    candidate = nfc(candidate_text).split("\n")
    for i in sorted(set(lines)):
        if i < 0 or i >= len(candidate) or i in keep:
            continue
        if i < len(current):
            current[i] = candidate[i]
        else:
            current.extend([""] * (i - len(current)))
            current.append(candidate[i])
    return "\n".join(current)


@dataclass(frozen=True)
class Take:
    """Lines taken from a candidate: the merged text and the chosen lines left alone because reviewed."""

    text: str
    kept: list[int]
    changed: bool


def plan_take(current_text: str, reviewed: Iterable[int], candidate_text: str, lines: Iterable[int]) -> Take:
    """Merge the candidate's ``lines`` (0-based) into ``current_text``, and say which reviewed ones were kept."""
    chosen = list(lines)
    keep = set(reviewed)
    merged = merge_candidate(current_text, keep, candidate_text, chosen)
    return Take(text=merged, kept=sorted(set(chosen) & keep), changed=merged != nfc(current_text))


@dataclass(frozen=True)
class TakeResult:
    """What :func:`take_candidate` did: the plan, the candidate's number, and the save (``None``: nothing new)."""

    take: Take
    candidate: int
    saved: SaveResult | None


def take_candidate(
    store: TranscriptStore,
    page_id: str,
    lines: Iterable[int],
    *,
    number: int | None = None,
    message: str | None = None,
    lines_label: str | None = None,
) -> TakeResult:
    """Take ``lines`` (0-based) of candidate ``number`` (default the newest) into a new version of the page.

    Nothing is saved when the merge changes nothing (same lines, reviewed lines, lines not in the candidate).
    """
    cand = store.read_candidate(page_id, number)
    current = store.read(page_id)
    take = plan_take(current.text, current.meta.reviewed, cand.text, lines)
    if not take.changed:
        return TakeResult(take, cand.number, None)
    label = lines_label if lines_label is not None else _label(lines)
    saved = store.save(
        page_id,
        take.text,
        source="edit",
        base=current.number,
        message=message or f"Took lines {label} from OCR candidate {cand.number}",
    )
    return TakeResult(take, cand.number, saved)


def _label(lines: Iterable[int]) -> str:
    return ",".join(str(i + 1) for i in sorted(set(lines)))

