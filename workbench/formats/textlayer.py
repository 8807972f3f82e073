"""The hOCR handed to OCRmyPDF for a PDF's invisible text layer, fitted so each word covers its image.

OCRmyPDF's renderer gives all words of an hOCR line one font size, taken from the line's box (baseline to
top), and stretches each word to its box's width. A typed line's words differ in height (capitals,
ascenders, descenders) and a skewed line's box is much taller than its letters, so one size per line puts
a word's selectable text well above or below its letters. Here every word that has its own OCR box is an
hOCR line of its own, sharing the text line's baseline: its font size reaches from that baseline to the
top of its letters, so a search hit or a selection lands on the word. The words of a text line still
follow each other on one baseline, in the transcript's order, so text extractors read them as one line.

Lines placed at line or page level (no OCR words to fit) stay one hOCR line each, without a baseline:
OCRmyPDF then sizes the text to the line's box.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median
from typing import Any

from lxml import etree

from workbench.formats.model import LANG_TO_BCP47

XHTML = "http://www.w3.org/1999/xhtml"
#: Steepest baseline accepted (the preprocessing deskews at most 5°; anything steeper is a bad fit).
MAX_SLOPE = 0.09
#: A word whose bottom is within this fraction of the page's typical word height of the line's baseline
#: stands on its own bottom; one further below has a descender (р, у, д) and stands on the baseline.
JITTER_FRACTION = 0.15
#: The ascent of OCRmyPDF's text-layer font (NotoSans: 1069/1000 em). Viewers and pdftotext draw a word's box
#: from the baseline up to ascent × font size; OCRmyPDF sets the size to the hOCR box's height above the
#: baseline, so that height is divided by the ascent for the box to end at the top of the letters.
FONT_ASCENT = 1.069


@dataclass(frozen=True)
class TextLine:
    """A line of the text layer: its box, its words with their boxes (x, y, w, h in scan pixels), its language.

    ``fitted``: the words have their own OCR boxes and are each sized to theirs; otherwise (a line placed in a
    gap, or on a page without OCR) the line is one hOCR line that OCRmyPDF sizes to the line's box.
    """

    box: tuple[int, int, int, int]
    words: tuple[tuple[str, tuple[int, int, int, int]], ...]
    lang: str | None = None
    fitted: bool = False


def _title(box: Sequence[int], extra: str = "") -> str:
    x, y, w, h = (int(v) for v in box)
    return f"bbox {x} {y} {x + w} {y + h}{extra}"


def _bottoms(boxes: Sequence[Sequence[int]], typical: float) -> list[tuple[float, float]]:
    """Bottom-centre points of the boxes that are letters, not specks or marks (at least half a word high)."""
    pts = [(b[0] + b[2] / 2, float(b[1] + b[3])) for b in boxes if b[3] >= 0.5 * typical]
    return pts or [(b[0] + b[2] / 2, float(b[1] + b[3])) for b in boxes]


def page_slope(lines: Sequence[Sequence[Sequence[int]]], typical: float) -> float:
    """The slope of the page's baselines: the median over lines of each line's Theil–Sen slope (the median of
    the slopes between its words' bottoms), so descenders, specks and short lines do not tilt it."""
    slopes: list[float] = []
    for boxes in lines:
        pts = _bottoms(boxes, typical)
        pair = [(y2 - y1) / (x2 - x1) for i, (x1, y1) in enumerate(pts) for (x2, y2) in pts[i + 1 :] if x2 - x1 > 50]
        if len(pts) >= 3 and pair:
            slopes.append(median(pair))
    return max(-MAX_SLOPE, min(MAX_SLOPE, median(slopes))) if slopes else 0.0


def baseline(boxes: Sequence[Sequence[int]], slope: float, typical: float) -> float:
    """The intercept of a line's baseline ``y = slope·x + intercept``: a low quantile of its words' bottoms once
    the slope is taken out, i.e. where the letters without descenders stand."""
    residuals = sorted(y - slope * x for x, y in _bottoms(boxes, typical))
    return residuals[int(0.3 * (len(residuals) - 1))]


def _separate(boxes: list[list[int]], words: Sequence[str]) -> list[list[int]]:
    """Neighbouring word boxes made not to overlap (split at the middle of the overlap).

    Tesseract's box of a word sometimes reaches into the next one, and words a person split from one OCR
    word share its box; a text extractor takes a word that starts inside the previous one for the start
    of a new line. Shared boxes are divided in proportion to the words' lengths first.
    """
    out = [list(b) for b in boxes]
    k = 0
    while k < len(out):
        end = k + 1
        while end < len(out) and out[end] == out[k]:
            end += 1
        if end - k > 1:
            x, y, w, h = out[k]
            total = sum(len(word) + 1 for word in words[k:end])
            pos = float(x)
            for n in range(k, end):
                share = w * (len(words[n]) + 1) / total
                out[n] = [round(pos), y, max(1, round(share * len(words[n]) / (len(words[n]) + 1))), h]
                pos += share
        k = end
    for k in range(1, len(out)):
        prev, cur = out[k - 1], out[k]
        prev_right, cur_right = prev[0] + prev[2], cur[0] + cur[2]
        gap = max(2, min(prev[3], cur[3]) // 5)  # wide enough for an extractor to see a space
        if cur[0] < prev_right + gap and cur[0] > prev[0]:
            mid = (cur[0] + min(prev_right, cur_right)) // 2
            prev[2] = max(1, mid - gap // 2 - prev[0])
            cur[0] = mid + gap - gap // 2
            cur[2] = max(1, cur_right - cur[0])
    return out


def _word_lines(line: TextLine, slope: float, typical: float) -> list[tuple[list[int], float, str]]:
    """Each word of a word-placed line as ``(box, baseline y, text)``; ``typical`` is the page's word height.

    A word stands on the line's baseline, or on its own bottom where that is within a few pixels of it
    (the typewriter's jitter): text extractors keep words on one line only while their baselines differ
    by less than half the font size, so no word may stray far from the line's baseline.
    """
    words = [text for text, _ in line.words]
    boxes = _separate([list(box) for _, box in line.words], words)
    intercept = baseline(boxes, slope, typical)
    out: list[tuple[list[int], float, str]] = []
    prev: tuple[list[int], float] | None = None
    for word, (x, y, w, h) in zip(words, boxes, strict=True):
        bottom = y + h
        base = slope * (x + w / 2) + intercept
        if abs(bottom - base) <= JITTER_FRACTION * typical:
            base = bottom
        if base - y < 0.3 * typical or w < 0.1 * h:
            # A mark on the baseline (a lone full stop or dash) or a sliver (a stroke of dirt read as letters):
            # a typical word's height on the baseline, so its text is neither a speck nor, being implausibly
            # narrow, dropped by OCRmyPDF's aspect-ratio check.
            y = round(base - typical)
        if prev is not None:
            prev_size = (prev[1] - prev[0][1]) / FONT_ASCENT
            if abs(base - prev[1]) > 0.4 * prev_size:
                # Extractors end a line where a baseline jumps by half the font size: keep to the line's.
                base = prev[1] + slope * (x - prev[0][0])
        top = round(base - (base - min(y, base - 1)) / FONT_ASCENT)
        fitted = [x, top, w, max(1, max(bottom, round(base)) - top)]
        out.append((fitted, base, word))
        prev = (fitted, base)
    return out


def text_layer_hocr(width: int, height: int, lines: Sequence[TextLine]) -> bytes:
    """hOCR for OCRmyPDF: a page of ``width`` × ``height`` scan pixels holding ``lines`` in reading order."""
    nsmap: dict[Any, str] = {None: XHTML}  # lxml: the default namespace's key is None (its stubs say str)
    html = etree.Element(f"{{{XHTML}}}html", nsmap=nsmap)
    head = etree.SubElement(html, f"{{{XHTML}}}head")
    etree.SubElement(head, f"{{{XHTML}}}title").text = "text layer"
    etree.SubElement(head, f"{{{XHTML}}}meta", {"name": "ocr-system", "content": "workbench"})
    body = etree.SubElement(html, f"{{{XHTML}}}body")
    page = etree.SubElement(
        body, f"{{{XHTML}}}div", {"class": "ocr_page", "id": "page_1", "title": f"bbox 0 0 {width} {height}"}
    )
    heights = [box[3] for line in lines if line.fitted for _, box in line.words]
    typical = float(median(heights)) if heights else 1.0
    slope = page_slope([[box for _, box in line.words] for line in lines if line.fitted], typical)
    n = 0
    for i, line in enumerate(lines, start=1):
        area = etree.SubElement(page, f"{{{XHTML}}}div", {"class": "ocr_carea", "id": f"block_{i}"})
        par = etree.SubElement(area, f"{{{XHTML}}}p", {"class": "ocr_par", "id": f"par_{i}"})
        lang = LANG_TO_BCP47.get(line.lang or "")
        if lang:
            par.set("lang", lang)
        pieces: list[tuple[Sequence[int], float | None, Sequence[tuple[str, Sequence[int]]]]]
        if line.fitted:
            pieces = [(box, base, [(text, box)]) for box, base, text in _word_lines(line, slope, typical)]
        else:
            pieces = [(line.box, None, line.words)]
        for box, base, words_in in pieces:
            n += 1
            extra = "" if base is None else f"; baseline 0 {round(base - (box[1] + box[3]))}"
            span = etree.SubElement(
                par, f"{{{XHTML}}}span", {"class": "ocr_line", "id": f"line_{n}", "title": _title(box, extra)}
            )
            for k, (text, wbox) in enumerate(words_in):
                word = etree.SubElement(
                    span, f"{{{XHTML}}}span", {"class": "ocrx_word", "id": f"word_{n}_{k}", "title": _title(wbox)}
                )
                word.text = text
    return bytes(etree.tostring(html, xml_declaration=True, encoding="UTF-8"))
