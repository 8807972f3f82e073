"""The image box of each hit: the OCR layout line its text line came from (``workbench.linemap``, by content)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.errors import IntegrityError
from workbench.search.model import Hit

if TYPE_CHECKING:
    from workbench.layout import Layout
    from workbench.project import Project


def line_boxes(text: str, layout: Layout | None) -> list[tuple[int, int, int, int] | None]:
    """The box (x, y, w, h in scan pixels) of each line of ``text``, or None for a line with no image line."""
    n = len(text.split("\n"))
    if not layout or not layout.get("lines"):
        return [None] * n
    from workbench.linemap import line_map

    out: list[tuple[int, int, int, int] | None] = []
    for idx in line_map(text, layout):
        box = layout["lines"][idx].get("box") if idx is not None else None
        out.append((int(box[0]), int(box[1]), int(box[2]), int(box[3])) if box else None)
    return out


def with_boxes(project: Project, hits: list[Hit]) -> list[Hit]:
    """``hits`` with their image boxes (each page's text and newest layout read once)."""
    from workbench.store import TranscriptStore

    store = TranscriptStore(project)
    cache: dict[tuple[str, int], list[tuple[int, int, int, int] | None]] = {}
    out: list[Hit] = []
    for h in hits:
        key = (h.page, h.version)
        boxes = cache.get(key)
        if boxes is None:
            try:
                boxes = line_boxes(store.read(h.page, h.version).text, store.latest_layout(h.page, skip_damaged=True))
            except IntegrityError:
                boxes = []  # a damaged version has no trustworthy line numbers to box
            cache[key] = boxes
        out.append(h._replace(box=boxes[h.line] if h.line < len(boxes) else None))
    return out
