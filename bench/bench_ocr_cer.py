"""Character error rate of the OCR pipeline against plain `tesseract IMAGE - -l LANG`, on the same images.

Sets:
  samples  the sample archive's rendered pages (scans/ + ground-truth/<page-id>.txt), plain `-l rus`
           for Russian documents and `-l aze_cyrl` for Azerbaijani ones
  komi     real 1939 Komi newspaper lines (../shared/data/real/komi_1939_newspaper_lines), `-l rus --psm 7`
  ehri     real typewritten EHRI pages with ALTO ground truth (English and German), `-l eng` / `-l deu`

CER is micro-averaged (all errors / all reference graphemes, via workbench.metrics) after the same
whitespace normalisation on both sides (runs of spaces collapsed, blank lines dropped).

    .venv/bin/python bench/bench_ocr_cer.py [--sets samples,komi,ehri] [--jobs 2] [--steps SPEC ...]
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("WORKBENCH_SHARED", REPO.parent / "shared"))
sys.path.insert(0, str(REPO))

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from workbench.metrics import ErrorCount, character_errors  # noqa: E402


def norm(text: str) -> str:
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def plain(image: str, lang: str, psm: int | None) -> str:
    args = ["tesseract", image, "-", "-l", lang] + (["--psm", str(psm)] if psm else [])
    out = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False)
    return out.stdout


def items_samples() -> list[dict[str, Any]]:
    from workbench.project import Project

    project = Project(REPO)
    out = []
    for page in project.pages():
        gt = REPO / "ground-truth" / f"{page.id}.txt"
        if page.scan is None or not gt.exists():
            continue
        doc = project.document(page.document)
        lang = "aze_cyrl" if "aze_cyrl" in doc.languages and "rus" not in doc.languages else "rus"
        out.append(
            {
                "set": "samples",
                "id": page.id,
                "image": str(page.scan),
                "gt": gt.read_text("utf-8"),
                "plain_lang": lang,
                "psm": None,
                "page": page.id,
            }
        )
    return out


def items_komi(n: int) -> list[dict[str, Any]]:
    files = sorted(glob.glob(str(SHARED / "data/real/komi_1939_newspaper_lines/data/*/*/*.tif")))
    step = max(1, len(files) // n)
    return [
        {
            "set": "komi",
            "id": Path(f).name,
            "image": f,
            "gt": Path(f[:-4] + ".gt.txt").read_text("utf-8"),
            "plain_lang": "rus",
            "psm": 7,
        }
        for f in files[::step][:n]
    ]


def items_ehri() -> list[dict[str, Any]]:
    from lxml import etree

    out = []
    for xml in sorted(glob.glob(str(SHARED / "data/real/ehri_typewritten_pages/data/*/*.xml"))):
        lang = "eng" if "/english/" in xml else "deu" if "/german/" in xml else None
        if lang is None:
            continue  # no Danish or Czech model installed
        tree = etree.parse(xml)
        ns = {"a": tree.getroot().nsmap[None]}
        lines = [
            " ".join(s.get("CONTENT") for s in tl.findall("a:String", ns)) for tl in tree.iterfind(".//a:TextLine", ns)
        ]
        out.append(
            {
                "set": "ehri",
                "id": Path(xml).stem,
                "image": xml[:-4] + ".jpg",
                "gt": "\n".join(lines),
                "plain_lang": lang,
                "psm": None,
            }
        )
    return out


def pipeline(item: dict[str, Any], steps: list[Any] | None) -> str:
    """The workbench pipeline: the sample pages through ocr_page's job; real images through preprocess+run."""
    from workbench.ocr import tesseract
    from workbench.ocr.preprocess import preprocess
    from workbench.orthography import normalise_aze_cyrl
    from workbench.scans import load_grey

    if item.get("page"):
        from workbench.ocr.pipeline import prepare_job, run_job
        from workbench.project import Project

        job = prepare_job(Project(REPO), item["page"], steps=steps)
        return run_job(job).text
    prep = preprocess(load_grey(Path(item["image"])), steps)
    text = tesseract.run(prep.image, item["plain_lang"], psm=item["psm"] or 3).text
    return normalise_aze_cyrl(text) if item["plain_lang"] == "aze_cyrl" else text


def measure(job: tuple[dict[str, Any], str, list[Any] | None]) -> tuple[str, str, str, int, int, float]:
    item, variant, steps = job
    start = time.perf_counter()
    hyp = plain(item["image"], item["plain_lang"], item["psm"]) if variant == "plain" else pipeline(item, steps)
    ec = character_errors(norm(item["gt"]), norm(hyp))
    return item["set"], item["id"], variant, ec.errors, ec.reference_length, time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default="samples,komi,ehri")
    ap.add_argument("--komi", type=int, default=150, help="how many Komi lines (spread over the set)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--steps", action="append", default=None, help="pipeline variants (default: the default)")
    ap.add_argument("--json", type=Path, default=None, help="write per-item results here")
    args = ap.parse_args()
    from workbench.ocr.preprocess import parse_steps

    sets = args.sets.split(",")
    items: list[dict[str, Any]] = []
    if "samples" in sets:
        items += items_samples()
    if "komi" in sets:
        items += items_komi(args.komi)
    if "ehri" in sets:
        items += items_ehri()
    variants: dict[str, list[Any] | None] = {"plain": None}
    for spec in args.steps or ["default"]:
        variants[f"pipeline[{spec}]"] = parse_steps(spec)
    jobs = [(item, name, steps) for item in items for name, steps in variants.items()]
    print(f"# {platform.node()} {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; {len(jobs)} runs", flush=True)
    start = time.perf_counter()
    with ProcessPoolExecutor(args.jobs) as pool:
        results = list(pool.map(measure, jobs))
    totals: dict[tuple[str, str], ErrorCount] = {}
    az: dict[str, ErrorCount] = {}
    for set_, id_, variant, errors, n, _ in results:
        totals[(set_, variant)] = totals.get((set_, variant), ErrorCount(0, 0)) + ErrorCount(errors, n)
        if set_ == "samples" and id_.startswith("yakubov"):
            az[variant] = az.get(variant, ErrorCount(0, 0)) + ErrorCount(errors, n)
    print(f"{'set':10} {'variant':40} {'CER':>8} {'errors':>7} {'chars':>7}")
    for (set_, variant), ec in sorted(totals.items()):
        print(f"{set_:10} {variant:40} {ec.rate * 100:7.2f}% {ec.errors:7d} {ec.reference_length:7d}")
    for variant, ec in sorted(az.items()):
        print(f"{'samples-az':10} {variant:40} {ec.rate * 100:7.2f}% {ec.errors:7d} {ec.reference_length:7d}")
    print(f"# {time.perf_counter() - start:.0f} s, load {os.getloadavg()[0]:.2f}")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
