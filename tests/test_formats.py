"""Export and import: txt, hOCR, ALTO, PAGE XML; round trips, real EHRI ALTO, schema and structure checks."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from workbench.errors import EncodingError, InputError
from workbench.formats import EXTENSIONS, detect_format, dumps, export_pages, import_file, loads, output_path
from workbench.formats.model import PageContent, fit_layout
from workbench.project import Project, init_project
from workbench.store import TranscriptStore

LAYOUT = {
    "width": 2480,
    "height": 3508,
    "image": "scans/doc/p1.png",
    "frame": None,
    "lines": [
        {
            "box": [200, 300, 900, 60],
            "lang": "rus",
            "conf": 91.2,
            "block": 1,
            "words": [
                {"text": "Товарищ", "box": [200, 300, 300, 60], "conf": 95.1},
                {"text": "Багиров,", "box": [540, 302, 330, 58], "conf": 87.25},
            ],
        },
        {
            "box": [200, 400, 1200, 62],
            "lang": "aze_cyrl",
            "conf": 80.0,
            "block": 1,
            "words": [
                {"text": "Азәрбайҹан", "box": [200, 400, 500, 62], "conf": 80.0},
                {"text": "һаггында", "box": [740, 401, 420, 60], "conf": 79.5},
                {"text": "«ш»", "box": [1200, 401, 100, 60], "conf": 70.0},
            ],
        },
        {
            "box": [200, 800, 400, 60],
            "block": 2,
            "words": [{"text": "1946", "box": [200, 800, 200, 60], "conf": 99.0}],
        },
    ],
}
TEXT = "Товарищ Багиров,\nАзәрбайҹан һаггында «ш»\n1946"


def geometry(layout: dict) -> list:
    return [(line["box"], [(w["text"], w["box"]) for w in line["words"]], line.get("lang")) for line in layout["lines"]]


@pytest.mark.parametrize("fmt", ["hocr", "alto", "page"])
def test_round_trip_keeps_text_boxes_and_languages(fmt: str) -> None:
    data = dumps(PageContent("doc/p1", TEXT, LAYOUT), fmt)
    assert detect_format(data, "whatever.xml" if fmt != "hocr" else "x.hocr") == fmt
    back = loads(data, f"p1{EXTENSIONS[fmt]}")
    assert back.text == TEXT
    assert geometry(back.layout) == geometry(LAYOUT)
    assert (back.layout["width"], back.layout["height"]) == (2480, 3508)
    if fmt in ("alto", "page"):  # hOCR's x_wconf is an integer by convention
        assert [w["conf"] for line in back.layout["lines"] for w in line["words"]] == [
            w["conf"] for line in LAYOUT["lines"] for w in line["words"]
        ]


def test_txt_round_trip() -> None:
    data = dumps(PageContent("doc/p1", TEXT, None), "txt")
    assert data.decode("utf-8") == TEXT + "\n"
    assert loads(data, "p1.txt").text == TEXT + "\n"


def test_alto_structure() -> None:
    root = etree.fromstring(dumps(PageContent("doc/p1", TEXT, LAYOUT), "alto"))
    ns = {"a": "http://www.loc.gov/standards/alto/ns-v4#"}
    assert root.tag == "{http://www.loc.gov/standards/alto/ns-v4#}alto"
    assert root.findtext("a:Description/a:MeasurementUnit", namespaces=ns) == "pixel"
    page = root.find("a:Layout/a:Page", ns)
    assert (page.get("WIDTH"), page.get("HEIGHT")) == ("2480", "3508")
    blocks = page.findall("a:PrintSpace/a:TextBlock", ns)
    assert [len(b.findall("a:TextLine", ns)) for b in blocks] == [2, 1]
    line = blocks[0].findall("a:TextLine", ns)[1]
    assert line.get("LANG") == "az-Cyrl"
    assert [s.get("CONTENT") for s in line.findall("a:String", ns)] == ["Азәрбайҹан", "һаггында", "«ш»"]
    assert len(line.findall("a:SP", ns)) == 2
    ids = [el.get("ID") for el in root.iter() if el.get("ID")]
    assert len(ids) == len(set(ids))


def _page_xsd() -> Path | None:
    """PAGE's schema as shipped by the OCR-D package on PyPI (`ocrd`), if installed."""
    spec = importlib.util.find_spec("ocrd_validators")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "page.xsd"
    return path if path.exists() else None


