"""Where each line and word of a version goes on its scan, for a text layer laid over the image.

Three levels, each line marked with the one it got (``"placement"``), never a box that belongs to another
line:

- ``word``: the line has an image line (see :mod:`workbench.linemap`) and every word has its own OCR box;
- ``line``: the line has an image line but some words have none (a word a person added, split or joined):
  those words share, in proportion to their lengths, the part of the line between the words that have boxes;
  or the line has no image line at all (a line a person added): it is placed in the gap between the placed
  lines before and after it, its words spread along it;
- ``page``: the page has no OCR layout: the lines are spread evenly down the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import median
from typing import Any

from workbench.linemap import line_box, word_boxes_of

Box = tuple[int, int, int, int]


def split_box(box: Sequence[float], words: Sequence[str]) -> list[Box]:
    """Split ``box`` along x among ``words`` in proportion to their lengths (a space's width between them)."""
    x, y, w, h = (float(v) for v in box)
    weights = [len(word) + 1 for word in words]
    total = sum(weights) or 1
    out: list[Box] = []
    pos = x
    for word, weight in zip(words, weights, strict=True):
        width = w * weight / total
        word_w = max(1, round(width * len(word) / weight))
        out.append((round(pos), round(y), word_w, max(1, round(h))))
        pos += width
    return out


def _fill_words(words: list[str], boxes: list[Box | None], line: Box) -> tuple[list[Box], bool]:
    """Give every word a box: its own, or a share of the span between its neighbours that have one.

    Consecutive words tied to the same OCR word (a word a person split in two) share that word's box.
    Returns the boxes and whether every word had a box of its own.
    """
    exact = all(b is not None for b in boxes) and len({b for b in boxes}) == len(boxes)
    out: list[Box | None] = list(boxes)
    # Words sharing one OCR box split it.
    k = 0
    while k < len(out):
        end = k + 1
        while end < len(out) and out[k] is not None and out[end] == out[k]:
            end += 1
        if end - k > 1 and out[k] is not None:
            for n, b in enumerate(split_box(out[k], words[k:end])):  # type: ignore[arg-type]
                out[k + n] = b
        k = end
    # Runs without a box take the span between the boxed words around them.
    lx, ly, lw, lh = line
    k = 0
    while k < len(out):
        if out[k] is not None:
            k += 1
            continue
        end = k
        while end < len(out) and out[end] is None:
            end += 1
        prev = out[k - 1] if k > 0 else None
        nxt = out[end] if end < len(out) else None
        left = prev[0] + prev[2] if prev is not None else lx
        right = nxt[0] if nxt is not None else lx + lw
        if right - left < 2 * (end - k):
            # No room between the neighbours (a word inserted where the OCR saw none): squeeze it in just
            # after the previous word rather than overlap another word's box.
            right = left + 2 * (end - k)
        for n, b in enumerate(split_box((left, ly, right - left, lh), words[k:end])):
            out[k + n] = b
        k = end
    return [b for b in out if b is not None], exact


def _words_entry(text: str, boxes: Sequence[Box], conf: float | None = None) -> list[dict[str, Any]]:
    return [{"text": t, "box": list(b), "conf": conf} for t, b in zip(text.split(), boxes, strict=True)]


def placed_layout(
    text: str,
    layout: dict[str, Any] | None,
    *,
    width: int,
    height: int,
    langs: Sequence[str] | None = None,
    image: str | None = None,
) -> dict[str, Any]:
    """A layout (``docs/ARCHITECTURE.md``) holding the non-blank lines of ``text``, each with a placement.

    Every line gets ``text_line`` (its 0-based number in ``text.split("\\n")``), ``placement``
    (``word``, ``line`` or ``page``, see the module docstring) and ``lang`` (from ``langs``, if given).
    ``width`` and ``height`` are the scan's size in pixels (used when ``layout`` has none).
    """
    lines = text.split("\n")
    wanted = [i for i, line in enumerate(lines) if line.strip()]
    page_w = int((layout or {}).get("width") or width)
    page_h = int((layout or {}).get("height") or height)
    placed: dict[int, dict[str, Any]] = {}
    if layout and layout.get("lines"):
        for i in wanted:
            box = line_box(text, layout, i)
            if box is None:
                continue
            words = lines[i].split()
            boxes, exact = _fill_words(words, list(word_boxes_of(text, layout, i)), box)
            placed[i] = {
                "box": list(box),
                "words": _words_entry(lines[i], boxes),
                "placement": "word" if exact else "line",
            }
        _place_unmatched(lines, wanted, placed, layout, page_w, page_h)
    else:
        _place_evenly(lines, wanted, placed, page_w, page_h)
    out_lines = []
    for i in wanted:
        entry = {**placed[i], "text_line": i}
        if langs is not None and i < len(langs):
            entry["lang"] = langs[i]
        out_lines.append(entry)
    return {"width": page_w, "height": page_h, "image": image, "frame": None, "lines": out_lines}


def _place_evenly(lines: list[str], wanted: list[int], placed: dict[int, dict[str, Any]], w: int, h: int) -> None:
    """Page-level placement: the lines spread down the page's text area, each as wide as that area."""
    if not wanted:
        return
    top, bottom = 0.06 * h, 0.94 * h
    pitch = (bottom - top) / len(wanted)
    line_h = max(1.0, min(pitch * 0.8, h / 40))
    for n, i in enumerate(wanted):
        box = (round(0.1 * w), round(top + n * pitch), round(0.8 * w), round(line_h))
        placed[i] = {
            "box": list(box),
            "words": _words_entry(lines[i], split_box(box, lines[i].split())),
            "placement": "page",
        }


def _place_unmatched(
    lines: list[str],
    wanted: list[int],
    placed: dict[int, dict[str, Any]],
    layout: dict[str, Any],
    page_w: int,
    page_h: int,
) -> None:
    """Line-level placement of the lines without an image line, in the gaps between the placed lines."""
    boxes = [tuple(int(v) for v in line["box"]) for line in layout.get("lines") or [] if line.get("box")]
    heights = [b[3] for b in boxes] or [max(1, page_h // 50)]
    line_h = float(median(heights))
    left = min((b[0] for b in boxes), default=round(0.1 * page_w))
    right = max((b[0] + b[2] for b in boxes), default=round(0.9 * page_w))
    k = 0
    while k < len(wanted):
        if wanted[k] in placed:
            k += 1
            continue
        end = k
        while end < len(wanted) and wanted[end] not in placed:
            end += 1
        run = wanted[k:end]
        prev = placed[wanted[k - 1]]["box"] if k > 0 else None
        nxt = placed[wanted[end]]["box"] if end < len(wanted) else None
        gap_top = prev[1] + prev[3] if prev is not None else None
        gap_bottom = nxt[1] if nxt is not None else None
        if gap_top is None:
            gap_bottom = gap_bottom if gap_bottom is not None else round(0.06 * page_h)
            gap_top = max(0.0, gap_bottom - line_h * 1.5 * len(run))
        elif gap_bottom is None:
            gap_bottom = min(float(page_h), gap_top + line_h * 1.5 * len(run))
        if gap_bottom - gap_top < len(run):
            # Neighbours touch or overlap: a thin strip on their border keeps the reading order without
            # putting the text over either neighbour's words.
            mid = (gap_top + gap_bottom) / 2
            gap_top, gap_bottom = mid - len(run) / 2, mid + len(run) / 2
        pitch = (gap_bottom - gap_top) / len(run)
        for n, i in enumerate(run):
            h = max(1.0, min(line_h, pitch * 0.9))
            y = gap_top + n * pitch + (pitch - h) / 2
            box = (left, round(y), right - left, round(h))
            placed[i] = {
                "box": list(box),
                "words": _words_entry(lines[i], split_box(box, lines[i].split())),
                "placement": "line",
            }
        k = end
