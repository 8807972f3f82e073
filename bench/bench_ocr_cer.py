"""Character error rate, failures and time of the OCR pipeline against plain `tesseract`, on the same images.

Sets (each split into a development half, on which settings are chosen, and a held-out half, reported):
  komi     990 real 1939 Komi newspaper lines (../shared/data/real/komi_1939_newspaper_lines): dev =
           data/1939_09, held out = data/1939_04; plain `tesseract -l rus --psm 7`
  ehri     the 41 English and German real typewritten EHRI pages (../shared/data/real/ehri_typewritten_pages,
           ALTO ground truth); split by document (never page by page): documents, largest first, each go
           to the half with fewer pages so far; plain `-l eng` / `-l deu`
  suite    the degraded-page suite (bench/degraded_suite.py: augraphy damage of eight kinds at three strengths
           on Russian pages, four Azerbaijani kinds at two); plain `-l rus` / `-l aze_cyrl`
  samples  the sample archive's rendered pages (a smoke test: the defaults were first tuned on them)

Plain is `tesseract IMAGE - -l LANG [--psm N]` as a subprocess; its output and time are cached in
--cache (keyed by the image's bytes, language, psm and Tesseract's version) so repeated runs do not redo
it; --remeasure runs it again just before the pipeline on each image, so both times are taken at the same
load. Time is wall-clock seconds and CPU seconds (user + system, of this process and of the Tesseract
processes it ran: getrusage); the tables give the 95th percentile and the maximum of the pipeline/plain
ratio per image, and how many images took more than 3× plain's CPU time. The pipeline is the workbench's
own reading of the image (``run_job`` on a job made for the file: preprocessing, guards, per-line choice
between readings), run in this process, never cached.

CER is micro-averaged (all errors / all reference graphemes, workbench.metrics) after the same whitespace
normalisation on both sides (runs of spaces collapsed, blank lines dropped). A page "fails" when the
pipeline raises or returns nothing where plain read something.

    nice -n 10 .venv/bin/python bench/bench_ocr_cer.py [--sets komi,ehri,suite] [--split dev|held|both]
        [--jobs 1] [--limit N] [--json out.json] [--cache DIR] [--remeasure]
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import platform
import resource
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("WORKBENCH_SHARED", REPO.parent / "shared"))
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from workbench.metrics import ErrorCount, character_errors  # noqa: E402

CACHE = Path(os.environ.get("WORKBENCH_BENCH_CACHE", Path.home() / ".cache" / "workbench-bench"))


def norm(text: str) -> str:
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def _digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:24]


def tesseract_version() -> str:
    out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, check=False)
    return (out.stdout + out.stderr).split("\n")[0].strip()


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def plain(
    image: str, lang: str, psm: int | None, cache: Path, version: str, remeasure: bool = False
) -> tuple[str, float, float, bool]:
    """Plain Tesseract's text, wall seconds and CPU seconds for ``image`` (cached); the bool says whether they
    came from the cache. ``remeasure`` runs it again (so its time is measured beside the pipeline's)."""
    key = hashlib.sha256(json.dumps([_digest(image), lang, psm, version]).encode()).hexdigest()[:32]
    path = cache / "plain" / f"{key}.json"
    if path.exists() and not remeasure:
        data = json.loads(path.read_text("utf-8"))
        if "cpu" in data:
            return data["text"], data["seconds"], data["cpu"], True
    args = ["tesseract", image, "-", "-l", lang] + (["--psm", str(psm)] if psm else [])
    cpu0, start = _cpu(resource.RUSAGE_CHILDREN), time.perf_counter()
    out = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False)
    seconds, cpu = time.perf_counter() - start, _cpu(resource.RUSAGE_CHILDREN) - cpu0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"text": out.stdout, "seconds": seconds, "cpu": cpu, "args": args[3:]}), "utf-8")
    return out.stdout, seconds, cpu, False


# -- sets -----------------------------------------------------------------------------------------------


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
                "split": "dev",
                "kind": lang,
            }
        )
    return out


def items_komi() -> list[dict[str, Any]]:
    out = []
    for split, folder in (("dev", "1939_09"), ("held", "1939_04")):
        for f in sorted(glob.glob(str(SHARED / f"data/real/komi_1939_newspaper_lines/data/{folder}/*/*.tif"))):
            out.append(
                {
                    "set": "komi",
                    "id": Path(f).name,
                    "image": f,
                    "gt": Path(f[:-4] + ".gt.txt").read_text("utf-8"),
                    "plain_lang": "rus",
                    "psm": 7,
                    # As a document declared Russian (the nearest language with a model) is read: `auto`
                    # lets the pipeline find that the text is not Russian and read it with the script model.
                    "lang": "auto",
                    "doc_languages": ["rus"],
                    "split": split,
                    "kind": "line",
                }
            )
    return out


