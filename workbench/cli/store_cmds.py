"""Commands on versioned transcripts: save, history, show, restore, status, diff, progress, eval, fsck.

Thin: each parses its arguments, calls :mod:`workbench.store`, :mod:`workbench.diff` or
:mod:`workbench.metrics`, and prints. Errors are raised as :class:`~workbench.errors.WorkbenchError` and turned
into exit codes by ``workbench.cli.main``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import click

from workbench.cli.base import Context, cli, echo_save_warnings, pass_ctx, stdout_is_terminal
from workbench.diff import DiffOp, char_diff, line_diff, lines, unified_diff, word_diff
from workbench.errors import InputError, IntegrityError, PageError
from workbench.evaluation import evaluate, json_rate
from workbench.metrics import character_errors, word_errors
from workbench.store import STATUSES, TranscriptStore, VersionMeta, conflict_error
from workbench.text import read_text


def _store(ctx: Context) -> TranscriptStore:
    return TranscriptStore(ctx.project())


def _pct(rate: float) -> str:
    return "n/a" if math.isinf(rate) else f"{rate * 100:.2f}%"


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=1))


# -- save, restore, status ------------------------------------------------------------------------------


@cli.command("save")
@click.argument("page")
@click.option(
    "--from",
    "source_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The UTF-8 text file to store as the page's new version.",
)
@click.option("-m", "--message", default="", help="What changed, for the history.")
@click.option("--status", default=None, help=f"The page's status: {', '.join(STATUSES)} (default: unchanged).")
@click.option("--base", type=int, default=None, help="The version the text was edited from (detects conflicts).")
@click.option(
    "--source",
    type=click.Choice(["edit", "import", "replace"]),
    default=None,
    help="Where the text came from (default: import for a page's first version, else edit).",
)
@pass_ctx
def save_cmd(
    ctx: Context, page: str, source_file: Path, message: str, status: str | None, base: int | None, source: str | None
) -> None:
    """Store the text of FILE as a new version of PAGE (exit 6 if another version came after --base)."""
    store = _store(ctx)
    store.page_dir(page)  # refuse a bad page id before reading anything
    # Strict UTF-8, no control characters, at most [project] max_input_mb: a bad byte is reported with its
    # offset and nothing is written.
    text = read_text(source_file, ctx.project().settings().max_input_bytes, transcript=True)
    if source is None:
        source = "edit" if store.latest_number(page) is not None else "import"
    result = store.save(page, text, source=source, base=base, message=message, status=status)
    echo_save_warnings(result.warnings)
    if result.conflict:
        raise conflict_error(page, result, base)
    click.echo(f"Saved {page} version {result.version.number} ({result.version.status}).")


@cli.command("restore")
@click.argument("page")
@click.argument("number", type=int)
@click.option("-m", "--message", default="", help="Why (default: 'restored version N').")
@pass_ctx
def restore_cmd(ctx: Context, page: str, number: int, message: str) -> None:
    """Save a new version of PAGE equal to version NUMBER; nothing is deleted."""
    result = _store(ctx).restore(page, number, message=message)
    click.echo(f"Restored {page} version {number} as version {result.version.number}.")


@cli.command("status")
@click.argument("page")
@click.argument("status")
@pass_ctx
def status_cmd(ctx: Context, page: str, status: str) -> None:
    """Set PAGE's status (New, In progress, Done, Final, Ground truth); recorded as a new version."""
    store = _store(ctx)
    before = store.latest_number(page)
    result = store.set_status(page, status)
    if result.conflict:
        raise conflict_error(page, result, before)
    click.echo(f"{page}: {result.version.status} (version {result.version.number}).")


# -- reading --------------------------------------------------------------------------------------------


@cli.command("history")
@click.argument("page")
@click.option("--json", "as_json", is_flag=True, help="The metadata of every version as a JSON array.")
@pass_ctx
def history_cmd(ctx: Context, page: str, as_json: bool) -> None:
    """List PAGE's versions, oldest first. Damaged versions are listed as such (exit 7)."""
    store = _store(ctx)
    metas: list[VersionMeta] = []
    damaged: list[tuple[int, IntegrityError]] = []
    for number in store.version_numbers(page):
        try:
            metas.append(store.meta(page, number))
        except IntegrityError as e:
            damaged.append((number, e))
    if not metas and not damaged:
        raise PageError(f"Page {page!r} has no saved transcript yet.", hint="`workbench save PAGE --from FILE`.")
    if as_json:
        _echo_json([m.to_json() for m in metas] + [{"number": n, "error": e.message} for n, e in damaged])
    else:
        rows = {m.number: _history_row(m) for m in metas}
        rows.update({n: f"{n:>4}  DAMAGED: {e.message}" for n, e in damaged})
        for number in sorted(rows):
            click.echo(rows[number])
    if damaged:
        raise IntegrityError(
            f"Page {page!r}: {len(damaged)} version(s) have damaged metadata.", hint="Run `workbench fsck`."
        )


