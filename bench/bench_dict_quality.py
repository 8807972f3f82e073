"""Quality of suggestions on REAL OCR errors, ours against plain symspellpy ``lookup`` on the same dictionary.

1. Plain Tesseract (``-l rus``, one thread) reads the sample archive's rendered Russian pages (``scans/`` with
   ``ground-truth/``) and the 150 real Komi newspaper lines of 1939 (``../shared/data/real/…``, ``--psm 7``);
   outputs are cached in ``.workbench-cache/bench_dict/``.
2. Each output is aligned word by word with its ground truth (difflib on folded tokens); a *misread* is a
   1:1 replaced word whose true form the dictionary knows and is within two edits of what the OCR gave.
3. For every misread: is it flagged, is the true form first, is it in the top five? For every correctly
   read word: is it wrongly flagged? Both for our speller and for a plain ``SymSpell`` filled with the same
   words (counts from the same frequencies) and asked with ``lookup(…, Verbosity.CLOSEST, 2)``.

Usage: ``.venv/bin/python bench/bench_dict_quality.py [--baseline full|core|none] [--json OUT]``
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import regex

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from workbench.dictionary import load_speller  # noqa: E402
from workbench.dictionary.build import open_index  # noqa: E402
from workbench.dictionary.check import is_exempt  # noqa: E402
from workbench.dictionary.fold import fold_key  # noqa: E402
from workbench.dictionary.index import decode_zipf  # noqa: E402
from workbench.dictionary.speller import FREQUENT_ZIPF  # noqa: E402
from workbench.project import Project  # noqa: E402

CACHE = REPO / ".workbench-cache" / "bench_dict"
SHARED = Path(os.environ.get("WORKBENCH_SHARED", REPO.parent / "shared"))
KOMI = SHARED / "data" / "real" / "komi_1939_newspaper_lines" / "data"
TOKEN = regex.compile(r"[\p{L}\p{M}\p{N}]+(?:-[\p{L}\p{M}\p{N}]+)*")
RUSSIAN_DOCS = ("azeri-1955-ru", "bagirov-1946")


def tesseract(image: Path, psm: int) -> str:
    """Plain Tesseract output for ``image`` (cached by path and size)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    key = f"{image.parent.name}__{image.stem}__psm{psm}__{image.stat().st_size}.txt"
    out = CACHE / key
    if out.exists():
        return out.read_text(encoding="utf-8")
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    r = subprocess.run(
        ["tesseract", str(image), "stdout", "-l", "rus", "--psm", str(psm)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
    )
    out.write_text(r.stdout, encoding="utf-8")
    return r.stdout


def sources() -> list[tuple[str, str, str]]:
    """(name, ground truth, OCR output) for every page and Komi line."""
    out = []
    for doc in RUSSIAN_DOCS:
        for gt in sorted((REPO / "ground-truth" / doc).glob("*.txt")):
            scans = [p for p in (REPO / "scans" / doc).glob(f"{gt.stem}.*") if p.suffix != ".toml"]
            if scans:
                out.append((f"{doc}/{gt.stem}", gt.read_text(encoding="utf-8"), tesseract(scans[0], 3)))
    for gt in sorted(KOMI.rglob("*.gt.txt")):
        image = gt.with_name(gt.name.replace(".gt.txt", ".tif"))
        out.append((f"komi/{image.stem}", gt.read_text(encoding="utf-8"), tesseract(image, 7)))
    return out


def tokens(text: str) -> list[str]:
    # join line-end hyphenation first, as the checker does
    text = regex.sub(r"(\p{L})[-¬]\s*\n\s*(\p{L})", r"\1\2", text)
    return [m.group(0) for m in TOKEN.finditer(text)]


def align(gt: str, ocr: str) -> tuple[list[tuple[str, str]], list[str]]:
    """1:1 replaced (ocr, truth) pairs and correctly read words."""
    g, o = tokens(gt), tokens(ocr)
    gk, ok = [fold_key(w, "rus") for w in g], [fold_key(w, "rus") for w in o]
    sm = difflib.SequenceMatcher(a=ok, b=gk, autojunk=False)
    pairs, correct = [], []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            correct += o[i1:i2]
        elif tag == "replace" and i2 - i1 == j2 - j1:
            pairs += list(zip(o[i1:i2], g[j1:j2], strict=True))
    return pairs, correct


def osa(a: str, b: str) -> int:
    from rapidfuzz.distance import OSA

    return OSA.distance(a, b)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--baseline", choices=["full", "core", "none"], default="full")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    project = Project(REPO)
    rus = load_speller(project, "rus")
    t0 = time.perf_counter()
    data = sources()
    ocr_seconds = time.perf_counter() - t0
    misreads: list[tuple[str, str, str]] = []
    correct: list[tuple[str, str]] = []
    for name, gt, ocr in data:
        pairs, ok = align(gt, ocr)
        for o, g in pairs:
            if is_exempt(o, o, len(o)) or is_exempt(g, g, len(g)):
                continue
            ko, kg = fold_key(o, "rus"), fold_key(g, "rus")
            if ko == kg or not rus.is_known(g) or osa(ko, kg) > 2:
                continue
            misreads.append((name, o, g))
        if not name.startswith("komi/"):  # Komi words are correct Komi, not Russian: no false-flag count there
            correct += [(name, w) for w in ok if not is_exempt(w, w, len(w))]
    # the speed bench asks the same words
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / "words.json").write_text(
        json.dumps({"misreads": [o for _, o, _ in misreads], "correct": [w for _, w in correct]}, ensure_ascii=False),
        encoding="utf-8",
    )
    komi = sum(1 for m in misreads if m[0].startswith("komi/"))
    result: dict = {
        "misreads": len(misreads),
        "misreads_komi": komi,
        "correct_words": len(correct),
        "ocr_seconds": round(ocr_seconds, 1),
    }

    def score(name: str, known: Callable[[str], bool], suggest: Callable[[str], list[str]]) -> None:
        flagged = first = top5 = ffirst = ftop5 = 0
        times = []
        for _, o, g in misreads:
            kg = fold_key(g, "rus")
            is_flagged = not known(o)
            flagged += is_flagged
            t = time.perf_counter()
            cands = [fold_key(s, "rus") for s in suggest(o)]
            times.append(time.perf_counter() - t)
            first += bool(cands) and cands[0] == kg
            top5 += kg in cands[:5]
            ffirst += is_flagged and bool(cands) and cands[0] == kg
            ftop5 += is_flagged and kg in cands[:5]
        wrong = sum(1 for _, w in correct if not known(w))
        n = max(len(misreads), 1)
        times.sort()
        result[name] = {
            "flagged": round(flagged / n, 4),
            "first": round(first / n, 4),
            "top5": round(top5 / n, 4),
            "first_of_flagged": round(ffirst / max(flagged, 1), 4),
            "top5_of_flagged": round(ftop5 / max(flagged, 1), 4),
            "correct_flagged": round(wrong / max(len(correct), 1), 4),
            "correct_flagged_words": sorted({w for _, w in correct if not known(w)}),
            "suggest_p50_ms": round(times[len(times) // 2] * 1000, 3) if times else None,
            "suggest_p95_ms": round(times[int(len(times) * 0.95)] * 1000, 3) if times else None,
        }

    score("ours", rus.is_known, lambda w: [s.term for s in rus._suggest(w, 5)])  # uncached, for the timing
    missed = [(o, g, [s.term for s in rus.suggest(o, 5)]) for _, o, g in misreads]
    missed = [m for m in missed if fold_key(m[1], "rus") not in [fold_key(t, "rus") for t in m[2][:1]]]
    result["ours_not_first_examples"] = missed[:40]

    if args.baseline != "none":
        from workbench.dictionary.symspell import Verbosity, plain_symspell

        lex = open_index("rus")
        t = time.perf_counter()
        entries = []
        for tier in lex.tiers:
            if args.baseline == "core" and tier is not lex.tiers[0]:
                continue
            raw = tier.zipf.tolist()
            for i in range(len(tier)):
                z, in_lexicon = decode_zipf(raw[i])
                if in_lexicon or z >= FREQUENT_ZIPF:  # the same words our speller counts as known
                    entries.append((fold_key(tier.word(i), "rus"), max(1, round(10**z))))
        for w in rus.project.words("rus") if rus.project else []:
            entries.append((fold_key(w, "rus"), 100_000))
        sym = plain_symspell(entries)
        result["baseline_build_seconds"] = round(time.perf_counter() - t, 1)
        result["baseline_words"] = len(entries)

        def plain_known(w: str) -> bool:
            return fold_key(w, "rus") in sym.words

        def plain_suggest(w: str) -> list[str]:
            return [s.term for s in sym.lookup(fold_key(w, "rus"), Verbosity.CLOSEST, 2)[:5]]

        score("plain_symspellpy", plain_known, plain_suggest)
    print(json.dumps(result, ensure_ascii=False, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
