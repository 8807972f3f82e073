"""Commands for what a transcriber marks on a page besides its text: reviewed lines, line languages, ignored words.

Each is what the TUI does with Ctrl+R, Ctrl+L and ``=``; each saves a new version with the same text and the
changed marks (nothing is overwritten), through the same :class:`~workbench.session.PageSession` the TUI uses.
"""

from __future__ import annotations

import click

from workbench.cli.base import Context, cli, echo_save_warnings, pass_ctx
from workbench.cli.linespec import parse_lines
from workbench.errors import UsageError
from workbench.orthography import LANGS
from workbench.session import PageSession
from workbench.store import TranscriptStore, conflict_error


def _open(ctx: Context, page: str) -> PageSession:
    project = ctx.project()
    session = PageSession.open(project, TranscriptStore(project), page)
    if session.base is None:
        raise UsageError(f"Page {page!r} has no transcript yet.", hint="Run `workbench ocr` or `workbench save` first.")
    return session


def _save(session: PageSession, message: str) -> None:
    base = session.base
    result = session.save(session.saved_text, message=message)
    echo_save_warnings(result.warnings)
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
