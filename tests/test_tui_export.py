"""Pilot test of Export … in the command palette: the dialog, its progress bar, the files on disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import run_async, settle, wait_for
from textual.command import CommandList
from textual.widgets import Button, Input, ProgressBar, Select

from workbench.project import Project
from workbench.tui.app import make_app
from workbench.tui.export_screen import ExportScreen
from workbench.tui.sample import make_demo_project

SIZE = (120, 40)


@pytest.fixture
def demo(tmp_path: Path) -> Project:
    return make_demo_project(tmp_path / "demo")


async def _press_export(pilot: Any, screen: ExportScreen) -> None:
    """Tab to the Export button and press Enter, as a keyboard user does (a click could land on a stale place
    once the summary has grown the dialog)."""
    button = screen.query_one("#run", Button)
    await wait_for(pilot, lambda: not button.disabled, "the Export button to be enabled")
    # Textual's Button ignores Enter while its 0.2 s press effect (class -active) still shows: an export that
    # ends within that time left the next press unheard.
    await wait_for(pilot, lambda: not button.has_class("-active"), "the previous press's effect to end")
    button.focus()
    await wait_for(pilot, lambda: button.has_focus, "the Export button to have the focus")
    await pilot.press("enter")


@run_async
async def test_export_from_the_command_palette_with_progress(demo: Project, tmp_path: Path) -> None:
    app = make_app(demo, "demo/p1", load_dictionaries=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p")
        await pilot.press(*"Export")

        def offered() -> bool:
            lists = app.screen.query(CommandList)
            return (
                bool(lists)
                and lists.first().option_count > 0
                and "Export" in str(lists.first().get_option_at_index(0).prompt)
            )

        await wait_for(pilot, offered, "Export … offered first in the palette")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen), "the export dialog")
        screen = app.screen
        assert screen.query_one("#format", Select).value == "pdf"
        assert screen.query_one("#scope", Select).value == "doc"  # this document: demo/p1 and demo/p2
        screen.query_one("#folder", Input).value = str(tmp_path / "out")
        await _press_export(pilot, screen)
        summary = screen.query_one("#summary")
        await wait_for(pilot, lambda: "Wrote 1 PDF" in str(summary.render()), "the export's summary", timeout=300)
        bar = screen.query_one("#bar", ProgressBar)
        assert bar.total == 2 and bar.progress == 2
        assert (tmp_path / "out" / "demo.pdf").stat().st_size > 0
        # Another format from the same dialog: the TEI of the whole archive.
        screen.query_one("#format", Select).value = "tei"
        screen.query_one("#scope", Select).value = "all"
        await _press_export(pilot, screen)
        await wait_for(pilot, lambda: "Wrote 1 TEI" in str(summary.render()), "the TEI export", timeout=300)
        assert (tmp_path / "out" / "demo.tei.xml").exists()
        # A refused folder is said in the dialog, and nothing is written.
        screen.query_one("#folder", Input).value = str(demo.root / "transcripts" / "x")
        await _press_export(pilot, screen)
        await wait_for(pilot, lambda: "refusing to write" in str(summary.render()), "the refusal")
        assert not (demo.root / "transcripts" / "x").exists()
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ExportScreen), "the dialog to close")
