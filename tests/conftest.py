"""Fixtures shared by every test area. Area-specific fixtures live in the area's own test files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from workbench.project import Project, init_project

REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    """The ``shared/`` folder beside the repository (real scans, sample texts), or ``$WORKBENCH_SHARED``."""
    return Path(os.environ.get("WORKBENCH_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository, which is itself the sample-archive project."""
    return REPO


@pytest.fixture(scope="session")
def shared() -> Path:
    """``../shared``; tests that need it are skipped with a reason when it is absent."""
    path = shared_dir()
    if not path.is_dir():
        pytest.skip(f"{path} is not there (set WORKBENCH_SHARED)")
    return path


@pytest.fixture
def tmp_project(tmp_path: Path) -> Project:
    """An empty project in a temporary folder."""
    return init_project(tmp_path / "proj", name="test")


@pytest.fixture
def sample_project(tmp_path: Path) -> Project:
    """A copy of the bundled sample archive (scans, transcripts, dictionaries, ground truth) to modify freely."""
    dest = tmp_path / "sample"
    dest.mkdir()
    shutil.copy2(REPO / "workbench.toml", dest / "workbench.toml")
    for sub in ("scans", "transcripts", "dictionaries", "ground-truth"):
        if (REPO / sub).is_dir():
            shutil.copytree(REPO / sub, dest / sub, ignore=shutil.ignore_patterns(".recovery*", ".tmp-*"))
        else:
            (dest / sub).mkdir()
    return Project(dest)


@pytest.fixture(autouse=True)
def _stable_author(monkeypatch: pytest.MonkeyPatch) -> None:
    """Saves in tests have a known author unless a test says otherwise."""
    monkeypatch.setenv("WORKBENCH_AUTHOR", "tester")
