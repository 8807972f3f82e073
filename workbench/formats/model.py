"""The page content every format reads and writes: text plus a layout (see ``docs/ARCHITECTURE.md``).

Geometry formats (hOCR, ALTO, PAGE) need a box for every line and word. A transcript edited by a person
keeps the boxes of the OCR it came from line by line and word by word, found by content
(:mod:`workbench.linemap`): :func:`fit_layout` gives each line its own image line's box and each word its
image word's, and approximates only what has no image (added lines and words).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from lxml import etree

from workbench import linemap
from workbench.errors import InputError
from workbench.layout import Layout, LayoutLine, LayoutWord, empty
from workbench.linemap import Box
from workbench.text import nfc


def xml_parser() -> Any:
    """A parser with no entity expansion and no network: an imported file can neither blow up nor fetch.

    A new one per call, since lxml parsers must not be shared between threads (the TUI imports in workers).
    """
    return etree.XMLParser(resolve_entities=False, no_network=True)


def local_name(el: Any) -> str:
    """An element's tag without its namespace (``""`` for comments and processing instructions)."""
    return el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""


def parse_xml(data: bytes, source: str, root_name: str, kind: str) -> Any:
    """Parse an XML file whose root element must be ``root_name``; errors name ``source`` and ``kind``."""
    try:
        root = etree.fromstring(data, parser=xml_parser())
    except etree.XMLSyntaxError as e:
        raise InputError(f"{source}: not well-formed XML ({e}).", path=source) from e
    if local_name(root) != root_name:
        raise InputError(f"{source}: not {kind} (root element <{local_name(root)}>).", path=source)
    return root


def describe(el: Any) -> str:
    """An element as a user finds it in the file: ``<String ID="w3"> on line 12``."""
    ident = el.get("ID") or el.get("id") if isinstance(el.tag, str) else None
    return f"<{local_name(el)}{f' id={ident!r}' if ident else ''}> on line {el.sourceline}"


def bad_box(source: str, el: Any, why: str) -> InputError:
    """The error for an unusable box: the file, the element, and why; nothing is imported."""
    return InputError(
        f"{source}: {describe(el)} has {why}.",
        path=source,
        hint="Fix or remove that element's coordinates (pixels: x, y, width, height ≥ 0); nothing was imported.",
    )


def to_box(values: list[str], source: str, el: Any, *, corners: bool = False) -> list[int]:
    """Four coordinates from a file as ``[x, y, w, h]`` (``corners``: given as x0 y0 x1 y1).

    Refuses non-numbers, NaN and infinities, and boxes with a negative size (inverted corners), naming
    the element.
    """
    try:
        numbers = [float(v) for v in values]
    except (TypeError, ValueError):
        raise bad_box(source, el, f"coordinates that are not numbers ({' '.join(map(str, values))!r})") from None
    if len(numbers) != 4 or not all(math.isfinite(v) for v in numbers):
        raise bad_box(source, el, f"coordinates that are not four finite numbers ({' '.join(map(str, values))!r})")
    x, y, a, b = (round(v) for v in numbers)
    w, h = (a - x, b - y) if corners else (a, b)
    if w < 0 or h < 0:
        raise bad_box(source, el, f"an inverted box (width {w}, height {h})")
    return [x, y, w, h]


