"""Commands: ``search`` (the archive, lookalike-tolerant) and ``index`` (the search index beside the project)."""

from __future__ import annotations

import json

import click

from workbench.cli.base import Context, cli, pass_ctx, stdout_is_terminal
from workbench.errors import NoMatchError


@cli.command("search")
@click.argument("query")
@click.option("--fuzzy", "-f", type=click.IntRange(0, 3), default=0, help="Words within N edits (or QUERY~N).")
@click.option("--regex", "-E", "use_regex", is_flag=True, help="QUERY is a regular expression (case-insensitive).")
@click.option(
    "--confusions", "-c", is_flag=True, help="Also match OCR confusions (ә/е, ө/о, ү/у, ҹ/ч/ж, ҝ/к, ғ/г, т/г …)."
)
@click.option("--doc", default=None, help="Only pages of this document.")
@click.option("--status", default=None, help="Only pages with this status (New, In progress, Done …).")
@click.option("--all-versions", is_flag=True, help="Search every version, not only the latest (indexes them all).")
@click.option("--limit", type=click.IntRange(1), default=None, help="At most N hits (the best).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per hit (page, line, span, text, box).")
@pass_ctx
def search_cmd(
    ctx: Context,
    query: str,
    fuzzy: int,
    use_regex: bool,
    confusions: bool,
    doc: str | None,
    status: str | None,
    all_versions: bool,
    limit: int | None,
    as_json: bool,
) -> None:
    """Find QUERY in every page, one hit per line as PAGE:LINE:COLUMN, best first (exit 1 if none).

    Case, ё/е, й/ј and Latin look-alike letters never matter; --confusions merges OCR confusions too.
    """
    from workbench.search.boxes import with_boxes
    from workbench.search.query import Query, search

    project = ctx.project()
    q = Query(
        query,
        fuzzy=fuzzy,
        regex=use_regex,
        confusions=confusions,
        doc=doc,
        status=status,
        all_versions=all_versions,
        limit=limit,
    )
    hits = search(project, q)
    if not hits:
        raise NoMatchError(f"No match for {query!r}.", hint=_hint(fuzzy, use_regex, confusions))
    if as_json:
        for h in with_boxes(project, hits):
            click.echo(json.dumps(h.to_json(), ensure_ascii=False))
        return
    colour = stdout_is_terminal()
    for h in hits:
        found = click.style(h.found, fg="red", bold=True) if colour else h.found
        version = f"@{h.version}" if all_versions else ""
        click.echo(f"{h.page}{version}:{h.line + 1}:{h.start + 1}:\t{h.text[: h.start]}{found}{h.text[h.end :]}")
    pages = len({h.page for h in hits})
    click.echo(f"{len(hits)} hit{'s' if len(hits) != 1 else ''} on {pages} page{'s' if pages != 1 else ''}.", err=True)


def _hint(fuzzy: int, use_regex: bool, confusions: bool) -> str | None:
    if use_regex:
        return None
    if not fuzzy:
        return "Try --fuzzy 1 (or QUERY~1) for misread letters" + ("." if confusions else ", or --confusions.")
    return None if confusions else "Try --confusions for the letters OCR confuses."


@cli.command("index")
@click.option("--rebuild", is_flag=True, help="Build the index anew from every page.")
@click.option("--all-versions/--latest", default=None, help="Index every version, or only the latest (the default).")
@pass_ctx
def index_cmd(ctx: Context, rebuild: bool, all_versions: bool | None) -> None:
    """Bring the search index (.workbench-cache/search.sqlite) up to date and say what it holds.

    Saves update it by themselves; it is rebuilt when missing, damaged or stale.
    """
    from workbench.search.index import get_index
    from workbench.store import TranscriptStore

    index = get_index(TranscriptStore(ctx.project()))
    if rebuild or (all_versions is not None and all_versions != index.all_versions):
        index.rebuild(all_versions=all_versions)
    else:
        index.ensure_fresh(force=True)
    s = index.stats()
    what = "every version" if s["all_versions"] else "latest versions"
    done = "rebuilt" if index.last_check.get("rebuilt") else f"{index.last_check.get('refreshed', 0)} page(s) updated"
    click.echo(
        f"{index.path}: {s['pages']:,} pages ({what}), {s['lines']:,} lines, {s['vocab']:,} distinct words, "
        f"{s['bytes'] / 1e6:.1f} MB; {done}."
    )
