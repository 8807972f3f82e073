"""The click group every command hangs on, and the context that finds the project."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import click

from workbench import __version__
from workbench.project import Project, find_project


@dataclass
class Context:
    """What every command gets: where to look for the project, and the project once found."""

    directory: Path | None = None
    _project: Project | None = field(default=None, repr=False)

    def project(self) -> Project:
        """The project at ``-C DIR`` or above the current folder (raises ProjectNotFoundError)."""
        if self._project is None:
            self._project = find_project(self.directory)
            self._project.check_keys()  # a typo in workbench.toml is warned about by every command
        return self._project

    def warnings(self) -> list[str]:
        """What the project's files raised that is not fatal (unknown keys), if a project was opened."""
        return list(self._project.warnings) if self._project is not None else []


pass_ctx = click.make_pass_decorator(Context)


def stdout_is_terminal() -> bool:
    """Whether standard output is a terminal (colour and progress bars only then)."""
    return sys.stdout.isatty()


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "-C",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Use the project in DIR (default: the current folder or the nearest above it).",
)
@click.version_option(__version__, prog_name="workbench")
@click.pass_context
def cli(ctx: click.Context, directory: Path | None) -> None:
    """Workbench: OCR correction and transcription of Russian and Azerbaijani Cyrillic typescripts.

    Run `workbench open` (or just `workbench`) for the terminal UI; every action in it is also a command.
    """
    if isinstance(ctx.obj, Context):  # given by workbench.cli.main, which shows the project's warnings
        ctx.obj.directory = directory
    else:
        ctx.obj = Context(directory=directory)


def warn_unusable_scans(project: Project) -> None:
    """Say on stderr how many scan files are no page (their names), so none is missing silently."""
    unusable = project.unusable_scans()
    if unusable:
        click.echo(
            f"workbench: warning: {len(unusable)} scan file(s) under scans/ are not pages "
            "(e.g. a newline, backslash or '#' in the name); `workbench doctor` lists them.",
            err=True,
        )


def echo_save_warnings(warnings: tuple[str, ...]) -> None:
    """What a save could not carry over (a damaged base version's marks), on stderr."""
    for warning in warnings:
        click.echo(f"workbench: warning: {warning}", err=True)
