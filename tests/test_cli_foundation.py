"""The CLI as a user runs it: a subprocess, its output and its exit codes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from workbench.project import Project

WORKBENCH = [sys.executable, "-m", "workbench"]


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [*WORKBENCH, *args], capture_output=True, text=True, cwd=cwd, env=full_env, timeout=120, check=False
    )


def test_help_lists_the_commands() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("init", "pages", "doctor", "open"):
        assert command in result.stdout


def test_init_then_pages(tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "x"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "x" / "workbench.toml").is_file()
    doc = tmp_path / "x" / "scans" / "letters-1955"
    doc.mkdir()
    (doc / "document.toml").write_text('title = "Письмо"\ndate = "1955"\n[citation]\narchive = "GAPPOD"\nfond = 1\n')
    Image.new("L", (20, 20), 255).save(doc / "p1.png")
    listing = run("pages", cwd=doc)  # found from a folder inside the project
    assert listing.returncode == 0, listing.stderr
    assert "letters-1955/p1" in listing.stdout
    assert "Письмо" in listing.stdout and "GAPPOD, f. 1" in listing.stdout
    as_c = run("-C", str(tmp_path / "x"), "pages", "--json")
    assert '"page": "letters-1955/p1"' in as_c.stdout


def test_no_project_exit_code(tmp_path: Path) -> None:
    result = run("pages", cwd=tmp_path)
    assert result.returncode == 3
    assert result.stderr.startswith("workbench: No workbench.toml")
    assert "workbench init" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_metadata_exit_code_names_file_and_key(tmp_project: Project) -> None:
    doc = tmp_project.scans_dir / "d"
    doc.mkdir()
    Image.new("L", (20, 20), 255).save(doc / "p1.png")
    (doc / "document.toml").write_text('orthography = "1930"\n')
    result = run("-C", str(tmp_project.root), "pages")
    # The listing goes on; the document's line says what is wrong with which file and key.
    assert "d/p1" in result.stdout
    assert "document.toml" in result.stdout and "orthography" in result.stdout


def test_unknown_command_is_usage_error() -> None:
    result = run("frobnicate")
    assert result.returncode == 2


def _path_without_tesseract(tmp_path: Path) -> str:
    """A PATH that has Python and coreutils but no tesseract."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for tool in ("env", "sh"):
        found = shutil.which(tool)
        if found:
            os.symlink(found, bindir / tool)
    return str(bindir)


def test_missing_tesseract_names_the_debian_package(tmp_project: Project, tmp_path: Path) -> None:
    assert shutil.which("tesseract"), "the real Tesseract must be installed for this test to mean anything"
    result = run("-C", str(tmp_project.root), "doctor", env={"PATH": _path_without_tesseract(tmp_path)})
    assert result.returncode == 4
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "apt-get install tesseract-ocr" in lines[0]


def test_missing_language_pack_names_the_debian_package(tmp_project: Project, tmp_path: Path) -> None:
    empty = tmp_path / "tessdata"
    empty.mkdir()
    result = run("-C", str(tmp_project.root), "doctor", env={"TESSDATA_PREFIX": str(empty)})
    assert result.returncode == 4
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "tesseract-ocr-rus" in lines[0] and "tesseract-ocr-aze-cyrl" in lines[0]
    assert str(empty) in lines[0]


def test_only_aze_cyrl_missing(tmp_project: Project, tmp_path: Path) -> None:
    from workbench.ocr.probe import probe

    partial = tmp_path / "tessdata"
    partial.mkdir()
    real = Path(probe().tessdata)
    os.symlink(real / "rus.traineddata", partial / "rus.traineddata")
    result = run("-C", str(tmp_project.root), "doctor", env={"TESSDATA_PREFIX": str(partial)})
    assert result.returncode == 4
    assert "tesseract-ocr-aze-cyrl" in result.stderr and "tesseract-ocr-rus" not in result.stderr


def test_doctor_reports_bad_scans_and_exits_nonzero(tmp_project: Project) -> None:
    doc = tmp_project.scans_dir / "d"
    doc.mkdir()
    Image.new("L", (20, 20), 255).save(doc / "p1.png")
    (doc / "p2.png").touch()
    result = run("-C", str(tmp_project.root), "doctor")
    assert result.returncode == 1
    assert "d/p2" in result.stderr and "empty" in result.stderr
    assert "2 pages, 1 unreadable" in result.stdout


@pytest.mark.parametrize("lang", ["rus", "aze_cyrl", "aze"])
def test_probe_finds_the_real_language_packs(lang: str) -> None:
    from workbench.ocr.probe import clear_cache, require_languages

    clear_cache()
    info = require_languages(lang)
    assert info.version >= (4, 1)
    assert lang in info.languages
