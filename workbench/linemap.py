"""Which image line each text line is: the link between a version's lines and its OCR layout's lines.

A person edits the text of an OCR version: corrects letters, deletes noise lines, restores the blank lines
between paragraphs, joins or splits lines, moves a line. Counting lines would then tie a text line to
another line's image. Instead the version's text is aligned, by content, with the text the OCR read
(layout line *j* reads ``" ".join`` of its word texts):

1. One global character alignment (longest common subsequence, rapidfuzz's ``Indel.opcodes``) of the whole
   text against the whole OCR text. Each matched letter votes for the pair (text line, layout line), and for
   the pair (text word, layout word). A global alignment keeps the order, so a corrected line is held in
   place by its neighbours even when half of its letters changed; an inserted line gets no letters to
   match; a split line's halves share the letters of one image line; a merged line holds letters of two.
2. A text line keeps an image line only where the letters it shares are dense: ``2·matched / (letters of
   the text line + letters of the image-line span they fall in) ≥ MIN_SIMILARITY``. The letters two
   unrelated lines share by chance (a line replaced by another) are sparse and fall below it, so such a
   line gets no box rather than someone else's.
3. Lines the order-keeping alignment cannot hold (a line moved far away) are then matched against the image
   lines nobody claimed, by similarity (``fuzz.ratio``), if they are long enough to be told apart.

Results are cached by the text and the layout's line texts (all they depend on), so the TUI can ask on
every cursor move; after an edit one alignment of a 60-line page takes about a millisecond
(``bench/bench_linemap.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from workbench.linealign import (  # the alignment itself (its constants stay importable from here)
    _WORD_RE,
    MIN_SIMILARITY,
    MOVED_MIN_LETTERS,
    MOVED_MIN_SCORE,
    Box,
    Layout,
    LineAlignment,
    _align,
    _lines,
    _overlap,
    as_box,
)


def layout_line_texts(layout: Layout | None) -> tuple[str, ...]:
    """What the OCR read on each layout line: its words' texts joined by single spaces.

    Remembered for the last few layout objects (a layout is not changed once built: the store's are read
    from disk, and every change makes a new one), since the TUI asks on every cursor move.
    """
    if layout is None:
        return ()
    hit = _texts_of.get(id(layout))
    if hit is not None and hit[0] is layout and len(hit[1]) == len(_lines(layout)):
        return hit[1]
    texts = tuple(" ".join(str(w.get("text", "")) for w in line.get("words") or []) for line in _lines(layout))
    if len(_texts_of) >= 8:
        _texts_of.pop(next(iter(_texts_of)))
    _texts_of[id(layout)] = (layout, texts)  # holding the layout keeps its id from being reused
    return texts


_texts_of: dict[int, tuple[Layout, tuple[str, ...]]] = {}


def align(text: str, layout: Layout | None) -> LineAlignment:
    """Align ``text``'s lines and words with ``layout``'s (see the module docstring); cached."""
    return _align(text, layout_line_texts(layout))


def line_map(text: str, layout: Layout | None) -> list[int | None]:
    """For each line of ``text.split("\\n")``, the index of its OCR layout line, or ``None`` when it has none.

    Robust to inserted, deleted, merged, split and moved lines and to blank paragraph lines (which have no
    image line); never another line's: a line that shares too little with every image line gets ``None``.
    """
    return list(align(text, layout).lines)


def line_box(text: str, layout: Layout | None, line: int) -> Box | None:
    """The scan box of text line ``line`` (0-based), or ``None`` when it has no image counterpart.

    A line that is the whole of its image line gets that line's box; a part of a split line gets the box of
    the words it holds, and a merged line the box around all the image lines it holds.
    """
    if layout is None:
        return None
    a = align(text, layout)
    if not 0 <= line < len(a.lines) or a.lines[line] is None:
        return None
    lines = _lines(layout)
    sources = a.sources[line]
    if len(sources) == 1 and sources[0] not in a.shared:
        return as_box(lines[sources[0]].get("box"))
    word_boxes = [b for b in word_boxes_of(text, layout, line) if b is not None]
    if len(sources) == 1 and word_boxes:
        return union_box(word_boxes)
    boxes = [b for b in (as_box(lines[j].get("box")) for j in sources) if b is not None]
    return union_box(boxes) if boxes else None


def word_boxes_of(text: str, layout: Layout | None, line: int) -> list[Box | None]:
    """The scan box of each whitespace-separated word of text line ``line`` (``None`` where it has none)."""
    if layout is None:
        return []
    a = align(text, layout)
    if not 0 <= line < len(a.words):
        return []
    lines = _lines(layout)
    out: list[Box | None] = []
    for ref in a.words[line]:
        if ref is None:
            out.append(None)
        else:
            words = lines[ref[0]].get("words") or []
            out.append(as_box(words[ref[1]].get("box")) if ref[1] < len(words) else None)
    return out


def word_ref(text: str, layout: Layout | None, line: int, column: int) -> tuple[int, int] | None:
    """The layout word ``(layout line, word index)`` of the word under ``column`` of text line ``line``."""
    if layout is None:
        return None
    a = align(text, layout)
    if not 0 <= line < len(a.words):
        return None
    text_line = text.split("\n")[line]
    for k, m in enumerate(_WORD_RE.finditer(text_line)):
        if m.start() <= column <= m.end():
            return a.words[line][k]
    return None


def word_box(text: str, layout: Layout | None, line: int, column: int) -> Box | None:
    """The scan box of the word under ``column`` of text line ``line``, if that word has an image."""
    ref = word_ref(text, layout, line, column)
    if ref is None or layout is None:
        return None
    words = _lines(layout)[ref[0]].get("words") or []
    return as_box(words[ref[1]].get("box")) if ref[1] < len(words) else None


def text_line_of(text: str, layout: Layout | None, layout_line: int) -> int | None:
    """The text line tied to layout line ``layout_line`` (the first, if a split made several), or ``None``."""
    for i, j in enumerate(align(text, layout).lines):
        if j == layout_line:
            return i
    return None


def candidate_lines(
    current_text: str, current_layout: Layout | None, candidate_text: str, candidate_layout: Layout | None
) -> list[int | None]:
    """For each line of ``current_text``, the line of an OCR candidate that reads the same image line.

    Through the images when both have layouts (current line → its image line → the candidate's image line
    with the most overlapping box → the candidate's text line on it), since a line a person is about to
    replace may share few letters with the new reading; by aligning the texts when a layout is missing.
    """
    n = current_text.count("\n") + 1
    cand_of_layout: dict[int, int] = {}
    if candidate_layout is not None:
        for k, j in enumerate(line_map(candidate_text, candidate_layout)):
            if j is not None:
                cand_of_layout.setdefault(j, k)
    if current_layout is None or candidate_layout is None:
        if candidate_layout is not None:
            return [None if j is None else cand_of_layout.get(j) for j in line_map(current_text, candidate_layout)]
        return list(_align(current_text, tuple(candidate_text.split("\n"))).lines)
    cand_boxes = [as_box(line.get("box")) for line in _lines(candidate_layout)]
    out: list[int | None] = []
    for i in range(n):
        box = line_box(current_text, current_layout, i)
        best: tuple[float, int] | None = None
        if box is not None:
            for j, other in enumerate(cand_boxes):
                score = _overlap(box, other) if other is not None else 0.0
                if score >= 0.5 and (best is None or score > best[0]):
                    best = (score, j)
        out.append(cand_of_layout.get(best[1]) if best is not None else None)
    return out


def candidate_readings(
    current_text: str, current_layout: Layout | None, candidate_text: str, candidate_layout: Layout | None
) -> list[str | None]:
    """For each line of ``current_text``, what an OCR candidate read on that line's own part of the image.

    Like :func:`candidate_lines`, and whole: a joined line gets the candidate's readings of each of its
    image lines, joined by a space; a part of a split line only the candidate's words that stand on its
    part of the image line (by their boxes). ``None`` where the candidate has no reading of it.
    """
    mapping = candidate_lines(current_text, current_layout, candidate_text, candidate_layout)
    cand_lines = candidate_text.split("\n")
    if current_layout is None or candidate_layout is None:
        return [None if k is None else cand_lines[k] for k in mapping]
    a = align(current_text, current_layout)
    cand_boxes = [as_box(line.get("box")) for line in _lines(candidate_layout)]
    cand_line_of: dict[int, int] = {}
    for c_line, j in enumerate(line_map(candidate_text, candidate_layout)):
        if j is not None:
            cand_line_of.setdefault(j, c_line)
    image_lines = _lines(current_layout)
    out: list[str | None] = []
    for i, sources in enumerate(a.sources):
        readings: list[str] = []
        for j in sources:
            box = as_box(image_lines[j].get("box"))
            best = max(
                ((_overlap(box, other), c) for c, other in enumerate(cand_boxes) if box and other),
                default=(0.0, -1),
            )
            hit = cand_line_of.get(best[1]) if best[0] >= 0.5 else None
            if hit is None:
                continue
            if j in a.shared and len(sources) == 1:
                own = line_box(current_text, current_layout, i)
                words = cand_lines[hit].split()
                boxes = word_boxes_of(candidate_text, candidate_layout, hit)
                if own is not None and len(boxes) == len(words):
                    x0, x1 = own[0], own[0] + own[2]
                    keep = [w for w, b in zip(words, boxes, strict=True) if b and x0 <= b[0] + b[2] / 2 <= x1]
                    readings.append(" ".join(keep))
                    continue
            readings.append(cand_lines[hit])
        out.append(" ".join(readings) if readings and len(readings) == len(sources) else None)
    return out


def union_box(boxes: Sequence[Sequence[int]]) -> Box:
    """The smallest box holding all ``boxes``."""
    x0 = min(int(b[0]) for b in boxes)
    y0 = min(int(b[1]) for b in boxes)
    x1 = max(int(b[0]) + int(b[2]) for b in boxes)
    y1 = max(int(b[1]) + int(b[3]) for b in boxes)
    return (x0, y0, x1 - x0, y1 - y0)


__all__ = [
    "MIN_SIMILARITY",
    "MOVED_MIN_LETTERS",
    "MOVED_MIN_SCORE",
    "Box",
    "Layout",
    "LineAlignment",
    "align",
    "as_box",
    "candidate_lines",
    "candidate_readings",
    "layout_line_texts",
    "line_box",
    "line_map",
    "text_line_of",
    "union_box",
    "word_box",
    "word_boxes_of",
    "word_ref",
]
