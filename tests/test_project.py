"""The project model: discovery, page ids, documents and their metadata, settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from workbench.errors import EncodingError, MetadataError, PageError, ProjectNotFoundError
from workbench.project import Project, find_project, init_project, load_document, split_frame, validate_page_id


def _png(path: Path, size: tuple[int, int] = (40, 30)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("L", size, 255).save(path)
    return path


def test_init_creates_layout_and_is_idempotent(tmp_path: Path) -> None:
    root = tmp_path / "x"
    project = init_project(root)
    for sub in ("scans", "transcripts", "dictionaries"):
        assert (root / sub).is_dir()
    text = (root / "workbench.toml").read_text(encoding="utf-8")
    assert 'name = "x"' in text
    (root / "workbench.toml").write_text(text + "\n# mine\n", encoding="utf-8")
    init_project(root)  # must not overwrite the user's file
    assert (root / "workbench.toml").read_text(encoding="utf-8").endswith("# mine\n")
    assert project.settings().ocr_lang == "auto"


def test_find_project_walks_upward(tmp_project: Project) -> None:
    deep = tmp_project.scans_dir / "doc" / "sub"
    deep.mkdir(parents=True)
    assert find_project(deep).root == tmp_project.root
    assert find_project(tmp_project.config_file).root == tmp_project.root


def test_find_project_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(ProjectNotFoundError) as e:
        find_project(tmp_path)
    assert "workbench init" in str(e.value)
    assert e.value.exit_code == 3


def test_page_ids_from_scan_paths(tmp_project: Project) -> None:
    _png(tmp_project.scans_dir / "bagirov-1946" / "p2.png")
    _png(tmp_project.scans_dir / "bagirov-1946" / "p10.png")
    _png(tmp_project.scans_dir / "bagirov-1946" / "p1.jpg")
    _png(tmp_project.scans_dir / "loose.png")
    (tmp_project.scans_dir / "bagirov-1946" / "notes.txt").write_text("not a scan", encoding="utf-8")
    ids = [p.id for p in tmp_project.pages()]
    assert ids == ["bagirov-1946/p1", "bagirov-1946/p2", "bagirov-1946/p10", "loose"]
    page = tmp_project.page("bagirov-1946/p2")
    assert page.document == "bagirov-1946" and page.scan is not None and page.scan.name == "p2.png"
    assert page.name == "p2"
    assert tmp_project.page("loose").document == ""
    assert tmp_project.documents() == ["", "bagirov-1946"]
    assert tmp_project.neighbours("bagirov-1946/p2") == ("bagirov-1946/p1", "bagirov-1946/p10")


def test_multipage_tiff_and_pdf_give_one_page_per_frame(tmp_project: Project) -> None:
    doc = tmp_project.scans_dir / "doc"
    doc.mkdir()
    frames = [Image.new("L", (50, 40), v) for v in (10, 128, 250)]
    frames[0].save(doc / "multi.tif", save_all=True, append_images=frames[1:])
    frames[0].convert("RGB").save(
        doc / "report.pdf", save_all=True, append_images=[f.convert("RGB") for f in frames[1:2]]
    )
    ids = [p.id for p in tmp_project.pages()]
    assert ids == ["doc/multi#1", "doc/multi#2", "doc/multi#3", "doc/report#1", "doc/report#2"]
    page = tmp_project.page("doc/multi#3")
    assert page.frame == 2
    with pytest.raises(PageError, match="only 3"):
        tmp_project.page("doc/multi#4")


def test_wrong_page_name_suggests_close_ones(tmp_project: Project) -> None:
    _png(tmp_project.scans_dir / "doc" / "p1.png")
    with pytest.raises(PageError) as e:
        tmp_project.page("doc/p11")
    assert "doc/p1" in str(e.value)


@pytest.mark.parametrize(
    "bad", ["", "../etc/passwd", "/etc/passwd", "doc/../x", "doc//p1", "doc/versions", "a\\b", "C:/x", "doc/p1#0"]
)
def test_unsafe_page_ids_are_refused(bad: str) -> None:
    with pytest.raises(PageError):
        validate_page_id(bad)


def test_page_id_is_nfc() -> None:
    nfd = "doc/ве\u0308домость"  # «ё» typed as е + combining diaeresis
    assert validate_page_id(nfd) == "doc/в\u0451домость"
    assert split_frame("doc/f#3") == ("doc/f", 2)
    assert split_frame("doc/f") == ("doc/f", None)


def test_symlink_out_of_project_is_not_a_page(tmp_project: Project, tmp_path: Path) -> None:
    outside = _png(tmp_path / "outside" / "secret.png")
    (tmp_project.scans_dir / "doc").mkdir()
    os.symlink(outside, tmp_project.scans_dir / "doc" / "link.png")
    _png(tmp_project.scans_dir / "doc" / "ok.png")
    assert [p.id for p in tmp_project.pages()] == ["doc/ok"]
    with pytest.raises(PageError, match="outside the project"):
        tmp_project.page("doc/link")


GOOD_DOC = """
title = "Письмо Мир Ага Азери Хрущеву"
date = 1955-06-12
languages = ["rus", "aze_cyrl"]
orthography = "1939"
notes = "Wilson Center Digital Archive"