def _history_row(m: VersionMeta) -> str:
    base = "" if m.base is None else f"←{m.base}"
    flag = " CONFLICT" if m.conflict else ""
    reviewed = f" [{len(m.reviewed)} reviewed]" if m.reviewed else ""
    when = m.time.replace("T", " ")[:19]
    return f"{m.number:>4}  {when}  {m.author:<12} {m.source:<7} {base:<5} {m.status:<12}{flag}{reviewed}  {m.message}"


@cli.command("show")
@click.argument("page")
@click.argument("number", type=int, required=False)
@click.option("--json", "as_json", is_flag=True, help="Metadata and text as one JSON object.")
@pass_ctx
def show_cmd(ctx: Context, page: str, number: int | None, as_json: bool) -> None:
    """Print version NUMBER of PAGE (default: the latest), checksum verified, exactly as stored."""
    version = _store(ctx).read(page, number)
    if as_json:
        _echo_json({**version.meta.to_json(), "text": version.text})
        return
    # Exactly the stored text when piped (so `show > f; save --from f` changes nothing); a tidy end on a terminal.
    # Bytes, not click.echo: click strips escape sequences from what is not a terminal.
    data = version.text.encode("utf-8")
    if stdout_is_terminal() and not version.text.endswith("\n"):
        data += b"\n"
    out = click.get_binary_stream("stdout")  # type: ignore[operator]  # click 8.3 types its stream table as object
    out.write(data)
    out.flush()


# -- diff -----------------------------------------------------------------------------------------------


def _diff_versions(store: TranscriptStore, page: str, a: int | None, b: int | None) -> tuple[int, int]:
    numbers = store.version_numbers(page)
    if not numbers:
        raise PageError(f"Page {page!r} has no saved transcript yet.")
    if a is None:
        if len(numbers) < 2:
            raise InputError(f"Page {page!r} has only version {numbers[0]}; there is nothing to compare it with.")
        return numbers[-2], numbers[-1]
    return a, (b if b is not None else numbers[-1])


def _inline(ops: list[DiffOp], colour: bool) -> str:
    """git's --word-diff: ``[-old-]{+new+}`` when plain, red and green without brackets in colour."""
    out: list[str] = []
    for op in ops:
        if op.tag == "equal":
            out.append(op.a_text)
            continue
        if op.a_text:
            out.append(click.style(op.a_text, fg="red", strikethrough=True) if colour else f"[-{op.a_text}-]")
        if op.b_text:
            out.append(click.style(op.b_text, fg="green", underline=True) if colour else f"{{+{op.b_text}+}}")
    return "".join(out)


def _colour_unified(patch: str) -> str:
    out: list[str] = []
    for line in patch.splitlines(keepends=True):
        body = line.rstrip("\n")
        if line.startswith(("---", "+++")):
            out.append(click.style(body, bold=True) + "\n")
        elif line.startswith("@@"):
            out.append(click.style(body, fg="cyan") + "\n")
        elif line.startswith("-"):
            out.append(click.style(body, fg="red") + "\n")
        elif line.startswith("+"):
            out.append(click.style(body, fg="green") + "\n")
        else:
            out.append(line)
    return "".join(out)


def _stat(ref: str, hyp: str) -> dict[str, Any]:
    cer, wer = character_errors(ref, hyp), word_errors(ref, hyp)
    ops = line_diff(ref, hyp)
    return {
        "cer": json_rate(cer.rate),
        "wer": json_rate(wer.rate),
        "char_errors": cer.errors,
        "chars": cer.reference_length,
        "word_errors": wer.errors,
        "words": wer.reference_length,
        "lines_removed": sum(len(lines(op.a_text)) for op in ops if op.tag != "equal"),
        "lines_added": sum(len(lines(op.b_text)) for op in ops if op.tag != "equal"),
    }


