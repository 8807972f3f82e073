"""Evaluating transcripts against ground truth: CER and WER per page and in total (the ``eval`` command).

The total is the sum of errors over the sum of reference lengths, not an average of page rates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.errors import InputError
from workbench.metrics import ErrorCount, character_errors, word_errors
from workbench.project import validate_page_id
from workbench.store import TranscriptStore
from workbench.text import read_text


@dataclass(frozen=True)
class PageScore:
    """The errors of one page's newest version against its ground truth."""

    page: str
    version: int
    chars: ErrorCount
    words: ErrorCount

    def to_json(self) -> dict[str, Any]:
        """The JSON row `workbench eval --json` prints (an infinite rate is ``null``)."""
        return {
            "page": self.page,
            "version": self.version,
            **_counts_json(self.chars, self.words),
        }


@dataclass
class Evaluation:
    """Every page's score, the pages with ground truth but no transcript, and the totals."""

    pages: list[PageScore] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    chars: ErrorCount = field(default_factory=lambda: ErrorCount(0, 0))
    words: ErrorCount = field(default_factory=lambda: ErrorCount(0, 0))

    def to_json(self) -> dict[str, Any]:
        """The whole evaluation as `workbench eval --json` prints it."""
        return {
            "pages": [p.to_json() for p in self.pages],
            "missing": self.missing,
            "total": _counts_json(self.chars, self.words),
        }


def json_rate(rate: float) -> float | None:
    """A rate for JSON, which has no infinity: an empty reference against a non-empty text is ``null``."""
    return None if math.isinf(rate) else rate


def _counts_json(chars: ErrorCount, words: ErrorCount) -> dict[str, Any]:
    return {
        "cer": json_rate(chars.rate),
        "wer": json_rate(words.rate),
        "char_errors": chars.errors,
        "chars": chars.reference_length,
        "word_errors": words.errors,
        "words": words.reference_length,
    }


def ground_truth_pages(gt_dir: Path) -> list[str]:
    """The page ids ``gt_dir`` has a ``<page-id>.txt`` for, sorted; none is an :class:`InputError`."""
    ids = sorted(p.relative_to(gt_dir).with_suffix("").as_posix() for p in gt_dir.rglob("*.txt"))
    if not ids:
        raise InputError(f"{gt_dir}: no ground-truth .txt files.", hint="Name them DIR/<page-id>.txt.")
    return ids


def evaluate(store: TranscriptStore, gt_dir: Path, page_ids: list[str] | None = None) -> Evaluation:
    """Score the newest version of each page (default: every page ``gt_dir`` has a text for) against it.

    A named page without a ground-truth file is an :class:`InputError`; a page with ground truth but no
    transcript is listed in ``missing`` and left out of the totals; if no page has a transcript at all,
    that is an :class:`InputError` too.
    """
    ids = [validate_page_id(p) for p in page_ids] if page_ids else ground_truth_pages(gt_dir)
    result = Evaluation()
    for pid in ids:
        gt_file = gt_dir / f"{pid}.txt"
        if not gt_file.is_file():
            raise InputError(f"{gt_file}: no ground truth for page {pid!r}.", path=gt_file)
        reference = read_text(gt_file)
        if store.latest_number(pid) is None:
            result.missing.append(pid)
            continue
        version = store.read(pid)
        # A final newline ends the file, it is not a character of the page: a text saved without one (or a
        # ground-truth file written with one) reads the same.
        ref, hyp = reference.rstrip("\n"), version.text.rstrip("\n")
        score = PageScore(pid, version.number, character_errors(ref, hyp), word_errors(ref, hyp))
        result.pages.append(score)
        result.chars, result.words = result.chars + score.chars, result.words + score.words
    if not result.pages:
        raise InputError(
            f"None of the {len(ids)} page(s) with ground truth in {gt_dir} has a transcript yet.",
            hint="Run `workbench ocr` or `workbench save` first.",
        )
    return result
