"""Suggestions on small real dictionaries (slices of wordfreq, OpenCorpora and Tesseract's word lists)."""

from __future__ import annotations

import json

import pytest

from workbench.dictionary import ProjectDictionary, load_speller
from workbench.errors import InputError
from workbench.project import Project

pytestmark = pytest.mark.usefixtures("small_data")


def terms(speller, word: str, n: int = 5) -> list[str]:
    return [s.term for s in speller.suggest(word, n)]


def test_known_words_case_insensitive_but_case_preserving() -> None:
    rus = load_speller(None, "rus")
    for word in ("товарищ", "Товарищ", "ТОВАРИЩ", "тОварищ"):
        assert rus.is_known(word)
    assert rus.suggest("ТОВАРИЩ")[0].term == "ТОВАРИЩ"
    assert terms(rus, "ТОВАРНЩ")[0] == "ТОВАРИЩ"
    assert terms(rus, "Товарнщ")[0] == "Товарищ"


def test_yo_and_ye_are_the_same_word_on_both_sides() -> None:
    rus = load_speller(None, "rus")
    assert rus.is_known("ещё") and rus.is_known("еще") and rus.is_known("ЕЩЁ")
    assert rus.is_known("получённый") == rus.is_known("полученный")


def test_latin_lookalikes_inside_a_cyrillic_word_are_flagged_and_repaired() -> None:
    rus = load_speller(None, "rus")
    word = "Тoвaрищ"  # Latin o and a
    assert not rus.is_known(word)
    best = rus.suggest(word)[0]
    assert best.term == "Товарищ"
    # a look-alike costs nothing: it scores above the same word one OCR confusion away
    assert best.score > rus.suggest("Товарнщ")[0].score
    assert terms(rus, "секретapь")[0] == "секретарь"


@pytest.mark.parametrize(
    ("ocr", "right"),
    [
        ("товарнщ", "товарищ"),  # и read as н
        ("получнл", "получил"),
        ("пнсьмо", "письмо"),
        ("служнт", "служит"),
        ("советскоrо", "советского"),  # Latin r for г is not a look-alike: a plain edit, still found
    ],
)
def test_tesseract_confusions_rank_the_right_form_first(ocr: str, right: str) -> None:
    rus = load_speller(None, "rus")
    assert not rus.is_known(ocr)
    assert terms(rus, ocr)[0] == right


def test_confusion_beats_frequency_for_the_same_distance() -> None:
    """«служнт»: «служит» (н→и, a known OCR confusion) must beat «служат» (н→а, a plain edit)."""
    rus = load_speller(None, "rus")
    scores = {s.term: s.score for s in rus.suggest("служнт", 10)}
    assert scores["служит"] > scores["служат"]


def test_run_together_words_are_split() -> None:
    rus = load_speller(None, "rus")
    assert "на руку" in terms(rus, "наруку")
    assert "на руку" == terms(rus, "наруку")[0]
    # a stray soft sign is not a word of its own
    assert all(" " not in t for t in terms(rus, "товарищь"))


def test_azerbaijani_letters_no_model_reads_are_ranked_first() -> None:
    aze = load_speller(None, "aze_cyrl")
    assert aze.is_known("ҹаваб") and aze.is_known("ҸАВАБ")
    assert terms(aze, "жаваб")[0] == "ҹаваб"  # ж for ҹ
    assert terms(aze, "гаваб")[0] == "ҹаваб"  # г for ҹ
    assert terms(aze, "эриза")[0] == "әризә"  # э and а for ә
    assert terms(aze, "меркези")[0] == "мәркәзи"  # е for ә, twice


def test_aze_cyrl_model_artefacts_are_read_as_their_letters() -> None:
    aze = load_speller(None, "aze_cyrl")
    # the aze_cyrl model writes с̧ (с + combining cedilla) for ш
    assert aze.is_known("шәһәр") == aze.is_known("с\u0327әһәр")


