"""Known answers and properties of the error rates (grapheme clusters, NFC), in dinglehopper's style."""

from __future__ import annotations

import math
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.metrics import (
    ErrorCount,
    align,
    character_error_rate,
    character_errors,
    graphemes,
    word_error_rate,
    word_errors,
)

# Azerbaijani Cyrillic letters, Russian letters, combining marks the aze_cyrl model emits, and spaces.
AZ_LETTERS = "әғҝһөүҹјйАӘҒҜҺӨҮҸЈ"
ALPHABET = st.sampled_from(
    list("абвгдежзийклмнопрстуфхцчшщъыьэюяё") + list(AZ_LETTERS) + ["\u0327", "\u0306", "\u0307", "\u0308", " ", "\n"]
)
TEXT = st.text(alphabet=ALPHABET, max_size=40)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_known_answers() -> None:
    assert character_error_rate("Багиров", "Багиров") == 0.0
    assert character_error_rate("Багиров", "Батиров") == pytest.approx(1 / 7)
    assert character_error_rate("abc", "") == 1.0
    assert character_error_rate("ab", "abxyz") == pytest.approx(3 / 2)  # insertions can push CER above 1
    assert word_error_rate("Товарищ Багиров пишет", "Товарищ Батиров пишет") == pytest.approx(1 / 3)
    assert word_error_rate("слово, другое", "слово другое") == pytest.approx(1 / 2)  # punctuation counts


def test_nfc_and_nfd_are_equal() -> None:
    # dinglehopper's known answer: the same text in NFC and NFD has no errors.
    text = "Ӧ ё й Ә ы̇ с̧ Ҝ̆"
    assert nfd(text) != text
    assert character_error_rate(text, nfd(text)) == 0.0
    assert word_error_rate(nfd(text), text) == 0.0


def test_a_letter_with_combining_mark_is_one_grapheme() -> None:
    # aze_cyrl writes "с̧" (с + combining cedilla) for "ш": one wrong letter, not two.
    assert graphemes("с̧") == ["с̧"]
    assert character_error_rate("ш", "с̧") == 1.0
    assert character_errors("баш", "бас̧") == ErrorCount(1, 3)
    # ё decomposed is е + U+0308: still one grapheme after NFC, and it differs from е by one.
    assert character_error_rate("ёж", nfd("ёж")) == 0.0
    assert character_error_rate("ёж", "еж") == pytest.approx(1 / 2)


def test_empty_reference() -> None:
    assert character_error_rate("", "") == 0.0
    assert math.isinf(character_error_rate("", "x"))
    assert math.isinf(word_error_rate("", "слово"))
    assert word_error_rate("", "   \n") == 0.0  # whitespace has no words


def test_totals_are_sums_not_averages() -> None:
    total = character_errors("a", "b") + character_errors("abcdefghij", "abcdefghij")
    assert total == ErrorCount(1, 11)
    assert total.rate == pytest.approx(1 / 11)


def test_align_pairs() -> None:
    assert align("abc", "abd") == [("a", "a"), ("b", "b"), ("c", "d")]
    assert align("ab", "b") == [("a", None), ("b", "b")]
    assert align("a b", "a c b", by="words") == [("a", "a"), (None, "c"), ("b", "b")]
    with pytest.raises(ValueError):
        align("a", "b", by="lines")


@given(TEXT, TEXT)
@settings(max_examples=200, deadline=None)
def test_cer_symmetry_identity(a: str, b: str) -> None:
    # CER(A, B) = CER(B, A) * len(B) / len(A), lengths in graphemes, wherever both are non-empty.
    la, lb = len(graphemes(a)), len(graphemes(b))
    if la and lb:
        assert character_error_rate(a, b) == pytest.approx(character_error_rate(b, a) * lb / la)
    assert character_errors(a, b).errors == character_errors(b, a).errors
    assert word_errors(a, b).errors == word_errors(b, a).errors


@given(TEXT)
@settings(max_examples=100, deadline=None)
def test_text_against_itself_and_its_nfd(a: str) -> None:
    assert character_error_rate(a, a) == 0.0
    assert character_error_rate(a, nfd(a)) == 0.0
    assert word_error_rate(nfd(a), a) == 0.0


@given(TEXT, TEXT)
@settings(max_examples=100, deadline=None)
def test_alignment_spells_both_texts(a: str, b: str) -> None:
    pairs = align(a, b)
    assert [x for x, _ in pairs if x is not None] == graphemes(a)
    assert [y for _, y in pairs if y is not None] == graphemes(b)
    assert sum(1 for x, y in pairs if x != y) == character_errors(a, b).errors


def reference_distance(a: list[str], b: list[str]) -> int:
    """The textbook dynamic programme, to check rapidfuzz (and the score hint) against."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (x != y))
    return row[-1]


WIDE = st.lists(
    st.characters(codec="utf-8", exclude_categories=("Cs",))
    | ALPHABET
    | st.sampled_from(["👍🏽", "🇦🇿", "각", "\u200d"]),
    max_size=30,
).map("".join)


@given(WIDE, WIDE)
@settings(max_examples=200, deadline=None)
def test_distance_matches_the_textbook_and_fast_path_matches_segmentation(a: str, b: str) -> None:
    import regex

    from workbench.text import nfc

    ga, gb = regex.findall(r"\X", nfc(a)), regex.findall(r"\X", nfc(b))
    assert graphemes(a) == ga and graphemes(b) == gb
    assert character_errors(a, b) == ErrorCount(reference_distance(ga, gb), len(ga))


def test_long_similar_pages() -> None:
    # Long texts take rapidfuzz's banded path (score hint); the answer must stay exact.
    a = "Товарищ Багиров письмо ә ғ\n" * 400
    b = a.replace("Багиров", "Батиров", 7).replace("ғ\n", "г\n", 3)
    assert character_errors(a, b).errors == 10
    assert word_errors(a, b).errors == 10
