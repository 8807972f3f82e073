"""The page content every format reads and writes: text plus a layout (see ``docs/ARCHITECTURE.md``).

Geometry formats (hOCR, ALTO, PAGE) need a box for every line and word. A transcript edited by a person
keeps the layout of the OCR it came from only where it still fits: :func:`fit_layout` keeps the stored
word boxes where a line still has the same number of words, splits the line's box in proportion to the
words' lengths where it does not, and lays lines out evenly when no layout fits at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml import etree

from workbench.errors import InputError
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
    layout: dict[str, Any] | None


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


def fit_layout(
    text: str, layout: dict[str, Any] | None, *, width: int | None = None, height: int | None = None
) -> dict[str, Any]:
    """A layout whose line ``i`` holds exactly the words of ``text``'s ``i``-th non-empty line.

    Boxes come from ``layout`` where they still fit; otherwise they are approximated (see module docstring).
    """
    lines = [line for line in nfc(text).split("\n") if line.strip()]
    src = list((layout or {}).get("lines") or [])
    page_w = int((layout or {}).get("width") or width or 2480)
    page_h = int((layout or {}).get("height") or height or max(3508, 60 * (len(lines) + 2)))
    out_lines: list[dict[str, Any]] = []
    fits = len(src) == len(lines)
    step = page_h / (len(lines) + 2) if lines else page_h
    for i, line in enumerate(lines):
        words = line.split()
        if fits:
            old = src[i]
            box = [int(v) for v in old["box"]]
            old_words = old.get("words") or []
            if len(old_words) == len(words):
                new_words = [
                    {"text": t, "box": [int(v) for v in ow["box"]], "conf": ow.get("conf")}
                    for t, ow in zip(words, old_words, strict=True)
                ]
            else:
                new_words = [
                    {"text": t, "box": b, "conf": None} for t, b in zip(words, _split_box(box, words), strict=True)
                ]
            entry = {k: v for k, v in old.items() if k not in ("words", "box")}
            out_lines.append({**entry, "box": box, "words": new_words})
        else:
            box = [int(page_w * 0.05), int(step * (i + 1)), int(page_w * 0.9), max(1, int(step * 0.8))]
            out_lines.append(
                {
                    "box": box,
                    "words": [
                        {"text": t, "box": b, "conf": None} for t, b in zip(words, _split_box(box, words), strict=True)
                    ],
                }
            )
    return {
        "width": page_w,
        "height": page_h,
        "image": (layout or {}).get("image"),
        "frame": (layout or {}).get("frame"),
        "lines": out_lines,
        **({"approximate": True} if not fits else {}),
    }


def layout_text(layout: dict[str, Any]) -> str:
    """The text a layout spells: each line's words joined by spaces, lines by newlines."""
    return "\n".join(" ".join(w["text"] for w in line["words"]) for line in layout.get("lines", []))


def union_box(boxes: list[list[int]]) -> list[int]:
    """The smallest box holding all ``boxes``."""
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[0] + b[2] for b in boxes)
    y1 = max(b[1] + b[3] for b in boxes)
    return [x0, y0, x1 - x0, y1 - y0]


def blocks(layout: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """The layout's lines grouped into consecutive blocks (by each line's ``block`` number, if any)."""
    groups: list[list[dict[str, Any]]] = []
    last: Any = object()
    for line in layout.get("lines", []):
        key = line.get("block")
        if not groups or key != last:
            groups.append([])
        groups[-1].append(line)
        last = key
    return groups
