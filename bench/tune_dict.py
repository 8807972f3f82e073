"""Choose the suggestion weights on the DEVELOPMENT split only (never the held-out one).

Two grids, scored on the ``dev`` split of ``bench_dict_quality.py`` (fortunes and the degraded suite's pages,
both languages; with ``--samples`` the sample archive too, also development data). Each prints one line per
setting, best first by right-form-first:

* ``--grid weights`` (Russian): the channel scale (``alpha`` of ``bench/fit_channel.py``), the frequency weight
  and the long-word extra edits;
* ``--grid expand`` (both languages): the confusion-weighted reach of ``workbench.dictionary.speller``
  (``EXPAND_ABOVE``, ``EXPAND_MAX_COST``, ``EXPAND_VARIANTS``, ``EXPAND_EDIT``), with each setting's per-word
  CPU time (p95, one pass);
* ``--grid grammar`` (Russian real-word misreads): the weight of grammatical agreement
  (``workbench.dictionary.realword.GRAMMAR_WEIGHT``) and the margin, as precision / recall, best precision
  first (with the context the benchmark uses: the corpus without the held-out documents, the archive).

Usage: ``.venv/bin/python bench/tune_dict.py [--grid weights|expand|grammar] [--pages 48] [--samples]``
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
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
from workbench.dictionary.speller import Speller  # noqa: E402
from workbench.project import Project  # noqa: E402


def evaluate(spellers: dict[str, Speller], nonword: list[q.Item]) -> tuple[float, float, float]:
    """Right form first, in the top five, and the 95th percentile of the CPU time a word (ms, uncached; CPU time:
    on a shared machine the wall time measures the other jobs)."""
    first = top5 = 0
    times = []
    for s in spellers.values():
        s._seg_memo.clear()
        s._cache.clear()
    for it in nonword:
        t = time.process_time()
        cands = [fold_key(s.term, it.lang) for s in spellers[it.lang]._suggest(it.ocr, 5)]
        times.append(time.process_time() - t)
        kg = fold_key(it.truth, it.lang)
        first += bool(cands) and cands[0] == kg
        top5 += kg in cands
    n = max(len(nonword), 1)
    times.sort()
    return first / n, top5 / n, times[int(0.95 * (len(times) - 1))] * 1000 if times else 0.0


def weights(spellers: dict[str, Speller], nonword: list[q.Item]) -> list[tuple[object, ...]]:
    rus = spellers["rus"]
    nonword = [it for it in nonword if it.lang == "rus"]
    probs = json.loads(OUT.read_text(encoding="utf-8"))["probabilities"]
    rows: list[tuple[object, ...]] = []
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
        first, top5, p95 = evaluate({"rus": rus}, nonword)
        rows.append((first, top5, p95, f"alpha {alpha} freq {freq} long {extra}"))
    return rows


def expand(spellers: dict[str, Speller], nonword: list[q.Item]) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    sp.EXPAND_VARIANTS = 0
    first, top5, p95 = evaluate(spellers, nonword)
    rows.append((first, top5, p95, "no expansion"))
    for above, max_cost, variants, edit in itertools.product((0.6, 1.0, 1.5), (0.8, 1.0, 1.3), (6, 10, 16), (1, 2)):
        sp.EXPAND_ABOVE, sp.EXPAND_MAX_COST, sp.EXPAND_VARIANTS, sp.EXPAND_EDIT = above, max_cost, variants, edit
        first, top5, p95 = evaluate(spellers, nonword)
        rows.append((first, top5, p95, f"above {above} max_cost {max_cost} variants {variants} edit {edit}"))
    return rows


def grammar(spellers: dict[str, Speller], realword: list[q.Item], correct: list[q.Item]) -> list[tuple[object, ...]]:
    import workbench.dictionary.realword as rw
    from workbench.dictionary.archive import archive_context, corpus_context

    rus = spellers["rus"]
    archive = archive_context(Project(REPO))
    context = corpus_context(exclude=q.heldout_files(48))
    context.update(archive)
    rus.use_context(context, archive)
    realword = [it for it in realword if it.lang == "rus"]
    correct = [it for it in correct if it.lang == "rus"]
    rows: list[tuple[object, ...]] = []
    for weight, margin in itertools.product((0.0, 0.5, 1.0, 1.5, 2.0, 3.0), (0.2, 0.3, 0.5)):
        rw.GRAMMAR_WEIGHT, rw.MARGIN = weight, margin

        def flag(it: q.Item) -> list[str] | None:
            found = rus.real_word(it.ocr, it.left, it.right)
            return None if found is None else [s.term for s in found]

        r = q.score_realword(realword, correct, flag)
        rows.append(
            (
                r["precision"] or 0.0,
                r["recall"],
                r["flagged"],
                f"grammar {weight} margin {margin} ({r['false_flags']} false)",
            )
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--grid", choices=["weights", "expand", "grammar"], default="weights")
    ap.add_argument("--pages", type=int, default=48)
    ap.add_argument("--samples", action="store_true")
    args = ap.parse_args()
    project = Project(REPO)
    spellers = {"rus": load_speller(project, "rus"), "aze_cyrl": load_speller(project, "aze_cyrl")}
    splits = ("dev", "samples") if args.samples else ("dev",)
    nonword, realword, correct = q.collect(spellers, q.sources(args.pages, args.samples, splits=splits))
    if args.grid == "grammar":
        rows = grammar(spellers, realword, correct)
        rows.sort(key=lambda r: (-float(r[0]), -float(r[1])))  # type: ignore[arg-type]
        print(f"{sum(1 for it in realword if it.lang == 'rus')} development real-word misreads")
        for r in rows:
            print(f"precision {r[0]:.3f} recall {r[1]:.3f} flagged {r[2]}  {r[3]}")
        return
    rows = weights(spellers, nonword) if args.grid == "weights" else expand(spellers, nonword)
    rows.sort(key=lambda r: (-float(r[0]), -float(r[1])))  # type: ignore[arg-type]
    print(f"{len(nonword)} development misreads, {len(correct)} correct words")
    for r in rows:
        print(f"first {r[0]:.3f} top5 {r[1]:.3f} p95 {r[2]:.2f} ms  {r[3]}")


if __name__ == "__main__":
    main()
