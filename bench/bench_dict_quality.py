"""Quality of suggestions on Tesseract misreads of pages the speller was never tuned on, against plain symspellpy.

1. Pages (``bench/dict_pages.py``), none of them the sample archive, each read by plain Tesseract:
   ``fortunes``  Russian quotations of Debian's ``fortunes-ru``, one document a page, typed and aged by the
                 sample renderer, then blurred / noised / JPEG'd (split by document);
   ``suite-rus`` the OCR benchmark's augraphy-degraded Russian pages, 8 kinds × 3 strengths (``-l rus``);
   ``suite-aze`` its Azerbaijani 1939 Cyrillic pages, 4 kinds × 2 strengths (``-l aze_cyrl``), scored with the
                 Azerbaijani speller (1939 orthography) and a plain SymSpell of the Azerbaijani words.
   Splits: ``dev`` (FreeMono; every weight is fitted there), ``heldout`` (other documents and pages, typed in
   Nimbus Mono PS, a face nothing was tuned on: the reported figures), ``heldout-devfont`` (the held-out
   texts typed in FreeMono: the OCR benchmark's own held-out pages; reference), ``samples`` (``--samples``:
   the sample archive's nine Russian pages; old weights were tuned on them, reference only).
   The real sets of ``../shared/data/real`` have no dictionary here: the Komi lines are Komi, not Russian (a
   Russian speller flags correct Komi words), the EHRI pages English and German. They are left out.
2. OCR and truth are aligned word by word (difflib on folded tokens). A 1:1 replaced word whose true form
   the dictionary knows is a *misread*: a *non-word misread* if the OCR'd form is unknown (up to 4 plain
   edits and half the word's length from the truth, and within a quarter of its length (at least one
   letter): wider pairs are alignment noise or fragments of a word the OCR broke apart), a *real-word
   misread* if the OCR'd form is itself a known word. The same rule for every set, language and system.
3. Scored for ours and for a plain ``SymSpell`` (max edit 2, prefix 7, the fast comparer) filled with exactly
   the words our speller counts as known, asked with ``lookup(word, Verbosity.ALL, 2)`` and scored the same
   way (its top five by distance, then count): right form first / in the top five of the non-word
   misreads, correct words flagged, and for ours the real-word flags' precision and recall (Russian).
   Reported per split, per set, per strength (``suite-rus``) and kind (``suite-aze``), and over all sets.

The plain SymSpell takes ~10 min and ~3 GB to build over 3 million Russian words: its answers are cached per
word (keyed by the word list's size and checksum) in the cache folder, so it is rebuilt only for new words.

Usage: ``.venv/bin/python bench/bench_dict_quality.py [--pages 48] [--samples] [--baseline full|none]
[--no-suite] [--grammar W] [--json OUT]``
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import regex

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from dict_pages import CACHE, SPLITS, Page, heldout_files, pages, suite_pages  # noqa: E402

import workbench.dictionary.realword as realword_check  # noqa: E402
from workbench.dictionary import load_speller  # noqa: E402
from workbench.dictionary.archive import archive_context, corpus_context  # noqa: E402
from workbench.dictionary.build import open_index  # noqa: E402
from workbench.dictionary.check import is_exempt  # noqa: E402
from workbench.dictionary.fold import fold_key  # noqa: E402
from workbench.dictionary.index import decode_zipf  # noqa: E402
from workbench.dictionary.speller import FREQUENT_ZIPF, Speller  # noqa: E402
from workbench.project import Project  # noqa: E402

TOKEN = regex.compile(r"[\p{L}\p{M}\p{N}]+(?:-[\p{L}\p{M}\p{N}]+)*")
RUSSIAN_DOCS = ("azeri-1955-ru", "bagirov-1946")
MAX_PLAIN_EDITS = 4


@dataclass(frozen=True)
class Item:
    """One aligned word: the split, set, group, page and language, what the OCR gave, the truth, and the OCR's
    neighbours."""

    split: str
    page: str
    ocr: str
    truth: str
    left: str
    right: str
    set: str = "fortunes"
    lang: str = "rus"
    #: the finer group it is reported in: a suite page's strength (Russian) or kind (Azerbaijani)
    group: str = ""


def tesseract(image: Path) -> str:
    """Plain Tesseract output for a sample-archive scan (cached by path and size)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    out = CACHE / f"{image.parent.name}__{image.stem}__psm3__{image.stat().st_size}.txt"
    if out.exists():
        return out.read_text(encoding="utf-8")
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    r = subprocess.run(
        ["tesseract", str(image), "stdout", "-l", "rus"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
    )
    out.write_text(r.stdout, encoding="utf-8")
    return r.stdout


def group_of(page: Page) -> str:
    """The finer group a page is reported in."""
    if page.set == "suite-rus":
        return f"strength {page.level}"
    if page.set == "suite-aze":
        return page.damage.rstrip("0123456789")
    return page.damage


def sources(
    count: int, samples: bool, suite: bool = True, reference: bool = True, splits: tuple[str, ...] = SPLITS
) -> list[Page]:
    """The pages of ``splits``: fortunes, the degraded suite, and with ``samples`` the sample archive's Russian
    pages."""
    out = [*pages(count, reference=reference, splits=splits)]
    if suite:
        out += suite_pages(reference=reference, splits=splits)
    if samples and "samples" in splits:
        for doc in RUSSIAN_DOCS:
            for gt in sorted((REPO / "ground-truth" / doc).glob("*.txt")):
                scans = [p for p in (REPO / "scans" / doc).glob(f"{gt.stem}.*") if p.suffix != ".toml"]
                if scans:
                    truth = gt.read_text(encoding="utf-8")
                    out.append(Page(f"{doc}/{gt.stem}", "samples", "", truth, tesseract(scans[0]), set="samples"))
    return out


def tokens(text: str) -> list[str]:
    """Word tokens, line-end hyphenation joined first as the checker does."""
    text = regex.sub(r"(\p{L})[-¬]\s*\n\s*(\p{L})", r"\1\2", text)
    return [m.group(0) for m in TOKEN.finditer(text)]


def align(page: Page) -> tuple[list[Item], list[Item]]:
    """1:1 replaced words and correctly read words, each with its OCR neighbours."""
    g, o = tokens(page.truth), tokens(page.ocr)
    gk, ok = [fold_key(w, page.lang) for w in g], [fold_key(w, page.lang) for w in o]
    sm = difflib.SequenceMatcher(a=ok, b=gk, autojunk=False)
    replaced, correct = [], []
    name = f"{page.name}/{page.damage}" if page.set == "fortunes" else page.name
    group = group_of(page)

    def item(i: int, truth: str) -> Item:
        left, right = o[i - 1] if i > 0 else "", o[i + 1] if i + 1 < len(o) else ""
        return Item(page.split, name, o[i], truth, left, right, page.set, page.lang, group)

    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            correct += [item(i, o[i]) for i in range(i1, i2)]
        elif tag == "replace" and i2 - i1 == j2 - j1:
            replaced += [item(i1 + k, g[j1 + k]) for k in range(i2 - i1)]
    return replaced, correct


def osa(a: str, b: str) -> int:
    from rapidfuzz.distance import OSA

    return OSA.distance(a, b)


def collect(spellers: dict[str, Speller], data: list[Page]) -> tuple[list[Item], list[Item], list[Item]]:
    """Non-word misreads, real-word misreads and correctly read words (each page with its language's speller)."""
    nonword, realword, correct = [], [], []
    for page in data:
        sp = spellers.get(page.lang)
        if sp is None:
            continue
        replaced, ok = align(page)
        for it in replaced:
            if is_exempt(it.ocr, it.ocr, len(it.ocr)) or is_exempt(it.truth, it.truth, len(it.truth)):
                continue
            ko, kg = fold_key(it.ocr, it.lang), fold_key(it.truth, it.lang)
            if ko == kg or not sp.is_known(it.truth):
                continue
            d = osa(ko, kg)
            too_far = d > MAX_PLAIN_EDITS or d > max(2, len(kg) // 2)
            if too_far or abs(len(ko) - len(kg)) > max(1, len(kg) // 4):
                continue  # alignment noise or a fragment of a word the OCR broke in two, not a misread
            (realword if sp.is_known(it.ocr) else nonword).append(it)
        correct += [it for it in ok if not is_exempt(it.ocr, it.ocr, len(it.ocr))]
    return nonword, realword, correct


def pct(times: list[float], q: float) -> float | None:
    times = sorted(times)
    return round(times[min(len(times) - 1, int(len(times) * q))] * 1000, 3) if times else None


def score(
    nonword: list[Item],
    correct: list[Item],
    known: Callable[[Item], bool],
    suggest: Callable[[Item], list[str]],
    weighted: Callable[[Item], float] | None = None,
) -> dict[str, object]:
    """Right form first / in the top five of the non-word misreads, and correct words flagged; ``weighted``
    (the confusion-weighted distance of a misread from its truth) splits the 3–4-edit band."""
    flagged = first = top5 = 0
    times: list[float] = []
    bands: dict[str, list[int]] = {}
    misses = []
    for it in nonword:
        kg = fold_key(it.truth, it.lang)
        flagged += not known(it)
        t = time.perf_counter()
        cands = [fold_key(s, it.lang) for s in suggest(it)][:5]
        times.append(time.perf_counter() - t)
        hit1, hit5 = bool(cands) and cands[0] == kg, kg in cands
        first += hit1
        top5 += hit5
        band = "1-2 edits" if osa(fold_key(it.ocr, it.lang), kg) <= 2 else "3-4 edits"
        bands_of = [band]
        if band == "3-4 edits" and weighted is not None:
            # of those, the ones that are at most two plain edits' worth of OCR confusions
            bands_of.append("3-4 edits, weighted ≤ 2" if weighted(it) <= 2.0 else "3-4 edits, weighted > 2")
        for name in bands_of:
            b = bands.setdefault(name, [0, 0, 0])
            b[0] += 1
            b[1] += hit1
            b[2] += hit5
        if not hit1:
            misses.append(f"{it.ocr} → {it.truth}: {' '.join(cands)}")
    wrong = sorted({it.ocr for it in correct if not known(it)})
    n = max(len(nonword), 1)
    return {
        "misreads": len(nonword),
        "flagged": round(flagged / n, 4),
        "first": round(first / n, 4),
        "top5": round(top5 / n, 4),
        "by_distance": {
            k: {"n": v[0], "first": round(v[1] / v[0], 4), "top5": round(v[2] / v[0], 4)}
            for k, v in sorted(bands.items())
        },
        "correct_words": len(correct),
        "correct_flagged": round(sum(1 for it in correct if not known(it)) / max(len(correct), 1), 4),
        "correct_flagged_words": wrong[:40],
        "suggest_p50_ms": pct(times, 0.5),
        "suggest_p95_ms": pct(times, 0.95),
        "not_first": misses[:60],
    }


def score_realword(
    realword: list[Item], correct: list[Item], flag: Callable[[Item], list[str] | None]
) -> dict[str, object]:
    """Precision and recall of the real-word flags: a flag on a correct word is a false one."""
    hits = right_first = 0
    flags_of = {id(it): flag(it) for it in [*realword, *correct]}
    for it in realword:
        cands = flags_of[id(it)]
        if cands is not None:
            hits += 1
            right_first += bool(cands) and fold_key(cands[0], it.lang) == fold_key(it.truth, it.lang)
    false = [it for it in correct if flags_of[id(it)] is not None]
    flags = hits + len(false)
    return {
        "realword_misreads": len(realword),
        "flagged": hits,
        "right_first": right_first,
        "false_flags": len(false),
        "precision": round(hits / flags, 4) if flags else None,
        "precision_right_first": round(right_first / flags, 4) if flags else None,
        "recall": round(hits / max(len(realword), 1), 4),
        "false_examples": [f"{it.left} [{it.ocr}] {it.right}: {' '.join(flags_of[id(it)] or [])}" for it in false[:20]],
        "missed_examples": [
            f"{it.left} [{it.ocr}→{it.truth}] {it.right}" for it in realword if flags_of[id(it)] is None
        ][:30],
    }


def plain_answers(sp: Speller, words: list[str]) -> tuple[dict[str, list[str]], set[str]]:
    """Plain SymSpell's answers (``Verbosity.ALL``, max edit 2) for ``words`` of ``sp``'s language, cached; and
    its word set (exactly the words ``sp`` counts as known, with counts from the same frequencies)."""
    from workbench.dictionary.symspell import Verbosity, plain_symspell

    lang = sp.lang
    lex = open_index(lang)
    entries: dict[str, int] = {}
    for tier in lex.tiers:
        raw = tier.zipf.tolist()
        for i in range(len(tier)):
            z, in_lexicon = decode_zipf(raw[i])
            if in_lexicon or z >= FREQUENT_ZIPF:  # the same words our speller counts as known
                k = fold_key(tier.word(i), lang)
                entries[k] = max(entries.get(k, 1), max(1, round(10**z)))
    for w in sp.project.words(lang) if sp.project else []:
        entries[fold_key(w, lang)] = 100_000
    digest = hashlib.sha256("\n".join(sorted(entries)).encode()).hexdigest()[:16]
    prefix = "plain_all" if lang == "rus" else f"plain_all_{lang}"
    cache_file = CACHE / f"{prefix}_{len(entries)}_{digest}.json"
    cache: dict[str, list[str]] = json.loads(cache_file.read_text(encoding="utf-8")) if cache_file.exists() else {}
    missing = sorted({fold_key(w, lang) for w in words} - set(cache))
    if missing:
        sym = plain_symspell(entries.items())
        for q in missing:
            cache[q] = [s.term for s in sym.lookup(q, Verbosity.ALL, 2)[:5]]
        cache_file.write_text(json.dumps(cache, ensure_ascii=False), encoding="utf-8")
    return {w: cache[fold_key(w, lang)] for w in words}, set(entries)


def groups(split: str, items: list[Item]) -> list[tuple[str, Callable[[Item], bool]]]:
    """The rows a split is reported in: all sets, each set, each set's strength or kind."""
    out: list[tuple[str, Callable[[Item], bool]]] = [("all", lambda it: it.split == split)]
    for name in sorted({it.set for it in items if it.split == split}):
        out.append((name, lambda it, name=name: it.split == split and it.set == name))
        if name.startswith("suite"):
            for g in sorted({it.group for it in items if it.split == split and it.set == name}):
                out.append(
                    (f"{name} {g}", lambda it, name=name, g=g: it.split == split and it.set == name and it.group == g)
                )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=48, help="fortune documents to render (half dev, half held-out)")
    ap.add_argument("--samples", action="store_true", help="also score the sample archive (tuned on: reference)")
    ap.add_argument("--no-suite", action="store_true", help="leave out the degraded suite's pages")
    ap.add_argument("--no-reference", action="store_true", help="leave out the held-out texts in the dev face")
    ap.add_argument("--splits", default=",".join(SPLITS), help="which splits to score (comma-separated)")
    ap.add_argument("--baseline", choices=["full", "none"], default="full")
    ap.add_argument(
        "--grammar",
        type=float,
        default=None,
        help="weight of pymorphy3 agreement in the real-word check (default: realword.GRAMMAR_WEIGHT; 0 = off)",
    )
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    project = Project(REPO)
    spellers = {"rus": load_speller(project, "rus"), "aze_cyrl": load_speller(project, "aze_cyrl", "1939")}
    # as `workbench check` does: word pairs of the installed corpus and of the archive's reviewed lines,
    # but without the fortune files the held-out pages were made from
    archive = archive_context(project)
    context = corpus_context(exclude=heldout_files(args.pages))
    context.update(archive)
    for sp in spellers.values():
        sp.use_context(context, archive)
    if args.grammar is not None:
        realword_check.GRAMMAR_WEIGHT = args.grammar
    t0 = time.perf_counter()
    wanted = tuple(args.splits.split(","))
    data = sources(args.pages, args.samples, not args.no_suite, not args.no_reference, wanted)
    nonword, realword, correct = collect(spellers, data)
    result: dict[str, object] = {
        "pages_seconds": round(time.perf_counter() - t0, 1),
        "load": os.getloadavg(),
        "grammar_weight": getattr(realword_check, "GRAMMAR_WEIGHT", None),
    }
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / "words.json").write_text(  # the speed bench asks the same words
        json.dumps(
            {
                "misreads": [it.ocr for it in nonword if it.lang == "rus"],
                "correct": [it.ocr for it in correct if it.lang == "rus"],
                "aze_misreads": [it.ocr for it in nonword if it.lang == "aze_cyrl"],
                "aze_correct": [it.ocr for it in correct if it.lang == "aze_cyrl"],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    plain: dict[str, dict[str, list[str]]] = {}
    plain_words: dict[str, set[str]] = {}
    if args.baseline == "full":
        t = time.perf_counter()
        for lang, sp in spellers.items():
            plain[lang], plain_words[lang] = plain_answers(sp, [it.ocr for it in nonword if it.lang == lang])
        result["plain_seconds"] = round(time.perf_counter() - t, 1)
        result["plain_words"] = {lang: len(w) for lang, w in plain_words.items()}

    def ours_known(it: Item) -> bool:
        return spellers[it.lang].is_known(it.ocr)

    answers: dict[tuple[str, str], list[str]] = {}

    def ours_suggest(it: Item) -> list[str]:
        key = (it.lang, it.ocr)
        if key not in answers:
            answers[key] = [s.term for s in spellers[it.lang]._suggest(it.ocr, 5)]
        return answers[key]

    def weighted(it: Item) -> float:
        """The misread's distance from its truth in OCR confusions (the language's shipped table)."""
        from workbench.dictionary.confusions import ocr_cost

        return ocr_cost(fold_key(it.ocr, it.lang), fold_key(it.truth, it.lang), spellers[it.lang].table, {})

    def flag(it: Item) -> list[str] | None:
        found = spellers[it.lang].real_word(it.ocr, it.left, it.right)
        return None if found is None else [s.term for s in found]

    splits = [s for s in SPLITS if any(it.split == s for it in [*nonword, *correct])]
    for split in splits:
        res: dict[str, object] = {"pages": sum(1 for p in data if p.split == split)}
        for name, keep in groups(split, [*nonword, *correct]):
            nw = [it for it in nonword if keep(it)]
            ok = [it for it in correct if keep(it)]
            rw = [it for it in realword if keep(it)]
            row: dict[str, object] = {"ours": score(nw, ok, ours_known, ours_suggest, weighted)}
            if plain:
                row["plain_symspellpy_all"] = score(
                    nw,
                    ok,
                    lambda it: fold_key(it.ocr, it.lang) in plain_words[it.lang],
                    lambda it: plain[it.lang].get(it.ocr, []),
                    weighted,
                )
            if any(it.lang == "rus" for it in ok):
                row["real_word"] = score_realword(
                    [it for it in rw if it.lang == "rus"], [it for it in ok if it.lang == "rus"], flag
                )
            res[name] = row
        result[split] = res
    text = json.dumps(result, ensure_ascii=False, indent=1)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    print(text)
    print(summary(result))


def summary(result: dict[str, object]) -> str:
    """One line per split and group: misreads, ours first / top five, plain's, correct words flagged, real-word
    precision / recall."""
    lines = [
        f"{'split':16} {'group':24} {'n':>5} {'first':>6} {'top5':>6} {'p.first':>7} {'p.top5':>7} {'gap5':>6}"
        f" {'flag%':>6} {'p.flag%':>7} {'rw n':>5} {'rw P':>5} {'rw R':>5}"
    ]
    for split in SPLITS:
        res = result.get(split)
        if not isinstance(res, dict):
            continue
        for name, row in res.items():
            if not isinstance(row, dict):
                continue
            o, p, rw = row["ours"], row.get("plain_symspellpy_all") or {}, row.get("real_word") or {}
            gap = (o["top5"] - p["top5"]) * 100 if p else float("nan")
            lines.append(
                f"{split:16} {name:24} {o['misreads']:5d} {o['first'] * 100:6.1f} {o['top5'] * 100:6.1f}"
                f" {p.get('first', float('nan')) * 100:7.1f} {p.get('top5', float('nan')) * 100:7.1f} {gap:6.1f}"
                f" {o['correct_flagged'] * 100:6.2f} {p.get('correct_flagged', float('nan')) * 100:7.2f}"
                f" {rw.get('realword_misreads', 0):5d} {(rw.get('precision') or 0) * 100:5.0f}"
                f" {(rw.get('recall') or 0) * 100:5.0f}"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
