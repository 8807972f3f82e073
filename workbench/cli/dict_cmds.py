"""Commands: ``dict build``, ``dict add``, ``suggest``, ``check``, ``replace``, ``transliterate`` (dictionaries,
suggestions and typing)."""

from __future__ import annotations

import json
import sys

import click

from workbench.cli.base import Context, cli, pass_ctx
from workbench.errors import UsageError

LANG_CHOICE = click.Choice(["rus", "aze_cyrl"])


@cli.group("dict")
def dict_group() -> None:
    """Build the dictionaries and edit the project dictionary."""


@dict_group.command("build")
@click.option("--force", is_flag=True, help="Rebuild even if the built dictionaries are up to date.")
@click.option("--lang", "langs", multiple=True, type=LANG_CHOICE, help="Only this language (repeatable).")
@pass_ctx
def dict_build_cmd(_ctx: Context, force: bool, langs: tuple[str, ...]) -> None:
    """Build the Russian and Azerbaijani dictionaries into $WORKBENCH_DATA (fast when up to date)."""
    from workbench.dictionary import build_all

    reports = build_all(force=force, langs=langs or ("rus", "aze_cyrl"))
    for r in reports:
        what = f"built in {r.seconds:.1f} s" if r.built else "up to date"
        click.echo(f"{r.lang}: {what}, {r.words:,} words, {r.bytes / 1e6:.0f} MB in {r.folder}", err=True)


@dict_group.command("add")
@click.argument("words", nargs=-1, required=True)
@click.option("--lang", type=LANG_CHOICE, required=True, help="The language of the words.")
@pass_ctx
def dict_add_cmd(ctx: Context, words: tuple[str, ...], lang: str) -> None:
    """Add WORDS to the project dictionary (dictionaries/project.txt)."""
    from workbench.dictionary import ProjectDictionary

    pd = ProjectDictionary(ctx.project())
    for word in words:
        added = pd.add(word, lang)
        click.echo(f"{word}\t{lang}\t{'added' if added else 'already there'}")


@cli.command("transliterate")
@click.argument("text", nargs=-1)
@click.option("--orthography", type=click.Choice(["1939", "1958"]), default="1939", show_default=True)
def transliterate_cmd(text: tuple[str, ...], orthography: str) -> None:
    """Latin-script Azerbaijani TEXT (no TEXT: stdin) in the Cyrillic alphabet of ORTHOGRAPHY.

    What the TUI's transliteration mode (Ctrl+T) types: ə ş ç ğ ö ü ı İ, or the ASCII fallbacks e' s' c' g' o'
    u' i' I' (an apostrophe after the base letter), y → й (1939) or ј (1958).
    """
    from workbench.azeri_input import transliterate
    from workbench.text import nfc

    lines = [" ".join(text)] if text else [nfc(line.rstrip("\n")) for line in sys.stdin]
    for line in lines:
        click.echo(transliterate(line, orthography))


@cli.command("suggest")
@click.argument("words", nargs=-1)
@click.option("--lang", type=LANG_CHOICE, default="rus", show_default=True, help="The words' language.")
@click.option("--orthography", type=click.Choice(["1939", "1958"]), default="1939", show_default=True)
@click.option("-n", "n", type=click.IntRange(1, 50), default=5, show_default=True, help="Suggestions per word.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per word.")
@pass_ctx
def suggest_cmd(ctx: Context, words: tuple[str, ...], lang: str, orthography: str, n: int, as_json: bool) -> None:
    """Say whether each WORD is known and suggest corrections (no WORDS: one word per stdin line)."""
    from workbench.dictionary import load_speller
    from workbench.errors import ProjectNotFoundError
    from workbench.text import nfc

    try:
        project = ctx.project()
    except ProjectNotFoundError:
        project = None  # suggestions work without a project, just without its dictionary
    # the project's [dictionary] yo: whether its texts print ё (typescripts do not)
    speller = load_speller(project, lang, orthography, yo=project.settings().yo if project is not None else False)
    source = words if words else (line.strip() for line in sys.stdin)
    for raw in source:
        word = nfc(raw).strip()
        if not word:
            continue
        known = speller.is_known(word)
        suggestions = [] if known else speller.suggest(word, n)
        if as_json:
            out = {
                "word": word,
                "known": known,
                "suggestions": [{"term": s.term, "score": s.score} for s in suggestions],
            }
            click.echo(json.dumps(out, ensure_ascii=False))
        elif known:
            click.echo(f"{word}\tknown")
        else:
            click.echo(f"{word}\t" + (", ".join(f"{s.term} ({s.score:.2f})" for s in suggestions) or "no suggestions"))


