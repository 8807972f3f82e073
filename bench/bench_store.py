"""Benchmarks of versioned transcripts (figures go to BENCHMARKS.md, section "versions").

Run: .venv/bin/python bench/bench_store.py [--quick]

Measures, each beside the plain alternative in the same run:
  1. save of a 5,000-word page (p50/p95)       vs. the atomic replace of one file (no history)
  2. history of a page with 1,000 versions        vs. json.load of the 1,000 meta.json files in a loop
  3. word diff of two 10,000-word versions        vs. one full Levenshtein alignment (and difflib) of the tokens
  4. `workbench progress` over 10,000 pages       vs. the interpreter starting and importing the CLI
"""

from __future__ import annotations

import difflib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from workbench import durable
from workbench import store as store_module
from workbench.diff import char_diff, unified_diff, word_diff, word_tokens
from workbench.metrics import character_error_rate
from workbench.project import init_project
from workbench.store import TranscriptStore

SHARED = Path(os.environ.get("WORKBENCH_SHARED", Path(__file__).resolve().parent.parent.parent / "shared"))
SAMPLE = SHARED / "data" / "sample-text" / "bagirov_1946_ru.txt"


def words_of_text(n: int, seed: int = 1) -> str:
    """``n`` words of real Russian typescript text (the 1946 letter repeated), 12 words a line."""
    if not SAMPLE.exists():
        raise SystemExit(
            f"{SAMPLE} is missing: the benchmark texts come from ../shared (put it beside the repository, "
            "or set $WORKBENCH_SHARED)."
        )
    source = SAMPLE.read_text(encoding="utf-8").split()
    rng = random.Random(seed)
    start = rng.randrange(len(source))
    words = [source[(start + i) % len(source)] for i in range(n)]
    return "\n".join(" ".join(words[i : i + 12]) for i in range(0, n, 12)) + "\n"


def edit_words(text: str, share: float, seed: int = 2) -> str:
    """Change ``share`` of the words by one letter each (what a correction pass does)."""
    rng = random.Random(seed)
    lines = []
    for line in text.split("\n"):
        words = line.split(" ")
        for i, w in enumerate(words):
            if w and rng.random() < share:
                k = rng.randrange(len(w))
                words[i] = w[:k] + rng.choice("абвгдеәғҝһөүҹ") + w[k + 1 :]
        lines.append(" ".join(words))
    return "\n".join(lines)


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def ms(x: float) -> str:
    return f"{x * 1000:.1f} ms"


def bench_save(root: Path, repeat: int) -> None:
    store = TranscriptStore(init_project(root / "save"))
    text = words_of_text(5000)
    store.save("d/p1", text, source="import", reviewed=range(0, 400, 3))
    variants = [edit_words(text, 0.02, seed=i) for i in range(2 * repeat)]
    parallel = durable.fsync_all
    data = text.encode("utf-8")
    plain = root / "plain.txt"

    def sequential(paths: list[Path]) -> None:
        for p in paths:
            (durable.fsync_dir if p.is_dir() else durable.fsync_file)(p)

    def plain_write() -> None:
        # The classic atomic replace of one file (keeps no history): write a temporary, fsync, rename, fsync dir.
        tmp = root / "plain.tmp"
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, plain)
        fd = os.open(root, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)

    # Interleaved, so that all three see the same disk: the store as it is, the store with its fsyncs one
    # after another, and the plain one-file replace.
    times: list[float] = []
    seq_times: list[float] = []
    base: list[float] = []
    for i in range(repeat):
        for fsyncs, out in ((parallel, times), (sequential, seq_times)):
            durable.fsync_all = fsyncs
            t = time.perf_counter()
            store.save("d/p1", variants[2 * i + (fsyncs is sequential)], base=store.latest_number("d/p1"))
            out.append(time.perf_counter() - t)
        base.extend(timed(plain_write, 1))
    durable.fsync_all = parallel
    print(
        f"save 5,000 words ({len(data) // 1024} kB), {repeat} saves: p50 {ms(statistics.median(times))}, "
        f"p95 {ms(pct(times, 0.95))}; atomic replace of one file: p50 {ms(statistics.median(base))}, "
        f"p95 {ms(pct(base, 0.95))}; ratio p50 {statistics.median(times) / statistics.median(base):.1f}x"
    )
    print(
        f"  same store with its fsyncs one after another: p50 {ms(statistics.median(seq_times))}, "
        f"p95 {ms(pct(seq_times, 0.95))}"
    )


def without_fsync() -> Callable[[], None]:
    """Set-up only: build big fixtures fast (durability is not what those benchmarks measure)."""
    real = os.fsync
    os.fsync = lambda _fd: None  # type: ignore[assignment]

    def undo() -> None:
        os.fsync = real

    return undo