def to_number(value: str, source: str, el: Any, what: str) -> float:
    """A number attribute (a confidence, a page size) from a file, refusing non-numbers with the element named."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise bad_box(source, el, f"a {what} that is not a number ({value!r})") from None
    if not math.isfinite(number) or number < 0:
        raise bad_box(source, el, f"a {what} that is not a number 0 or above ({value!r})")
    return number


def clip_layout(layout: dict[str, Any], source: str) -> dict[str, Any]:
    """Boxes clipped to the page (when its size is known); a box wholly outside the page is refused.

    Engines write boxes a pixel or two past the edge; a box entirely off the page is a wrong file or a
    wrong page size, and would crash a later line re-OCR, so it is refused naming the line and word.
    """
    width, height = int(layout.get("width") or 0), int(layout.get("height") or 0)

    def clip(box: list[int], where: str) -> list[int]:
        x, y, w, h = box
        x0, y0, x1, y1 = max(0, x), max(0, y), x + w, y + h
        if width > 0:
            x1 = min(width, x1)
        if height > 0:
            y1 = min(height, y1)
        if x1 < x0 or y1 < y0 or (width > 0 and x0 >= width) or (height > 0 and y0 >= height):
            raise InputError(
                f"{source}: {where} lies outside the page ({width}×{height} pixels).",
                path=source,
                hint="Is the page size right, and the file for this page? Nothing was imported.",
            )
        return [x0, y0, x1 - x0, y1 - y0]

    for i, line in enumerate(layout.get("lines", []), start=1):
        line["box"] = clip(line["box"], f"line {i}")
        for j, word in enumerate(line.get("words", []), start=1):
            word["box"] = clip(word["box"], f"line {i}, word {j} ({word.get('text', '')!r})")
    return layout


#: Our language codes and their names in the formats (ALTO's xsd:language, PAGE's enumeration).
LANG_TO_BCP47 = {"rus": "ru", "aze_cyrl": "az-Cyrl", "eng": "en", "deu": "de"}
BCP47_TO_LANG = {v.lower(): k for k, v in LANG_TO_BCP47.items()} | {"az": "aze_cyrl"}
LANG_TO_PAGE = {"rus": "Russian", "aze_cyrl": "Azerbaijani", "eng": "English", "deu": "German"}
PAGE_TO_LANG = {v: k for k, v in LANG_TO_PAGE.items()}


@dataclass(frozen=True)
class PageContent:
    """A page's text and its layout (lines with boxes and words), as read from or written to a file."""

    page_id: str
    text: str
    layout: Layout | None


def _split_box(box: list[int], words: list[str]) -> list[list[int]]:
    """Split a line box among ``words`` in proportion to their lengths (plus one for each space)."""
    x, y, w, h = box
    weights = [len(word) + 1 for word in words]
    total = sum(weights) or 1
    out: list[list[int]] = []
    pos = float(x)
    for word, weight in zip(words, weights, strict=True):
        width = w * weight / total
        word_w = max(1, round(width * len(word) / weight))
        out.append([round(pos), y, word_w, h])
        pos += width
    return out


def fit_layout(text: str, layout: Layout | None, *, width: int | None = None, height: int | None = None) -> Layout:
    """A layout whose line ``i`` holds exactly the words of ``text``'s ``i``-th non-empty line.

    Each text line gets the box of its own image line (:func:`workbench.linemap.line_box`: found by content,
    so deleted, added, split and merged lines do not shift the boxes) and each word the box of the image
    word it came from; words a person added share the room left between them in proportion to length. A
    line with no image line gets a box in the gap where it stands, marked ``"approximate": true`` (as is
    the whole layout then); without any layout, lines are laid out evenly.
    """
    text = nfc(text)
    all_lines = text.split("\n")
    kept = [i for i, line in enumerate(all_lines) if line.strip()]
    given = layout or empty()
    src = list(given["lines"])
    page_w = int(given["width"] or width or 2480)
    page_h = int(given["height"] or height or max(3508, 60 * (len(kept) + 2)))
    alignment = linemap.align(text, layout) if src else None
    boxes: dict[int, Box] = {}
    if alignment is not None:
        for i in kept:
            box = linemap.line_box(text, layout, i)
            if box is not None:
                boxes[i] = box

    def known(refs: tuple[tuple[int, int] | None, ...] | list[tuple[int, int] | None]) -> list[tuple[Box, Any] | None]:
        """Each text word's image word: its box and confidence, or None (a word a person added)."""
        found: list[tuple[Box, Any] | None] = []
        for ref in refs:
            image_word = src[ref[0]]["words"][ref[1]] if ref is not None else None
            word_box = linemap.as_box(image_word.get("box")) if image_word else None
            found.append((word_box, image_word.get("conf")) if image_word and word_box else None)
        return found

    out_lines: list[LayoutLine] = []
    for k, i in enumerate(kept):
        words = all_lines[i].split()
        box = boxes.get(i)
        if box is None or alignment is None:
            gap = _gap_box(kept, k, boxes, page_w, page_h)
            out_lines.append({"box": list(gap), "words": _words_in(gap, words), "approximate": True})
            continue
        main = src[alignment.lines[i] or 0]
        entry = LayoutLine(box=list(box), words=_place_words(box, words, known(alignment.words[i])))
        for key in ("lang", "conf", "block"):  # what the image line says about itself
            if key in main:
                entry[key] = main[key]
        out_lines.append(entry)
    result: Layout = {
        "width": page_w,
        "height": page_h,
        "image": given.get("image"),
        "frame": given.get("frame"),
        "lines": out_lines,
    }
    if any(line.get("approximate") for line in out_lines):
        result["approximate"] = True
    return result


