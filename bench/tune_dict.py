"""Choose the suggestion weights on the DEVELOPMENT split only (never the held-out one).

A grid over the channel scale (``alpha`` of ``bench/fit_channel.py``), the frequency weight and the long-word
extra edits, scored on the ``dev`` split of ``bench_dict_quality.py`` (and, with ``--samples``, the sample
archive, also development data). Prints one line per setting, best first by right-form-first.

Usage: ``.venv/bin/python bench/tune_dict.py [--pages 48] [--samples]``
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import bench_dict_quality as q  # noqa: E402
from fit_channel import OUT, cost_of  # noqa: E402

import workbench.dictionary.speller as sp  # noqa: E402
from workbench.dictionary import load_speller  # noqa: E402
from workbench.dictionary.confusions import RUS_CONFUSIONS  # noqa: E402
from workbench.dictionary.fold import fold_key  # noqa: E402
from workbench.project import Project  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=48)
    ap.add_argument("--samples", action="store_true")
    args = ap.parse_args()
    rus = load_speller(Project(REPO), "rus")
    splits = ("dev", "samples") if args.samples else ("dev",)
    data = [d for d in q.sources(args.pages, args.samples) if d[0] in splits]
    nonword, _, correct = q.collect(rus, data)
    probs = json.loads(OUT.read_text(encoding="utf-8"))["probabilities"]
    rows = []
    for alpha, freq, extra in itertools.product(
        (0.2, 0.25, 0.3, 0.4), (0.2, 0.3, 0.4), ({}, {8: 1}, {7: 1, 10: 2}, {6: 1, 9: 2})
    ):
        table = dict(RUS_CONFUSIONS)
        for seg, p in probs.items():
            a, _, b = seg.partition(">")
            table[(a, b)] = min(cost_of(p, alpha), table.get((a, b), 1.0))
        rus.table = table
        sp.FREQ_WEIGHT = freq
        sp.LONG_EXTRA = extra
        rus._cmp_long = sp.Comparer(2 + max(extra.values(), default=0))
        rus._seg_memo.clear()
        rus._cache.clear()
        first = top5 = 0
        for it in nonword:
            cands = [fold_key(s.term, "rus") for s in rus._suggest(it.ocr, 5)]
            kg = fold_key(it.truth, "rus")
            first += bool(cands) and cands[0] == kg
            top5 += kg in cands
        n = max(len(nonword), 1)
        rows.append((first / n, top5 / n, alpha, freq, extra))
    rows.sort(key=lambda r: (-r[0], -r[1]))
    print(f"{len(nonword)} development misreads, {len(correct)} correct words")
    for r in rows:
        print(f"first {r[0]:.3f} top5 {r[1]:.3f}  alpha {r[2]} freq {r[3]} long {r[4]}")


if __name__ == "__main__":
    main()
