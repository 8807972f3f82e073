"""``workbench open [PAGE]`` (and plain ``workbench``): the terminal UI on the project; ``workbench view``: a page or
line in the system image viewer (what the TUI's F9 does, for terminals without pixel graphics)."""

from __future__ import annotations

import click

from workbench.cli.base import Context, cli
from workbench.errors import UsageError


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


@cli.command("view")
@click.argument("page")
@click.argument("line", type=int, required=False)
@click.option("--path-only", is_flag=True, help="Write the image and print its path; start no viewer.")
@click.pass_obj
def view_cmd(obj: Context, page: str, line: int | None, path_only: bool) -> None:
    """Show PAGE's scan, or its LINE (1-based, a line of the newest version) cut from it, in the image viewer.

    For terminals without pixel graphics. The viewer is $WORKBENCH_IMAGE_VIEWER (the image file is its last
    argument) or xdg-open; the image is a copy in a private temporary folder, never the scan itself.
    """
    from workbench.viewer import open_in_viewer, write_view_image

    if line is not None and line < 1:
        raise UsageError(f"Lines are numbered from 1, not {line}.")
    shown = write_view_image(obj.project(), page, None if line is None else line - 1)
    what = "the page" if shown.box is None else f"line {line} (box {', '.join(map(str, shown.box))})"
    if path_only:
        click.echo(str(shown.path))
        return
    command = open_in_viewer(shown.path)
    click.echo(f"Showing {what} of {page} with {command[0]}: {shown.path}")
