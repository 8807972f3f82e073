"""`take`, `candidates --diff` and `ocr --lines` number lines as the newest version does (issue 9).

The page is the sample archive's ``bagirov-1946/p1``: version 1 is Tesseract's reading of the scan
(``tests/data/ocr/``, with the noise line «ит» first), version 2 the transcriber's text (the ground truth:
«ит» deleted, letters corrected, blank lines between paragraphs), so the version's line numbers differ from
the image lines' by one to eight.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.linemap import layout_line_texts, line_map
from workbench.metrics import character_error_rate
from workbench.project import Project
from workbench.store import TranscriptStore

PAGE = "bagirov-1946/p1"
LAYOUT = json.loads((Path(__file__).parent / "data/ocr/bagirov-1946-p1.layout.json").read_text(encoding="utf-8"))


def run(project: Project, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workbench", "-C", str(project.root), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        timeout=300,
        check=False,
    )


@pytest.fixture
def edited(sample_project: Project) -> tuple[Project, str]:
    store = TranscriptStore(sample_project)
    layout = {**LAYOUT, "image": f"scans/{PAGE}.jpg"}
    store.save(PAGE, "\n".join(layout_line_texts(layout)), source="ocr", author="tesseract", layout=layout)
    gt = (sample_project.root / "ground-truth" / f"{PAGE}.txt").read_text(encoding="utf-8").rstrip("\n")
    store.save(PAGE, gt, source="edit")
    return sample_project, gt


def test_take_replaces_the_line_asked_for_and_no_other(edited: tuple[Project, str]) -> None:
    """The issue's `take 25` wrote the candidate's 25th line (another line's text) over the version's 25th."""
    project, gt = edited
    store = TranscriptStore(project)
    # A new OCR run read every line again; here each image line's reading is marked so it can be told apart.
    candidate = json.loads(json.dumps(LAYOUT))
    for line in candidate["lines"]:
        line["words"][-1]["text"] += "¤"
    store.save_candidate(PAGE, "\n".join(layout_line_texts(candidate)), layout=candidate, ocr={"engine": "test"})
    lines = gt.split("\n")
    n = 25  # 1-based, as `show` numbers it: «Азербайджана и т.д.»
    j = line_map(gt, LAYOUT)[n - 1]
    assert j is not None and j != n - 1
    result = run(project, "take", PAGE, str(n), "--candidate", "1")
    assert result.returncode == 0, result.stderr
    new = store.read(PAGE).text.split("\n")
    assert new[n - 1] == layout_line_texts(candidate)[j]  # the candidate's reading of that line's own image
    assert [s for k, s in enumerate(new) if k != n - 1] == [s for k, s in enumerate(lines) if k != n - 1]
    # A blank paragraph line has no image line: nothing to take, and it says so.
    blank = lines.index("") + 1
    nothing = run(project, "take", PAGE, str(blank))
    assert nothing.returncode == 0 and "no reading" in nothing.stdout
    # The diff `candidates --diff` shows is numbered as the version is, one line per line taken.
    diff = run(project, "candidates", PAGE, "--diff", "1").stdout
    assert f"-{lines[0]}\n+{lines[0]}¤\n" in diff  # «МОСКВА» against the reading of its own image line
    minus = [s[1:] for s in diff.splitlines() if s.startswith("-") and not s.startswith("---")]
    plus = [s[1:] for s in diff.splitlines() if s.startswith("+") and not s.startswith("+++")]
    assert len(minus) == len(plus) == sum(1 for s in new if s.strip()) - 1  # all typed lines but the one taken
    assert all(p.endswith("¤") for p in plus)


def test_take_help_says_the_numbers_are_the_versions_lines(sample_project: Project) -> None:
    out = run(sample_project, "take", "--help").stdout
    assert "lines of PAGE's newest version" in " ".join(out.split())


@pytest.mark.tesseract
def test_ocr_lines_reads_the_image_line_of_the_versions_line(edited: tuple[Project, str]) -> None:
    """The issue's `ocr --lines 24-24` re-read the image line of text line 23."""
    project, gt = edited
    lines = gt.split("\n")
    result = run(project, "ocr", PAGE, "--lines", "24-24")
    assert result.returncode == 0, result.stderr
    store = TranscriptStore(project)
    cand = store.read_candidate(PAGE)
    got = cand.text.split("\n")
    assert len(got) == len(lines)
    # Line 24 is read again from its own image line: close to the transcriber's line 24, far from line 23.
    assert character_error_rate(lines[23], got[23]) < 0.15
    assert character_error_rate(lines[22], got[23]) > 0.5
    assert [s for k, s in enumerate(got) if k != 23] == [s for k, s in enumerate(lines) if k != 23]
    j = line_map(gt, LAYOUT)[23]
    assert cand.layout() is not None and cand.meta.ocr["image_lines"] == [j]
