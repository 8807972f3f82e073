"""Benchmarks of the Textual workbench, measured in the app with Pilot (and once in a real terminal via tmux).

    .venv/bin/python bench/bench_tui.py [--repeat 5]

Figures (medians over --repeat runs, milliseconds):
  first paint    make_app → run_test → the page's text and title are on screen (Pilot, in-process; the
                 interpreter and import time are measured separately by the tmux launch below)
  tmux launch    spawning `workbench open PAGE` in tmux (120x40) → capture-pane shows the page id and status
  next page      Ctrl+PgDn pressed → the next page's text and title painted (the scan finishes in a worker)
  next page+img  … → the next page's scan decoded, downscaled and drawn (first visit, not prefetched)
  keystroke      one key typed in a 5,000-word page → processed and the screen refreshed; the plain
                 alternative is a bare Textual TextArea app with the same text
  suggestions    F8 onto an unknown word → its numbered suggestions shown (dictionaries loaded);
                 the plain alternative is Speller.suggest alone
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from typing import Any  # noqa: E402

from textual.app import App, ComposeResult  # noqa: E402
from textual.widgets import TextArea  # noqa: E402

from workbench.project import Project, init_project  # noqa: E402
from workbench.store import TranscriptStore  # noqa: E402
from workbench.tui.app import make_app  # noqa: E402
from workbench.tui.imaging import PageImage  # noqa: E402


def paint_log(app: App[Any], probe: Any = None) -> list[tuple[float, str]]:
    """Record when the app writes a screen update (time, title then): what a user sees, not Pilot's waiting.

    Pilot's ``press``/``pause`` wait until the process looks idle (CPU time against wall time), which on a
    loaded machine adds tens to hundreds of milliseconds that are not the app's; the paint log measures the
    time from the key to the screen update that shows its effect.
    """
    log: list[tuple[float, str]] = []
    original = app._display

    def display(screen: object, renderable: object) -> None:
        if renderable is not None:
            log.append((time.perf_counter(), probe() if probe else app.title))
        return original(screen, renderable)

    app._display = display  # type: ignore[method-assign]
    return log


def first_after(log: list[tuple[float, str]], t0: float, title: str | None = None) -> float:
    for t, seen in log:
        if t >= t0 and (title is None or seen == title):
            return (t - t0) * 1000
    return float("nan")


def sample_copy(dest: Path) -> Project:
    """A copy of the sample archive (real 300 dpi scans), or a rendered demo project when it is absent."""
    if (REPO / "scans").is_dir() and any((REPO / "scans").rglob("*.jpg")):
        dest.mkdir(parents=True)
        shutil.copy2(REPO / "workbench.toml", dest / "workbench.toml")
        for sub in ("scans", "transcripts", "dictionaries"):
            if (REPO / sub).is_dir():
                shutil.copytree(REPO / sub, dest / sub, ignore=shutil.ignore_patterns(".recovery*", ".tmp-*"))
        return Project(dest)
    from workbench.tui.sample import make_demo_project

    return make_demo_project(dest)


def big_page(root: Path, words: int = 5000) -> tuple[Project, str]:
    """A text-only page of ``words`` words, ten to a line, from the published 1946 text."""
    project = init_project(root)
    source = " ".join(p.read_text(encoding="utf-8") for p in sorted((REPO / "ground-truth").rglob("*.txt")))
    vocab = source.split() or "Товарищ Батиров доложил о ходе уборки хлопка".split()
    out = [vocab[i % len(vocab)] for i in range(words)]
    text = "\n".join(" ".join(out[i : i + 10]) for i in range(0, words, 10))
    TranscriptStore(project).save("big/p1", text, author="bench", source="import")
    return project, "big/p1"


async def first_paint(project: Project, page: str) -> float:
    t0 = time.perf_counter()
    app = make_app(project, page, load_dictionaries=False)
    log = paint_log(app)
    async with app.run_test(size=(120, 40)) as pilot:
        while not log or log[-1][1] != page:
            await pilot.pause(0.005)
        return first_after(log, t0, page)


async def next_page(project: Project, page: str) -> tuple[float, float]:
    app = make_app(project, page, load_dictionaries=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.page_images.clear()  # a first visit: nothing prefetched
        _, following = project.neighbours(page)
        log = paint_log(app)
        t0 = time.perf_counter()
        await pilot.press("ctrl+pagedown")
        while app.title != following:
            await pilot.pause(0.002)
        await pilot.pause()
        text_ms = first_after(log, t0, following)
        while not isinstance(app.page_images.get(following), PageImage | str):
            await pilot.pause(0.005)
        await pilot.pause()
        return text_ms, (log[-1][0] - t0) * 1000


async def keystroke(project: Project, page: str, presses: int = 20) -> float:
    app = make_app(project, page, load_dictionaries=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("ctrl+end")
        await pilot.pause()
        log = paint_log(app)
        times = []
        for _ in range(presses):
            t0 = time.perf_counter()
            await pilot.press("x")
            await pilot.pause()
            times.append(first_after(log, t0))
        return statistics.median(times)


class PlainTextArea(App[None]):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        yield TextArea(self.text, show_line_numbers=True)


async def keystroke_plain(text: str, presses: int = 20) -> float:
    app = PlainTextArea(text)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+end")
        await pilot.pause()
        log = paint_log(app)
        times = []
        for _ in range(presses):
            t0 = time.perf_counter()
            await pilot.press("x")
            await pilot.pause()
            times.append(first_after(log, t0))
        return statistics.median(times)


async def cursor_move_plain(text: str, line: int) -> float:
    """Cursor move → screen update in a bare TextArea: the floor under "suggestions shown"."""
    app = PlainTextArea(text)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        log = paint_log(app)
        area = app.query_one(TextArea)
        t0 = time.perf_counter()
        area.move_cursor((line, 1))
        while not any(t >= t0 for t, _ in log) and time.perf_counter() - t0 < 5:
            await pilot.pause()
        return first_after(log, t0)


async def suggestions(project: Project, page: str) -> tuple[float, float] | None:
    app = make_app(project, page)
    async with app.run_test(size=(120, 40)) as pilot:
        deadline = time.monotonic() + 120
        while app.suggestions_state == "loading…" and time.monotonic() < deadline:
            await pilot.pause(0.05)
        if app.suggestions_state != "ready":
            return None
        await app.workers.wait_for_complete()
        await pilot.pause()
        unknown = [m for m in app.editor.all_marks() if m.kind == "unknown"]
        if not unknown:
            return None
        mark = unknown[len(unknown) // 2]
        app.editor.move_cursor((0, 0))
        await pilot.pause()
        # Clear the precomputed suggestions so the app asks the speller, as for a freshly typed word.
        app.editor.marks[mark.line] = [
            type(m)(m.line, m.start, m.end, m.word, m.kind, (), m.lang) for m in app.editor.marks[mark.line]
        ]
        widget = app.screen.query_one("#suggest")
        log = paint_log(app, lambda: "shown" if " 1 " in str(widget.render()) else "")
        t0 = time.perf_counter()
        app.editor.move_cursor((mark.line, mark.start + 1))
        while not any(t >= t0 and seen for t, seen in log) and time.perf_counter() - t0 < 5:
            await pilot.pause()
        in_app = first_after(log, t0, "shown")
        # The plain alternative: the speller alone, on another unknown word (the first is in its cache now).
        other = unknown[(len(unknown) // 2 + 1) % len(unknown)]
        speller = app._speller_for(other.lang or "rus")
        t0 = time.perf_counter()
        speller.suggest(other.word, n=9)
        return in_app, (time.perf_counter() - t0) * 1000


PLAIN_APP = (
    "from textual.app import App\n"
    "from textual.widgets import TextArea\n"
    "class Plain(App):\n"
    "    def compose(self):\n"
    "        yield TextArea('plain textual ready')\n"
    "Plain().run()\n"
)


def tmux_launch(project: Project, page: str, plain: bool = False) -> float | None:
    """Spawn the app in tmux and time until it is painted; ``plain``: a bare Textual TextArea app instead."""
    if shutil.which("tmux") is None:
        return None
    name = f"wb-bench-{os.getpid()}-{time.monotonic_ns()}"
    exe = Path(sys.executable).with_name("workbench")
    command = f"cd {project.root} && {exe} open {page}"
    expect = (page, "line 1/")
    if plain:
        script = project.root / "plain_app.py"
        script.write_text(PLAIN_APP, encoding="utf-8")
        command = f"{sys.executable} {script}"
        expect = ("plain textual ready", "plain textual ready")
    for _attempt in range(5):
        t0 = time.perf_counter()
        started = subprocess.run(
            [
                "tmux",
                "new-session",
                "-d",
                "-s",
                name,
                "-x",
                "120",
                "-y",
                "40",
                command,
            ],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            env={k: v for k, v in os.environ.items() if k != "TMUX"},
        )
        if started.returncode == 0:
            break
        # "server exited unexpectedly": the previous run's tmux server was still shutting down.
        time.sleep(0.5)
    else:
        raise RuntimeError(f"tmux new-session failed: {started.stderr.strip()}")
    try:
        while time.perf_counter() - t0 < 30:
            screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", name], capture_output=True, text=True).stdout
            if expect[0] in screen and expect[1] in screen:
                return (time.perf_counter() - t0) * 1000
            time.sleep(0.01)
        return None
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sample = sample_copy(Path(tmp) / "sample")
        pages = [p.id for p in sample.pages() if p.scan is not None]
        first = pages[0]
        big, big_id = big_page(Path(tmp) / "big")
        big_text = TranscriptStore(big).read(big_id).text
        rows: list[tuple[str, list[float], str]] = []
        rows.append(
            ("first paint (Pilot)", [asyncio.run(first_paint(sample, first)) for _ in range(args.repeat)], "≤ 1000")
        )
        launches = [t for t in (tmux_launch(sample, first) for _ in range(args.repeat)) if t is not None]
        if launches:
            rows.append(("tmux launch → painted", launches, "≤ 1000"))
            plain_launch = [t for t in (tmux_launch(sample, first, plain=True) for _ in range(args.repeat)) if t]
            rows.append(("  bare Textual app, tmux", plain_launch, ""))
        nxt = [asyncio.run(next_page(sample, first)) for _ in range(args.repeat)]
        rows.append(("next page (text, title)", [a for a, _ in nxt], "≤ 300"))
        rows.append(("next page + scan drawn", [b for _, b in nxt], "—"))
        rows.append(
            ("keystroke, 5,000 words", [asyncio.run(keystroke(big, big_id)) for _ in range(args.repeat)], "≤ 50")
        )
        rows.append(("  plain TextArea", [asyncio.run(keystroke_plain(big_text)) for _ in range(args.repeat)], ""))
        store = TranscriptStore(sample)
        texts = [p.id for p in sample.pages() if store.latest_number(p.id)]
        spage = texts[0] if texts else first  # a page with text (the garbled Azerbaijani OCR in the archive)
        sugg = [s for s in (asyncio.run(suggestions(sample, spage)) for _ in range(min(3, args.repeat))) if s]
        if sugg:
            rows.append(("suggestions shown", [a for a, _ in sugg], "≤ 100"))
            rows.append(("  Speller.suggest alone", [b for _, b in sugg], ""))
            stext = store.read(spage).text
            middle = stext.count("\n") // 2
            plain = [asyncio.run(cursor_move_plain(stext, middle)) for _ in range(min(3, args.repeat))]
            rows.append(("  cursor move, plain TextArea", plain, ""))
        else:
            print("suggestions: skipped (dictionaries not built or no unknown word on the page)")
    print(f"load: {os.getloadavg()}  python {sys.version.split()[0]}  pages: {first} (+ next), big: 5,000 words")
    print(f"suggestions on: {spage}")
    print(f"{'measure':28} {'median ms':>10} {'min':>8} {'max':>8}  target")
    for label, values, target in rows:
        print(f"{label:28} {statistics.median(values):10.1f} {min(values):8.1f} {max(values):8.1f}  {target}")


if __name__ == "__main__":
    main()
