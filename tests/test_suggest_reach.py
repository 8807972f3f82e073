"""The confusion-weighted reach: misreads three or four plain edits away that are one or two cheap confusions away
are found, for Russian and Azerbaijani, and not without it; the measured channels of both languages are shipped.

Tiny real indexes are built from the real lists' own entries (wordfreq's frequencies for Russian, the Tesseract
lists' entries for Azerbaijani): each holds a misread's right form and the words the full dictionary offers
instead of it when the reach is off. The misreads are development-split misreads of ``bench_dict_quality.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import workbench.dictionary.speller as sp
from workbench.dictionary.build import build_lang
from workbench.dictionary.confusions import channel_costs, confusion_variants, table_for
from workbench.dictionary.speller import load_speller

RUS = ["является", "издается", "застоя", "взлетая", "златая", "взлетом", "взлетов", "златой", "златом", "долларов"]
RUS += ["попарное", "попарной", "сократах", "сократа", "сократом", "сократят", "солдатах", "сортах", "собрата"]
AZE = ["шүшәсиндәки", "ләпәсиндән", "күпәсиндәдир", "мүәййәнлик", "мүҹәррәдлик", "мүҹтәһидлик", "әййубованын"]

#: (OCR'd, right form): each three or four plain edits apart
MISREADS = {
    "rus": [("язлаетоя", "является"), ("дпоппарсов", "долларов")],
    "aze_cyrl": [("лгӱпәсиндәки", "шүшәсиндәки"), ("муҹ̧әИиәнлик", "мүәййәнлик"), ("әиИубозанын", "әййубованын")],
}


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wordfreq = pytest.importorskip("wordfreq")
    from workbench.dictionary import sources

    folder = tmp_path_factory.mktemp("reach-dict")
    build_lang("rus", root=folder, entries={w: (w, wordfreq.zipf_frequency(w, "ru"), True) for w in RUS}, force=True)
    full = sources.azerbaijani_keys(sources.tesseract_wordlist("aze"), sources.tesseract_wordlist("aze_cyrl"))
    build_lang("aze_cyrl", root=folder, entries={w: full[w] for w in AZE}, force=True)
    return folder


@pytest.mark.parametrize("lang", ["rus", "aze_cyrl"])
def test_cheap_confusions_reach_beyond_the_plain_edits(
    root: Path, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKBENCH_DATA", str(root))
    speller = load_speller(None, lang)
    from rapidfuzz.distance import OSA

    for ocr, right in MISREADS[lang]:
        assert OSA.distance(speller.key(ocr), right) >= 3, (ocr, right)
        assert [s.term.lower() for s in speller.suggest(ocr)][:1] == [right], ocr
    # without the confusion-weighted search, none of them is found
    monkeypatch.setattr(sp, "EXPAND_VARIANTS", 0)
    speller = load_speller(None, lang)
    for ocr, right in MISREADS[lang]:
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
