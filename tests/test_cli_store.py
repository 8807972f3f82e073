"""The version commands as a user runs them: subprocesses, their output and exit codes."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.project import Project

WORKBENCH = [sys.executable, "-m", "workbench"]


def run(project: Project, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*WORKBENCH, "-C", str(project.root), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.fixture
def saved(tmp_project: Project, tmp_path: Path) -> Project:
    """A project whose page d/p1 has two versions."""
    v1 = write(tmp_path / "v1.txt", "Товарищ Багиров\nписьмо\n")
    v2 = write(tmp_path / "v2.txt", "Товарищ Батиров\nписьмо\nприписка\n")
    assert run(tmp_project, "save", "d/p1", "--from", str(v1), "-m", "import").returncode == 0
    assert run(tmp_project, "save", "d/p1", "--from", str(v2), "-m", "fix", "--base", "1").returncode == 0
    return tmp_project


def test_save_history_show(saved: Project) -> None:
    history = run(saved, "history", "d/p1")
    assert history.returncode == 0, history.stderr
    lines = history.stdout.splitlines()
    assert len(lines) == 2 and "import" in lines[0] and "fix" in lines[1] and "tester" in lines[1]
    data = json.loads(run(saved, "history", "d/p1", "--json").stdout)
    assert [(m["number"], m["source"], m["base"]) for m in data] == [(1, "import", None), (2, "edit", 1)]
    # show prints the stored text exactly when piped: show > f; save --from f stores the same text.
    assert run(saved, "show", "d/p1", "1").stdout == "Товарищ Багиров\nписьмо\n"
    assert run(saved, "show", "d/p1").stdout.endswith("приписка\n")
    assert run(saved, "show", "d/p1", "9").returncode == 2


def test_author_from_environment(tmp_project: Project, tmp_path: Path) -> None:
    f = write(tmp_path / "t.txt", "текст")
    assert run(tmp_project, "save", "d/p1", "--from", str(f), env={"WORKBENCH_AUTHOR": "Мир Ага"}).returncode == 0
    assert json.loads(run(tmp_project, "history", "d/p1", "--json").stdout)[0]["author"] == "Мир Ага"


def test_conflict_exit_6(saved: Project, tmp_path: Path) -> None:
    late = write(tmp_path / "late.txt", "Товарищ Багиров!\nписьмо\n")
    result = run(saved, "save", "d/p1", "--from", str(late), "--base", "1")
    assert result.returncode == 6
    assert "saved as version 3" in result.stderr and "workbench diff d/p1 2 3" in result.stderr
    assert run(saved, "show", "d/p1", "3").stdout == "Товарищ Багиров!\nписьмо\n"  # stored, not lost


def test_non_utf8_refused_with_offset_and_nothing_written(saved: Project, tmp_path: Path) -> None:
    bad = tmp_path / "cp1251.txt"
    bad.write_bytes("Товарищ".encode() + "Багиров".encode("cp1251"))
    before = tree(saved.root)
    result = run(saved, "save", "d/p1", "--from", str(bad))
    assert result.returncode == 2
    assert "not valid UTF-8 at byte offset 14" in result.stderr and "Traceback" not in result.stderr
    assert tree(saved.root) == before


@pytest.mark.parametrize("page", ["../escape", "/etc/x", "d/../../x"])
def test_bad_page_id_refused_and_nothing_written(saved: Project, tmp_path: Path, page: str) -> None:
    f = write(tmp_path / "t.txt", "текст")
    before = tree(saved.root)
    result = run(saved, "save", page, "--from", str(f))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert tree(saved.root) == before


def test_symlink_out_of_project_refused(saved: Project, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (saved.transcripts_dir / "linked").symlink_to(outside)
    f = write(tmp_path / "t.txt", "текст")
    result = run(saved, "save", "linked/p1", "--from", str(f))
    assert result.returncode == 2 and "outside the project" in result.stderr
    assert list(outside.iterdir()) == []


def test_diff_default_is_latest_two_and_patch_applies_it(saved: Project, tmp_path: Path) -> None:
    result = run(saved, "diff", "d/p1")
    assert result.returncode == 0, result.stderr
    assert "\x1b[" not in result.stdout  # plain when piped
    assert "-Товарищ Багиров\n+Товарищ Батиров\n" in result.stdout and "+приписка\n" in result.stdout
    target = tmp_path / "d" / "p1"
    target.parent.mkdir()
    target.write_text(run(saved, "show", "d/p1", "1").stdout, encoding="utf-8")
    if shutil.which("patch"):
        subprocess.run(["patch", "-s", "-p1", "-d", str(tmp_path)], input=result.stdout, text=True, check=True)
        assert target.read_text(encoding="utf-8") == run(saved, "show", "d/p1", "2").stdout


def test_diff_words_chars_json_stat(saved: Project) -> None:
    words = run(saved, "diff", "d/p1", "1", "2", "--words").stdout
    assert "Товарищ [-Багиров-]{+Батиров+}" in words
    chars = run(saved, "diff", "d/p1", "1", "2", "--chars").stdout
    assert "Ба[-г-]{+т+}иров" in chars
    ops = json.loads(run(saved, "diff", "d/p1", "--words", "--json").stdout)["ops"]
    assert {"tag": "replace", "a": "Багиров", "b": "Батиров"} in ops
    stat = run(saved, "diff", "d/p1", "1", "2", "--stat").stdout
    # 1 substitution + "приписка\n" (9 graphemes) inserted = 10 edits over 23 characters.
    assert "CER 43.48% (10 of 23 characters)" in stat
    figures = json.loads(run(saved, "diff", "d/p1", "1", "2", "--stat", "--json").stdout)
    assert figures["char_errors"] == 10 and figures["chars"] == 23 and figures["word_errors"] == 2


def test_diff_is_coloured_on_a_terminal(saved: Project) -> None:
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [*WORKBENCH, "-C", str(saved.root), "diff", "d/p1"], stdout=follower, stderr=subprocess.PIPE
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert proc.wait(timeout=60) == 0
    os.close(leader)
    out = b"".join(chunks).decode("utf-8")
    assert "\x1b[31m-Товарищ Багиров" in out and "\x1b[32m+Товарищ Батиров" in out


def test_restore_status_progress(saved: Project) -> None:
    restored = run(saved, "restore", "d/p1", "1")
    assert restored.returncode == 0 and "as version 3" in restored.stdout
    assert run(saved, "show", "d/p1").stdout == run(saved, "show", "d/p1", "1").stdout
    assert run(saved, "status", "d/p1", "done").returncode == 0
    assert run(saved, "status", "d/p1", "finished").returncode == 2
    progress = json.loads(run(saved, "progress", "--json").stdout)
    assert progress["Done"] == 1 and progress["total"] == 1
    assert len(json.loads(run(saved, "history", "d/p1", "--json").stdout)) == 4


def test_eval_against_ground_truth(saved: Project, tmp_path: Path) -> None:
    gt = tmp_path / "gt"
    (gt / "d").mkdir(parents=True)
    write(gt / "d" / "p1.txt", "Товарищ Багиров\nписьмо\nприписка\n")  # the latest has one wrong letter
    write(gt / "d" / "p2.txt", "нет транскрипта")
    result = run(saved, "eval", "--gt", str(gt), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["pages"][0]["char_errors"] == 1 and data["pages"][0]["chars"] == 31  # the final newline not counted
    assert data["missing"] == ["d/p2"] and "no transcript" in result.stderr
    none = run(saved, "eval", "--gt", str(gt), "d/p2")
    assert none.returncode == 2 and "has a transcript yet" in none.stderr
    table = run(saved, "eval", "--gt", str(gt), "d/p1").stdout
    assert "3.23%" in table and "25.00%" in table  # CER 1/31; WER 1/4


def test_eval_does_not_count_a_missing_final_newline(tmp_project: Project, tmp_path: Path) -> None:
    """Issue 9, bug 5: a Komi line corrected exactly scored 3.85 % (1/26) for the ground truth's final newline."""
    line = write(tmp_path / "line.txt", "Выль туйӧд вылын сёрнитам")
    assert run(tmp_project, "save", "k/l1", "--from", str(line)).returncode == 0
    gt = tmp_path / "gt"
    write((gt / "k").mkdir(parents=True) or gt / "k" / "l1.txt", "Выль туйӧд вылын сёрнитам\n")
    data = json.loads(run(tmp_project, "eval", "--gt", str(gt), "--json").stdout)
    assert data["pages"][0]["char_errors"] == 0 and data["total"]["cer"] == 0.0


def test_fsck_reports_damage_exit_7_others_readable(saved: Project) -> None:
    assert run(saved, "fsck").returncode == 0
    (saved.transcripts_dir / "d" / "p1" / "versions" / "0001" / "text.txt").write_text("tampered", encoding="utf-8")
    dead = saved.transcripts_dir / "d" / "p1" / "versions" / ".tmp-99999999-dead"
    dead.mkdir()
    result = run(saved, "fsck")
    assert result.returncode == 7
    assert "DAMAGED d/p1 version 1" in result.stdout and "1 temporary folder(s) removed" in result.stdout
    assert not dead.exists()
    assert run(saved, "show", "d/p1", "1").returncode == 7
    assert run(saved, "show", "d/p1", "2").returncode == 0
    # Damaged metadata: history still lists the good versions, marks the bad one, and exits 7.
    (saved.transcripts_dir / "d" / "p1" / "versions" / "0001" / "meta.json").write_text("{", encoding="utf-8")
    history = run(saved, "history", "d/p1")
    assert history.returncode == 7
    assert "DAMAGED" in history.stdout.splitlines()[0] and "fix" in history.stdout.splitlines()[1]
