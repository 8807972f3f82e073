"""Quality of suggestions on Tesseract misreads of texts the speller was never tuned on, against plain symspellpy.

1. Pages: Russian texts that are not the sample archive (``bench/dict_pages.py``: Debian's ``fortunes-ru``
   quotations, one document a page, typed and aged by the sample renderer, then blurred / noised / JPEG'd),
   read by plain Tesseract ``-l rus``. The split is by document: ``dev`` (weights are fitted there) and
   ``heldout`` (only reported). ``--samples`` adds the sample archive's nine Russian pages as a third set,
   ``samples``: the old weights were tuned on them, so it is reference only.
   The real sets of ``../shared/data/real`` have no dictionary here: the Komi lines are Komi, not Russian (a
   Russian speller flags correct Komi words), the EHRI pages English and German. They are left out.
2. OCR and truth are aligned word by word (difflib on folded tokens). A 1:1 replaced word whose true form
   the dictionary knows is a *misread*: a *non-word misread* if the OCR'd form is unknown (up to 4 plain
   edits and half the word's length from the truth, and within a quarter of its length (at least one
   letter): wider pairs are alignment noise or fragments of a word the OCR broke apart), a *real-word
   misread* if the OCR'd form is itself a known word.
3. Scored for ours and for a plain ``SymSpell`` (max edit 2, prefix 7, the fast comparer) filled with exactly
   the words our speller counts as known, asked with ``lookup(word, Verbosity.ALL, 2)`` and scored the same
   way (its top five by distance, then count): right form first / in the top five of the non-word
   misreads, correct words flagged, and for ours the real-word flags' precision and recall.

The plain SymSpell takes ~5 min and ~3 GB to build over 3 million words: its answers are cached per word
(keyed by the word list's size and checksum) in the cache folder, so it is rebuilt only for new words.

Usage: ``.venv/bin/python bench/bench_dict_quality.py [--pages 24] [--samples] [--baseline full|none]
[--json OUT]``
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

from dict_pages import CACHE, heldout_files, pages  # noqa: E402

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
    """One aligned word: the set, the page, what the OCR gave, the truth, and the OCR's neighbours."""

    split: str
    page: str
    ocr: str
    truth: str
    left: str
    right: str


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


def sources(count: int, samples: bool) -> list[tuple[str, str, str, str]]:
    """(split, page name, ground truth, OCR output) of every page."""
    out = [(p.split, f"{p.name}/{p.damage}", p.truth, p.ocr) for p in pages(count)]
    if samples:
        for doc in RUSSIAN_DOCS:
            for gt in sorted((REPO / "ground-truth" / doc).glob("*.txt")):
                scans = [p for p in (REPO / "scans" / doc).glob(f"{gt.stem}.*") if p.suffix != ".toml"]
                if scans:
                    out.append(("samples", f"{doc}/{gt.stem}", gt.read_text(encoding="utf-8"), tesseract(scans[0])))
    return out


def tokens(text: str) -> list[str]:
    """Word tokens, line-end hyphenation joined first as the checker does."""
    text = regex.sub(r"(\p{L})[-¬]\s*\n\s*(\p{L})", r"\1\2", text)
    return [m.group(0) for m in TOKEN.finditer(text)]


def align(split: str, page: str, gt: str, ocr: str) -> tuple[list[Item], list[Item]]:
    """1:1 replaced words and correctly read words, each with its OCR neighbours."""
    g, o = tokens(gt), tokens(ocr)
    gk, ok = [fold_key(w, "rus") for w in g], [fold_key(w, "rus") for w in o]
    sm = difflib.SequenceMatcher(a=ok, b=gk, autojunk=False)
    replaced, correct = [], []

    def item(i: int, truth: str) -> Item:
        return Item(split, page, o[i], truth, o[i - 1] if i > 0 else "", o[i + 1] if i + 1 < len(o) else "")

    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            correct += [item(i, o[i]) for i in range(i1, i2)]
        elif tag == "replace" and i2 - i1 == j2 - j1:
            replaced += [item(i1 + k, g[j1 + k]) for k in range(i2 - i1)]
    return replaced, correct


def osa(a: str, b: str) -> int:
    from rapidfuzz.distance import OSA

    return OSA.distance(a, b)


