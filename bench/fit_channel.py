"""Fit an OCR channel (what Tesseract reads for what) on the DEVELOPMENT pages only, for Russian or Azerbaijani.

Reads the same aligned words as ``bench_dict_quality.py``: the ``dev`` split of the independent pages (fortunes
and the degraded suite's Russian pages, FreeMono) and the sample archive's nine Russian pages (never a held-out
split). Every misread word pair (non-word and
real-word) is cut into differing segments (``workbench.dictionary.confusions.segments``); a segment's
probability is its count over how often its true form occurs in the true text, and its cost is
``alpha * -log10(p)``, clipped to [FLOOR, 1] (a plain edit costs 1; the frequency term costs 0.3 per factor
of ten, so alpha near 0.3 is a consistent noisy channel). ``alpha`` = 0.25 was the best on the development
split (``bench/tune_dict.py``). Segments seen fewer than MIN_COUNT times are left to the hand table.

Azerbaijani (``--lang aze_cyrl``): the degraded suite's Azerbaijani development pages (``-l aze_cyrl``), the
same method.

Writes ``workbench/data/ocr_channel_<lang>.json`` (counts and costs; the speller reads the costs).

Usage: ``.venv/bin/python bench/fit_channel.py [--lang rus|aze_cyrl] [--alpha 0.25] [--pages 48]``
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import bench_dict_quality as q  # noqa: E402

from workbench.dictionary import load_speller  # noqa: E402
from workbench.dictionary.confusions import channel_file, segments  # noqa: E402
from workbench.dictionary.fold import fold_key  # noqa: E402

OUT = channel_file("rus")
MIN_COUNT = 2
FLOOR = 0.1


def cost_of(p: float, alpha: float) -> float:
    """The cost of a segment of probability ``p``: ``alpha * -log10(p)`` clipped to [FLOOR, 1]."""
    return round(min(1.0, max(FLOOR, alpha * -math.log10(p))), 3)


def fit(alpha: float, pages: int, lang: str = "rus") -> dict[str, object]:
    """Counts and costs of the segments of the development misreads of ``lang``."""
    speller = load_speller(None, lang)
    data = [p for p in q.sources(pages, samples=True, splits=("dev", "samples")) if p.lang == lang]
    nonword, realword, correct = q.collect({lang: speller}, data)
    counts: Counter[str] = Counter()
    for it in nonword + realword:
        for a, b in segments(fold_key(it.ocr, lang), fold_key(it.truth, lang)):
            if len(a) <= 3 and len(b) <= 3:
                counts[f"{a}>{b}"] += 1
    truth = " ".join(fold_key(it.truth, lang) for it in nonword + realword + correct)
    letters = sum(1 for ch in truth if ch.isalpha())
    costs, probs = {}, {}
    for seg, c in counts.items():
        if c < MIN_COUNT:
            continue
        _, b = seg.split(">")
        n = truth.count(b) if b else letters
        probs[seg] = c / max(n, c)
        costs[seg] = cost_of(probs[seg], alpha)
    pages_used = (
        "fortunes-ru dev split, the degraded suite's Russian dev pages, the sample archive's Russian pages"
        if lang == "rus"
        else "the degraded suite's Azerbaijani dev pages, read with -l aze_cyrl"
    )
    return {
        "about": f"Tesseract {lang} confusions fitted on the development pages of bench/bench_dict_quality.py "
        f"({pages_used}); see bench/fit_channel.py",
        "alpha": alpha,
        "misreads": len(nonword) + len(realword),
        "truth_letters": letters,
        "counts": dict(counts.most_common()),
        "probabilities": {k: round(v, 6) for k, v in sorted(probs.items(), key=lambda kv: -kv[1])},
        "costs": dict(sorted(costs.items(), key=lambda kv: kv[1])),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lang", choices=["rus", "aze_cyrl"], default="rus")
    ap.add_argument("--alpha", type=float, default=0.25)
    ap.add_argument("--pages", type=int, default=48)
    ap.add_argument("--out", type=Path, default=None, help="default: workbench/data/ocr_channel_<lang>.json")
    args = ap.parse_args()
    model = fit(args.alpha, args.pages, args.lang)
    args.out = args.out or channel_file(args.lang)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(model, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(model["costs"], ensure_ascii=False))


if __name__ == "__main__":
    main()
