"""The confusion-weighted reach: misreads three or four plain edits away that are one or two cheap confusions away
are found, and not without it; the measured channels of both languages are shipped.

A tiny real index is built from the Tesseract lists' own entries: it holds the misreads' right forms and the
words the full dictionary offers instead of them when the reach is off. The misreads are the two development
misreads of ``bench_dict_quality.py`` three or more plain edits away that the reach alone puts first (Tesseract
``aze_cyrl`` on the degraded suite's pages: и for й, ӱ for ү, с̧ for ш …).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import workbench.dictionary.speller as sp
from workbench.dictionary.build import build_lang
from workbench.dictionary.confusions import channel_costs, confusion_variants, table_for
from workbench.dictionary.speller import load_speller

AZE = ["мүәййәнлик", "мүҹәррәдлик", "мүҹтәһидлик", "әййубованын", "әййубов"]

#: (OCR'd, right form): each three or four plain edits apart
MISREADS = [("муҹ̧әИиәнлик", "мүәййәнлик"), ("әиИубозанын", "әййубованын")]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from workbench.dictionary import sources

    folder = tmp_path_factory.mktemp("reach-dict")
    full = sources.azerbaijani_keys(sources.tesseract_wordlist("aze"), sources.tesseract_wordlist("aze_cyrl"))
    build_lang("aze_cyrl", root=folder, entries={w: full[w] for w in AZE}, force=True)
    return folder


def test_cheap_confusions_reach_beyond_the_plain_edits(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_DATA", str(root))
    speller = load_speller(None, "aze_cyrl")
    from rapidfuzz.distance import OSA

    for ocr, right in MISREADS:
        assert OSA.distance(speller.key(ocr), right) >= 3, (ocr, right)
        assert [s.term.lower() for s in speller.suggest(ocr)][:1] == [right], ocr
    # without the confusion-weighted search, neither is found
    monkeypatch.setattr(sp, "EXPAND_VARIANTS", 0)
    speller = load_speller(None, "aze_cyrl")
    for ocr, right in MISREADS:
        assert right not in [s.term.lower() for s in speller.suggest(ocr)], ocr


def test_variants_undo_the_cheapest_confusions_first() -> None:
    table = {("п", "ш"): 0.1, ("и", "й"): 0.2, ("л", "ш"): 0.9, ("рн", "м"): 0.4}
    out = confusion_variants("пиарн", table, max_cost=0.7, depth=2, limit=10)
    assert out[0] == ("шиарн", 0.1)
    assert dict(out) == {
        "шиарн": 0.1,
        "пйарн": 0.2,
        "шйарн": pytest.approx(0.3),
        "пиам": 0.4,
        "шиам": pytest.approx(0.5),
        "пйам": pytest.approx(0.6),
    }
    assert [w for w, _ in confusion_variants("пиарн", table, max_cost=0.7, limit=2)] == ["шиарн", "пйарн"]


@pytest.mark.parametrize("lang", ["rus", "aze_cyrl"])
def test_the_measured_channels_are_shipped_and_used(lang: str) -> None:
    costs = channel_costs(lang)
    assert costs, f"workbench/data/ocr_channel_{lang}.json is missing or empty"
    assert all(0 < c <= 1.0 for c in costs.values())
    table = table_for(lang)
    assert all(table[pair] <= cost for pair, cost in costs.items())
    if lang == "aze_cyrl":
        # the aze_cyrl model reads й as и and ш as п: both measured as cheap
        assert table[("и", "й")] < 0.3 and table[("п", "ш")] < 0.3
