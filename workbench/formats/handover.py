"""What the archive hands on: searchable PDFs and TEI files per document, and line-level training data.

One entry point for the command and the TUI, :func:`export_handover`, which picks the pages, refuses an
output folder inside the project's own data, reports progress page by page and says what it left out.
Files: ``OUT/<document>.pdf``, ``OUT/<document>.tei.xml``; lines: ``OUT/<name>.png`` + ``OUT/<name>.gt.txt`` and
``OUT/manifest.tsv`` (see :mod:`workbench.formats.lines`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from workbench.durable import write_atomic
from workbench.errors import StorageError, UsageError
from workbench.formats.source import group_by_document
from workbench.project import Project
from workbench.store import TranscriptStore

#: The formats handled here (the per-page formats txt, hOCR, ALTO, PAGE are in ``workbench.formats``).
HANDOVER_FORMATS = ("pdf", "tei", "lines")


@dataclass
class HandoverReport:
    """What an export wrote and what it left out."""

    fmt: str
    out_dir: Path
    files: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One paragraph for the user: what was written where, then each page or line left out."""
        what = {"pdf": "PDF file(s)", "tei": "TEI file(s)", "lines": "line pair(s)"}[self.fmt]
        text = [f"Wrote {len(self.files)} {what} to {self.out_dir}."]
        text += self.notes
        if self.skipped:
            text.append(f"Left out {len(self.skipped)}:")
            text += [f"  {s}" for s in self.skipped]
        return "\n".join(text)


def check_output_dir(project: Project, out_dir: Path) -> None:
    """Refuse an output folder inside ``transcripts/`` (:meth:`Project.check_output`) or ``scans/``.

    Nothing may write into ``transcripts/`` except the store, and a PDF or PNG written under ``scans/``
    would become a page of the archive.
    """
    project.check_output(out_dir)
    target = out_dir.resolve()
    scans = project.scans_dir.resolve()
    if target == scans or scans in target.parents:
        raise UsageError(
            f"{out_dir} is inside the project's scans/ folder, where a file becomes a page; export elsewhere.",
            hint="Choose a folder outside transcripts/ and scans/, e.g. -o out/.",
        )


def _write_atomic(path: Path, data: bytes) -> None:
    try:
        write_atomic(path, data)
    except OSError as e:
        raise StorageError(f"Cannot write {path}: {e.strerror or e}.") from e


def export_handover(
    project: Project,
    page_ids: Sequence[str],
    fmt: str,
    out_dir: Path,
    *,
    progress: Callable[[str], None] | None = None,
) -> HandoverReport:
    """Export ``page_ids`` as PDF or TEI (one file per document) or as training lines, into ``out_dir``.

    ``progress`` is called with each page id once that page is done.
    """
    if fmt not in HANDOVER_FORMATS:
        raise UsageError(f"Unknown format {fmt!r}.", hint=f"Use one of {', '.join(HANDOVER_FORMATS)}.")
    check_output_dir(project, out_dir)
    store = TranscriptStore(project)
    for pid in page_ids:
        if store.latest_number(pid) is None:
            project.page(pid)  # names close matches when the id is mistyped
            raise UsageError(f"Page {pid!r} has no transcript yet.", hint=f"Run `workbench ocr {pid}` first.")
    report = HandoverReport(fmt=fmt, out_dir=out_dir)
    if fmt == "lines":
        from workbench.formats.lines import export_lines

        result = export_lines(project, page_ids, out_dir, progress=progress)
        report.files = [out_dir / f"{name}.png" for name in result.names]
        report.skipped = result.skipped
        if result.removed:
            report.notes.append(
                f"Deleted {result.removed} pair(s) of an earlier export whose lines are no longer in it."
            )
        report.notes.append(f"Manifest: {out_dir / 'manifest.tsv'}.")
        return report
    for group in group_by_document(project, page_ids):
        if fmt == "pdf":
            from workbench.formats.pdf import export_document_pdf

            pdf = export_document_pdf(
                project, group, out_dir / f"{group.document.id}.pdf", store=store, progress=progress
            )
            report.skipped += pdf.skipped
            if pdf.path is not None:
                report.files.append(pdf.path)
                kind = pdf.pdfa or "PDF (not PDF/A)"
                placed = ", ".join(f"{n} {k}" for k, n in sorted(pdf.placements.items()))
                report.notes.append(f"{pdf.path.name}: {pdf.pages} page(s), {kind}; lines placed by {placed}.")
        else:
            from workbench.formats.tei import export_document_tei

            path = out_dir / f"{group.document.id}.tei.xml"
            _write_atomic(path, export_document_tei(project, group, store=store, progress=progress))
            report.files.append(path)
    return report