@cli.command("diff")
@click.argument("page")
@click.argument("a", type=int, required=False)
@click.argument("b", type=int, required=False)
@click.option("--words", "unit", flag_value="words", help="Show changed words inline (git's --word-diff).")
@click.option("--chars", "unit", flag_value="chars", help="Show changed characters inline.")
@click.option("--json", "as_json", is_flag=True, help="The diff as JSON operations.")
@click.option("--stat", is_flag=True, help="Print the error rates between the versions (A is the reference).")
@pass_ctx
def diff_cmd(
    ctx: Context, page: str, a: int | None, b: int | None, unit: str | None, as_json: bool, stat: bool
) -> None:
    """Show what changed from version A to B of PAGE (default: the latest two; B defaults to the latest).

    Without --words/--chars the output is a unified diff (`diff -u`), which `patch` applies.
    """
    store = _store(ctx)
    na, nb = _diff_versions(store, page, a, b)
    va, vb = store.read(page, na), store.read(page, nb)
    if stat:
        figures = _stat(va.text, vb.text)
        if as_json:
            _echo_json({"page": page, "a": na, "b": nb, **figures})
            return
        cer, wer = character_errors(va.text, vb.text), word_errors(va.text, vb.text)
        click.echo(
            f"{page} {na} → {nb}: CER {_pct(cer.rate)} ({cer.errors} of {cer.reference_length} characters), "
            f"WER {_pct(wer.rate)} ({wer.errors} of {wer.reference_length} words), "
            f"{figures['lines_removed']} line(s) removed, {figures['lines_added']} added."
        )
        return
    if as_json:
        differ = {"words": word_diff, "chars": char_diff}.get(unit or "", line_diff)
        ops = differ(va.text, vb.text)
        _echo_json({"page": page, "a": na, "b": nb, "unit": unit or "lines", "ops": [op.to_json() for op in ops]})
        return
    colour = stdout_is_terminal()
    if unit:
        ops = word_diff(va.text, vb.text) if unit == "words" else char_diff(va.text, vb.text)
        text = _inline(ops, colour)
        click.echo(text, nl=not text.endswith("\n"), color=colour)
        return
    patch = unified_diff(
        va.text, vb.text, f"a/{page}\tversion {na}, {va.meta.time}", f"b/{page}\tversion {nb}, {vb.meta.time}"
    )
    click.echo(_colour_unified(patch) if colour else patch, nl=False, color=colour)


# -- archive-wide ---------------------------------------------------------------------------------------


@cli.command("progress")
@click.option("--json", "as_json", is_flag=True, help="Counts per status as a JSON object.")
@pass_ctx
def progress_cmd(ctx: Context, as_json: bool) -> None:
    """How many pages of the archive are in each status (a page without a transcript counts as New)."""
    project = ctx.project()
    store = TranscriptStore(project)
    # Scan pages without a transcript count as New; the store walks transcripts/ itself (with its cache).
    # Only the scan half of Project.pages() is needed: its transcript half costs ~1 s on 10,000 pages.
    counts = store.progress(include=[p.id for p in project.scan_pages()])
    total = sum(counts.values())
    if as_json:
        _echo_json({**counts, "total": total})
        return
    for status, count in counts.items():
        share = f"{count / total * 100:5.1f}%" if total else "    -"
        click.echo(f"{status:<13} {count:>7}  {share}")
    click.echo(f"{'total':<13} {total:>7}")


@cli.command("eval")
@click.option(
    "--gt",
    "gt_dir",
    required=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder of ground-truth texts, DIR/<page-id>.txt.",
)
@click.argument("pages", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Per-page and total figures as JSON.")
@pass_ctx
def eval_cmd(ctx: Context, gt_dir: Path, pages: tuple[str, ...], as_json: bool) -> None:
    """CER and WER of the current transcripts against ground truth (default: every page DIR has a text for).

    The total is the sum of errors over the sum of reference lengths, not an average of page rates.
    """
    result = evaluate(_store(ctx), gt_dir, list(pages) or None)
    if as_json:
        _echo_json(result.to_json())
    else:
        width = max([len(r.page) for r in result.pages] + [5])
        click.echo(f"{'page':<{width}}  {'version':>7}  {'CER':>8}  {'WER':>8}  errors/characters")
        for r in result.pages:
            click.echo(
                f"{r.page:<{width}}  {r.version:>7}  {_pct(r.chars.rate):>8}"
                f"  {_pct(r.words.rate):>8}  {r.chars.errors}/{r.chars.reference_length}"
            )
        click.echo(
            f"{'total':<{width}}  {'':>7}  {_pct(result.chars.rate):>8}  {_pct(result.words.rate):>8}"
            f"  {result.chars.errors}/{result.chars.reference_length}"
        )
    for pid in result.missing:
        click.echo(f"workbench: page {pid!r} has ground truth but no transcript; left out of the total.", err=True)


@cli.command("fsck")
@pass_ctx
def fsck_cmd(ctx: Context) -> None:
    """Verify every version's checksum and metadata and remove temporaries of dead saves (exit 7 if damaged)."""
    report = _store(ctx).fsck()
    for path in report.removed:
        click.echo(f"removed dead temporary {path}")
    for problem in report.problems:
        which = f" {problem.kind[:-1]} {problem.number}" if problem.number else ""
        click.echo(f"DAMAGED {problem.page}{which}: {problem.message}")
    click.echo(
        f"checked {report.checked} version(s): {len(report.problems)} damaged, "
        f"{len(report.removed)} temporary folder(s) removed."
    )
    if not report.ok:
        raise IntegrityError(
            f"{len(report.problems)} damaged version(s); the others are intact and readable.",
            hint="Restore the named files from git or a backup, or `workbench restore PAGE N` a good version.",
        )