@cli.command("check")
@click.argument("page")
@click.option("-n", "n", type=click.IntRange(1, 50), default=5, show_default=True, help="Suggestions per word.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per flagged word.")
@pass_ctx
def check_cmd(ctx: Context, page: str, n: int, as_json: bool) -> None:
    """List the unknown words of PAGE's latest transcript with positions (line:column, 1-based) and suggestions.

    Known Russian words that are likely misreads of a more probable word («хроме» for «кроме») are listed
    too, marked "(real word)" (JSON: "kind": "realword"), the likely word first.
    """
    from workbench.dictionary.check import check_page

    project = ctx.project()
    flags = check_page(project, page, n=n)
    for f in flags:
        if as_json:
            click.echo(json.dumps(f.to_json(), ensure_ascii=False))
        else:
            sugg = ", ".join(s.term for s in f.suggestions) or "no suggestions"
            # a known word that is likely a misread («хроме» for «кроме») says so
            lang = f"{f.lang} (real word)" if f.kind == "realword" else f.lang
            click.echo(f"{f.line + 1}:{f.start + 1}\t{f.word}\t{lang}\t{sugg}")
    if not as_json:
        click.echo(f"{len(flags)} word{'s' if len(flags) != 1 else ''} flagged on {page}.", err=True)


@cli.command("replace")
@click.argument("old")
@click.argument("new")
@click.argument("pages", nargs=-1)
@click.option("--all", "all_pages", is_flag=True, help="Every page of the archive.")
@click.option("--preview", is_flag=True, help="Only show every line before and after; change nothing.")
@click.option("--fuzzy", type=click.IntRange(0, 3), default=0, help="Also replace words within N edits of OLD.")
@click.option("--confusions", is_flag=True, help="Also replace spellings differing only by OCR confusions.")
@click.option("--include-reviewed", is_flag=True, help="Change lines marked reviewed too (left alone by default).")
@pass_ctx
def replace_cmd(
    ctx: Context,
    old: str,
    new: str,
    pages: tuple[str, ...],
    all_pages: bool,
    preview: bool,
    fuzzy: int,
    confusions: bool,
    include_reviewed: bool,
) -> None:
    """Replace the word OLD by NEW in PAGES (or --all), one new version per touched page.

    Whole words only, each in the case it is written in; reviewed lines are left alone (and listed).
    """
    from workbench.dictionary.replace import check_args, find_occurrences
    from workbench.search import replace as core

    if not pages and not all_pages:
        raise UsageError("Say where: give PAGE ids or --all.", hint="Add --preview to see the occurrences first.")
    if pages and all_pages:
        raise UsageError("Give PAGE ids or --all, not both.")
    project = ctx.project()
    old, new = check_args(old, new)
    chosen = None if all_pages else [project.page(p).id for p in pages]
    if fuzzy or confusions:
        from workbench.search.query import Query, search

        hits = search(project, Query(old, fuzzy=fuzzy, confusions=confusions, pages=chosen))
        edits = core.edits_for([h for h in hits if h.whole], new)
    else:
        found = find_occurrences(project, old, new, chosen)
        edits = [core.Edit(o.page, o.line, o.start, o.end, o.found, o.replacement, o.context) for o in found]
    plans = core.plan(project, edits, include_reviewed=include_reviewed)
    for p in plans:
        for e, why in p.skipped:
            click.echo(f"{p.page}:{e.line + 1}:{e.start + 1}\tskipped ({why}): {e.expected or ''}".rstrip(), err=True)
    if preview:
        for p in plans:
            for c in p.changes:
                for e in c.edits:
                    line = c.old[: e.start] + f"[{e.found} → {e.replacement}]" + c.old[e.end :]
                    click.echo(f"{p.page}:{c.line + 1}:{e.start + 1}\t{line.strip()}")
        n, pages_n = sum(p.count for p in plans), sum(1 for p in plans if p.changes)
        click.echo(f"{n} occurrence(s) on {pages_n} page(s); nothing changed (--preview).", err=True)
        return
    results = core.apply(project, plans)
    for p, result in results:
        note = " (conflict: saved beside a newer version)" if result.conflict else ""
        click.echo(f"{p.page}: {p.count} replaced, version {result.version.number}{note}")
    click.echo(f"{sum(p.count for p, _ in results)} replacement(s) on {len(results)} page(s).", err=True)
