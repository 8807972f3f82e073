"""Fixtures shared by every test area. Area-specific fixtures live in the area's own test files."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

from workbench.project import Project, init_project

REPO = Path(__file__).resolve().parent.parent

# No example database in the checkout (.hypothesis/): a test run writes nothing into the repository.
settings.register_profile("workbench", database=None)
settings.load_profile("workbench")
# Hypothesis also caches the constants it collects under .hypothesis/: keep that in a temporary folder too.
set_hypothesis_home_dir(tempfile.mkdtemp(prefix="workbench-hypothesis-"))


#: The few files of ``../shared`` the tests read, vendored in the same layout (credited in tests/data/README.md),
#: so the suite runs in a clone of the repository alone. Only ``bench/`` reads ``../shared`` itself.
SHARED = REPO / "tests" / "data" / "shared"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository, which is itself the sample-archive project."""
    return REPO


@pytest.fixture(scope="session")
def shared() -> Path:
    """The vendored subset of ``../shared`` (same paths), in ``tests/data/shared``."""
    return SHARED


@pytest.fixture
def tmp_project(tmp_path: Path) -> Project:
    """An empty project in a temporary folder."""
    return init_project(tmp_path / "proj", name="test")


def _tracked_files(folder: str) -> list[Path] | None:
    """Files under ``folder`` that git tracks, or ``None`` outside a git checkout."""
    try:
        out = subprocess.run(
            ["git", "-C", str(REPO), "ls-files", "-z", "--", folder], capture_output=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return [REPO / name for name in out.decode("utf-8").split("\0") if name]


@pytest.fixture
def sample_project(tmp_path: Path) -> Project:
    """A copy of the bundled sample archive (scans, transcripts, dictionaries, ground truth) to modify freely.

    Only what git tracks is copied, so versions a developer made by running the workbench on the repository
    itself (``./dev run`` OCRs the sample pages) do not change what the tests see.
    """
    dest = tmp_path / "sample"
    dest.mkdir()
    shutil.copy2(REPO / "workbench.toml", dest / "workbench.toml")
    for sub in ("scans", "transcripts", "dictionaries", "ground-truth"):
        (dest / sub).mkdir()
        tracked = _tracked_files(sub)
        if tracked is None:
            shutil.copytree(
                REPO / sub, dest / sub, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".recovery*", ".tmp-*")
            )
            continue
        for src in tracked:
            if src.is_file():
                target = dest / src.relative_to(REPO)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, target)
    return Project(dest)


@pytest.fixture(autouse=True)
def _stable_author(monkeypatch: pytest.MonkeyPatch) -> None:
    """Saves in tests have a known author unless a test says otherwise."""
    monkeypatch.setenv("WORKBENCH_AUTHOR", "tester")


@pytest.fixture(scope="session")
def small_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small real dictionary (slices of the real word lists), built once per test session."""
    from workbench.dictionary.small import ensure_small

    return ensure_small(tmp_path_factory.getbasetemp() / "dict-small")


@pytest.fixture
def small_data(small_root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point ``$WORKBENCH_DATA`` at the small dictionary for one test."""
    monkeypatch.setenv("WORKBENCH_DATA", str(small_root))
    return small_root