def ehri_document(stem: str) -> str:
    """The document a page belongs to: the file stem without its page number (``..._EN_01`` → ``..._EN``)."""
    return stem.rsplit("_", 1)[0]


def ehri_split(stems: list[str]) -> dict[str, str]:
    """Documents to halves: largest first, each to the half with fewer pages so far (ties to dev)."""
    sizes: dict[str, int] = {}
    for stem in stems:
        sizes[ehri_document(stem)] = sizes.get(ehri_document(stem), 0) + 1
    pages = {"dev": 0, "held": 0}
    out: dict[str, str] = {}
    for doc in sorted(sizes, key=lambda d: (-sizes[d], d)):
        half = "dev" if pages["dev"] <= pages["held"] else "held"
        out[doc] = half
        pages[half] += sizes[doc]
    return out


def items_ehri() -> list[dict[str, Any]]:
    from lxml import etree

    out = []
    for lang, folder in (("eng", "english"), ("deu", "german")):
        xmls = sorted(glob.glob(str(SHARED / f"data/real/ehri_typewritten_pages/data/{folder}/*.xml")))
        halves = ehri_split([Path(x).stem for x in xmls])
        for xml in xmls:
            tree = etree.parse(xml)
            ns = {"a": tree.getroot().nsmap[None]}
            lines = [
                " ".join(s.get("CONTENT") for s in tl.findall("a:String", ns))
                for tl in tree.iterfind(".//a:TextLine", ns)
            ]
            out.append(
                {
                    "set": "ehri",
                    "id": Path(xml).stem,
                    "image": xml[:-4] + ".jpg",
                    "gt": "\n".join(lines),
                    "plain_lang": lang,
                    "psm": None,
                    "lang": lang,
                    "split": halves[ehri_document(Path(xml).stem)],
                    "kind": lang,
                    "doc": ehri_document(Path(xml).stem),
                }
            )
    return out


def items_suite(cache: Path) -> list[dict[str, Any]]:
    import degraded_suite

    out = []
    for it in degraded_suite.build(cache / "degraded-suite"):
        out.append(
            {
                "set": "suite-" + ("rus" if it["lang"] == "rus" else "aze"),
                "id": it["id"],
                "image": it["image"],
                "gt": it["gt"],
                "plain_lang": it["lang"],
                "psm": None,
                "lang": "auto",
                "doc_languages": [it["lang"]],
                "split": it["split"],
                "kind": it["kind"],
                "level": it["level"],
            }
        )
    return out


# -- the pipeline ---------------------------------------------------------------------------------------


def pipeline(item: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The workbench's reading: ``run_job`` on the sample page, or on a job made for the image file."""
    from workbench.ocr import pipeline as pl

    if item.get("page"):
        from workbench.project import Project

        result = pl.run_job(pl.prepare_job(Project(REPO), item["page"]))
        return result.text, result.meta
    from workbench.ocr.steps import DEFAULT_STEPS

    data = Path(item["image"]).read_bytes()
    job = pl.PageJob(
        page_id=item["id"],
        image_name=Path(item["image"]).name,
        scan_path=item["image"],
        scan_bytes=None,
        scan_suffix=Path(item["image"]).suffix.lower(),
        scan_digest="sha256:" + hashlib.sha256(data).hexdigest(),
        frame=None,
        lang=item["lang"],
        doc_languages=tuple(item.get("doc_languages") or [item["plain_lang"]]),
        orthography="1939",
        regions=(),
        steps=tuple((name, tuple(sorted(dict(params).items()))) for name, params in DEFAULT_STEPS),
        timeout=180.0,
        project_root=str(REPO),
    )
    result = pl.run_job(job)
    return result.text, result.meta


def measure(job: tuple[dict[str, Any], str, str, bool]) -> dict[str, Any]:
    item, cache, version, remeasure = job
    p_text, p_seconds, p_cpu, cached = plain(
        item["image"], item["plain_lang"], item["psm"], Path(cache), version, remeasure
    )
    # CPU time: this process's (the pipeline runs in it) plus its finished children's (Tesseract).
    cpu0 = _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    error = None
    meta: dict[str, Any] = {}
    try:
        w_text, meta = pipeline(item)
    except Exception as e:  # noqa: BLE001 - a failed page is a result here, not the end of the run
        w_text, error = "", f"{type(e).__name__}: {e}"
    w_seconds = time.perf_counter() - start
    w_cpu = _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN) - cpu0
    ref = norm(item["gt"])
    pe = character_errors(ref, norm(p_text))
    we = character_errors(ref, norm(w_text))
    failed = error is not None or (not norm(w_text) and bool(norm(p_text)))
    return {
        **{k: item.get(k) for k in ("set", "id", "split", "kind", "level", "doc")},
        "chars": pe.reference_length,
        "plain_errors": pe.errors,
        "pipe_errors": we.errors,
        "plain_s": round(p_seconds, 3),
        "plain_cpu": round(p_cpu, 3),
        "plain_cached": cached,
        "pipe_s": round(w_seconds, 3),
        "pipe_cpu": round(w_cpu, 3),
        "failed": failed,
        "error": error,
        "plain_empty": not norm(p_text),
        "readings": meta.get("readings"),
        "hyp": w_text,
    }