def test_page_xml_is_valid_against_the_schema_or_has_the_structure() -> None:
    data = dumps(PageContent("doc/p1", TEXT, LAYOUT), "page")
    doc = etree.fromstring(data)
    xsd = _page_xsd()
    if xsd is not None:
        schema = etree.XMLSchema(etree.parse(str(xsd)))
        assert schema.validate(doc), schema.error_log
    ns = {"p": "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"}
    page = doc.find("p:Page", ns)
    assert page.get("imageFilename") == "scans/doc/p1.png"
    regions = page.findall("p:TextRegion", ns)
    assert len(regions) == 2
    first = regions[0].findall("p:TextLine", ns)[0]
    assert [c.tag.split("}")[1] for c in first] == ["Coords", "Word", "Word", "TextEquiv"]  # schema order
    assert first.findtext("p:TextEquiv/p:Unicode", namespaces=ns) == "Товарищ Багиров,"
    assert first.get("primaryLanguage") == "Russian"
    assert doc.find("p:Metadata/p:Created", ns).text


@pytest.mark.skipif(_page_xsd() is None, reason="PAGE schema not installed (pip install --no-deps ocrd)")
def test_page_xml_schema_rejects_a_broken_file() -> None:
    """The schema check above can fail: a TextLine without Coords is invalid."""
    data = dumps(PageContent("doc/p1", TEXT, LAYOUT), "page")
    doc = etree.fromstring(data)
    line = next(el for el in doc.iter() if el.tag.endswith("TextLine"))
    line.remove(line[0])
    assert not etree.XMLSchema(etree.parse(str(_page_xsd()))).validate(doc)


def test_real_ehri_alto_imports_with_its_lines(shared: Path, tmp_project: Project) -> None:
    xml = shared / "data/real/ehri_typewritten_pages/data/english/EHRI-BF-19380509b_EN_01.xml"
    tree = etree.parse(str(xml))
    ns = {"a": tree.getroot().nsmap[None]}
    expected = [
        " ".join(s.get("CONTENT") for s in tl.findall("a:String", ns)).strip()
        for tl in tree.iterfind(".//a:TextLine", ns)
    ]
    result = import_file(tmp_project, xml, "ehri/en1")
    version = TranscriptStore(tmp_project).read("ehri/en1")
    assert result.version.source == "import"
    assert version.text.split("\n") == [line for line in expected if line]
    layout = version.layout()
    assert layout["width"] == 934 and layout["lines"][0]["box"] == [521, 115, 256, 41]


def test_export_names_files_by_page_id_with_subfolders(tmp_project: Project, tmp_path: Path) -> None:
    store = TranscriptStore(tmp_project)
    store.save("bagirov-1946/p2", TEXT, source="ocr", layout=LAYOUT)
    store.save("azeri-1955-az/p1", "гарбл\n", source="import")
    out = tmp_path / "out"
    files = export_pages(tmp_project, ["bagirov-1946/p2", "azeri-1955-az/p1"], "alto", out)
    assert files == [out / "bagirov-1946" / "p2.alto.xml", out / "azeri-1955-az" / "p1.alto.xml"]
    assert output_path(out, "doc/file#2", "page") == out / "doc" / "file#2.page.xml"
    # A page without a layout still gets valid geometry (approximate), and its text survives the trip.
    back = loads(files[1].read_bytes(), files[1].name)
    assert back.text == "гарбл"


def test_fit_layout_keeps_boxes_where_words_still_match() -> None:
    edited = "Товарищ Багиров!\nАзәрбайҹан һаггында бир сөз «ш»\n1946"
    fitted = fit_layout(edited, LAYOUT)
    assert fitted["lines"][0]["words"][1] == {"text": "Багиров!", "box": [540, 302, 330, 58], "conf": 87.25}
    words = fitted["lines"][1]["words"]
    assert [w["text"] for w in words] == edited.split("\n")[1].split()
    assert all(200 <= w["box"][0] < 1400 for w in words)  # split within the line's box
    assert "approximate" not in fitted
    assert fit_layout("one\ntwo", LAYOUT)["approximate"] is True


def test_bad_inputs_are_clear_errors(tmp_project: Project, tmp_path: Path) -> None:
    broken = tmp_path / "broken.alto.xml"
    broken.write_bytes(b"<alto><Layout>")
    with pytest.raises(InputError, match=r"broken\.alto\.xml"):
        import_file(tmp_project, broken, "doc/p1")
    other = tmp_path / "other.xml"
    other.write_bytes(b"<?xml version='1.0'?><svg/>")
    with pytest.raises(InputError, match="neither ALTO nor PAGE"):
        import_file(tmp_project, other, "doc/p1")
    cp1251 = tmp_path / "p.txt"
    cp1251.write_bytes("Товарищ".encode("cp1251"))
    with pytest.raises(EncodingError, match="byte offset 0"):
        import_file(tmp_project, cp1251, "doc/p1")
    mm = tmp_path / "mm.xml"
    mm.write_bytes(
        b'<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#"><Description>'
        b"<MeasurementUnit>mm10</MeasurementUnit></Description></alto>"
    )
    with pytest.raises(InputError, match="mm10"):
        import_file(tmp_project, mm, "doc/p1")
    assert TranscriptStore(tmp_project).latest_number("doc/p1") is None  # nothing was written


