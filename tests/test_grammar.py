"""Grammatical agreement (pymorphy3 with its real OpenCorpora dictionary) as the real-word check's back-off."""

from __future__ import annotations

from pathlib import Path

import pytest

import workbench.dictionary.realword as rw
from workbench.dictionary.build import build_lang
from workbench.dictionary.grammar import agreement
from workbench.dictionary.realword import ContextModel
from workbench.dictionary.speller import load_speller


@pytest.mark.parametrize(
    ("left", "word", "right", "expected"),
    [
        ("у", "меня", "", 1),  # у governs the genitive: меня has one
        ("у", "мена", "", -1),  # мена (exchange) is nominative only
        ("к", "дому", "", 1),
        ("к", "дом", "", -1),
        ("простые", "люди", "", 1),  # adjective and noun agree in case and number
        ("красивая", "дом", "", -1),  # feminine adjective, masculine noun
        ("", "дом", "стоит", 0),  # neither rule speaks about a noun and a verb
        ("у", "быстро", "", 0),  # an adverb may follow anything
        ("", "", "", 0),
    ],
)
def test_agreement(left: str, word: str, right: str, expected: int) -> None:
    assert agreement(left, word, right) == expected


@pytest.fixture
def rus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(rw, "GRAMMAR_WEIGHT", 1.0)  # off by default (BENCHMARKS.md): switched on to test it
    # frequencies chosen so that frequency alone does not flag «мена» for «меня» (a gain of 0.3 · 1 − 0.5)
    entries = {"у": ("у", 6.5, True), "мена": ("мена", 3.0, True), "меня": ("меня", 4.0, True)}
    build_lang("rus", root=tmp_path, entries=entries, force=True)
    monkeypatch.setenv("WORKBENCH_DATA", str(tmp_path))
    speller = load_speller(None, "rus")
    speller.table = {("а", "я"): 0.5}
    return speller


def test_grammar_decides_where_no_counts_exist(rus, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    found = rus.real_word("мена", "у", "")
    assert found is not None and [s.term for s in found] == ["меня", "мена"]
    assert rus.real_word("мена", "", "") is None  # no neighbour: frequency alone, not enough
    monkeypatch.setattr(rw, "GRAMMAR_WEIGHT", 0.0)
    assert rus.real_word("мена", "у", "") is None  # the same without the grammar


def test_counts_win_over_grammar(rus) -> None:  # type: ignore[no-untyped-def]
    # the archive has «у мена» (say, a line about barter): counts exist, so the grammar is not asked
    seen = ContextModel.from_texts(["Товар у мена в ходу."] * 3)
    rus.use_context(seen, seen)
    assert rus.real_word("мена", "у", "") is None
