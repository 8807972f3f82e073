"""Known answers for the Azerbaijani Cyrillic helpers (artefacts, orthography, Latin → Cyrillic)."""

from __future__ import annotations

import unicodedata

import pytest

from workbench.orthography import latin_to_cyrillic, normalise_aze_cyrl, to_orthography


@pytest.mark.parametrize(
    ("model_output", "expected"),
    [
        ("с\u0327әһәр", "шәһәр"),
        ("С\u0327ӱкӱр", "Шүкүр"),
        ("ҹ\u0327ох", "чох"),
        ("Ҹ\u0327ай", "Чай"),
        ("даҝ\u0306", "дағ"),
        ("Ҝ\u0306", "Ғ"),
        ("Ы\u0307ран", "Иран"),
        ("ы\u0307", "и"),
        ("ӧлкә", "өлкә"),
        ("Ӧ Ӱ ӱ", "Ө Ү ү"),
        # The precomposed look-alikes arrive decomposed from some tools: NFC first makes them one key.
        ("о\u0308лкә", "өлкә"),
    ],
)
def test_normalise_repairs_model_artefacts(model_output: str, expected: str) -> None:
    assert normalise_aze_cyrl(model_output) == expected


def test_normalise_writes_the_document_orthography() -> None:
    assert normalise_aze_cyrl("рајон Јени", "1939") == "район Йени"
    assert normalise_aze_cyrl("район Йени", "1958") == "рајон Јени"


def test_normalise_is_idempotent_and_nfc() -> None:
    once = normalise_aze_cyrl("С\u0327ӱ ҝ\u0306 ы\u0307 ӧ ј")
    assert normalise_aze_cyrl(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert "\u0327" not in once and "\u0306" not in once and "\u0307" not in once


def test_to_orthography_rejects_unknown() -> None:
    with pytest.raises(ValueError, match="1939"):
        to_orthography("ј", "1991")


@pytest.mark.parametrize(
    ("latin", "orthography", "cyrillic"),
    [
        ("Azərbaycan", "1939", "Азәрбайҹан"),
        ("Azərbaycan", "1958", "Азәрбајҹан"),
        ("İran", "1939", "Иран"),
        ("qız", "1939", "гыз"),
        ("IŞIQ", "1939", "ЫШЫГ"),
        ("çörək", "1939", "чөрәк"),
        ("dağ", "1939", "дағ"),
        ("gün", "1939", "ҝүн"),
        ("hökumət", "1939", "һөкумәт"),
        ("Bakı, 1955.", "1939", "Бакы, 1955."),
        # s + combining cedilla (NFD) is still ş.
        ("s\u0327", "1939", "ш"),
    ],
)
def test_latin_to_cyrillic(latin: str, orthography: str, cyrillic: str) -> None:
    assert latin_to_cyrillic(latin, orthography) == cyrillic
