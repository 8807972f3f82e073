"""Command: ``workbench train`` (fine-tune the project's Azerbaijani model on corrected line images).

Thin: it parses its arguments, calls :func:`workbench.training.finetune.train`, and prints the report.
"""

from __future__ import annotations

from pathlib import Path

import click

from workbench.cli.base import Context, cli, pass_ctx


@cli.command("train")
@click.argument("lines_dir", type=click.Path(path_type=Path))
@click.option(
    "--iterations",
    type=click.IntRange(1),
    default=None,
    help="Training iterations (one line each; default: ten passes, 200-4000).",
)
@click.option(
    "--held-out",
    "held_out",
    type=click.FloatRange(0.01, 0.5),
    default=0.1,
    show_default=True,
    help="Share of the lines kept out of training to measure the model on.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@pass_ctx
def train_cmd(ctx: Context, lines_dir: Path, iterations: int | None, held_out: float, as_json: bool) -> None:
    """Fine-tune the project's aze_cyrl model on LINES_DIR (NAME.png + NAME.gt.txt, `export --format lines`).

    The model in models/ is replaced only if it reads the held-out lines better; run the same command
    again to resume an interrupted training.
    """
    from workbench.training.finetune import train

    project = ctx.project()
    report = train(
        project.root,
        lines_dir,
        iterations=iterations,
        held_out_share=held_out,
        progress=lambda msg: click.echo(msg, err=True),
    )
    if as_json:
        click.echo(report.to_json())
        return
    verdict = "replaced the project's model" if report.replaced else "kept the current model (not better)"
    click.echo(
        f"{report.train_lines} lines trained, {report.held_out_lines} held out, {report.iterations} iterations: "
        f"held-out CER {report.cer_before:.2f} % -> {report.cer_after:.2f} %; {verdict}: {report.model}"
    )
