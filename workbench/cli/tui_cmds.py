"""``workbench open``: the terminal UI (until it lands, a listing of the pages)."""

from __future__ import annotations

import click

from workbench.cli.base import cli


@cli.command("open")
@click.argument("page", required=False)
@click.pass_context
def open_cmd(ctx: click.Context, page: str | None) -> None:
    """Open the workbench on the project (optionally at PAGE)."""
    from workbench.cli.project_cmds import pages_cmd

    ctx.invoke(pages_cmd)