def test_orthography_decides_between_y_letters() -> None:
    old = load_speller(None, "aze_cyrl", "1939")
    new = load_speller(None, "aze_cyrl", "1958")
    assert old.is_known("партийа") and not old.is_known("партија")
    assert new.is_known("партија") and not new.is_known("партийа")
    assert terms(old, "партија")[0] == "партийа"
    assert terms(new, "партийа")[0] == "партија"


def test_project_words_are_known_and_suggested(tmp_project: Project) -> None:
    pd = ProjectDictionary(tmp_project)
    rus = load_speller(tmp_project, "rus")
    assert not rus.is_known("Пишевари")
    assert pd.add("Пишевари", "rus") is True
    assert pd.add("пишевари", "rus") is False  # already there (case-insensitive)
    rus = load_speller(tmp_project, "rus")
    assert rus.is_known("Пишевари") and rus.is_known("ПИШЕВАРИ")
    assert terms(rus, "Пишевери")[0] == "Пишевари"
    pd.add("Багиров", "rus")
    rus = load_speller(tmp_project, "rus")
    assert rus.is_known("Багирову")  # names decline
    assert terms(rus, "Батиров")[0] == "Багиров"
    text = pd.words_path.read_text(encoding="utf-8")
    assert "Пишевари\trus\n" in text and text.startswith("#")


def test_bad_project_dictionary_line_names_file_and_line(tmp_project: Project) -> None:
    path = tmp_project.dictionaries_dir / "project.txt"
    path.write_text("# names\nПишевари\trus\nБагиров\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"project.txt, line 3"):
        load_speller(tmp_project, "rus")


def test_learning_changes_the_next_ranking(tmp_project: Project) -> None:
    """A correction the user made once ranks first the next time, for the same and for similar misreads."""
    rus = load_speller(tmp_project, "rus")
    before = terms(rus, "служат", 10)
    assert before[0] == "служат"  # a real word: its own best suggestion
    score_before = {s.term: s.score for s in rus.suggest("рабстает", 10)}.get("работает", 0.0)
    pd = ProjectDictionary(tmp_project)
    pd.learn("рабстает", "работает", "rus")
    rus = load_speller(tmp_project, "rus")
    after = rus.suggest("рабстает", 10)
    assert after[0].term == "работает"
    # the measured с/о confusion already puts it first; the learned word pair makes it surer still
    assert after[0].score > score_before
    data = json.loads((tmp_project.dictionaries_dir / "confusions.json").read_text(encoding="utf-8"))
    assert data["rus"]["segments"]["с>о"] == 1
    assert data["rus"]["words"]["рабстает>работает"] == 1


def test_learned_letter_confusion_helps_other_words(tmp_project: Project) -> None:
    """Learning ш→ш misread as «иі»-like pairs generalises: a learned segment lowers other words' cost."""
    rus = load_speller(tmp_project, "rus")
    before = {s.term: s.score for s in rus.suggest("пмсьмо", 10)}
    pd = ProjectDictionary(tmp_project)
    for wrong, right in (("пмсать", "писать"), ("мз", "из"), ("нмкто", "никто")):
        pd.learn(wrong, right, "rus")
    rus = load_speller(tmp_project, "rus")
    after = {s.term: s.score for s in rus.suggest("пмсьмо", 10)}
    assert after["письмо"] > before.get("письмо", 0.0)
    assert rus.suggest("пмсьмо")[0].term == "письмо"


def test_learning_a_new_word_adds_it_to_the_project_dictionary(tmp_project: Project) -> None:
    pd = ProjectDictionary(tmp_project)
    pd.learn("Декаиозов", "Деканозов", "rus")
    assert ("Деканозов", "rus") in pd.entries()
    assert load_speller(tmp_project, "rus").is_known("Деканозова")
    pd.learn("товарнщ", "товарищ", "rus")
    assert ("товарищ", "rus") not in pd.entries()  # known already: not added