def collect(rus: Speller, data: list[tuple[str, str, str, str]]) -> tuple[list[Item], list[Item], list[Item]]:
    """Non-word misreads, real-word misreads and correctly read words."""
    nonword, realword, correct = [], [], []
    for split, page, gt, ocr in data:
        replaced, ok = align(split, page, gt, ocr)
        for it in replaced:
            if is_exempt(it.ocr, it.ocr, len(it.ocr)) or is_exempt(it.truth, it.truth, len(it.truth)):
                continue
            ko, kg = fold_key(it.ocr, "rus"), fold_key(it.truth, "rus")
            if ko == kg or not rus.is_known(it.truth):
                continue
            d = osa(ko, kg)
            too_far = d > MAX_PLAIN_EDITS or d > max(2, len(kg) // 2)
            if too_far or abs(len(ko) - len(kg)) > max(1, len(kg) // 4):
                continue  # alignment noise or a fragment of a word the OCR broke in two, not a misread
            (realword if rus.is_known(it.ocr) else nonword).append(it)
        correct += [it for it in ok if not is_exempt(it.ocr, it.ocr, len(it.ocr))]
    return nonword, realword, correct


def pct(times: list[float], q: float) -> float | None:
    times = sorted(times)
    return round(times[min(len(times) - 1, int(len(times) * q))] * 1000, 3) if times else None


def score(
    nonword: list[Item],
    correct: list[Item],
    known: Callable[[str], bool],
    suggest: Callable[[str], list[str]],
) -> dict[str, object]:
    """Right form first / in the top five of the non-word misreads, and correct words flagged."""
    flagged = first = top5 = 0
    times: list[float] = []
    bands: dict[str, list[int]] = {}
    misses = []
    for it in nonword:
        kg = fold_key(it.truth, "rus")
        flagged += not known(it.ocr)
        t = time.perf_counter()
        cands = [fold_key(s, "rus") for s in suggest(it.ocr)][:5]
        times.append(time.perf_counter() - t)
        hit1, hit5 = bool(cands) and cands[0] == kg, kg in cands
        first += hit1
        top5 += hit5
        band = "1-2 edits" if osa(fold_key(it.ocr, "rus"), kg) <= 2 else "3-4 edits"
        b = bands.setdefault(band, [0, 0, 0])
        b[0] += 1
        b[1] += hit1
        b[2] += hit5
        if not hit1:
            misses.append(f"{it.ocr} → {it.truth}: {' '.join(cands)}")
    wrong = sorted({it.ocr for it in correct if not known(it.ocr)})
    n = max(len(nonword), 1)
    return {
        "misreads": len(nonword),
        "flagged": round(flagged / n, 4),
        "first": round(first / n, 4),
        "top5": round(top5 / n, 4),
        "by_distance": {
            k: {"n": v[0], "first": round(v[1] / v[0], 4), "top5": round(v[2] / v[0], 4)} for k, v in bands.items()
        },
        "correct_words": len(correct),
        "correct_flagged": round(sum(1 for it in correct if not known(it.ocr)) / max(len(correct), 1), 4),
        "correct_flagged_words": wrong,
        "suggest_p50_ms": pct(times, 0.5),
        "suggest_p95_ms": pct(times, 0.95),
        "not_first": misses[:60],
    }


def score_realword(
    realword: list[Item], correct: list[Item], flag: Callable[[Item], list[str] | None]
) -> dict[str, object]:
    """Precision and recall of the real-word flags: a flag on a correct word is a false one."""
    hits = right_first = 0
    for it in realword:
        cands = flag(it)
        if cands is not None:
            hits += 1
            right_first += bool(cands) and fold_key(cands[0], "rus") == fold_key(it.truth, "rus")
    false = [it for it in correct if flag(it) is not None]
    flags = hits + len(false)
    return {
        "realword_misreads": len(realword),
        "flagged": hits,
        "right_first": right_first,
        "false_flags": len(false),
        "precision": round(hits / flags, 4) if flags else None,
        "precision_right_first": round(right_first / flags, 4) if flags else None,
        "recall": round(hits / max(len(realword), 1), 4),
        "false_examples": [f"{it.left} [{it.ocr}] {it.right}: {' '.join(flag(it) or [])}" for it in false[:20]],
        "missed_examples": [f"{it.left} [{it.ocr}→{it.truth}] {it.right}" for it in realword if flag(it) is None][:30],
    }


def plain_answers(rus: Speller, words: list[str]) -> tuple[dict[str, list[str]], set[str]]:
    """Plain SymSpell's answers (``Verbosity.ALL``, max edit 2) for ``words``, cached; and its word set."""
    from workbench.dictionary.symspell import Verbosity, plain_symspell

    lex = open_index("rus")
    entries: dict[str, int] = {}
    for tier in lex.tiers:
        raw = tier.zipf.tolist()
        for i in range(len(tier)):
            z, in_lexicon = decode_zipf(raw[i])
            if in_lexicon or z >= FREQUENT_ZIPF:  # the same words our speller counts as known
                k = fold_key(tier.word(i), "rus")
                entries[k] = max(entries.get(k, 1), max(1, round(10**z)))
    for w in rus.project.words("rus") if rus.project else []:
        entries[fold_key(w, "rus")] = 100_000
    digest = hashlib.sha256("\n".join(sorted(entries)).encode()).hexdigest()[:16]
    cache_file = CACHE / f"plain_all_{len(entries)}_{digest}.json"
    cache: dict[str, list[str]] = json.loads(cache_file.read_text(encoding="utf-8")) if cache_file.exists() else {}
    missing = sorted({fold_key(w, "rus") for w in words} - set(cache))
    if missing:
        sym = plain_symspell(entries.items())
        for q in missing:
            cache[q] = [s.term for s in sym.lookup(q, Verbosity.ALL, 2)[:5]]
        cache_file.write_text(json.dumps(cache, ensure_ascii=False), encoding="utf-8")
    return {w: cache[fold_key(w, "rus")] for w in words}, set(entries)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=24, help="fortune documents to render (half dev, half held-out)")
    ap.add_argument("--samples", action="store_true", help="also score the sample archive (tuned on: reference)")
    ap.add_argument("--baseline", choices=["full", "none"], default="full")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    project = Project(REPO)
    rus = load_speller(project, "rus")
    # as `workbench check` does: word pairs of the installed corpus and of the archive's reviewed lines,
    # but without the fortune files the held-out pages were made from
    archive = archive_context(project)
    context = corpus_context(exclude=heldout_files(args.pages))
    context.update(archive)
    rus.use_context(context, archive)
    t0 = time.perf_counter()
    data = sources(args.pages, args.samples)
    nonword, realword, correct = collect(rus, data)
    result: dict[str, object] = {"pages_seconds": round(time.perf_counter() - t0, 1)}
    splits = sorted({s for s, *_ in data}, key=["dev", "heldout", "samples"].index)
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / "words.json").write_text(  # the speed bench asks the same words
        json.dumps({"misreads": [it.ocr for it in nonword], "correct": [it.ocr for it in correct]}, ensure_ascii=False),
        encoding="utf-8",
    )
    plain: dict[str, list[str]] = {}
    plain_words: set[str] = set()
    if args.baseline == "full":
        t = time.perf_counter()
        plain, plain_words = plain_answers(rus, [it.ocr for it in nonword])
        result["plain_seconds"] = round(time.perf_counter() - t, 1)
        result["plain_words"] = len(plain_words)
    real_word = getattr(rus, "real_word", None)
    for split in splits:
        nw = [it for it in nonword if it.split == split]
        ok = [it for it in correct if it.split == split]
        rw = [it for it in realword if it.split == split]
        res: dict[str, object] = {
            "pages": sum(1 for s, *_ in data if s == split),
            "ours": score(nw, ok, rus.is_known, lambda w: [s.term for s in rus._suggest(w, 5)]),
        }
        if plain:
            res["plain_symspellpy_all"] = score(
                nw, ok, lambda w: fold_key(w, "rus") in plain_words, lambda w: plain.get(w, [])
            )
        if real_word is not None:

            def flag(it: Item) -> list[str] | None:
                found = real_word(it.ocr, it.left, it.right)
                return None if found is None else [s.term for s in found]

            res["real_word"] = score_realword(rw, ok, flag)
        else:
            res["real_word"] = {"realword_misreads": len(rw), "flagged": 0, "note": "no real-word check"}
        result[split] = res
    text = json.dumps(result, ensure_ascii=False, indent=1)
    print(text)
    if args.json:
        args.json.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
