"""The store under hand-damaged metadata, pages it did not walk, unreadable folders and a corrupt autosave.

Issue 15, items 2-4: a damaged version is reported, skipped as a base and never blocks a save; fsck never
reports clean over what it did not read; a corrupt autosave is moved aside and reported, not overwritten.
"""

from __future__ import annotations

import json
import os

import pytest

from workbench.errors import IntegrityError
from workbench.project import Project
from workbench.store import TranscriptStore


@pytest.fixture
def store(tmp_project: Project) -> TranscriptStore:
    return TranscriptStore(tmp_project)


def damage(store: TranscriptStore, version: int, **fields: object) -> None:
    path = store.page_dir("d/p1") / "versions" / f"{version:04d}" / "meta.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(fields)
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize(
    "fields",
    [
        {"reviewed": [0, "1"]},
        {"reviewed": [-1]},
        {"reviewed": 3},
        {"time": 5},
        {"number": "abc"},
        {"number": True},
        {"author": None},
        {"base": "1"},
        {"extra": []},
        {"conflict": "no"},
    ],
    ids=repr,
)
def test_a_damaged_field_makes_the_version_damaged_not_a_crash(store: TranscriptStore, fields: dict) -> None:
    store.save("d/p1", "a\nb\n", reviewed=[0])
    damage(store, 1, **fields)
    with pytest.raises(IntegrityError, match=r"meta\.json: corrupt metadata"):
        store.meta("d/p1", 1)
    report = store.fsck()
    assert [(p.page, p.number) for p in report.problems] == [("d/p1", 1)]


def test_a_save_on_a_damaged_latest_skips_it_and_says_so(store: TranscriptStore) -> None:
    store.save("d/p1", "a\nb\n", status="Done", reviewed=[0, 1])
    store.save("d/p1", "a\nb\nc\n", base=1)
    damage(store, 2, reviewed=[0, "1"])
    result = store.save("d/p1", "a\nb\nc\nd\n")  # based on the latest: the damaged one
    assert result.version.number == 3
    assert result.version.status == "Done"  # from version 1, the newest intact one
    assert result.version.reviewed == (0, 1)  # version 1's marks follow their lines
    assert any("version 2 is damaged" in w for w in result.warnings)
    assert any("carried from version 1" in w for w in result.warnings)
    assert store.restore("d/p1", 1).version.number == 4  # the fix docs/errors.md recommends works
    damage(store, 4, time=5)
    with pytest.raises(IntegrityError, match="restore"):  # the latest text cannot be verified: says what to do
        store.set_status("d/p1", "final")


def test_marks_dropped_because_the_base_text_is_damaged_are_reported(store: TranscriptStore) -> None:
    store.save("d/p1", "a\nb\n", status="Final", reviewed=[0, 1])
    (store.page_dir("d/p1") / "versions" / "0001" / "text.txt").write_text("tampered", encoding="utf-8")
    result = store.save("d/p1", "a\nb\nc\n", base=1)
    assert result.version.status == "Final" and result.version.reviewed == ()
    assert any("2 reviewed mark(s) were dropped" in w for w in result.warnings), result.warnings


def test_an_intact_save_has_no_warnings(store: TranscriptStore) -> None:
    store.save("d/p1", "a\n", reviewed=[0])
    assert store.save("d/p1", "a\nb\n").warnings == ()


def test_pages_inside_a_page_folder_and_in_dot_folders_are_walked_everywhere(store: TranscriptStore) -> None:
    for pid in ("d/p1", "d/p1/sub", "d/.x", ".hidden/p"):
        store.save(pid, f"{pid}\n")
    expected = [".hidden/p", "d/.x", "d/p1", "d/p1/sub"]
    assert store.page_ids() == expected
    assert sorted(p.id for p in store.project.pages()) == expected
    assert sum(store.progress().values()) == 4
    (store.page_dir("d/p1/sub") / "versions" / "0001" / "text.txt").write_text("x", encoding="utf-8")
    report = store.fsck()
    assert report.checked == 4 and [p.page for p in report.problems] == ["d/p1/sub"]


def test_fsck_is_not_clean_over_a_folder_it_cannot_read(
    store: TranscriptStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save("d/p1", "a\n")
    store.save("e/p1", "b\n")
    hidden = str(store.root / "e")
    real = os.scandir

    def scandir(path: str) -> object:  # as a folder without read permission behaves (tests may run as root)
        if os.fspath(path) == hidden:
            raise PermissionError(13, "Permission denied", hidden)
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    report = store.fsck()
    assert not report.ok
    assert [(p.kind, "cannot be read" in p.message) for p in report.problems] == [("folder", True)]


def test_fsck_is_not_clean_over_a_versions_folder_that_is_a_file(store: TranscriptStore) -> None:
    store.save("d/p1", "a\n")
    candidates = store.page_dir("d/p1") / "candidates"
    candidates.write_text("not a folder", encoding="utf-8")
    report = store.fsck()
    assert not report.ok and report.problems[0].kind == "candidates"


def test_a_corrupt_autosave_is_moved_aside_and_reported(store: TranscriptStore) -> None:
    store.save("d/p1", "a\n")
    path = store.recovery_path("d/p1")
    path.write_text('{"text": "half an autos', encoding="utf-8")
    with pytest.raises(IntegrityError, match="moved aside") as caught:
        store.read_recovery("d/p1")
    aside = [p for p in path.parent.iterdir() if p.name.startswith(".recovery-corrupt-")]
    assert len(aside) == 1 and aside[0].read_text(encoding="utf-8") == '{"text": "half an autos'
    assert str(aside[0]) in caught.value.message
    assert store.read_recovery("d/p1") is None  # nothing left in the way of the next autosave …
    store.write_recovery("d/p1", "new edits", 1)
    assert aside[0].read_text(encoding="utf-8") == '{"text": "half an autos'  # … which overwrites nothing


@pytest.mark.parametrize("content", [b"\xff\xfe", b"[1, 2]", b'{"text": 5}', b'{"text": "x", "base": "2"}'])
def test_autosaves_of_the_wrong_shape_are_corrupt_too(store: TranscriptStore, content: bytes) -> None:
    store.save("d/p1", "a\n")
    store.recovery_path("d/p1").write_bytes(content)
    with pytest.raises(IntegrityError, match="moved aside"):
        store.read_recovery("d/p1")


def test_the_store_refuses_control_characters_and_bad_authors(store: TranscriptStore) -> None:
    from workbench.errors import InputError

    with pytest.raises(InputError, match="U\\+0000 at byte offset 1"):
        store.save("d/p1", "a\x00b")
    with pytest.raises(InputError, match="U\\+000A"):
        store.save("d/p1", "a", author="Ann\nBob")
    assert store.save("d/p1", "page\n\fnext\n").version.number == 1
    assert (store.page_dir("d/p1") / "versions" / "0001" / "text.txt").read_bytes() == b"page\n\x0cnext\n"
