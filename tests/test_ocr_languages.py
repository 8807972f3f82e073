"""Any installed Tesseract language can be used for OCR; a missing one names the Debian package to install."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_ocr_support import make_project

from workbench.cli import cli
from workbench.errors import MissingDependencyError, UsageError
from workbench.metrics import character_errors
from workbench.ocr import probe
from workbench.store import TranscriptStore

DATA = Path(__file__).resolve().parent / "data"
EHRI = DATA / "ehri" / "EHRI-BF-19380718_EN_01-crop.jpg"  # CC-BY 4.0, EHRI (see tests/data/README.md)

pytestmark = pytest.mark.tesseract


def _norm(text: str) -> str:
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def _installed(lang: str) -> None:
    if lang not in probe.probe().languages:
        pytest.skip(f"Tesseract's {lang} pack is not installed")


@pytest.mark.parametrize("how", ["flag", "document"])
def test_english_page_is_read_with_eng(tmp_path: Path, how: str) -> None:
    _installed("eng")
    langs = ("eng",) if how == "document" else ("rus",)
    project = make_project(tmp_path / "p", {"p1.jpg": EHRI.read_bytes()}, languages=langs)
    args = ["-C", str(project.root), "ocr", "doc/p1", "--no-progress"] + (["--lang", "eng"] if how == "flag" else [])
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    version = TranscriptStore(project).read("doc/p1")
    truth = DATA / "ehri" / "EHRI-BF-19380718_EN_01-crop.gt.txt"
    errors = character_errors(_norm(truth.read_text("utf-8")), _norm(version.text))
    # Plain `tesseract -l eng` reads this crop with 1 error in 491 characters; the Russian model with hundreds.
    assert errors.rate < 0.03, version.text
    assert (version.meta.ocr or {}).get("models") == ["eng"]
    if how == "document":
        # No English dictionary: `check` has nothing to check against and flags nothing (no Russian guesses).
        checked = CliRunner().invoke(cli, ["-C", str(project.root), "check", "doc/p1"], catch_exceptions=False)
        assert checked.exit_code == 0 and "0 words flagged" in checked.output, checked.output


def test_a_missing_language_names_the_debian_package(tmp_path: Path) -> None:
    missing = next(x for x in ("fra", "ita", "spa", "pol") if x not in probe.probe().languages)
    with pytest.raises(MissingDependencyError) as info:
        probe.check_lang_mode(f"rus+{missing}")
    assert f"tesseract-ocr-{missing}" in str(info.value.hint)
    project = make_project(tmp_path / "p", {"p1.jpg": EHRI.read_bytes()})
    # The real command: the error becomes exit code 4 and one line naming the package, no traceback.
    result = subprocess.run(
        [sys.executable, "-m", "workbench", "-C", str(project.root), "ocr", "--lang", missing, "--no-progress"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == MissingDependencyError.exit_code
    assert f"apt-get install tesseract-ocr-{missing}" in result.stderr and "Traceback" not in result.stderr
    assert TranscriptStore(project).latest_number("doc/p1") in (0, None)  # nothing was stored


def test_a_misspelt_language_mode_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        probe.check_lang_mode("english please")