def test_cli_export_and_import(tmp_path: Path) -> None:
    project = init_project(tmp_path / "proj")
    TranscriptStore(project).save("doc/p1", TEXT, source="ocr", layout=LAYOUT)
    run = [sys.executable, "-m", "workbench", "-C", str(project.root)]
    out = tmp_path / "out"
    for fmt in ("txt", "hocr", "alto", "page"):
        proc = subprocess.run(
            [*run, "export", "--all", "--format", fmt, "-o", str(out)], capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stderr
    assert (out / "doc" / "p1.txt").read_text("utf-8") == TEXT + "\n"
    proc = subprocess.run(
        [*run, "import", str(out / "doc" / "p1.page.xml"), "--page", "doc/p2"], capture_output=True, text=True
    )
    assert proc.returncode == 0 and "version 1" in proc.stdout
    assert TranscriptStore(project).read("doc/p2").text == TEXT
    proc = subprocess.run([*run, "export", "doc/p1", "--all", "-o", str(out)], capture_output=True, text=True)
    assert proc.returncode == 2


@pytest.mark.tesseract
def test_tesseract_own_hocr_and_alto_import(tmp_project: Project, tmp_path: Path) -> None:
    """Files written by Tesseract itself (not by us) import with the words Tesseract read."""
    from PIL import Image
    from test_ocr_support import RUSSIAN, render_lines

    image = tmp_path / "page.png"
    Image.fromarray(render_lines(RUSSIAN[:2])).save(image)
    for fmt in ("hocr", "alto"):
        subprocess.run(
            ["tesseract", str(image), str(tmp_path / "out"), "-l", "rus", fmt], check=True, capture_output=True
        )
        ext = "hocr" if fmt == "hocr" else "xml"
        result = import_file(tmp_project, tmp_path / f"out.{ext}", f"doc/{fmt}")
        version = TranscriptStore(tmp_project).read(f"doc/{fmt}")
        assert result.version.source == "import"
        assert version.text.split("\n") == RUSSIAN[:2]
        words = [w for line in version.layout()["lines"] for w in line["words"]]
        assert words[0]["text"] == "Уважаемый" and 40 <= words[0]["box"][0] <= 80


def test_exports_put_each_line_on_its_own_box_after_a_line_is_deleted(tmp_project: Project, tmp_path: Path) -> None:
    """Issue 9: after deleting the noise line «ит», ALTO gave «МОСКВА» HPOS=124 … WIDTH=2232 (another line's box).

    The layout is Tesseract's own reading of ``scans/bagirov-1946/p1.jpg`` (tests/data/ocr/).
    """
    import json

    layout = json.loads((Path(__file__).parent / "data/ocr/bagirov-1946-p1.layout.json").read_text(encoding="utf-8"))
    ocr_lines = [" ".join(w["text"] for w in line["words"]) for line in layout["lines"]]
    store = TranscriptStore(tmp_project)
    store.save("bagirov-1946/p1", "\n".join(ocr_lines), source="ocr", layout=layout)
    # The transcriber deletes «ит», adds a blank line after the address and corrects a letter.
    edited = [ocr_lines[1], "", *ocr_lines[2:]]
    edited[4] = edited[4].replace("демохратической", "демократической")
    store.save("bagirov-1946/p1", "\n".join(edited), source="edit")
    out = tmp_path / "out"
    for fmt in ("alto", "page", "hocr"):
        (path,) = export_pages(tmp_project, ["bagirov-1946/p1"], fmt, out)
        back = loads(path.read_bytes(), path.name)
        assert back.layout is not None
        boxes = [line["box"] for line in back.layout["lines"]]
        assert boxes[0] == [379, 229, 208, 71], fmt  # «МОСКВА»
        assert boxes == [line["box"] for line in layout["lines"][1:]], fmt
    alto = (out / "bagirov-1946" / "p1.alto.xml").read_text(encoding="utf-8")
    assert 'HPOS="379" VPOS="229" WIDTH="208" HEIGHT="71"' in alto


def test_fit_layout_gives_added_lines_a_box_of_their_own_in_the_gap() -> None:
    text = "Товарищ Багиров,\nНовая строка переписчика\nАзәрбайҹан һаггында «ш»\n1946"
    fitted = fit_layout(text, LAYOUT)
    lines = fitted["lines"]
    assert [line["box"] for line in (lines[0], lines[2], lines[3])] == [line["box"] for line in LAYOUT["lines"]]
    added = lines[1]
    assert added["approximate"] is True and fitted["approximate"] is True
    assert 360 <= added["box"][1] and added["box"][1] + added["box"][3] <= 400  # between its neighbours
    assert "approximate" not in lines[0]
