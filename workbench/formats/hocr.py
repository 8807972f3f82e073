"""hOCR (XHTML with ``ocr_page``/``ocr_carea``/``ocr_line``/``ocrx_word`` and ``bbox`` titles)."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from workbench.errors import InputError
from workbench.formats.model import (
    BCP47_TO_LANG,
    LANG_TO_BCP47,
    PageContent,
    blocks,
    clip_layout,
    local_name,
    to_box,
    to_number,
    union_box,
    xml_parser,
)
from workbench.layout import empty, from_json, layout_text
from workbench.text import nfc

XHTML = "http://www.w3.org/1999/xhtml"
_WCONF = re.compile(r"x_wconf\s+([^;\s]+)")
_LINE_CLASSES = {"ocr_line", "ocrx_line", "ocr_textfloat", "ocr_header", "ocr_caption"}


def _title(box: list[int], conf: float | None = None, extra: str = "") -> str:
    x, y, w, h = box
    title = f"bbox {x} {y} {x + w} {y + h}"
    if conf is not None:
        title += f"; x_wconf {round(conf)}"
    return title + extra


#: The default namespace is the key None (lxml's convention; its stubs type the keys as str).
_NSMAP: dict[Any, str] = {None: XHTML}


def dump(page: PageContent) -> bytes:
    """Write ``page`` (whose layout fits its text) as hOCR 1.2."""
    layout = page.layout or empty()
    html = etree.Element(f"{{{XHTML}}}html", nsmap=_NSMAP)
    head = etree.SubElement(html, f"{{{XHTML}}}head")
    etree.SubElement(head, f"{{{XHTML}}}title").text = page.page_id
    etree.SubElement(head, f"{{{XHTML}}}meta", {"http-equiv": "Content-Type", "content": "text/html;charset=utf-8"})
    etree.SubElement(head, f"{{{XHTML}}}meta", {"name": "ocr-system", "content": "workbench"})
    etree.SubElement(
        head,
        f"{{{XHTML}}}meta",
        {"name": "ocr-capabilities", "content": "ocr_page ocr_carea ocr_par ocr_line ocrx_word"},
    )
    body = etree.SubElement(html, f"{{{XHTML}}}body")
    w, h = int(layout.get("width", 0)), int(layout.get("height", 0))
    image = layout.get("image") or ""
    div = etree.SubElement(
        body,
        f"{{{XHTML}}}div",
        {"class": "ocr_page", "id": "page_1", "title": f'image "{image}"; bbox 0 0 {w} {h}; ppageno 0'},
    )
    n_line = n_word = 0
    for b, group in enumerate(blocks(layout), start=1):
        bbox = union_box([line["box"] for line in group])
        area = etree.SubElement(
            div, f"{{{XHTML}}}div", {"class": "ocr_carea", "id": f"block_{b}", "title": _title(bbox)}
        )
        par = etree.SubElement(area, f"{{{XHTML}}}p", {"class": "ocr_par", "id": f"par_{b}", "title": _title(bbox)})
        for line in group:
            n_line += 1
            attrs = {"class": "ocr_line", "id": f"line_{n_line}", "title": _title(line["box"])}
            if line.get("lang") in LANG_TO_BCP47:
                attrs["lang"] = LANG_TO_BCP47[line["lang"]]
            span = etree.SubElement(par, f"{{{XHTML}}}span", attrs)
            for i, word in enumerate(line["words"]):
                n_word += 1
                ws = etree.SubElement(
                    span,
                    f"{{{XHTML}}}span",
                    {"class": "ocrx_word", "id": f"word_{n_word}", "title": _title(word["box"], word.get("conf"))},
                )
                ws.text = word["text"]
                if i < len(line["words"]) - 1:
                    ws.tail = " "
    return etree.tostring(
        html,
        xml_declaration=True,
        encoding="UTF-8",
        pretty_print=True,
        doctype='<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">',
    )


def _classes(el: Any) -> set[str]:
    return set((el.get("class") or "").split())


def _bbox(el: Any, source: str) -> list[int] | None:
    title = el.get("title") or ""
    m = re.search(r"(?:^|;)\s*bbox\s+([^;]*)", title)
    if not m:
        return None
    return to_box(m.group(1).split(), source, el, corners=True)


def load(data: bytes, source: str) -> PageContent:  # noqa: C901 - one walk over the hOCR classes
    """Read an hOCR file (XHTML or plain HTML) into text and layout."""
    try:
        root = etree.fromstring(data, parser=xml_parser())
    except etree.XMLSyntaxError:
        from lxml import html as lhtml

        try:
            root = lhtml.fromstring(data)
        except (etree.ParserError, ValueError) as e:
            raise InputError(f"{source}: not readable hOCR ({e}).", path=source) from e
    width = height = 0
    image = None
    for el in root.iter():
        if "ocr_page" in _classes(el):
            box = _bbox(el, source)
            if box:
                width, height = box[2], box[3]
            m = re.search(r'image\s+"([^"]*)"', el.get("title") or "")
            image = m.group(1) if m else None
            break
    lines: list[dict[str, Any]] = []
    for el in root.iter():
        if not isinstance(el.tag, str) or not (_classes(el) & _LINE_CLASSES):
            continue
        box = _bbox(el, source)
        words: list[dict[str, Any]] = []
        for w in el.iter():
            if isinstance(w.tag, str) and "ocrx_word" in _classes(w):
                text = nfc("".join(w.itertext()).strip())
                if not text:
                    continue
                m = _WCONF.search(w.get("title") or "")
                conf = to_number(m.group(1), source, w, "x_wconf") if m else None
                words.append({"text": text, "box": _bbox(w, source) or box, "conf": conf})
        if not words:
            text = nfc(" ".join("".join(el.itertext()).split()))
            if not text or box is None:
                continue
            words = [{"text": text, "box": box, "conf": None}]
        if box is None:
            box = union_box([w["box"] for w in words if w["box"]])
        line: dict[str, Any] = {"box": box, "words": words}
        lang = el.get("lang") or el.get("{http://www.w3.org/XML/1998/namespace}lang")
        if lang and lang.lower() in BCP47_TO_LANG:
            line["lang"] = BCP47_TO_LANG[lang.lower()]
        lines.append(line)
    if not lines and local_name(root) not in ("html",):
        raise InputError(f"{source}: no hOCR lines (class ocr_line) found.", path=source)
    layout = from_json(
        clip_layout({"width": width, "height": height, "image": image, "frame": None, "lines": lines}, source)
    )
    return PageContent(page_id="", text=layout_text(layout), layout=layout)
