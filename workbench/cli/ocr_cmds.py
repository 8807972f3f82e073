"""Commands for OCR and file formats: ocr, preprocess, export, import.

Thin: each parses its arguments, calls :mod:`workbench.ocr` or :mod:`workbench.formats`, and prints.
Errors are raised as :class:`~workbench.errors.WorkbenchError` and become exit codes in ``workbench.cli.main``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from workbench.cli.base import Context, cli, echo_save_warnings, pass_ctx, warn_unusable_scans
from workbench.cli.linespec import parse_lines, parse_range
from workbench.errors import StorageError, UsageError


def _progress_bar(enabled: bool, label: str = "OCR") -> Any:
    """A rich progress bar on stderr (pages done, rate, time left), or ``None`` when not on a terminal."""
    if not enabled:
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[page]}"),
        console=Console(stderr=True),
        transient=False,
    )


@cli.command("ocr")
@click.argument("pages", nargs=-1)
@click.option(
    "--lang",
    default=None,
    metavar="MODE",
    help="auto, rus, aze_cyrl, rus+aze_cyrl, or any installed Tesseract language (eng, deu, rus+eng); "
    "default: metadata, then [ocr] lang.",
)
@click.option("--jobs", "-j", type=int, default=None, help="Parallel processes (default: [ocr] jobs, 0 = all cores).")
@click.option("--force", is_flag=True, help="OCR pages again even if scan and settings are unchanged.")
@click.option(
    "--executor",
    default=None,
    metavar="URL",
    help="dask://HOST:PORT to run on a Dask cluster (needs the `distributed` extra); default: local processes.",
)
@click.option("--timeout", type=float, default=None, help="Seconds per Tesseract run (default: [ocr] timeout).")
@click.option("--steps", default=None, help="Preprocessing steps, e.g. 'grayscale,deskew,binarize:method=otsu'.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: only on a terminal).")
@click.option(
    "--lines",
    "line_spec",
    default=None,
    metavar="FIRST-LAST",
    help="Re-OCR only these lines of one page: lines of its newest version (1-based), each in its own image line.",
)
@pass_ctx
def ocr_cmd(
    ctx: Context,
    pages: tuple[str, ...],
    lang: str | None,
    jobs: int | None,
    force: bool,
    executor: str | None,
    timeout: float | None,
    steps: str | None,
    progress: bool | None,
    line_spec: str | None,
) -> None:
    """OCR PAGES (all pages with scans when none are named), in parallel, skipping unchanged pages.

    A page nobody has edited gets a new OCR version; a page with human edits gets a candidate instead
    (see `workbench candidates`). Exit 1 with a summary if some pages failed; Ctrl-C keeps finished pages.
    """
    from workbench.config import check_timeout
    from workbench.ocr.batch import BatchProgress, run_batch
    from workbench.ocr.steps import parse_steps

    if jobs is not None and jobs < 0:
        raise UsageError("--jobs must be 0 (all cores) or more.")
    if timeout is not None:
        check_timeout(timeout, "--timeout")
    if lang is not None:
        from workbench.ocr.probe import check_lang_mode

        check_lang_mode(lang)  # a missing pack is named (with its Debian package) before any work starts
    project = ctx.project()
    for page in pages:
        project.page(page)  # a mistyped page id is a usage error, before any work starts
    if line_spec is not None:
        _ocr_lines(ctx, pages, line_spec, lang, timeout)
        return
    if not pages:
        warn_unusable_scans(project)
    show = sys.stderr.isatty() if progress is None else progress
    bar = _progress_bar(show)
    task: Any = None

    def on_progress(p: BatchProgress) -> None:
        nonlocal task
        if bar is None:
            return
        if task is None:
            task = bar.add_task("ocr", total=p.total, rate="", page="")
        bar.update(
            task,
            completed=p.finished,
            rate=f"{p.rate:.1f} pages/min" if p.done else "",
            page=p.page_id or "",
        )

    if bar is not None:
        bar.start()
    try:
        report = run_batch(
            project,
            list(pages) or None,
            lang=lang,
            jobs=jobs,
            force=force,
            executor=executor,
            timeout=timeout,
            steps=parse_steps(steps) if steps else None,
            progress=on_progress,
        )
    finally:
        if bar is not None:
            bar.stop()
    click.echo(report.summary())
    report.raise_for_failures()


@cli.command("preprocess")
@click.argument("page")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="PNG to write.")
@click.option("--steps", default=None, help="Preprocessing steps (default: the OCR pipeline's).")
@pass_ctx
def preprocess_cmd(ctx: Context, page: str, output: Path, steps: str | None) -> None:
    """Write the image OCR sees for PAGE (after preprocessing) to OUTPUT, and list the steps."""
    import cv2

    from workbench.ocr.preprocess import preprocess
    from workbench.ocr.steps import parse_steps
    from workbench.scans import load_grey

    project = ctx.project()
    project.check_output(output)
    p = project.page(page)
    if p.scan is None:
        raise UsageError(f"Page {p.id!r} has no scan.")
    result = preprocess(load_grey(p.scan, p.frame), parse_steps(steps) if steps else None)
    if output.suffix.lower() not in (".png", ".tif", ".tiff", ".pgm", ".bmp"):
        raise UsageError(f"{output}: write a .png, .tif, .pgm or .bmp file.")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        ok = cv2.imwrite(str(output), result.image)
    except OSError as e:
        raise StorageError(f"Cannot write {output}: {e.strerror}.") from e
    if not ok:
        raise StorageError(f"Cannot write {output}.")
    for step in result.steps:
        params = ", ".join(f"{k}={v}" for k, v in step.items() if k != "step")
        click.echo(f"{step['step']}" + (f"  {params}" if params else ""))
    click.echo(f"Wrote {output} ({result.image.shape[1]}×{result.image.shape[0]}).")


@cli.command("export")
@click.argument("pages", nargs=-1)
@click.option("--all", "all_pages", is_flag=True, help="Every page that has a transcript.")
@click.option("--doc", "docs", multiple=True, metavar="DOC", help="Every page of document DOC (repeatable).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["txt", "hocr", "alto", "page", "pdf", "tei", "lines"]),
    default="txt",
    help="txt, hocr, alto, page: a file per page; pdf, tei: a file per document; lines: training pairs.",
)
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: only on a terminal).")
@pass_ctx
def export_cmd(
    ctx: Context,
    pages: tuple[str, ...],
    all_pages: bool,
    docs: tuple[str, ...],
    fmt: str,
    output: Path,
    progress: bool | None,
) -> None:
    """Write the newest version of PAGES (or --all, or --doc DOC) to folder OUTPUT.

    txt, hocr, alto, page: one file per page, named by page id with `/` kept as subfolders
    (bagirov-1946/p2 → OUTPUT/bagirov-1946/p2.alto.xml). pdf: OUTPUT/DOC.pdf, the scans with the text as an
    invisible layer. tei: OUTPUT/DOC.tei.xml (TEI P5). lines: the reviewed or corrected lines as
    OUTPUT/NAME.png + OUTPUT/NAME.gt.txt and OUTPUT/manifest.tsv, for OCR training (tesstrain).
    """
    from workbench.formats import export_pages
    from workbench.formats.handover import HANDOVER_FORMATS, export_handover
    from workbench.formats.source import pages_with_text

    project = ctx.project()
    if sum((all_pages, bool(pages), bool(docs))) != 1:
        raise UsageError("Name the pages to export, or give --all, or --doc DOC (one of the three).")
    ids = list(pages) if pages else pages_with_text(project, documents=docs)
    if fmt not in HANDOVER_FORMATS:
        written = export_pages(project, ids, fmt, output)
        click.echo(f"Wrote {len(written)} file(s) to {output}.")
        return
    show = sys.stderr.isatty() if progress is None else progress
    bar = _progress_bar(show, label=f"Export {fmt}")
    task: Any = None
    if bar is not None:
        bar.start()
        task = bar.add_task("export", total=len(ids), rate="", page="")

    def on_page(page_id: str) -> None:
        if bar is not None:
            bar.update(task, advance=1, page=page_id)

    try:
        report = export_handover(project, ids, fmt, output, progress=on_page)
    finally:
        if bar is not None:
            bar.stop()
    click.echo(report.summary())


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--page", "page", required=True, help="The page id to store the text under.")
@click.option(
    "--format", "fmt", type=click.Choice(["txt", "hocr", "alto", "page"]), default=None, help="Default: detected."
)
@click.option("-m", "--message", default=None, help="What this version is, for the history.")
@pass_ctx
def import_cmd(ctx: Context, file: Path, page: str, fmt: str | None, message: str | None) -> None:
    """Store FILE (txt, hOCR, ALTO or PAGE XML) as a new version of PAGE, with its line and word boxes."""
    from workbench.formats import import_file

    result = import_file(ctx.project(), file, page, fmt=fmt, message=message)
    echo_save_warnings(result.warnings)
    click.echo(f"Imported {file} as {page} version {result.version.number}.")


def _ocr_lines(ctx: Context, pages: tuple[str, ...], spec: str, lang: str | None, timeout: float | None) -> None:
    from workbench.ocr.candidates import apply_ocr_result
    from workbench.ocr.pipeline import ocr_page
    from workbench.store import TranscriptStore

    if len(pages) != 1:
        raise UsageError("--lines re-OCRs lines of one page: name exactly one page.")
    project = ctx.project()
    store = TranscriptStore(project)
    result = ocr_page(project, pages[0], lang=lang, lines=parse_range(spec), timeout=timeout)
    stored = apply_ocr_result(store, pages[0], result)
    click.echo(f"OCR of {pages[0]} lines {spec} stored as {stored.kind} {stored.version.number}.")
    skipped = result.meta.get("skipped") or []
    if skipped:
        click.echo(f"Left line(s) {_numbers(skipped)} as they were: no image line (blank, or added by hand).")


def _numbers(lines: list[int]) -> str:
    return ", ".join(str(i + 1) for i in lines)


@cli.command("candidates")
@click.argument("page")
@click.option("--diff", "number", type=int, default=None, help="Show the diff of the newest version and candidate N.")
@pass_ctx
def candidates_cmd(ctx: Context, page: str, number: int | None) -> None:
    """List PAGE's OCR candidates (OCR run after a person edited the page), or diff one with --diff N.

    The diff shows what `take` of every line would change in the newest version: each of its lines against
    the candidate's reading of the same image line (reviewed lines and lines without an image line stay).
    """
    from workbench.diff import unified_diff
    from workbench.ocr.candidates import plan_take
    from workbench.store import TranscriptStore

    store = TranscriptStore(ctx.project())
    if number is not None:
        # What taking every line would do: each line of the version against the candidate's reading of its
        # own image line (reviewed lines and lines without one unchanged), numbered as `take` numbers them.
        cand = store.read_candidate(page, number)
        current = store.read(page)
        taken = plan_take(
            current.text,
            current.meta.reviewed,
            cand.text,
            range(current.text.count("\n") + 1),
            current_layout=store.latest_layout(page, skip_damaged=True),
            candidate_layout=cand.layout(),
        )
        click.echo(
            unified_diff(current.text, taken.text, f"{page} version {current.number}", f"{page} candidate {number}"),
            nl=False,
        )
        return
    metas = store.candidates(page)
    if not metas:
        click.echo(f"{page} has no OCR candidates.")
        return
    for meta in metas:
        ocr = meta.ocr or {}
        click.echo(f"{meta.number:4d}  {meta.time}  on version {meta.base}  {ocr.get('lang', '?')}  {meta.message}")


@cli.command("take")
@click.argument("page")
@click.argument("lines")
@click.option("--candidate", "number", type=int, default=None, help="Which candidate (default: the newest).")
@click.option("-m", "--message", default=None, help="What this version is, for the history.")
@pass_ctx
def take_cmd(ctx: Context, page: str, lines: str, number: int | None, message: str | None) -> None:
    """Take the OCR candidate's reading of LINES into PAGE as a new version.

    LINES are lines of PAGE's newest version (1-based, e.g. 1,3-5: the numbers `show` and the TUI give), not
    of the candidate: each takes the candidate's reading of its own image line, found by content, so lines
    deleted or added above do not shift it. Lines marked reviewed are never replaced, nor lines with no image
    line in the candidate; both are listed. No other line changes.
    """
    from workbench.ocr.candidates import take_candidate
    from workbench.store import TranscriptStore

    store = TranscriptStore(ctx.project())
    done = take_candidate(store, page, parse_lines(lines), number=number, message=message, lines_label=lines)
    if done.saved is None:
        click.echo("Nothing to take: those lines are the same, reviewed, or not in the candidate.")
    else:
        click.echo(f"Saved {page} version {done.saved.version.number}.")
    if done.take.kept:
        click.echo(f"Kept reviewed line(s) {_numbers(done.take.kept)} as they were.")
    if done.take.missing:
        click.echo(f"Kept line(s) {_numbers(done.take.missing)} as they were: the candidate has no reading of them.")