[citation]
archive = "GAPPOD"
fond = 1
opis = 89
delo = "112"
list = "3-7"

[pages.p2]
lang = "aze_cyrl"
regions = [{ lines = [1, 4], lang = "rus" }, { box = [0, 0, 100, 50], lang = "aze_cyrl" }]
"""


def test_document_metadata_parses(tmp_path: Path) -> None:
    path = tmp_path / "document.toml"
    path.write_text(GOOD_DOC, encoding="utf-8")
    doc = load_document(path, "azeri-1955")
    assert doc.title.startswith("Письмо")
    assert doc.date == "1955-06-12"
    assert doc.languages == ("rus", "aze_cyrl")
    assert str(doc.citation) == "GAPPOD, f. 1, op. 89, d. 112, l. 3-7"
    settings = doc.page_settings("p2")
    assert settings.lang == "aze_cyrl"
    assert settings.regions[0].lines == (1, 4) and settings.regions[1].box == (0, 0, 100, 50)
    assert doc.page_settings("p1").lang is None


def test_missing_document_file_gives_defaults(tmp_path: Path) -> None:
    doc = load_document(tmp_path / "none.toml", "d")
    assert doc.languages == ("rus",) and doc.orthography == "1939"


@pytest.mark.parametrize(
    ("content", "key"),
    [
        ('title = "x"\northography = "1930"', "orthography"),
        ('languages = ["rus", "English"]', "languages"),  # Tesseract names (eng, deu) are fine, words are not
        ("title = 5", "title"),
        ('[citation]\nfond = 1\nshelf = "x"', "citation.shelf"),
        ('colour = "red"', "colour"),
        ('[pages.p1]\nlang = "French"', "pages.p1.lang"),
        ('[pages.p1]\nregions = [{ lines = [3, 1], lang = "rus" }]', "pages.p1.regions[0].lines"),
        ('[pages.p1]\nregions = [{ lang = "rus" }]', "pages.p1.regions[0]"),
        ('title = "unclosed', "TOML"),
    ],
)
def test_bad_document_metadata_names_file_and_key(tmp_path: Path, content: str, key: str) -> None:
    path = tmp_path / "document.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(MetadataError) as e:
        load_document(path, "d")
    assert str(path) in str(e.value)
    assert key in str(e.value)


def test_non_utf8_metadata_names_byte_offset(tmp_path: Path) -> None:
    path = tmp_path / "document.toml"
    path.write_bytes(b'title = "' + "Письмо".encode("cp1251") + b'"\n')
    with pytest.raises(EncodingError) as e:
        load_document(path, "d")
    assert "byte offset 9" in str(e.value)


def test_settings_layers(tmp_project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    tmp_project.config_file.write_text('[project]\nauthor = "Ana"\n[ocr]\nlang = "rus"\njobs = 3\n', encoding="utf-8")
    monkeypatch.delenv("WORKBENCH_AUTHOR", raising=False)
    settings = tmp_project.settings()
    assert (settings.author, settings.ocr_lang, settings.ocr_jobs) == ("Ana", "rus", 3)
    assert tmp_project.author() == "Ana"
    monkeypatch.setenv("WORKBENCH_AUTHOR", "Bahram")
    assert tmp_project.settings({"ocr_jobs": 1}).ocr_jobs == 1
    assert tmp_project.author() == "Bahram"
    tmp_project.config_file.write_text('[ocr]\njobs = "many"\n', encoding="utf-8")
    with pytest.raises(MetadataError, match=r"ocr\.jobs"):
        tmp_project.settings()


def test_text_only_pages_come_from_transcripts(tmp_project: Project) -> None:
    from workbench.store import TranscriptStore

    TranscriptStore(tmp_project).save("azeri-1955-az/p1", "Эриза.", source="import")
    pages = tmp_project.pages()
    assert [(p.id, p.scan) for p in pages] == [("azeri-1955-az/p1", None)]
    assert tmp_project.page("azeri-1955-az/p1").scan is None
