"""Storing OCR results and taking lines from OCR candidates.

OCR never overwrites human work: :func:`apply_ocr_result` stores a result as a new version while nobody has
edited the page, else as a candidate, and says which it did. :func:`plan_take` puts the candidate's readings of
chosen lines of the current text into it (lines matched through the image, :mod:`workbench.linemap`), never
touching reviewed lines or lines not chosen; :func:`take_candidate` does that and saves a version (the
``take`` command). The TUI uses :func:`plan_take` to take lines into its editor.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from workbench.layout import Layout
from workbench.linemap import candidate_readings
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
    candidate waits for the user to diff it and take lines with :func:`take_candidate`. The check and the
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


@dataclass(frozen=True)
class Take:
    """Lines taken from a candidate: the merged text, the chosen lines left alone because reviewed, and the
    chosen lines the candidate has no reading for (no image line, or one the candidate did not read)."""

    text: str
    kept: list[int]
    missing: list[int]
    changed: bool


def plan_take(
    current_text: str,
    reviewed: Iterable[int],
    candidate_text: str,
    lines: Iterable[int],
    *,
    current_layout: Layout | None = None,
    candidate_layout: Layout | None = None,
) -> Take:
    """Replace the chosen ``lines`` of ``current_text`` (0-based, *its* lines) with the candidate's readings.

    A current line takes the candidate line that reads the same image line
    (:func:`workbench.linemap.candidate_readings`), never the candidate line that merely has the same number:
    after a person deleted or added lines the numbers differ. Reviewed lines are never replaced; lines
    without a counterpart in the candidate stay as they are and are listed in ``missing``. No other line
    changes.
    """
    chosen = sorted(set(lines))
    keep = set(reviewed)
    current_text, candidate_text = nfc(current_text), nfc(candidate_text)
    current = current_text.split("\n")
    readings = candidate_readings(current_text, current_layout, candidate_text, candidate_layout)
    kept: list[int] = []
    missing: list[int] = []
    for i in chosen:
        if not 0 <= i < len(current):
            missing.append(i)
        elif i in keep:
            kept.append(i)
        elif (reading := readings[i]) is None:
            missing.append(i)
        else:
            current[i] = reading
    merged = "\n".join(current)
    return Take(text=merged, kept=kept, missing=missing, changed=merged != current_text)


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
    """Take the candidate's readings of ``lines`` (0-based lines of the newest version) into a new version.

    Nothing is saved when the merge changes nothing (same lines, reviewed lines, lines not in the candidate).
    """
    cand = store.read_candidate(page_id, number)
    current = store.read(page_id)
    take = plan_take(
        current.text,
        current.meta.reviewed,
        cand.text,
        lines,
        current_layout=store.latest_layout(page_id, skip_damaged=True),
        candidate_layout=cand.layout(),
    )
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
