"""The command line: a thin face on the core. One handler turns errors into messages and exit codes."""

from __future__ import annotations

import sys

import click

# Each module adds its commands to ``cli`` when imported; one module per area of the core.
from workbench.cli import (
    dict_cmds,  # noqa: F401
    ocr_cmds,  # noqa: F401
    page_cmds,  # noqa: F401
    project_cmds,  # noqa: F401
    search_cmds,  # noqa: F401
    store_cmds,  # noqa: F401
    train_cmds,  # noqa: F401
    tui_cmds,  # noqa: F401
)
from workbench.cli.base import Context, cli
from workbench.errors import Interrupted, WorkbenchError


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return (and exit with) the exit code. The only place errors become exit codes."""
    args = sys.argv[1:] if argv is None else argv
    if not args:
        args = ["open"]  # plain `workbench` opens the app, like the README promises
    context = Context()
    try:
        cli.main(args=args, prog_name="workbench", standalone_mode=False, obj=context)
    except WorkbenchError as e:
        _show_warnings(context)
        click.echo(f"workbench: {e}", err=True)
        sys.exit(e.exit_code)
    except click.exceptions.Abort:
        click.echo(f"workbench: {Interrupted('Interrupted.').message}", err=True)
        sys.exit(Interrupted.exit_code)
    except KeyboardInterrupt:
        click.echo("workbench: interrupted; finished work was kept.", err=True)
        sys.exit(Interrupted.exit_code)
    except click.ClickException as e:
        e.show()
        sys.exit(2 if e.exit_code == 1 else e.exit_code)
    except BrokenPipeError:
        sys.exit(0)
    _show_warnings(context)
    sys.exit(0)


def _show_warnings(context: Context) -> None:
    """Warnings the core collected (unknown keys in workbench.toml or document.toml), one line each."""
    for warning in context.warnings():
        click.echo(f"workbench: warning: {warning}", err=True)
