"""``workbench train`` on corrected lines of the sample archive: wall and CPU time, and resuming after a kill.

Run: .venv/bin/python bench/bench_train.py [--lines 200] [--iterations N] [--json OUT]

Set-up (not timed): a copy of the sample archive; every page that has a ground truth is OCR'd once by the
real Tesseract and then saved with its ground truth as the corrected text, every line marked reviewed;
``export --format lines`` cuts the lines; the first ``--lines`` pairs (by name) are the training folder.

Then, timed, each in its own copy of the project (so neither sees the other's checkpoints):
  full         ``workbench train LINES --json`` from start to end;
  interrupted  the same command, killed (its whole process group, SIGKILL: lstmtraining included) once the
               first checkpoint exists, then run again: it must say ``"resumed": true``.

CPU time is the children's user+system time (lstmtraining, lstmeval, tesseract); the load average before
and after is printed too, since the machine is shared. ``lstmtraining`` runs with one thread
(``OMP_THREAD_LIMIT=1``), so the run needs one of the two cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from workbench.formats.handover import export_handover
from workbench.ocr.pipeline import apply_ocr_result, ocr_page
from workbench.project import Project
from workbench.store import TranscriptStore

REPO = Path(__file__).resolve().parent.parent


def corrected_archive(dest: Path) -> Project:
    """The sample archive's pages that have a ground truth: OCR'd, then saved with the ground truth, reviewed."""
    dest.mkdir(parents=True)
    shutil.copy2(REPO / "workbench.toml", dest / "workbench.toml")
    for gt in sorted((REPO / "ground-truth").glob("*/*.txt")):
        doc = gt.parent.name
        scan = REPO / "scans" / doc / f"{gt.stem}.jpg"
        if not scan.exists():
            continue
        (dest / "scans" / doc).mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / "scans" / doc / "document.toml", dest / "scans" / doc / "document.toml")
        shutil.copy2(scan, dest / "scans" / doc / scan.name)
    project = Project(dest)
    store = TranscriptStore(project)
    for page in project.pages():
        apply_ocr_result(store, page.id, ocr_page(project, page.id))
        truth = (REPO / "ground-truth" / page.document / f"{page.id.split('/')[-1]}.txt").read_text(encoding="utf-8")
        lines = truth.rstrip("\n").split("\n")
        store.save(page.id, "\n".join(lines), reviewed=[i for i, t in enumerate(lines) if t.strip()], message="gt")
    return project


def cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def train_cmd(root: Path, lines: Path, iterations: int | None) -> list[str]:
    cmd = [sys.executable, "-m", "workbench", "-C", str(root), "train", str(lines), "--json"]
    return cmd + (["--iterations", str(iterations)] if iterations else [])


def run_full(root: Path, lines: Path, iterations: int | None) -> dict[str, Any]:
    load0, cpu0, t0 = os.getloadavg()[0], cpu_children(), time.perf_counter()
    res = subprocess.run(train_cmd(root, lines, iterations), capture_output=True, text=True, check=False)
    wall, cpu = time.perf_counter() - t0, cpu_children() - cpu0
    if res.returncode:
        raise SystemExit(res.stderr)
    return {"wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "load_before": load0,
            "load_after": os.getloadavg()[0], "report": json.loads(res.stdout)}  # fmt: skip


def run_interrupted(root: Path, lines: Path, iterations: int | None, deadline: float = 3600.0) -> dict[str, Any]:
    """Start the command, kill its process group once a checkpoint exists, run it again to the end."""
    cpu0, t0 = cpu_children(), time.perf_counter()
    proc = subprocess.Popen(
        train_cmd(root, lines, iterations),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: the kill reaches lstmtraining too
    )
    checkpoints = root / ".workbench-cache" / "train"
    killed_at = None
    while time.perf_counter() - t0 < deadline and proc.poll() is None:
        if any(checkpoints.glob("*/checkpoints/ft_checkpoint")):
            os.killpg(proc.pid, signal.SIGKILL)
            killed_at = time.perf_counter() - t0
            break
        time.sleep(1.0)  # polling a file the tool writes; a bench, not a test
    proc.communicate()
    if killed_at is None:
        raise SystemExit("the run ended (or timed out) before a checkpoint was written: nothing was interrupted")
    again = run_full(root, lines, iterations)
    return {"killed_after_s": round(killed_at, 1), "total_wall_s": round(time.perf_counter() - t0, 1),
            "total_cpu_s": round(cpu_children() - cpu0, 1), "second_run": again}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--iterations", type=int, default=None, help="default: workbench train's own")
    parser.add_argument("--skip-interrupted", action="store_true")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    out: dict[str, Any] = {"cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="bench-train-") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        project = corrected_archive(root / "a")
        ids = [p.id for p in project.pages()]
        export_handover(project, ids, "lines", root / "all")
        names = sorted(p.name[: -len(".gt.txt")] for p in (root / "all").glob("*.gt.txt"))[: args.lines]
        lines = root / "lines"
        lines.mkdir()
        for name in names:
            for suffix in (".png", ".gt.txt"):
                shutil.copy2(root / "all" / f"{name}{suffix}", lines / f"{name}{suffix}")
        out["lines"] = len(names)
        print(f"set-up: {len(ids)} pages, {len(names)} corrected lines ({time.perf_counter() - t0:.0f} s)", flush=True)
        shutil.copytree(root / "a", root / "b")
        out["full"] = run_full(root / "a", lines, args.iterations)
        print(json.dumps(out["full"], ensure_ascii=False), flush=True)
        if not args.skip_interrupted:
            out["interrupted"] = run_interrupted(root / "b", lines, args.iterations)
            print(json.dumps(out["interrupted"], ensure_ascii=False), flush=True)
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
