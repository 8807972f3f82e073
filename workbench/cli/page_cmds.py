"""Commands for what a transcriber marks on a page besides its text: reviewed lines, line languages, ignored words.

Each is what the TUI does with Ctrl+R, Ctrl+L and ``=``; each saves a new version with the same text and the
changed marks (nothing is overwritten), through the same :class:`~workbench.session.PageSession` the TUI uses.
"""

from __future__ import annotations

import click

from workbench.cli.base import Context, cli, pass_ctx
from workbench.errors import UsageError
from workbench.session import LANGS, PageSession
from workbench.store import TranscriptStore, conflict_error


def parse_lines(spec: str, line_count: int) -> list[int]:
    """Parse ``3``, ``3-7`` or ``1,4-6`` (1-based, inclusive) into 0-based line numbers within the page."""
    lines: set[int] = set()
    for part in spec.replace(" ", "").split(","):
        if not part:
            continue
        first, _, last = part.partition("-")
        try:
            a, b = int(first), int(last or first)
        except ValueError as e:
            raise UsageError(f"Bad line range {spec!r}.", hint="Write lines as 3, 3-7 or 1,4-6 (1-based).") from e
        if a < 1 or b < a:
            raise UsageError(f"Bad line range {part!r}.", hint="Lines count from 1; write FIRST-LAST.")
        if b > line_count:
            raise UsageError(f"Line {b} is past the end of the page ({line_count} lines).")
        lines.update(range(a - 1, b))
    if not lines:
        raise UsageError(f"No lines in {spec!r}.")
    return sorted(lines)


def _open(ctx: Context, page: str) -> PageSession:
    project = ctx.project()
    session = PageSession.open(project, TranscriptStore(project), page)
    if session.base is None:
        raise UsageError(f"Page {page!r} has no transcript yet.", hint="Run `workbench ocr` or `workbench save` first.")
    return session


def _save(session: PageSession, message: str) -> None:
    base = session.base
    result = session.save(session.saved_text, message=message)
    click.echo(f"{session.page_id}: saved version {result.version.number} ({message}).")
    if result.conflict:
        raise conflict_error(session.page_id, result, base)


@cli.command("review")
@click.argument("page")
@click.argument("lines")
@click.option("--undo", is_flag=True, help="Remove the reviewed mark instead.")
@pass_ctx
def review_cmd(ctx: Context, page: str, lines: str, undo: bool) -> None:
    """Mark LINES of PAGE reviewed (1-based: 3, 3-7, 1,4-6); OCR candidates never replace reviewed lines."""
    session = _open(ctx, page)
    chosen = parse_lines(lines, session.saved_text.count("\n") + 1)
    if undo:
        session.reviewed.difference_update(chosen)
    else:
        session.reviewed.update(chosen)
    _save(session, f"lines {lines} {'not ' if undo else ''}reviewed")


@cli.command("lang")
@click.argument("page")
@click.argument("lines")
@click.argument("lang", type=click.Choice(LANGS))
@pass_ctx
def lang_cmd(ctx: Context, page: str, lines: str, lang: str) -> None:
    """Set the language of LINES of PAGE (for suggestions and re-OCR), e.g. `workbench lang d/p1 1-4 rus`."""
    session = _open(ctx, page)
    for line in parse_lines(lines, session.saved_text.count("\n") + 1):
        session.line_langs[line] = lang
    _save(session, f"lines {lines}: {lang}")


@cli.command("ignore")
@click.argument("page")
@click.argument("words", nargs=-1, required=True)
@click.option("--undo", is_flag=True, help="Flag the words again.")
@pass_ctx
def ignore_cmd(ctx: Context, page: str, words: tuple[str, ...], undo: bool) -> None:
    """Stop flagging WORDS on PAGE only (for the whole archive, use `workbench dict add`)."""
    from workbench.text import nfc

    session = _open(ctx, page)
    normalised = {nfc(w) for w in words}
    if undo:
        session.ignored.difference_update(normalised)
    else:
        session.ignored.update(normalised)
    _save(session, f"{'flag again' if undo else 'ignore'}: {', '.join(sorted(normalised))}")
