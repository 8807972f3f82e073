"""Reading a page more than one way and keeping, per line, the reading the evidence prefers.

The preprocessed image usually reads better than the scan as it is (``BENCHMARKS.md``), but not always:
heavy ink bleed or a fold can make preprocessing lose whole lines, and a processed image can take far
longer than the plain one. So the pipeline (:func:`workbench.ocr.pipeline.run_job`):

- reads the processed image first, within a time budget (:func:`budget_seconds`); past it, the reading is
  stopped and the plain image is read instead (the fallback, with its reason in the OCR metadata);
- reads the plain image too when the processed reading is doubtful (:func:`doubt`): few words, or a mean
  word confidence below :data:`DOUBT_CONF` (:data:`DOUBT_CONF_AZE` for ``aze_cyrl``). A second full
  reading of every page would double the time, so it is only paid for where it can pay;
- lets the better reading of the whole page lead (:func:`page_score`), keeps for each of its lines the reading
  with the better :func:`~workbench.ocr.choose.score_line` (confidence, dictionary share, script), and adds
  the lines only the other reading found (:func:`extra_lines`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from workbench.ocr.choose import iou, known_fraction
from workbench.ocr.tesseract import Line

#: A processed reading whose mean word confidence (weighted by word length) is below this is doubtful, and
#: the plain image is read too. Chosen on the development splits (BENCHMARKS.md): at 75 the real EHRI
#: development pages came out 1.08× plain's error rate, at 85 0.98×; at 90 nothing more was gained.
DOUBT_CONF = 85.0
#: The same for an ``aze_cyrl`` reading, whose confidences run lower at the same quality (68–79 on the
#: development pages it reads at 9–13 %); re-reading those pages plainly gained nothing there.
DOUBT_CONF_AZE = 60.0
#: The processed reading's time budget: this many seconds per megapixel of the scan, at least
#: :data:`BUDGET_MIN_S` (and never more than the timeout). It is a backstop: the pixel cap
#: (:data:`workbench.ocr.guards.MAX_PIXELS`) is what keeps a processed page near the plain page's time.
#: It is measured in wall-clock seconds, and on our shared 2-core machines the same page took 3 s idle and
#: 20–40 s at a load of 19, so the budget is generous: a tight one made the output depend on the load.
BUDGET_S_PER_MP = 8.0
BUDGET_MIN_S = 60.0


def budget_seconds(width: int, height: int, timeout: float) -> float:
    """How long the processed reading of a ``width`` × ``height`` scan may take before the plain one is read."""
    return min(timeout, max(BUDGET_MIN_S, BUDGET_S_PER_MP * width * height / 1e6))


def mapped(lines: Sequence[Line], to_original: Callable[[Sequence[float]], tuple[int, int, int, int]]) -> list[Line]:
    """``lines`` with their boxes and their words' boxes mapped to the original scan's pixels."""
    return [
        dataclasses.replace(
            line,
            box=to_original(line.box),
            words=tuple(dataclasses.replace(w, box=to_original(w.box)) for w in line.words),
        )
        for line in lines
    ]


def mean_conf(lines: Sequence[Line]) -> float:
    """Mean word confidence over a reading, weighted by word length (0 without words)."""
    total = sum(len(w.text) for line in lines for w in line.words)
    if not total:
        return 0.0
    return sum(w.conf * len(w.text) for line in lines for w in line.words) / total


def doubt(lines: Sequence[Line], lang: str) -> str | None:
    """Why a processed reading in ``lang`` is doubtful enough to read the plain image too, or ``None``."""
    if not any(line.words for line in lines):
        return "the processed image gave no words"
    conf = mean_conf(lines)
    threshold = DOUBT_CONF_AZE if lang == "aze_cyrl" else DOUBT_CONF
    if conf < threshold:
        return f"mean word confidence {conf:.1f} < {threshold:g}"
    return None


def page_score(lines: Sequence[Line], speller: Any) -> float:
    """A whole reading's score: mean word confidence (0–1) plus half the share of words the dictionary knows."""
    known = known_fraction("\n".join(line.text for line in lines), speller)
    return mean_conf(lines) / 100.0 + 0.5 * (known or 0.0)


def best_match(line: Line, others: Sequence[Line], threshold: float = 0.5) -> int | None:
    """The index of the line in ``others`` that is the same image line as ``line`` (box IoU ≥ threshold)."""
    best, best_iou = None, threshold
    for i, other in enumerate(others):
        value = iou(line.box, other.box)
        if value >= best_iou:
            best, best_iou = i, value
    return best


def _vertical_overlap(a: Sequence[int], b: Sequence[int]) -> float:
    """How much of the shorter of two boxes' heights they share."""
    top, bottom = max(a[1], b[1]), min(a[1] + a[3], b[1] + b[3])
    return max(0, bottom - top) / max(1, min(a[3], b[3]))


def extra_lines(kept: Sequence[Sequence[int]], plain: Sequence[Line], used: set[int]) -> list[int]:
    """Plain-reading lines (indices) that no kept line covers: the lines the processed reading lost.

    A line counts as covered when it shares more than half its height with a kept line that also overlaps
    it horizontally; lines without words are never added.
    """
    out = []
    for i, line in enumerate(plain):
        if i in used or not line.words:
            continue
        covered = any(
            _vertical_overlap(line.box, box) > 0.5
            and min(line.box[0] + line.box[2], box[0] + box[2]) > max(line.box[0], box[0])
            for box in kept
        )
        if not covered:
            out.append(i)
    return out


def summary(
    kept: Sequence[str],
    fallback: str | None,
    doubt_reason: str | None,
    budget: float,
    single_line: bool = False,
    not_russian: str | None = None,
) -> dict[str, Any]:
    """What the OCR metadata says about the readings: what was kept per line, why the plain image was read,
    whether the image was read as one line, and why the script model read it too."""
    counts: dict[str, int] = {}
    for view in kept:
        counts[view] = counts.get(view, 0) + 1
    out: dict[str, Any] = {"kept": counts, "budget_s": round(budget, 1)}
    if single_line:
        out["single_line"] = "one text line: read as one line (psm 7), as it is, without preprocessing"
    if fallback:
        out["fallback"] = fallback
    if doubt_reason:
        out["plain_read_because"] = doubt_reason
    if not_russian:
        out["script_model_read_because"] = not_russian
    return out
