"""Commands about the project itself: ``init``, ``pages``, ``doctor``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from workbench.cli.base import Context, cli, pass_ctx, warn_unusable_scans
from workbench.errors import WorkbenchError
from workbench.project import init_project


@cli.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default=None, help="The project's name (default: the folder's name).")
def init_cmd(directory: Path, name: str | None) -> None:
    """Create a workbench project in DIRECTORY (scans/, transcripts/, dictionaries/, workbench.toml)."""
    project = init_project(directory, name)
    click.echo(f"Created project in {project.root}. Put scans under {project.scans_dir}/DOCUMENT/.")


@cli.command("pages")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per page.")
@pass_ctx
def pages_cmd(ctx: Context, as_json: bool) -> None:
    """List the documents and pages of the project, with their metadata and latest status."""
    from workbench.store import TranscriptStore

    project = ctx.project()
    store = TranscriptStore(project)
    pages = project.pages()
    current_doc: str | None = None
    for page in pages:
        try:
            latest = store.latest_number(page.id)
            meta = store.meta(page.id, latest) if latest else None
            status = meta.status if meta else "New"
        except WorkbenchError as e:
            status, latest = f"error: {e.message}", None
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "page": page.id,
                        "document": page.document,
                        "scan": str(page.scan.relative_to(project.root)) if page.scan else None,
                        "frame": page.frame,
                        "versions": latest or 0,
                        "status": status,
                    },
                    ensure_ascii=False,
                )
            )
            continue
        if page.document != current_doc:
            current_doc = page.document
            try:
                doc = project.document(page.document)
                langs = "+".join(doc.languages)
                line = f"{page.document or '(top level)'}: {doc.title or 'untitled'}"
                details = ", ".join(
                    x for x in (doc.date, langs, f"orthography {doc.orthography}", str(doc.citation)) if x
                )
                click.echo(f"\n{line}\n  {details}")
            except WorkbenchError as e:
                click.echo(f"\n{page.document}: metadata error: {e}")
        scan = page.scan.name if page.scan else "no scan"
        if page.frame is not None:
            scan += f" p.{page.frame + 1}"
        click.echo(f"  {page.id:<32} {scan:<20} v{latest or 0:<4} {status}")
    warn_unusable_scans(project)
    if not pages and not as_json:
        click.echo(f"No pages yet: put scans under {project.scans_dir}/DOCUMENT/.")


@cli.command("doctor")
@click.option(
    "--lang", "langs", multiple=True, default=["rus", "aze_cyrl"], show_default=True, help="Language packs to check."
)
@pass_ctx
def doctor_cmd(ctx: Context, langs: tuple[str, ...]) -> None:
    """Check Tesseract, its language packs and every scan of the project; say how to fix what is wrong."""
    from workbench.ocr.probe import require_languages
    from workbench.scans import load_image

    info = require_languages(list(langs))
    click.echo(
        f"Tesseract {'.'.join(map(str, info.version))} at {info.path}; languages: {', '.join(sorted(info.languages))}"
    )
    project = ctx.project()
    bad = 0
    pages = project.pages()
    for page in pages:
        if page.scan is None:
            continue
        try:
            load_image(page.scan, page.frame).close()
        except WorkbenchError as e:
            bad += 1
            click.echo(f"  {page.id}: {e}", err=True)
    for path, problem in project.unusable_scans():
        # repr: a newline or a backslash in the name must show, not break the line.
        bad += 1
        click.echo(f"  {str(path.relative_to(project.root))!r}: not a page: {problem}", err=True)
    click.echo(f"{len(pages)} pages, {bad} unreadable scan(s).")
    if bad:
        from workbench.errors import BatchFailedError

        raise BatchFailedError(f"{bad} scan(s) cannot be read; see above.")