# -- report ---------------------------------------------------------------------------------------------


def table(results: list[dict[str, Any]], by: tuple[str, ...]) -> None:
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in results:
        groups.setdefault(tuple(r[k] for k in by), []).append(r)
    head = " ".join(f"{k:10}" for k in by)
    print(
        f"{head} {'n':>4} {'plain':>7} {'pipe':>7} {'ratio':>6} {'fail':>5} {'plain s':>8} {'pipe s':>7}"
        f" {'wall/p p95':>10} {'max':>5} {'cpu/p p95':>9} {'max':>5} {'>3x cpu':>7}"
    )
    for key in sorted(groups, key=lambda k: tuple(str(x) for x in k)):
        rows = groups[key]
        p = ErrorCount(sum(r["plain_errors"] for r in rows), sum(r["chars"] for r in rows))
        w = ErrorCount(sum(r["pipe_errors"] for r in rows), sum(r["chars"] for r in rows))
        fails = sum(1 for r in rows if r["failed"] and not r["plain_empty"])
        ps = sum(r["plain_s"] for r in rows) / len(rows)
        ws = sum(r["pipe_s"] for r in rows) / len(rows)
        wall = sorted(r["pipe_s"] / max(r["plain_s"], 0.01) for r in rows)
        cpu = sorted(r["pipe_cpu"] / max(r["plain_cpu"], 0.01) for r in rows)
        ratio = w.rate / p.rate if p.rate else float("nan")
        label = " ".join(f"{x!s:10}" for x in key)
        print(
            f"{label} {len(rows):4d} {p.rate * 100:6.2f}% {w.rate * 100:6.2f}% {ratio:6.2f} {fails:5d}"
            f" {ps:8.2f} {ws:7.2f} {_p95(wall):10.2f} {wall[-1]:5.2f} {_p95(cpu):9.2f} {cpu[-1]:5.2f}"
            f" {sum(1 for c in cpu if c > 3):7d}"
        )


def _p95(values: list[float]) -> float:
    """The 95th percentile of sorted ``values`` (nearest rank)."""
    return values[min(len(values) - 1, max(0, int(0.95 * len(values) + 0.5) - 1))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default="komi,ehri,suite")
    ap.add_argument("--split", default="both", choices=["dev", "held", "both"])
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--limit", type=int, default=0, help="at most N items per set and split (spread evenly)")
    ap.add_argument("--only", default=None, help="only items whose id contains this")
    ap.add_argument("--cache", type=Path, default=CACHE, help="plain outputs and the degraded suite")
    ap.add_argument("--json", type=Path, default=None, help="write per-item results here")
    ap.add_argument(
        "--remeasure", action="store_true", help="run plain Tesseract again (texts cached, times measured now)"
    )
    args = ap.parse_args()

    sets = args.sets.split(",")
    items: list[dict[str, Any]] = []
    if "samples" in sets:
        items += items_samples()
    if "komi" in sets:
        items += items_komi()
    if "ehri" in sets:
        items += items_ehri()
    if "suite" in sets:
        items += items_suite(args.cache)
    if args.split != "both":
        items = [it for it in items if it["split"] == args.split]
    if args.only:
        items = [it for it in items if args.only in it["id"]]
    if args.limit:
        picked: list[dict[str, Any]] = []
        for key in sorted({(it["set"], it["split"]) for it in items}):
            group = [it for it in items if (it["set"], it["split"]) == key]
            step = max(1, len(group) // args.limit)
            picked += group[::step][: args.limit]
        items = picked
    version = tesseract_version()
    print(
        f"# {platform.node()} {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; {len(items)} images; {version}",
        flush=True,
    )
    start = time.perf_counter()
    jobs = [(it, str(args.cache), version, args.remeasure) for it in items]
    if items:  # imports and dictionaries loaded before the first measured page, as in a long-running batch
        try:
            pipeline(items[0])
        except Exception:  # noqa: BLE001 - a page that fails is measured (and reported) below
            pass
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            results = list(pool.map(measure, jobs))
    else:
        results = [measure(j) for j in jobs]
    for r in results:
        if r["failed"]:
            print(f"FAILED {r['set']} {r['id']}: {r['error'] or 'no text'}")
    print("\n## per set and split")
    table(results, ("set", "split"))
    print("\n## per set, split and kind")
    table(results, ("set", "split", "kind"))
    cached = sum(1 for r in results if r["plain_cached"])
    print(
        f"\n# {time.perf_counter() - start:.0f} s, load {os.getloadavg()[0]:.2f};"
        f" plain from cache: {cached}/{len(results)}"
    )
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