def bench_history(root: Path, versions: int) -> None:
    store = TranscriptStore(init_project(root / "hist"))
    undo = without_fsync()
    try:
        for i in range(versions):
            store.save("d/p1", f"версия {i}\nТоварищ Багиров\n", message=f"edit {i}")
    finally:
        undo()
    cache = root / "hist" / ".workbench-cache"
    project = store.project
    cold = []
    for _ in range(3):
        subprocess.run(["rm", "-rf", str(cache)], check=True)
        t = time.perf_counter()
        TranscriptStore(project).history("d/p1")  # a fresh store's first look: no cache at all
        cold.append(time.perf_counter() - t)
    disk = timed(lambda: TranscriptStore(project).history("d/p1"), 9)  # a fresh store object: the disk cache, no memo
    store.history("d/p1")
    memo = timed(lambda: store.history("d/p1"), 15)  # the same process again (the TUI's history panel)
    folder = store.page_dir("d/p1") / "versions"

    def plain() -> None:
        for name in sorted(os.listdir(folder)):
            with open(folder / name / "meta.json", encoding="utf-8") as f:
                json.load(f)

    base = timed(plain, 9)
    print(
        f"history of {versions} versions: no cache {ms(statistics.median(cold))}; "
        "a fresh store object, from the disk cache "
        f"median {ms(statistics.median(disk))}, max {ms(max(disk))}; again in the same process "
        f"median {ms(statistics.median(memo))}, max {ms(max(memo))}; plain json.load loop: "
        f"{ms(statistics.median(base))}"
    )


def bench_diff() -> None:
    a = words_of_text(10_000)
    for label, b in (("3% words edited", edit_words(a, 0.03)), ("unrelated texts", words_of_text(10_000, seed=9))):
        times = timed(lambda b=b: word_diff(a, b), 7)
        ta, tb = word_tokens(a), word_tokens(b)
        # Plain alternative: one full-matrix Levenshtein alignment of all tokens (no line pre-pass, no band).
        full = statistics.median(timed(lambda ta=ta, tb=tb: Levenshtein.opcodes(ta, tb), 3))
        line = f"word diff 10,000 words ({label}): median {ms(statistics.median(times))}, max {ms(max(times))}; "
        line += f"one full Levenshtein alignment of the tokens: {ms(full)}"
        if label.startswith("3%"):
            t = time.perf_counter()
            difflib.SequenceMatcher(None, ta, tb).get_opcodes()
            line += f"; difflib.SequenceMatcher: {ms(time.perf_counter() - t)}"
        print(line)
    b = edit_words(a, 0.03)
    unhinted = statistics.median(timed(lambda: Levenshtein.distance(a, b), 1))
    print(
        f"  also: char diff 10,000 words (3% edited): {ms(statistics.median(timed(lambda: char_diff(a, b), 3)))}; "
        f"CER 10,000 words: {ms(statistics.median(timed(lambda: character_error_rate(a, b), 3)))} "
        f"(the same distance without the score hint, full matrix: {ms(unhinted)}); "
        f"unified diff: {ms(statistics.median(timed(lambda: unified_diff(a, b), 3)))}"
    )


def bench_progress(root: Path, pages: int) -> None:
    project = init_project(root / "progress")
    store = TranscriptStore(project)
    statuses = list(store_module.STATUSES)
    undo = without_fsync()
    try:
        for i in range(pages):
            store.save(f"doc{i // 100:03d}/p{i % 100}", "текст\n", status=statuses[i % len(statuses)])
    finally:
        undo()
    cmd = [sys.executable, "-m", "workbench", "-C", str(project.root), "progress"]
    times = []
    for _ in range(5):
        t = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        times.append(time.perf_counter() - t)
    start = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import workbench.cli"], check=True)
        start.append(time.perf_counter() - t)
    assert f"total {pages:>7}".split() == out.strip().splitlines()[-1].split()
    t = time.perf_counter()
    store.progress()
    core = time.perf_counter() - t
    cold, warm = times[0], times[1:]
    print(
        f"`workbench progress` over {pages} pages: first run (no cache) {cold:.2f} s; then median "
        f"{statistics.median(warm):.2f} s, max {max(warm):.2f} s (core store.progress() {core:.2f} s); "
        f"interpreter start + import of the CLI alone: {statistics.median(start):.2f} s"
    )


def main() -> None:
    quick = "--quick" in sys.argv
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        root = Path(tmp)
        bench_save(root, 50 if quick else 200)
        bench_history(root, 200 if quick else 1000)
        bench_diff()
        bench_progress(root, 1000 if quick else 10_000)
    print(f"load at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
