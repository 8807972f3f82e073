"""check_text: positions, hyphenation, split and run-together words, what is never flagged."""

from __future__ import annotations

import pytest

from workbench.dictionary import Flag, check_text, load_speller
from workbench.dictionary.check import check_page
from workbench.project import Project
from workbench.store import TranscriptStore

pytestmark = pytest.mark.usefixtures("small_data")


@pytest.fixture
def spellers() -> dict:
    return {"rus": load_speller(None, "rus"), "aze_cyrl": load_speller(None, "aze_cyrl")}


def words(flags: list[Flag]) -> list[str]:
    return [f.word for f in flags]


def test_positions_are_line_and_column_of_the_word(spellers: dict) -> None:
    text = "Товарищ секретарь,\nписьмо получнл вчера."
    flags = check_text(text, spellers, ["rus"])
    assert words(flags) == ["получнл"]
    f = flags[0]
    assert (f.line, f.start, f.end) == (1, 7, 14)
    assert text.split("\n")[f.line][f.start : f.end] == "получнл"
    assert f.lang == "rus" and f.suggestions[0].term == "получил"


def test_numbers_dates_signatures_and_punctuation_are_not_flagged(spellers: dict) -> None:
    text = (
        "РГАНИ, ф. 5, оп. 28, д. 347, л. 12.\n"
        "1 декабря 1954 года, 16.XII.1954, № 15-га, 30-го.\n"
        "— «...» (!) ; ЦК ВКП(б), СССР; Mir Aga Azari."
    )
    assert check_text(text, spellers, ["rus"]) == []


def test_line_end_hyphenation_is_joined(spellers: dict) -> None:
    text = "Он слу-\nжит в партии."
    assert check_text(text, spellers, ["rus"]) == []
    bad = check_text("Он слу-\nжнт в партии.", spellers, ["rus"])
    assert len(bad) == 1
    assert bad[0].word == "служнт" and bad[0].line == 0 and bad[0].suggestions[0].term == "служит"


def test_split_and_run_together_words(spellers: dict) -> None:
    flags = check_text("Письмо това рищу отдал наруку.", spellers, ["rus"])
    assert words(flags) == ["това рищу", "наруку"]
    assert flags[0].suggestions[0].term == "товарищу"
    assert (flags[0].start, flags[0].end) == (7, 16)
    assert flags[1].suggestions[0].term == "на руку"


def test_a_word_known_in_any_page_language_is_fine(spellers: dict) -> None:
    text = "Совет ҹаваб мәркәзи, товарищ."
    assert check_text(text, spellers, ["rus", "aze_cyrl"]) == []
    only_rus = check_text(text, spellers, ["rus"])
    assert "ҹаваб" in words(only_rus)
    # per-line languages
    per_line = check_text("ҹаваб\nҹаваб", spellers, {0: "aze_cyrl", 1: "rus"})
    assert [f.line for f in per_line] == [1]


def test_garbled_azerbaijani_gets_azerbaijani_suggestions(spellers: dict) -> None:
    flags = check_text("Бу эриза даваб", spellers, ["aze_cyrl"])
    by_word = {f.word: f for f in flags}
    assert by_word["эриза"].suggestions[0].term == "әризә"
    assert by_word["даваб"].suggestions[0].term == "ҹаваб"
    assert all(f.lang == "aze_cyrl" for f in flags)


def test_nfd_input_gives_the_same_flags(spellers: dict) -> None:
    import unicodedata

    text = "письмо получнл ещё"
    nfd = unicodedata.normalize("NFD", text)
    assert [(f.start, f.end, f.word) for f in check_text(nfd, spellers, ["rus"])] == [
        (f.start, f.end, f.word) for f in check_text(text, spellers, ["rus"])
    ]


def test_check_page_uses_the_documents_languages(sample_project: Project) -> None:
    flags = check_page(sample_project, "azeri-1955-az/p1")
    assert flags, "the garbled Azerbaijani page has unknown words"
    assert all(f.lang == "aze_cyrl" for f in flags)
    text = TranscriptStore(sample_project).read("azeri-1955-az/p1").text
    lines = text.split("\n")
    for f in flags:
        if " " not in f.word and f.word == lines[f.line][f.start : f.end]:
            continue
        assert lines[f.line][f.start : f.end] in f.word  # hyphenated or split words start at their first part


def test_check_page_follows_regions_and_orthography(tmp_project: Project) -> None:
    doc = tmp_project.scans_dir / "letter"
    doc.mkdir(parents=True)
    (doc / "document.toml").write_text(
        'languages = ["aze_cyrl"]\northography = "1958"\n\n[pages.p1]\nregions = [{ lang = "rus", lines = [1, 1] }]\n',
        encoding="utf-8",
    )
    TranscriptStore(tmp_project).save("letter/p1", "Товарищ получнл письмо.\nпартийа партија", source="import")
    flags = check_page(tmp_project, "letter/p1")
    assert [(f.line, f.word, f.lang) for f in flags] == [(0, "получнл", "rus"), (1, "партийа", "aze_cyrl")]
    assert flags[1].suggestions[0].term == "партија"  # 1958: ј, not й