def _words_in(box: Box, words: list[str]) -> list[LayoutWord]:
    return [{"text": t, "box": b, "conf": None} for t, b in zip(words, _split_box(list(box), words), strict=True)]


def _place_words(line: Box, words: list[str], known: list[tuple[Box, Any] | None]) -> list[LayoutWord]:
    """Words with their image word's box and confidence; runs of words without one share the room between."""
    out: list[LayoutWord] = []
    k = 0
    while k < len(words):
        if known[k] is not None:
            box, conf = known[k]  # type: ignore[misc]
            out.append({"text": words[k], "box": list(box), "conf": conf})
            k += 1
            continue
        end = k
        while end < len(words) and known[end] is None:
            end += 1
        left = out[-1]["box"][0] + out[-1]["box"][2] if out else line[0]
        nxt = known[end] if end < len(words) else None
        right = nxt[0][0] if nxt is not None else line[0] + line[2]
        room = (left, line[1], max(1, right - left), line[3])
        out.extend(_words_in(room, words[k:end]))
        k = end
    return out


def _gap_box(kept: list[int], k: int, boxes: dict[int, Box], page_w: int, page_h: int) -> Box:
    """A box for the ``k``-th kept line, which has no image line: its share of the gap between its neighbours."""
    start = k
    while start > 0 and kept[start - 1] not in boxes:
        start -= 1
    end = k
    while end + 1 < len(kept) and kept[end + 1] not in boxes:
        end += 1
    before = boxes.get(kept[start - 1]) if start > 0 else None
    after = boxes.get(kept[end + 1]) if end + 1 < len(kept) else None
    if before is None and after is None:
        step = page_h / (len(kept) + 2)
        return (int(page_w * 0.05), int(step * (k + 1)), int(page_w * 0.9), max(1, int(step * 0.8)))
    ref = before or after
    assert ref is not None
    x, w = ref[0], ref[2]
    run = end - start + 1
    if before is not None and after is not None:
        y0, y1 = before[1] + before[3], after[1]
    elif before is not None:
        y0, y1 = before[1] + before[3], before[1] + before[3] + run * before[3]
    else:
        assert after is not None
        y0, y1 = max(0, after[1] - run * after[3]), after[1]
    slot = max(1.0, (y1 - y0) / run)
    return (x, int(y0 + slot * (k - start)), w, max(1, int(slot)))


def union_box(boxes: list[list[int]]) -> list[int]:
    """The smallest box holding all ``boxes``."""
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[0] + b[2] for b in boxes)
    y1 = max(b[1] + b[3] for b in boxes)
    return [x0, y0, x1 - x0, y1 - y0]


def blocks(layout: Layout) -> list[list[LayoutLine]]:
    """The layout's lines grouped into consecutive blocks (by each line's ``block`` number, if any)."""
    groups: list[list[LayoutLine]] = []
    last: Any = object()
    for line in layout["lines"]:
        key = line.get("block")
        if not groups or key != last:
            groups.append([])
        groups[-1].append(line)
        last = key
    return groups
