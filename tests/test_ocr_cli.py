"""The OCR commands end to end: ocr, ocr --lines, candidates, take (human work is never overwritten)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from test_ocr_support import RUSSIAN, make_project, render_lines

from workbench.cli import cli
from workbench.store import TranscriptStore

pytestmark = pytest.mark.tesseract


def run(root: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["-C", str(root), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_ocr_then_candidate_then_take_lines(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", {"p1": render_lines(RUSSIAN)})
    root = project.root
    store = TranscriptStore(project)
    assert "1 page(s) OCR'd" in run(root, "ocr", "doc/p1", "--lang", "rus", "--no-progress")
    assert store.read("doc/p1").text.split("\n") == RUSSIAN
    # A person edits lines 1 and 2 and marks line 1 reviewed.
    store.save("doc/p1", "Первая строка\nвторая\n" + RUSSIAN[2], source="edit", reviewed=[0])
    assert "stored as candidate 1" in run(root, "ocr", "doc/p1", "--lines", "1-2")
    assert store.latest_number("doc/p1") == 2  # the OCR did not touch the human version
    listing = run(root, "candidates", "doc/p1")
    assert listing.strip().startswith("1") and "on version 2" in listing
    diff = run(root, "candidates", "doc/p1", "--diff", "1")
    assert f"+{RUSSIAN[1]}" in diff and "-вторая" in diff
    out = run(root, "take", "doc/p1", "1-2")
    assert "Kept reviewed line(s) 1" in out
    latest = store.read("doc/p1")
    assert latest.number == 3 and latest.text.split("\n") == ["Первая строка", RUSSIAN[1], RUSSIAN[2]]
    assert "Nothing to take" in run(root, "take", "doc/p1", "1")
