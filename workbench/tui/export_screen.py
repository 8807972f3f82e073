"""The Export dialog: a searchable PDF, TEI or training lines of this page, this document or the archive.

The work is :func:`workbench.formats.handover.export_handover`, the function ``workbench export`` calls; it
runs in a thread worker that posts ``ExportProgressed`` for each page done (the progress bar moves) and
``ExportFinished`` with the report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, ProgressBar, Select, Static
from textual.worker import Worker, WorkerState

from workbench.errors import WorkbenchError
from workbench.project import Project
from workbench.tui.messages import ExportFinished, ExportProgressed
from workbench.tui.screens import Dialog

FORMATS = [
    ("Searchable PDF, one per document", "pdf"),
    ("TEI P5, one file per document", "tei"),
    ("Training lines (PNG + text) of reviewed or corrected lines", "lines"),
]


class ExportScreen(Dialog):
    """Choose a format, the pages and a folder; export with a progress bar; show what was written."""

    DEFAULT_CSS = """
    ExportScreen #summary { height: auto; max-height: 16; margin-top: 1; }
    ExportScreen ProgressBar { margin-top: 1; }
    """

    def __init__(self, project: Project, page_id: str | None) -> None:
        super().__init__()
        self.project = project
        self.page_id = page_id
        self.running = False

    def compose(self) -> ComposeResult:
        """Build the widgets."""
        scopes = [("the whole archive", "all")]
        if self.page_id:
            doc = self.page_id.split("/", 1)[0]
            scopes = [(f"this page ({self.page_id})", "page"), (f"this document ({doc})", "doc"), *scopes]
        with Vertical(classes="frame"):
            yield Label("Export", classes="title")
            yield Select(FORMATS, value="pdf", allow_blank=False, id="format")
            yield Select(scopes, value=scopes[min(1, len(scopes) - 1)][1], allow_blank=False, id="scope")
            yield Input(str(self.project.root / "export"), placeholder="output folder", id="folder")
            yield ProgressBar(total=None, id="bar")
            yield Static("", id="summary")
            with Horizontal(classes="buttons"):
                yield Button("Export", id="run", variant="primary")
                yield Button("Close", id="cancel")

    def on_mount(self) -> None:
        """Focus the button; the progress bar shows only while exporting."""
        self.query_one("#bar", ProgressBar).display = False
        self.query_one("#run", Button).focus()

    def page_ids(self, scope: str) -> list[str]:
        """The pages the chosen scope covers (those with a transcript)."""
        from workbench.formats.source import pages_with_text

        if scope == "page" and self.page_id:
            return [self.page_id]
        if scope == "doc" and self.page_id:
            return pages_with_text(self.project, documents=[self.page_id.split("/", 1)[0]])
        return pages_with_text(self.project)

    @on(Button.Pressed, "#run")
    def _run(self) -> None:
        if self.running:
            return
        fmt = str(self.query_one("#format", Select).value)
        folder = self.query_one("#folder", Input).value.strip()
        if not folder:
            self.query_one("#summary", Static).update("Give an output folder.")
            return
        out = Path(folder).expanduser()
        if not out.is_absolute():
            out = self.project.root / out
        ids = self.page_ids(str(self.query_one("#scope", Select).value))
        bar = self.query_one("#bar", ProgressBar)
        bar.update(total=len(ids), progress=0)
        bar.display = True
        self.query_one("#summary", Static).update(f"Exporting {len(ids)} page(s) as {fmt} to {out} …")
        self.query_one("#run", Button).disabled = True
        self.running = True
        self.export_worker(ids, fmt, out)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def export_worker(self, ids: list[str], fmt: str, out: Path) -> None:
        """The export, in a thread; each page done and the end are posted as messages."""
        from workbench.formats.handover import export_handover

        def page_done(page_id: str) -> None:
            self.post_message(ExportProgressed(page_id))

        report = export_handover(self.project, ids, fmt, out, progress=page_done)
        self.post_message(ExportFinished(report))

    def on_export_progressed(self) -> None:
        """Move the bar by one page."""
        self.query_one("#bar", ProgressBar).advance(1)

    def on_export_finished(self, message: ExportFinished) -> None:
        """Show what was written and what was left out."""
        self.running = False
        self.query_one("#run", Button).disabled = False
        self.query_one("#summary", Static).update(message.report.summary())
        self.notify(f"Export done: {len(message.report.files)} file(s) in {message.report.out_dir}.", timeout=4)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed export is shown here (the app also reports it as a notification)."""
        if event.state == WorkerState.ERROR:
            self.running = False
            self.query_one("#run", Button).disabled = False
            self.query_one("#bar", ProgressBar).display = False
            error: Any = event.worker.error
            text = str(error) if isinstance(error, WorkbenchError) else f"The export failed: {error!r}"
            self.query_one("#summary", Static).update(text)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
