"""ALTO XML (v4, ``http://www.loc.gov/standards/alto/ns-v4#``); reading also takes v2 and v3 files."""

from __future__ import annotations

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
    parse_xml,
    to_box,
    to_number,
    union_box,
)
from workbench.layout import empty, from_json, layout_text
from workbench.text import nfc

NS = "http://www.loc.gov/standards/alto/ns-v4#"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NS} http://www.loc.gov/standards/alto/v4/alto-4-2.xsd"


def _pos(el: Any, box: list[int]) -> None:
    x, y, w, h = box
    el.set("HPOS", str(x))
    el.set("VPOS", str(y))
    el.set("WIDTH", str(w))
    el.set("HEIGHT", str(h))


#: The default namespace is the key None (lxml's convention; its stubs type the keys as str).
_NSMAP: dict[Any, str] = {None: NS, "xsi": XSI}


def dump(page: PageContent) -> bytes:
    """Write ``page`` (whose layout fits its text) as ALTO 4.2, in pixels."""
    layout = page.layout or empty()

    def q(name: str) -> str:  # a local shorthand keeps the tree readable
        return f"{{{NS}}}{name}"

    root = etree.Element(q("alto"), nsmap=_NSMAP)
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    desc = etree.SubElement(root, q("Description"))
    etree.SubElement(desc, q("MeasurementUnit")).text = "pixel"
    info = etree.SubElement(desc, q("sourceImageInformation"))
    etree.SubElement(info, q("fileName")).text = layout.get("image") or page.page_id
    proc = etree.SubElement(desc, q("OCRProcessing"), ID="OCR_0")
    step = etree.SubElement(proc, q("ocrProcessingStep"))
    software = etree.SubElement(step, q("processingSoftware"))
    etree.SubElement(software, q("softwareName")).text = "workbench"
    lay = etree.SubElement(root, q("Layout"))
    w, h = int(layout.get("width", 0)), int(layout.get("height", 0))
    pg = etree.SubElement(lay, q("Page"), ID="PAGE_1", PHYSICAL_IMG_NR="1", WIDTH=str(w), HEIGHT=str(h))
    space = etree.SubElement(pg, q("PrintSpace"))
    _pos(space, [0, 0, w, h])
    n_line = n_word = 0
    for b, group in enumerate(blocks(layout), start=1):
        block = etree.SubElement(space, q("TextBlock"), ID=f"BLOCK_{b}")
        _pos(block, union_box([line["box"] for line in group]))
        for line in group:
            n_line += 1
            tl = etree.SubElement(block, q("TextLine"), ID=f"LINE_{n_line}")
            _pos(tl, line["box"])
            if line.get("lang") in LANG_TO_BCP47:
                tl.set("LANG", LANG_TO_BCP47[line["lang"]])
            for i, word in enumerate(line["words"]):
                n_word += 1
                if i:
                    prev = line["words"][i - 1]["box"]
                    gap_x = prev[0] + prev[2]
                    sp = etree.SubElement(tl, q("SP"))
                    sp.set("WIDTH", str(max(0, word["box"][0] - gap_x)))
                    sp.set("HPOS", str(gap_x))
                    sp.set("VPOS", str(word["box"][1]))
                s = etree.SubElement(tl, q("String"), ID=f"STRING_{n_word}", CONTENT=word["text"])
                _pos(s, word["box"])
                if (conf := word.get("conf")) is not None:
                    s.set("WC", f"{max(0.0, min(100.0, float(conf))) / 100:.4f}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _box(el: Any, source: str) -> list[int] | None:
    values = [el.get(k) for k in ("HPOS", "VPOS", "WIDTH", "HEIGHT")]
    if all(v is None for v in values):
        return None
    return to_box(values, source, el)


def load(data: bytes, source: str) -> PageContent:
    """Read an ALTO file (any version; pixel units) into text and layout."""
    root = parse_xml(data, source, "alto", "an ALTO file")
    unit = next((el.text for el in root.iter() if local_name(el) == "MeasurementUnit"), "pixel") or "pixel"
    if unit.strip() != "pixel":
        raise InputError(
            f"{source}: ALTO measurement unit {unit.strip()!r} is not supported; only pixel coordinates are.",
            path=source,
            hint="Convert the file to pixel units (e.g. with ocr-fileformat) or import its text as .txt.",
        )
    width = height = 0
    image = next((el.text for el in root.iter() if local_name(el) == "fileName"), None)
    lines: list[dict[str, Any]] = []
    for el in root.iter():
        name = local_name(el)
        if name == "Page":
            width = round(to_number(el.get("WIDTH") or "0", source, el, "WIDTH"))
            height = round(to_number(el.get("HEIGHT") or "0", source, el, "HEIGHT"))
        if name != "TextLine":
            continue
        box = _box(el, source)
        words: list[dict[str, Any]] = []
        for child in el:
            cname = local_name(child)
            if cname == "String":
                text = nfc((child.get("CONTENT") or "").strip())
                if not text:
                    continue
                wc = child.get("WC")
                words.append(
                    {
                        "text": text,
                        "box": _box(child, source) or box,
                        "conf": round(to_number(wc, source, child, "WC") * 100, 2) if wc else None,
                    }
                )
            elif cname == "HYP" and words:
                words[-1]["text"] += child.get("CONTENT") or "-"
        words = [w for w in words if w["box"] is not None]
        if not words:
            continue
        line: dict[str, Any] = {"box": box or union_box([w["box"] for w in words]), "words": words}
        lang = el.get("LANG")
        if lang and lang.lower() in BCP47_TO_LANG:
            line["lang"] = BCP47_TO_LANG[lang.lower()]
        lines.append(line)
    layout = from_json(
        clip_layout({"width": width, "height": height, "image": image, "frame": None, "lines": lines}, source)
    )
    return PageContent(page_id="", text=layout_text(layout), layout=layout)
