"""Hostile input and faults, as a user meets them: one command each, its exit code, its message, and fsck after.

Every case runs the real CLI as a subprocess on a fresh project whose page ``d/p1`` has one saved version
(text ``ORIGINAL``). It checks the exit code, that the message names the file or key at fault, and that
``fsck`` finds the store clean afterwards (and version 1 unchanged). Some cases are the red-team run's
failures (issue 15), the others what already held (XXE, billion laughs, ``..`` ids, symlinks, …).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from workbench.project import Project, init_project
from workbench.store import TranscriptStore

WORKBENCH = [sys.executable, "-m", "workbench"]
ORIGINAL = "Товарищ Багиров\nписьмо\n"

Setup = Callable[[Project, Path], list[str]]


@dataclass(frozen=True)
class Case:
    """One hostile input: how to make it, the command, and what the user must see."""

    id: str
    setup: Setup
    exit: int
    message: str  # a piece of the output (stderr, else stdout) that names the file or key at fault
    env: dict[str, str] = field(default_factory=dict)
    stdin: bytes | None = None
    check: Callable[[Project, subprocess.CompletedProcess[bytes]], None] | None = None


def run(
    project: Project, args: list[str], env: dict[str, str], stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """The CLI as a user runs it, in the project's folder."""
    return subprocess.run(
        [*WORKBENCH, "-C", str(project.root), *args],
        capture_output=True,
        input=stdin,
        env={**os.environ, **env},
        timeout=120,
        check=False,
        cwd=project.root,
    )


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


# -- item 1: no command writes into transcripts/ ----------------------------------------------------------


def _export_into_version(p: Project, _tmp: Path) -> list[str]:
    return ["export", "d/p1", "--format", "txt", "-o", "transcripts/d/p1/versions/0001"]


def _export_into_transcripts(p: Project, _tmp: Path) -> list[str]:
    return ["export", "--all", "--format", "alto", "-o", str(p.transcripts_dir)]


def _export_through_link(p: Project, tmp: Path) -> list[str]:
    (tmp / "out").symlink_to(p.transcripts_dir / "d" / "p1" / "versions")
    return ["export", "d/p1", "-o", str(tmp / "out" / "0001")]


def _export_subfolder_link(p: Project, tmp: Path) -> list[str]:
    # out/d is a link into transcripts/: the file out/d/p1.txt would land at transcripts/d/p1.txt
    (tmp / "out").mkdir()
    (tmp / "out" / "d").symlink_to(p.transcripts_dir / "d")
    return ["export", "d/p1", "-o", str(tmp / "out")]


def _preprocess_into_transcripts(p: Project, _tmp: Path) -> list[str]:
    _png(p.scans_dir / "d" / "p1.png")
    return ["preprocess", "d/p1", "-o", "transcripts/d/p1/versions/0001/x.png"]


def _init_inside_transcripts(p: Project, _tmp: Path) -> list[str]:
    return ["init", str(p.transcripts_dir / "d" / "p1" / "versions" / "0001")]


def _png(path: Path, size: tuple[int, int] = (400, 200), mode: str = "L") -> Path:
    from PIL import Image, ImageDraw

    path.parent.mkdir(parents=True, exist_ok=True)
    im = Image.new(mode, size, "white" if mode in ("L", "RGB") else (255, 255, 255, 255))
    ImageDraw.Draw(im).text((10, 10), "Товарищ", fill="black" if mode in ("L", "RGB") else (0, 0, 0, 255))
    im.save(path)
    return path


CASES: list[Case] = [
    Case("export-into-version-folder", _export_into_version, 2, "transcripts"),
    Case("export-all-into-transcripts", _export_into_transcripts, 2, "transcripts"),
    Case("export-through-symlink", _export_through_link, 2, "transcripts"),
    Case("export-subfolder-symlink", _export_subfolder_link, 2, "transcripts"),
    Case("preprocess-into-transcripts", _preprocess_into_transcripts, 2, "transcripts"),
    Case("init-inside-transcripts", _init_inside_transcripts, 2, "transcripts"),
]


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A project whose page d/p1 has one version, ``ORIGINAL``."""
    proj = init_project(tmp_path / "proj", name="hostile")
    TranscriptStore(proj).save("d/p1", ORIGINAL, author="tester", source="import")
    return proj


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case: Case, project: Project, tmp_path: Path) -> None:
    args = case.setup(project, tmp_path)
    result = run(project, args, case.env, case.stdin)
    out = (result.stderr + result.stdout).decode("utf-8", "replace")
    assert result.returncode == case.exit, out
    assert "Traceback" not in out
    assert case.message in out, out
    if case.check is not None:
        case.check(project, result)
    store = TranscriptStore(project)
    report = store.fsck()
    assert report.ok and not report.problems, report.problems
    assert store.read("d/p1", 1).text == ORIGINAL
