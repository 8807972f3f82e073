"""The page pipeline with the real Tesseract: languages per line, boxes in scan pixels, storing results."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from test_ocr_support import AZERBAIJANI, RUSSIAN, make_project, render_lines

from workbench.errors import PageError, ScanError, UsageError
from workbench.metrics import character_error_rate
from workbench.ocr.models import PROJECT_MODEL
from workbench.ocr.pipeline import (
    apply_ocr_result,
    combine_aze_rus,
    ocr_page,
    pick_known,
    plan_take,
    repair_aze_yot,
    score_line,
)
from workbench.project import Project
from workbench.store import TranscriptStore

MIXED = RUSSIAN + AZERBAIJANI


@pytest.fixture(scope="module")
def mixed_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("mixed") / "proj"
    return make_project(root, {"p1": render_lines(MIXED, noise=40, angle=1.0)}, languages=("rus", "aze_cyrl"))


@pytest.fixture(scope="module")
def mixed_result(mixed_project: Project):
    return ocr_page(mixed_project, "doc/p1")


@pytest.mark.tesseract
def test_auto_chooses_the_language_of_each_line(mixed_result) -> None:
    assert mixed_result.meta["line_langs"] == ["rus"] * 3 + ["aze_cyrl"] * 3
    # Measured 1.3 % on this page (letter heuristic alone, no dictionary built); margin for engine noise.
    assert character_error_rate("\n".join(MIXED), mixed_result.text) < 0.03
    text = mixed_result.text
    assert unicodedata.is_normalized("NFC", text)
    assert not any(unicodedata.combining(ch) for ch in text)  # no с̧ ҹ̧ ҝ̆ ы̇ left
    assert "ҝәлмиш" in text  # the project's model (the default) writes ш; the system aze_cyrl has none
    meta = mixed_result.meta
    assert meta["engine"] == "tesseract" and meta["tesseract_version"]
    assert set(meta["models"]) == {"rus", PROJECT_MODEL}
    assert next(s["step"] for s in meta["preprocessing"]) == "grayscale"
    assert meta["cache_key"].startswith("sha256:")


@pytest.mark.tesseract
def test_layout_lines_spell_the_text_and_boxes_hold_ink(mixed_project: Project, mixed_result) -> None:
    from workbench.scans import load_grey

    layout = mixed_result.layout
    original = load_grey(mixed_project.page("doc/p1").scan)
    assert (layout["width"], layout["height"]) == (original.shape[1], original.shape[0])
    text_lines = mixed_result.text.split("\n")
    assert len(layout["lines"]) == len(text_lines)
    for line, text in zip(layout["lines"], text_lines, strict=True):
        assert " ".join(w["text"] for w in line["words"]) == text
        for w in line["words"]:
            x, y, bw, bh = w["box"]
            assert (original[y : y + bh, x : x + bw] < 128).mean() > 0.05  # the box is on the word's ink


@pytest.mark.tesseract
def test_boxes_are_in_original_scan_pixels_through_crop_and_upscale(tmp_path: Path) -> None:
    border, size = 30, 18  # small type: the pipeline upscales, and it crops the black frame
    project = make_project(tmp_path / "p", {"p1": render_lines(RUSSIAN, size=size, border=border)})
    result = ocr_page(project, "doc/p1", lang="rus")
    steps = {s["step"]: s for s in result.meta["preprocessing"]}
    assert steps["upscale"]["factor"] > 1.0 and steps["crop_border"]["box"][0] > 0
    for i, line in enumerate(result.layout["lines"]):
        x, y, _, _ = line["box"]
        top_of_text = border + 40 + int(i * size * 2.2)  # where render_lines drew it
        assert abs(x - (border + 60)) <= 6
        assert top_of_text - 4 <= y <= top_of_text + size // 2


@pytest.mark.tesseract
def test_document_metadata_fixes_the_language_of_a_region(tmp_path: Path) -> None:
    toml = '[[pages.p1.regions]]\nlang = "rus"\nlines = [4, 5]\n'
    project = make_project(tmp_path / "p", {"p1": render_lines(MIXED)}, languages=("rus", "aze_cyrl"), extra_toml=toml)
    result = ocr_page(project, "doc/p1")
    assert result.meta["line_langs"] == ["rus"] * 3 + ["rus", "rus", "aze_cyrl"]
    # An explicit language wins over the metadata: one model, one run.
    forced = ocr_page(project, "doc/p1", lang="aze_cyrl")
    # (A Russian page read as Azerbaijani is doubtful, so the plain image may be read too: still one model.)
    # The engine's name for it: the project's model, the default for aze_cyrl.
    runs = {r["lang"] for r in forced.meta["runs"]}
    assert set(forced.meta["line_langs"]) == {"aze_cyrl"} and runs == {PROJECT_MODEL}


@pytest.mark.tesseract
def test_result_is_a_version_until_a_person_edits_then_a_candidate(mixed_project: Project, mixed_result) -> None:
    store = TranscriptStore(mixed_project)
    first = apply_ocr_result(store, "doc/p1", mixed_result)
    assert not first.candidate and first.version.source == "ocr" and first.version.ocr["lang"] == "auto"
    assert store.read("doc/p1").layout() == mixed_result.layout
    edited = mixed_result.text.split("\n")
    edited[0] = "Уважаемый товарищ Хрущёв, первое письмо"
    store.save("doc/p1", "\n".join(edited), source="edit", reviewed=[0])
    second = apply_ocr_result(store, "doc/p1", mixed_result)
    assert second.candidate and second.kind == "candidate"
    assert store.latest_number("doc/p1") == 2  # no new version: the OCR went to the candidates
    assert store.candidates("doc/p1")[-1].number == second.version.number
    current = store.read("doc/p1")
    take = plan_take(
        current.text,
        current.meta.reviewed,
        mixed_result.text,
        [0, 1],
        current_layout=store.latest_layout("doc/p1"),
        candidate_layout=mixed_result.layout,
    )
    assert take.text.split("\n")[0] == edited[0] and take.kept == [0]  # the reviewed line was not replaced


@pytest.mark.tesseract
def test_reocr_of_some_lines_keeps_the_rest(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", {"p1": render_lines(RUSSIAN)})
    store = TranscriptStore(project)
    apply_ocr_result(store, "doc/p1", ocr_page(project, "doc/p1", lang="rus"))
    ocr_text = store.read("doc/p1").text.split("\n")
    # A person adds a heading and a blank line, and rewrites the second image line's text by hand.
    store.save(
        "doc/p1",
        "\n".join(["ЗАГОЛОВОК", "", ocr_text[0], "вторая строка, набранная заново", *ocr_text[2:]]),
        source="edit",
    )
    result = ocr_page(project, "doc/p1", lines=(3, 3))  # the version's line 4: image line 2
    assert result.line_range == (3, 3) and result.meta["image_lines"] == [1]
    assert result.text.split("\n") == ["ЗАГОЛОВОК", "", ocr_text[0], RUSSIAN[1], *ocr_text[2:]]
    assert " ".join(w["text"] for w in result.layout["lines"][1]["words"]) == RUSSIAN[1]
    with pytest.raises(UsageError, match="not on page"):
        ocr_page(project, "doc/p1", lines=(2, 9))
    with pytest.raises(UsageError, match="no image line"):
        ocr_page(project, "doc/p1", lines=(0, 1))  # the heading and the blank line


def test_corrupt_scan_is_a_scan_error(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
    project = make_project(tmp_path / "p", {"bad.png": png})
    with pytest.raises(ScanError, match=r"bad\.png"):
        ocr_page(project, "doc/bad")


def test_page_without_scan_cannot_be_ocrd(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", {})
    TranscriptStore(project).save("doc/textonly", "текст", source="import")
    with pytest.raises(PageError, match="no scan"):
        ocr_page(project, "doc/textonly")


def test_plan_take_takes_chosen_lines_by_their_image_and_never_reviewed_ones() -> None:
    current = "alpha one\nbravo two\ncharlie three"
    candidate = "alpha onf\nbravo twx\ncharlie threx\ndelta four"
    take = plan_take(current, [1], candidate, [0, 1, 3])
    assert take.text == "alpha onf\nbravo two\ncharlie three" and take.kept == [1] and take.missing == [3]
    assert plan_take(current, [], candidate, []).text == current
    assert plan_take(current, [], candidate, [9, -1]).missing == [-1, 9]
    # After a line was deleted above, line 2 of the current text is the candidate's line 3.
    assert plan_take("bravo two\ncharlie three", [], candidate, [1]).text == "bravo two\ncharlie threx"


def test_combine_aze_rus_takes_only_letters_aze_cyrl_lacks() -> None:
    assert combine_aze_rus("ип", "иш") == "иш"
    assert combine_aze_rus("Хруппов", "Хрушшов") == "Хрушшов"
    assert combine_aze_rus("Азәрбаиҹан", "Азэрбайчан") == "Азәрбайҹан"  # ә and ҹ stay, й comes from rus
    assert combine_aze_rus("һаггында", "наггында") == "һаггында"
    assert combine_aze_rus("ҝәлмиш", "хэлмиш") == "ҝәлмиш"


def test_repair_aze_yot() -> None:
    assert repair_aze_yot("ПартиИиасы") == "Партийасы"
    assert repair_aze_yot("сиИаси") == "сийаси"
    assert repair_aze_yot("ҹәмиИИәт") == "ҹәмиййәт"
    assert repair_aze_yot("Иран") == "Иран"  # a capital at the start of a word is a capital


def test_score_line_letter_evidence() -> None:
    # The same confidence: Azerbaijani letters favour aze_cyrl, э inside words counts against rus.
    assert score_line("Азәрбайҹан демократлары", 80, "aze_cyrl", None) > score_line(
        "Азэрбайчан демократлары", 80, "rus", None
    )
    assert score_line("объявить съезд", 80, "rus", None) > score_line("объявить съезд", 80, "aze_cyrl", None)
    assert score_line("", 99, "rus", None) < 0


@pytest.mark.tesseract
def test_cer_on_a_sample_archive_page_stays_below_the_measured_figure(sample_project: Project) -> None:
    page = "bagirov-1946/p5"
    gt = sample_project.root / "ground-truth" / f"{page}.txt"
    if not gt.exists():
        pytest.skip("the sample archive is not there")
    result = ocr_page(sample_project, page)

    def norm(t: str) -> str:
        return "\n".join(" ".join(line.split()) for line in t.splitlines() if line.strip())

    # Measured 3.9 % here (plain `tesseract -l rus`: 9.1 %); bench/bench_ocr_cer.py, BENCHMARKS.md.
    assert character_error_rate(norm(gt.read_text("utf-8")), norm(result.text)) < 0.06


def test_pick_known_uses_the_real_azerbaijani_dictionary(tmp_project: Project) -> None:
    from workbench.errors import DictionaryError

    try:
        from workbench.dictionary import load_speller

        speller = load_speller(tmp_project, "aze_cyrl")
    except (ImportError, DictionaryError):
        pytest.skip("the Azerbaijani dictionary is not built (workbench dict build)")
    # From yakubov-1953-az/p1: aze_cyrl read ч as с; the rus reading of the same word is a known word.
    assert pick_known("кесмишдир.", "кечмишдир.", speller, "1939") == "кечмишдир."
    assert pick_known("Бакыда", "Бакыда", speller, "1939") == "Бакыда"  # known: unchanged
    assert pick_known("кесмишдир.", "кечмишдир.", None, "1939") == "кесмишдир."  # no dictionary: unchanged
