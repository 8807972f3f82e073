"""`workbench review`, `lang`, `ignore`: the TUI's page marks as commands, and `check` honouring them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.dictionary.check import check_page
from workbench.project import Project
from workbench.session import PageSession
from workbench.store import TranscriptStore

TEXT = "Товарищ секретарь,\nписьмо получнл вчера.\nБу эриза ҹаваб алмадым."


def run(project: Project, *args: str, data: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **({"WORKBENCH_DATA": str(data)} if data else {})}
    return subprocess.run(
        [sys.executable, "-m", "workbench", "-C", str(project.root), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture
def page(tmp_project: Project) -> str:
    (tmp_project.scans_dir / "d").mkdir()
    (tmp_project.scans_dir / "d" / "document.toml").write_text('languages = ["rus", "aze_cyrl"]\n')
    TranscriptStore(tmp_project).save("d/p1", TEXT, source="import")
    return "d/p1"


def test_review_marks_and_unmarks_lines_as_new_versions(tmp_project: Project, page: str) -> None:
    result = run(tmp_project, "review", page, "1,3")
    assert result.returncode == 0, result.stderr
    store = TranscriptStore(tmp_project)
    latest = store.read(page)
    assert latest.number == 2 and latest.meta.reviewed == (0, 2) and latest.text == TEXT
    assert run(tmp_project, "review", page, "3", "--undo").returncode == 0
    assert store.read(page).meta.reviewed == (0,)
    assert store.read(page, 2).meta.reviewed == (0, 2)  # nothing overwritten


def test_bad_line_ranges_are_usage_errors_and_write_nothing(tmp_project: Project, page: str) -> None:
    for bad in ("0", "3-1", "4", "x"):
        result = run(tmp_project, "review", page, bad)
        assert result.returncode == 2, (bad, result.stderr)
        assert result.stderr.startswith("workbench: ")
    assert TranscriptStore(tmp_project).version_numbers(page) == [1]


def test_lang_is_what_the_tui_reads(tmp_project: Project, page: str) -> None:
    assert run(tmp_project, "lang", page, "3", "aze_cyrl").returncode == 0
    session = PageSession.open(tmp_project, TranscriptStore(tmp_project), page)
    assert session.line_langs == {2: "aze_cyrl"}
    assert session.lang_of_line(2) == "aze_cyrl"
    assert run(tmp_project, "lang", page, "1", "eng").returncode == 2


def test_check_honours_ignored_words_and_line_languages(
    tmp_project: Project, page: str, small_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKBENCH_DATA", str(small_root))
    before = {f.word for f in check_page(tmp_project, page)}
    assert "получнл" in before
    assert run(tmp_project, "ignore", page, "получнл").returncode == 0
    after = {f.word for f in check_page(tmp_project, page)}
    assert "получнл" not in after
    # Line 3 is Azerbaijani: checked as Russian alone, its words are unknown.
    assert run(tmp_project, "lang", page, "3", "rus").returncode == 0
    as_russian = [f for f in check_page(tmp_project, page) if f.line == 2]
    assert run(tmp_project, "lang", page, "3", "aze_cyrl").returncode == 0
    as_azeri = [f for f in check_page(tmp_project, page) if f.line == 2]
    assert len(as_azeri) < len(as_russian)
    assert all(f.lang == "aze_cyrl" for f in as_azeri)


def test_commands_on_a_page_without_transcript(tmp_project: Project) -> None:
    (tmp_project.scans_dir / "d").mkdir()
    from PIL import Image

    Image.new("L", (20, 20), 255).save(tmp_project.scans_dir / "d" / "p1.png")
    result = run(tmp_project, "review", "d/p1", "1")
    assert result.returncode == 2 and "no transcript yet" in result.stderr


def test_restore_and_status_carry_the_page_marks(tmp_project: Project, page: str, tmp_path: Path) -> None:
    """Issue 9 bug 3: `restore PAGE N` dropped version N's ignored words (`extra.ignored` became `{}`), so the
    flag count jumped back; the marks (ignored words, line languages, reviewed lines) follow the restored version."""
    store = TranscriptStore(tmp_project)
    assert run(tmp_project, "ignore", page, "получнл").returncode == 0  # v2
    assert run(tmp_project, "lang", page, "3", "aze_cyrl").returncode == 0  # v3
    assert run(tmp_project, "review", page, "1").returncode == 0  # v4
    marked = store.read(page)
    assert marked.number == 4 and marked.meta.extra == {"ignored": ["получнл"], "line_langs": {"2": "aze_cyrl"}}
    edited = tmp_path / "edited.txt"
    edited.write_text("другой текст\n", encoding="utf-8")
    assert run(tmp_project, "save", page, "--from", str(edited)).returncode == 0  # v5: marks gone with the text
    result = run(tmp_project, "restore", page, "4")
    assert result.returncode == 0, result.stderr
    restored = store.read(page)
    assert restored.number == 6 and restored.text == TEXT and restored.meta.source == "restore"
    assert restored.meta.extra == marked.meta.extra
    assert restored.meta.reviewed == (0,)
    session = PageSession.open(tmp_project, store, page)
    assert session.ignored == {"получнл"} and session.line_langs == {2: "aze_cyrl"}
    # A status change is the same text again: it keeps the marks too.
    assert run(tmp_project, "status", page, "done").returncode == 0
    assert store.read(page).meta.extra == marked.meta.extra and store.read(page).meta.status == "Done"
