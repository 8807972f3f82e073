"""Throughput of `workbench ocr` against one plain `tesseract` process per core, and of a cached rerun.

On a copy of the sample archive (scans/ of this repository):
  plain     every page through `tesseract IMAGE - -l LANG` (rus, or aze_cyrl for Azerbaijani documents),
            JOBS processes at a time, OMP_THREAD_LIMIT=1 (the fastest plain setting on 2 cores; the
            default 4 OpenMP threads per process is also measured when --plain-default-threads is given)
  pipeline  `workbench ocr --force -j JOBS` in a subprocess (preprocessing, per-line languages, storing)
  cached    `workbench ocr` again on the unchanged archive (every page skipped), in a subprocess, and the
            in-process `run_batch` call alone

    .venv/bin/python bench/bench_ocr_throughput.py [--jobs 2] [--rounds 1]

The machine is shared, so besides wall time each measurement reports the CPU seconds its processes used
(children's user+sys from getrusage): on a dedicated machine, throughput is cores / CPU seconds per page,
and that ratio does not depend on what else was running.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def copy_archive(dest: Path) -> Path:
    dest.mkdir(parents=True)
    shutil.copy2(REPO / "workbench.toml", dest / "workbench.toml")
    shutil.copytree(REPO / "scans", dest / "scans")
    (dest / "transcripts").mkdir()
    return dest


def pages(root: Path) -> list[tuple[str, str]]:
    from workbench.project import Project

    project = Project(root)
    out = []
    for page in project.pages():
        if page.scan is None:
            continue
        doc = project.document(page.document)
        lang = "aze_cyrl" if "aze_cyrl" in doc.languages and "rus" not in doc.languages else "rus"
        out.append((str(page.scan), lang))
    return out


def cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def plain(items: list[tuple[str, str]], jobs: int, env: dict[str, str]) -> float:
    def one(item: tuple[str, str]) -> None:
        subprocess.run(["tesseract", item[0], "-", "-l", item[1]], capture_output=True, env=env, check=True)

    start = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, items))
    return time.perf_counter() - start


def workbench(root: Path, *args: str) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "workbench", "-C", str(root), "ocr", "--no-progress", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--plain-default-threads", action="store_true")
    ap.add_argument("--docs", default=None, help="only these documents (comma-separated), e.g. bagirov-1946")
    args = ap.parse_args()
    from workbench.ocr.batch import run_batch
    from workbench.project import Project

    with tempfile.TemporaryDirectory() as tmp:
        root = copy_archive(Path(tmp) / "archive")
        if args.docs:
            keep = set(args.docs.split(","))
            for folder in (root / "scans").iterdir():
                if folder.is_dir() and folder.name not in keep:
                    shutil.rmtree(folder)
        items = pages(root)
        n = len(items)
        print(f"# {n} pages, {args.jobs} jobs, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}", flush=True)
        env1 = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        rows: list[tuple[str, float, float]] = []

        def timed(name: str, fn: object) -> None:
            cpu = cpu_children()
            seconds = fn()  # type: ignore[operator]
            rows.append((name, seconds, cpu_children() - cpu))

        for r in range(args.rounds):
            # Alternate the order so a change of load hits both sides alike.
            first, second = ("plain", "pipe") if r % 2 == 0 else ("pipe", "plain")
            for which in (first, second):
                if which == "plain":
                    timed(
                        f"plain tesseract, OMP_THREAD_LIMIT=1, {args.jobs} at a time",
                        lambda: plain(items, args.jobs, env1),
                    )
                else:
                    timed(
                        f"workbench ocr --force -j {args.jobs}",
                        lambda: workbench(root, "--force", "-j", str(args.jobs)),
                    )
            timed("workbench ocr, cached (subprocess)", lambda: workbench(root))
            start = time.perf_counter()
            report = run_batch(Project(root))
            rows.append(("run_batch, cached (in process)", time.perf_counter() - start, 0.0))
            assert len(report.skipped) == n, report.summary()
            if args.plain_default_threads:
                timed(
                    f"plain tesseract, default threads, {args.jobs} at a time",
                    lambda: plain(items, args.jobs, dict(os.environ)),
                )
            print(f"round {r + 1}: load {os.getloadavg()[0]:.2f}", flush=True)
        print(f"{'':55} {'wall':>9} {'pages/min':>10} {'CPU s/page':>11}")
        for name, seconds, cpu in rows:
            print(f"{name:55} {seconds:8.2f}s {60 * n / seconds:10.1f} {cpu / n:11.2f}")

        def total(prefix: str, col: int) -> float:
            return sum(row[col] for row in rows if row[0].startswith(prefix))

        p_wall, w_wall = total("plain tesseract, OMP", 1), total("workbench ocr --force", 1)
        p_cpu, w_cpu = total("plain tesseract, OMP", 2), total("workbench ocr --force", 2)
        c_wall, c_in = total("workbench ocr, cached", 1), total("run_batch, cached", 1)
        print(f"pipeline / plain: wall time {w_wall / p_wall:.2f}, CPU time {w_cpu / p_cpu:.2f}")
        print(f"first run / cached run: {w_wall / c_wall:.0f}x (subprocess), {w_wall / c_in:.0f}x (in process)")
        print(f"# load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
