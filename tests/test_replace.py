"""«Fix once, everywhere»: workbench replace, preview and apply, through the core and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.dictionary.replace import apply_replace, find_occurrences, replace_text
from workbench.errors import UsageError
from workbench.project import Project
from workbench.store import TranscriptStore

pytestmark = pytest.mark.usefixtures("small_data")


@pytest.fixture
def archive(tmp_project: Project) -> Project:
    store = TranscriptStore(tmp_project)
    store.save("doc/p1", "Товарищ Батиров сказал.\nБАТИРОВ, Батирову и Батировым.", source="import")
    store.save("doc/p2", "Письмо от Батирова.\nЗабатированный — не слово.", source="import")
    store.save("doc/p3", "Здесь его нет.", source="import")
    return tmp_project


def test_replace_text_keeps_case_and_whole_words() -> None:
    text, n = replace_text("Батиров и БАТИРОВ, но не Батирову или забатиров.", "Батиров", "Багиров")
    assert text == "Багиров и БАГИРОВ, но не Батирову или забатиров."
    assert n == 2


def test_preview_lists_every_occurrence_and_changes_nothing(archive: Project) -> None:
    found = find_occurrences(archive, "Батирову", "Багирову")
    assert [(o.page, o.line, o.start) for o in found] == [("doc/p1", 1, 9)]
    found = find_occurrences(archive, "батиров", "багиров")
    assert [(o.page, o.line, o.found, o.replacement) for o in found] == [
        ("doc/p1", 0, "Батиров", "Багиров"),
        ("doc/p1", 1, "БАТИРОВ", "БАГИРОВ"),
    ]
    assert TranscriptStore(archive).latest_number("doc/p1") == 1


def test_apply_writes_one_new_version_per_touched_page(archive: Project) -> None:
    store = TranscriptStore(archive)
    results = apply_replace(archive, "Батирова", "Багирова")
    assert [(pid, n) for pid, n, _ in results] == [("doc/p2", 1)]
    meta = store.history("doc/p2")[-1]
    assert meta.number == 2 and meta.source == "replace" and "Батирова" in meta.message
    assert store.read("doc/p2").text.startswith("Письмо от Багирова.")
    assert store.latest_number("doc/p1") == 1 and store.latest_number("doc/p3") == 1
    # undone by restoring the previous version
    store.restore("doc/p2", 1)
    assert store.read("doc/p2").text.startswith("Письмо от Батирова.")
    # and it was learned: the word pair and the letter confusion
    data = json.loads((archive.dictionaries_dir / "confusions.json").read_text(encoding="utf-8"))
    assert data["rus"]["words"]["батирова>багирова"] == 1
    assert data["rus"]["segments"]["т>г"] == 1


def test_nothing_to_replace_is_a_usage_error(archive: Project) -> None:
    with pytest.raises(UsageError):
        find_occurrences(archive, "", "x")
    with pytest.raises(UsageError):
        apply_replace(archive, "слово", "слово")


def run_cli(project: Project, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WORKBENCH_AUTHOR": "tester"}
    return subprocess.run(
        [sys.executable, "-m", "workbench", "-C", str(project.root), *args],
        capture_output=True,
        text=True,
        input=stdin,
        env=env,
        timeout=120,
        check=False,
    )


def test_cli_replace_preview_then_apply(archive: Project) -> None:
    r = run_cli(archive, "replace", "Батиров", "Багиров", "--all", "--preview")
    assert r.returncode == 0, r.stderr
    assert "doc/p1:1:9" in r.stdout and "[Батиров → Багиров]" in r.stdout
    assert "2 occurrence(s) on 1 page(s)" in r.stderr
    assert TranscriptStore(archive).latest_number("doc/p1") == 1
    r = run_cli(archive, "replace", "Батиров", "Багиров", "doc/p1")
    assert r.returncode == 0, r.stderr
    assert "doc/p1: 2 replaced, version 2" in r.stdout
    r = run_cli(archive, "replace", "Батиров", "Багиров")
    assert r.returncode == 2 and "--all" in r.stderr


def test_cli_suggest_json_and_stdin(archive: Project) -> None:
    r = run_cli(archive, "suggest", "--lang", "rus", "--json", "-n", "3", "товарнщ", "Товарищ")
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert rows[0]["word"] == "товарнщ" and rows[0]["known"] is False
    assert rows[0]["suggestions"][0]["term"] == "товарищ" and len(rows[0]["suggestions"]) == 3
    assert 0 < rows[0]["suggestions"][0]["score"] <= 1
    assert rows[1] == {"word": "Товарищ", "known": True, "suggestions": []}
    r = run_cli(archive, "suggest", "--lang", "aze_cyrl", "--json", stdin="жаваб\n\nэриза\n")
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [row["suggestions"][0]["term"] for row in rows] == ["ҹаваб", "әризә"]


def test_cli_dict_add_and_check(archive: Project) -> None:
    store = TranscriptStore(archive)
    store.save("doc/p4", "Товарищ Деканозов получнл письмо.", source="import")
    r = run_cli(archive, "check", "doc/p4", "--json")
    assert r.returncode == 0, r.stderr
    flagged = [json.loads(line)["word"] for line in r.stdout.splitlines()]
    assert flagged == ["Деканозов", "получнл"]
    r = run_cli(archive, "dict", "add", "Деканозов", "--lang", "rus")
    assert r.returncode == 0 and "added" in r.stdout
    r = run_cli(archive, "check", "doc/p4")
    assert r.stdout.startswith("1:19\tполучнл\trus\tполучил")
    assert "1 word flagged" in r.stderr


def test_cli_missing_dictionary_exit_code(archive: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_DATA", str(tmp_path / "nothing"))
    r = run_cli(archive, "suggest", "--lang", "rus", "слово")
    assert r.returncode == 5
    assert "workbench dict build" in r.stderr
