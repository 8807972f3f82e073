"""PAGE XML (PRImA, 2019-07-15 schema); reading also takes the 2013 and 2017 namespaces."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from lxml import etree

from workbench.errors import InputError
from workbench.formats.model import (
    LANG_TO_PAGE,
    PAGE_TO_LANG,
    PageContent,
    bad_box,
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

NS = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NS} {NS}/pagecontent.xsd"


def _points(box: list[int]) -> str:
    x, y, w, h = box
    return f"{x},{y} {x + w},{y} {x + w},{y + h} {x},{y + h}"


#: The default namespace is the key None (lxml's convention; its stubs type the keys as str).
_NSMAP: dict[Any, str] = {None: NS, "xsi": XSI}


def dump(page: PageContent) -> bytes:
    """Write ``page`` (whose layout fits its text) as PAGE XML 2019."""
    layout = page.layout or empty()

    def q(name: str) -> str:  # a local shorthand keeps the tree readable
        return f"{{{NS}}}{name}"

    root = etree.Element(q("PcGts"), nsmap=_NSMAP)
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    meta = etree.SubElement(root, q("Metadata"))
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    etree.SubElement(meta, q("Creator")).text = "workbench"
    etree.SubElement(meta, q("Created")).text = now
    etree.SubElement(meta, q("LastChange")).text = now
    pg = etree.SubElement(
        root,
        q("Page"),
        imageFilename=layout.get("image") or page.page_id,
        imageWidth=str(int(layout.get("width", 0))),
        imageHeight=str(int(layout.get("height", 0))),
    )
    n_line = n_word = 0
    for b, group in enumerate(blocks(layout), start=1):
        region = etree.SubElement(pg, q("TextRegion"), id=f"r{b}")
        etree.SubElement(region, q("Coords"), points=_points(union_box([line["box"] for line in group])))
        for line in group:
            n_line += 1
            tl = etree.SubElement(region, q("TextLine"), id=f"l{n_line}")
            if line.get("lang") in LANG_TO_PAGE:
                tl.set("primaryLanguage", LANG_TO_PAGE[line["lang"]])
            etree.SubElement(tl, q("Coords"), points=_points(line["box"]))
            for word in line["words"]:
                n_word += 1
                we = etree.SubElement(tl, q("Word"), id=f"w{n_word}")
                etree.SubElement(we, q("Coords"), points=_points(word["box"]))
                te = etree.SubElement(we, q("TextEquiv"))
                if (conf := word.get("conf")) is not None:
                    te.set("conf", f"{max(0.0, min(100.0, float(conf))) / 100:.4f}")
                etree.SubElement(te, q("Unicode")).text = word["text"]
            lte = etree.SubElement(tl, q("TextEquiv"))
            etree.SubElement(lte, q("Unicode")).text = " ".join(w["text"] for w in line["words"])
        rte = etree.SubElement(region, q("TextEquiv"))
        etree.SubElement(rte, q("Unicode")).text = "\n".join(
            " ".join(w["text"] for w in line["words"]) for line in group
        )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _child(el: Any, name: str) -> Any:
    return next((c for c in el if local_name(c) == name), None)


def _box(el: Any, source: str) -> list[int] | None:
    coords = _child(el, "Coords")
    if coords is None or not coords.get("points"):
        return None
    points = coords.get("points")
    try:
        pts = [tuple(float(v) for v in p.split(",")) for p in points.split()]
    except ValueError:
        raise bad_box(source, coords, f"points that are not numbers ({points[:60]!r})") from None
    if any(len(p) != 2 for p in pts):
        raise bad_box(source, coords, f"points that are not x,y pairs ({points[:60]!r})")
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    return to_box([str(min(xs)), str(min(ys)), str(max(xs)), str(max(ys))], source, coords, corners=True)


def _text(el: Any, source: str) -> tuple[str | None, float | None]:
    """The first TextEquiv's Unicode (index 0 preferred, as PAGE orders alternatives) and its conf."""
    equivs = [c for c in el if local_name(c) == "TextEquiv"]
    if not equivs:
        return None, None
    equivs.sort(key=lambda e: int(e.get("index", "0") or 0))
    uni = _child(equivs[0], "Unicode")
    conf = equivs[0].get("conf")
    number = round(to_number(conf, source, equivs[0], "conf") * 100, 2) if conf else None
    return (nfc(uni.text or "") if uni is not None else None), number


def load(data: bytes, source: str) -> PageContent:
    """Read a PAGE XML file into text and layout (words where present, else one word per line)."""
    root = parse_xml(data, source, "PcGts", "a PAGE XML file")
    page = next((el for el in root.iter() if local_name(el) == "Page"), None)
    if page is None:
        raise InputError(f"{source}: PAGE XML without a <Page> element.", path=source)
    lines: list[dict[str, Any]] = []
    for el in page.iter():
        if local_name(el) != "TextLine":
            continue
        box = _box(el, source)
        words: list[dict[str, Any]] = []
        for w in el:
            if local_name(w) != "Word":
                continue
            text, conf = _text(w, source)
            if text and text.strip():
                words.append({"text": text.strip(), "box": _box(w, source) or box, "conf": conf})
        line_text, line_conf = _text(el, source)
        joined = " ".join(w["text"] for w in words)
        if line_text is not None and " ".join(line_text.split()) != joined:
            # The line's own text is the transcription; word boxes only if they spell the same thing.
            line_text = " ".join(line_text.split())
            if not line_text:
                continue
            if box is None:
                continue
            words = [{"text": line_text, "box": box, "conf": line_conf}]
        words = [w for w in words if w["box"] is not None]
        if not words:
            continue
        line: dict[str, Any] = {"box": box or union_box([w["box"] for w in words]), "words": words}
        if el.get("primaryLanguage") in PAGE_TO_LANG:
            line["lang"] = PAGE_TO_LANG[el.get("primaryLanguage")]
        lines.append(line)
    layout = from_json(
        clip_layout(
            {
                "width": round(to_number(page.get("imageWidth") or "0", source, page, "imageWidth")),
                "height": round(to_number(page.get("imageHeight") or "0", source, page, "imageHeight")),
                "image": page.get("imageFilename"),
                "frame": None,
                "lines": lines,
            },
            source,
        )
    )
    return PageContent(page_id="", text=layout_text(layout), layout=layout)
