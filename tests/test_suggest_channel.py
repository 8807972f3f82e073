"""Suggestions beyond two plain edits when the edits are cheap OCR confusions, and real-word misreads.

A tiny real index is built from wordfreq's own frequencies of a few dozen words (the real lists, sliced): the
ranking and the real-word check weigh exactly these frequencies.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.dictionary.build import build_lang
from workbench.dictionary.confusions import channel_costs, table_for
from workbench.dictionary.realword import ContextModel, confusion_neighbours
from workbench.dictionary.speller import load_speller

WORDS = [
    "правительственных",
    "правительственные",
    "правительственный",
    "правительственной",
    "правительство",
    "празднования",
    "кроме",
    "хроме",
    "храме",
    "как",
    "ках",
    "так",
    "тах",
    "там",
    "того",
    "в",
    "и",
    "это",
    "дело",
    "тело",
    "власть",
    "злость",
]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wordfreq = pytest.importorskip("wordfreq")
    root = tmp_path_factory.mktemp("tiny-dict")
    entries = {w: (w, wordfreq.zipf_frequency(w, "ru"), True) for w in WORDS}
    build_lang("rus", root=root, entries=entries, force=True)
    return root


@pytest.fixture
def rus(tiny: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("WORKBENCH_DATA", str(tiny))
    return load_speller(None, "rus")


def test_the_measured_channel_is_shipped_and_used() -> None:
    costs = channel_costs()
    assert costs, "workbench/data/ocr_channel_rus.json is missing or empty"
    assert all(0 < c <= 1.0 for c in costs.values())
    table = table_for("rus")
    assert all(table[pair] <= cost for pair, cost in costs.items())


def test_four_cheap_confusions_are_found(rus) -> None:  # type: ignore[no-untyped-def]
    # з→в, о→е, о→е, и→н: four plain edits, each a confusion Tesseract makes
    assert [s.term for s in rus.suggest("празитольствониых")][:1] == ["правительственных"]
    # four plain edits that are not confusions are not offered
    assert "правительственных" not in [s.term for s in rus.suggest("прамитбльствуниях")]


def test_real_word_misread_is_flagged_with_the_likely_word_first(rus) -> None:  # type: ignore[no-untyped-def]
    found = rus.real_word("хроме", "", "того")
    assert found is not None and found[0].term == "кроме" and found[-1].term == "хроме"
    assert rus.real_word("Ках", "", "") is not None and rus.real_word("Ках", "", "")[0].term == "Как"
    for right in ("кроме", "как", "так", "дело", "правительство"):
        assert rus.real_word(right, "", "") is None  # the more probable word is never flagged
    assert rus.real_word("празитольствониых") is None  # not a word: the ordinary check flags it


def test_context_keeps_a_rarer_word_that_fits(rus) -> None:  # type: ignore[no-untyped-def]
    assert rus.real_word("хроме", "на", "") is not None  # without counts the frequency decides
    seen = ContextModel.from_texts(["Покрытие на хроме держится.", "Блестит на хроме свет."] * 20)
    rus.use_context(seen, seen)
    assert rus.real_word("хроме", "на", "") is None  # the archive writes «на хроме»
    assert rus.real_word("хроме", "", "того") is not None  # elsewhere it is still «кроме»


def test_confusion_neighbours() -> None:
    table = {("х", "к"): 0.3, ("з", "в"): 0.5, ("рн", "м"): 0.5, ("a", "b"): 2.0}
    out = dict(confusion_neighbours("хорн", table, 1.0))
    assert out == {"корн": 0.3, "хом": 0.5}


def test_check_text_marks_real_word_flags_apart(rus) -> None:  # type: ignore[no-untyped-def]
    from workbench.dictionary.check import check_text

    flags = check_text("Хроме того, это дело.", {"rus": rus}, ["rus"], real_words=True)
    assert [(f.word, f.kind, f.suggestions[0].term) for f in flags] == [("Хроме", "realword", "Кроме")]
    assert flags[0].to_json()["kind"] == "realword"
    assert check_text("Хроме того, это дело.", {"rus": rus}, ["rus"]) == []  # off unless asked
