"""``workbench open [PAGE]`` (and plain ``workbench``): the terminal UI on the project."""

from __future__ import annotations

import click

from workbench.cli.base import Context, cli


@cli.command("open")
@click.argument("page", required=False)
@click.pass_obj
def open_cmd(obj: Context, page: str | None) -> None:
    """Open the workbench on the project (optionally at PAGE)."""
    project = obj.project()
    if page is not None:
        page = project.page(page).id  # a bad page id is a clear error before the screen is taken over
    # Imported here: textual-image asks the terminal about graphics at import, and other commands
    # should not pay for Textual at all.
    from workbench.tui.app import make_app

    make_app(project, page).run()
