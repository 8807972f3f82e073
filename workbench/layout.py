"""The OCR layout of a page: its lines and words with boxes and confidences, as ``layout.json`` stores it.

Typed dictionaries rather than classes: a layout is JSON on disk and in the formats, and code reads it as
``layout["lines"][i]["box"]``; the types let mypy check those reads from the OCR to the export. Boxes are
``[x, y, w, h]`` in pixels of the original scan; ``conf`` is Tesseract's 0–100. Text line *i* of an OCR
version is ``" ".join`` of the word texts of ``lines[i]`` (see docs/ARCHITECTURE.md).
"""

from __future__ import annotations

import json
from typing import Any, NotRequired, TypedDict, cast


class LayoutWord(TypedDict):
    """A word: its text, box and (from OCR) confidence."""

    text: str
    box: list[int]
    conf: NotRequired[float | None]  # None: a word a person added (no OCR confidence)


class LayoutLine(TypedDict):
    """A line: its box, words, and (from OCR) language, confidence and Tesseract's text block."""

    box: list[int]
    words: list[LayoutWord]
    lang: NotRequired[str]
    conf: NotRequired[float]
    block: NotRequired[int | None]
    approximate: NotRequired[bool]  # the box was placed in a gap, not found on the image


class Layout(TypedDict):
    """A page: its size in pixels, the scan it was read from (path under the project, TIFF/PDF frame), lines."""

    width: int
    height: int
    lines: list[LayoutLine]
    image: NotRequired[str | None]
    frame: NotRequired[int | None]
    approximate: NotRequired[bool]  # some line's box is approximate
    source_image: NotRequired[str | None]  # an imported file's own image name (``image`` is the scan here)


def empty() -> Layout:
    """A layout without lines or size (what a page without OCR has)."""
    return {"width": 0, "height": 0, "lines": []}


def line_text(line: LayoutLine) -> str:
    """What the OCR read on a line: its words' texts joined by single spaces."""
    return " ".join(w["text"] for w in line["words"])


def layout_text(layout: Layout) -> str:
    """The text a layout spells: each line's words joined by spaces, lines by newlines."""
    return "\n".join(line_text(line) for line in layout["lines"])


def from_json(data: Any) -> Layout:
    """A layout parsed from ``layout.json`` (checked to be an object with a list of lines; else ``ValueError``)."""
    if not isinstance(data, dict) or not isinstance(data.get("lines", []), list):
        raise ValueError("not a layout: expected an object with a list of lines")
    data.setdefault("lines", [])
    return cast(Layout, data)


def loads(data: bytes | str) -> Layout:
    """Parse ``layout.json``'s bytes; a file that is not JSON or not a layout raises ``ValueError``."""
    return from_json(json.loads(data))
