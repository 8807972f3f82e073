"""The transcript store on real files: versions, conflicts, reviewed marks, bad input, damage, full disks."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import threading
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbench import durable
from workbench import store as store_module
from workbench.errors import InputError, IntegrityError, PageError, StorageError
from workbench.project import Project, init_project
from workbench.store import TranscriptStore, carry_reviewed, checksum


@pytest.fixture
def store(tmp_project: Project) -> TranscriptStore:
    return TranscriptStore(tmp_project)


def tree(root: Path) -> list[str]:
    """Every path under ``root`` (to show that nothing was written)."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def temporaries(store: TranscriptStore) -> list[Path]:
    return [p for p in store.root.rglob(".tmp-*")]


# -- saving and reading -----------------------------------------------------------------------------------


def test_save_read_history(store: TranscriptStore) -> None:
    first = store.save("d/p1", "Товарищ Багиров\n", source="import", message="import")
    second = store.save("d/p1", "Товарищ Батиров\n", base=1, message="fix")
    assert (first.version.number, second.version.number) == (1, 2)
    assert not second.conflict and second.version.base == 1
    assert store.read("d/p1").text == "Товарищ Батиров\n"
    assert store.read("d/p1", 1).text == "Товарищ Багиров\n"
    assert [m.message for m in store.history("d/p1")] == ["import", "fix"]
    assert [m.author for m in store.history("d/p1")] == ["tester", "tester"]  # $WORKBENCH_AUTHOR
    # A person can read and git-diff what is on disk.
    vdir = store.page_dir("d/p1") / "versions" / "0002"
    assert (vdir / "text.txt").read_text(encoding="utf-8") == "Товарищ Батиров\n"
    meta = json.loads((vdir / "meta.json").read_text(encoding="utf-8"))
    assert meta["checksum"] == checksum("Товарищ Батиров\n") and meta["source"] == "edit"


def test_text_is_stored_nfc_with_unix_newlines(store: TranscriptStore) -> None:
    nfd = unicodedata.normalize("NFD", "ёлка й\r\nә")
    store.save("d/p1", nfd)
    assert store.read("d/p1").text == "ёлка й\nә"


def test_author_from_project_file_then_environment(tmp_project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORKBENCH_AUTHOR")
    cfg = tmp_project.config_file
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('# author = "Your Name"', 'author = "Aida"'), "utf-8")
    store = TranscriptStore(tmp_project)
    assert store.save("d/p1", "a").version.author == "Aida"
    monkeypatch.setenv("WORKBENCH_AUTHOR", "Rauf")
    assert store.save("d/p1", "b").version.author == "Rauf"


def test_restore_adds_a_version_and_deletes_nothing(store: TranscriptStore) -> None:
    store.save("d/p1", "one", status="Done", reviewed=[0])
    store.save("d/p1", "two", status="In progress")
    result = store.restore("d/p1", 1)
    assert result.version.number == 3 and result.version.source == "restore"
    assert store.read("d/p1").text == "one" and store.read("d/p1").meta.status == "Done"
    assert store.read("d/p1").meta.reviewed == (0,)
    assert [store.read("d/p1", n).text for n in (1, 2, 3)] == ["one", "two", "one"]


def test_set_status(store: TranscriptStore) -> None:
    store.save("d/p1", "text")
    result = store.set_status("d/p1", "ground-truth")
    assert result.version.status == "Ground truth" and store.read("d/p1").text == "text"
    with pytest.raises(InputError, match="Unknown status"):
        store.set_status("d/p1", "finished")
    assert store.progress() == {"New": 0, "In progress": 0, "Done": 0, "Final": 0, "Ground truth": 1}


def test_conflict_is_stored_and_reported(store: TranscriptStore) -> None:
    store.save("d/p1", "v1")
    store.save("d/p1", "v2 by Aida", base=1)
    late = store.save("d/p1", "v2 by Rauf", base=1)
    assert late.conflict and late.latest_before == 2
    assert late.version.number == 3 and late.version.base == 1 and late.version.conflict
    assert store.read("d/p1", 2).text == "v2 by Aida" and store.read("d/p1", 3).text == "v2 by Rauf"
    error = store_module.conflict_error("d/p1", late, 1)
    assert error.exit_code == 6 and "workbench diff d/p1 2 3" in str(error)
    with pytest.raises(InputError, match="no version 9"):
        store.save("d/p1", "x", base=9)


def test_candidates_are_kept_apart(store: TranscriptStore) -> None:
    store.save("d/p1", "human", source="import")
    store.save_candidate("d/p1", "ocr text", ocr={"engine": "tesseract"}, layout={"lines": []})
    assert store.latest_number("d/p1") == 1
    cand = store.read_candidate("d/p1")
    assert cand.text == "ocr text" and cand.meta.base == 1 and cand.layout() == {"lines": []}
    assert store.has_human_version("d/p1")


def test_recovery_file(store: TranscriptStore) -> None:
    assert store.read_recovery("d/p1") is None
    store.write_recovery("d/p1", "unsaved ә", base=None)
    assert store.read_recovery("d/p1")["text"] == "unsaved ә"
    store.discard_recovery("d/p1")
    assert store.read_recovery("d/p1") is None
    assert not list(store.page_dir("d/p1").glob(".recovery-*"))


def test_surrogates_refused_before_writing(store: TranscriptStore) -> None:
    with pytest.raises(InputError, match="invalid character at offset 2"):
        store.save("d/p1", "ab\udcff")
    assert not store.root.joinpath("d").exists()


# -- reviewed marks ---------------------------------------------------------------------------------------


def test_reviewed_marks_follow_their_lines() -> None:
    old = "шапка\nстрока один\nстрока два\nподпись"
    new = "шапка\nвставка\nстрока один\nстрока ДВА\nподпись"
    # Line 1 moved to 2; line 2 changed (its mark is gone); line 3 moved to 4.
    assert carry_reviewed(old, new, [1, 2, 3]) == (2, 4)
    assert carry_reviewed(old, old, [0, 3]) == (0, 3)
    assert carry_reviewed(old, "", [0]) == ()


def test_save_carries_reviewed_from_its_base(store: TranscriptStore) -> None:
    store.save("d/p1", "a\nb\nc", reviewed=[0, 2])
    assert store.save("d/p1", "new\na\nb\nC", base=1).version.reviewed == (1,)
    # A conflicting save carries the marks of *its* base (version 1), not of the latest.
    assert store.save("d/p1", "a\nb\nc\nd", base=1).version.reviewed == (0, 2)
    # Explicit marks win; lines past the end are dropped; negative numbers are refused.
    assert store.save("d/p1", "x\ny", reviewed=[1, 5]).version.reviewed == (1,)
    with pytest.raises(InputError):
        store.save("d/p1", "x", reviewed=[-1])


# -- bad input -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["../outside", "d/../../x", "/etc/passwd", "d/versions", "", "d//p"])
def test_bad_page_ids_refused(store: TranscriptStore, bad: str) -> None:
    before = tree(store.project.root)
    with pytest.raises(PageError):
        store.save(bad, "text")
    with pytest.raises(PageError):
        store.read(bad)
    assert tree(store.project.root) == before


def test_symlink_out_of_the_project_refused(store: TranscriptStore, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (store.root / "d").symlink_to(outside)
    with pytest.raises(PageError, match="outside the project"):
        store.save("d/p1", "text")
    with pytest.raises(PageError, match="outside the project"):
        store.read("d/p1")
    assert list(outside.iterdir()) == []


def test_symlinked_versions_folder_refused(store: TranscriptStore, tmp_path: Path) -> None:
    store.page_dir("d/p1").mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (store.page_dir("d/p1") / "versions").symlink_to(outside)
    with pytest.raises(PageError, match="outside the project"):
        store.save("d/p1", "text")
    assert list(outside.iterdir()) == []


def test_fsck_reports_a_symlinked_versions_folder(store: TranscriptStore, tmp_path: Path) -> None:
    store.save("d/p1", "kept")
    outside = tmp_path / "elsewhere"
    (outside / "0001").mkdir(parents=True)
    (outside / ".tmp-99999999-x").mkdir()
    store.page_dir("d/p2").mkdir(parents=True)
    (store.page_dir("d/p2") / "versions").symlink_to(outside)
    report = store.fsck()
    assert [(p.page, p.number) for p in report.problems] == [("d/p2", 0)]
    assert "outside the project" in report.problems[0].message
    assert (outside / ".tmp-99999999-x").is_dir()  # nothing outside the project is touched
    assert store.progress()["corrupt"] == 1  # and progress does not read through the link either


def test_symlink_inside_the_project_is_fine(store: TranscriptStore) -> None:
    (store.root / "real").mkdir()
    (store.root / "alias").symlink_to(store.root / "real")
    store.save("alias/p1", "text")
    assert (store.root / "real" / "p1" / "versions" / "0001" / "text.txt").is_file()


# -- damage ------------------------------------------------------------------------------------------------


def test_corrupt_version_reported_others_readable(store: TranscriptStore) -> None:
    for i in range(3):
        store.save("d/p1", f"version {i + 1}")
    store.save("d/p2", "other page")
    (store.page_dir("d/p1") / "versions" / "0002" / "text.txt").write_text("tampered", encoding="utf-8")
    with pytest.raises(IntegrityError, match="checksum mismatch") as info:
        store.read("d/p1", 2)
    assert info.value.exit_code == 7
    assert store.read("d/p1", 1).text == "version 1" and store.read("d/p1").text == "version 3"
    assert store.read("d/p1", 2, verify=False).text == "tampered"
    report = store.fsck()
    assert report.checked == 4
    assert [(p.page, p.number) for p in report.problems] == [("d/p1", 2)]


def test_fsck_checks_metadata(store: TranscriptStore) -> None:
    for i in range(3):
        store.save("d/p1", f"v{i}")
    meta2 = store.page_dir("d/p1") / "versions" / "0002" / "meta.json"
    meta2.write_text("{not json", encoding="utf-8")
    meta3 = store.page_dir("d/p1") / "versions" / "0003" / "meta.json"
    data = json.loads(meta3.read_text(encoding="utf-8"))
    data.update(number=7, status="Whatever")
    meta3.write_text(json.dumps(data), encoding="utf-8")
    problems = {p.number: p.message for p in store.fsck().problems}
    assert set(problems) == {2, 3}
    assert "corrupt metadata" in problems[2]
    assert "number 7 is not the folder's 3" in problems[3] and "unknown status" in problems[3]
    assert store.read("d/p1", 1).text == "v0"


def test_fsck_survives_a_file_where_a_version_folder_belongs(store: TranscriptStore) -> None:
    store.save("d/p1", "v1")
    (store.page_dir("d/p1") / "versions" / "0002").write_text("not a folder", encoding="utf-8")
    (store.page_dir("d/p1") / "versions" / "0003").mkdir()  # an empty folder (a half-deleted version)
    problems = {p.number: p.message for p in store.fsck().problems}
    assert set(problems) == {2, 3} and "unreadable" in problems[2] and "missing" in problems[3]
    assert store.read("d/p1", 1).text == "v1"
    assert store.save("d/p1", "v4").version.number == 4  # never into the empty folder


def test_layout_checksum(store: TranscriptStore) -> None:
    store.save("d/p1", "ocr", source="ocr", layout={"lines": [{"words": [{"text": "ocr"}]}]})
    assert store.read("d/p1").layout() == {"lines": [{"words": [{"text": "ocr"}]}]}
    (store.page_dir("d/p1") / "versions" / "0001" / "layout.json").write_text('{"lines": []}', encoding="utf-8")
    with pytest.raises(IntegrityError, match="word boxes"):
        store.read("d/p1")
    assert len(store.fsck().problems) == 1


# -- temporaries and races ------------------------------------------------------------------------------


def test_dead_temporary_cleaned_by_next_save(store: TranscriptStore) -> None:
    store.save("d/p1", "v1")
    # A pid that cannot exist (above pid_max) stands for a writer that died.
    dead = store.page_dir("d/p1") / "versions" / ".tmp-99999999-dead"
    dead.mkdir()
    (dead / "text.txt").write_text("half", encoding="utf-8")
    store.save("d/p1", "v2")
    assert not dead.exists() and store.version_numbers("d/p1") == [1, 2]


def test_live_writer_temporary_is_left_alone(store: TranscriptStore) -> None:
    """A temporary folder whose writer (another process) holds its lock survives clean_temporaries and fsck."""
    store.save("d/p1", "v1")
    folder = store.page_dir("d/p1") / "versions"
    holder = subprocess.Popen(
        [
            "python3",
            "-c",
            "import fcntl, os, sys; p = sys.argv[1]; os.mkdir(p); fd = os.open(p, os.O_RDONLY);"
            " fcntl.flock(fd, fcntl.LOCK_EX); print('locked', flush=True); sys.stdin.read()",
            str(folder / ".tmp-1-live"),  # pid 1 is alive: the lock, not the pid, must decide
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        os.utime(folder / ".tmp-1-live", (0, 0))  # old: age alone must not condemn it either
        assert store.clean_temporaries() == []
        assert store.fsck().removed == []
        store.save("d/p1", "v2")
        assert (folder / ".tmp-1-live").is_dir()
    finally:
        holder.communicate("", timeout=10)
    # Its writer is gone: now it is dead and goes.
    assert store.clean_temporaries() == [folder / ".tmp-1-live"]


def test_threads_of_one_process_do_not_clean_each_other(store: TranscriptStore) -> None:
    """The TUI saves from worker threads: two threads saving one page must both succeed every time."""
    errors: list[BaseException] = []
    numbers: list[int] = []
    lock = threading.Lock()

    def worker(name: str) -> None:
        try:
            for i in range(60):
                result = store.save("d/p1", f"{name} {i}")
                with lock:
                    numbers.append(result.version.number)
        except BaseException as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == list(range(1, 121))
    assert temporaries(store) == []


def test_rename_never_replaces_an_empty_folder(tmp_path: Path) -> None:
    src, dst = tmp_path / "src", tmp_path / "dst"
    src.mkdir()
    dst.mkdir()  # plain rename(2) would silently replace this empty folder
    with pytest.raises(FileExistsError):
        durable.rename_noreplace(src, dst)
    assert src.is_dir()


# -- full disk, read-only folder ------------------------------------------------------------------------


@pytest.fixture
def tiny_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs (needs root; skipped otherwise)."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_full_disk_gives_clear_error_and_keeps_versions(tiny_tmpfs: Path) -> None:
    store = TranscriptStore(init_project(tiny_tmpfs / "proj"))
    store.save("d/p1", "первая версия\n")
    with pytest.raises(StorageError, match="disk is full") as info:
        store.save("d/p1", "ә" * 200_000)  # 400 kB on a 64 kB file system
    assert info.value.exit_code == 9
    assert store.version_numbers("d/p1") == [1]
    assert store.read("d/p1").text == "первая версия\n"
    assert temporaries(store) == []  # the failed save cleaned up after itself
    store.save("d/p1", "вторая\n")  # and the store still works once there is room
    assert store.fsck().ok


def test_read_only_folder_gives_clear_error_and_keeps_versions(tiny_tmpfs: Path) -> None:
    store = TranscriptStore(init_project(tiny_tmpfs / "proj"))
    store.save("d/p1", "text\n")
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_tmpfs)], check=True)
    with pytest.raises(StorageError, match="Read-only file system") as info:
        store.save("d/p1", "more\n")
    assert info.value.exit_code == 9
    assert store.read("d/p1").text == "text\n" and store.fsck().ok


def test_enospc_injected_at_each_write(store: TranscriptStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated full disk at every file a save writes: an error each time, the earlier version intact."""
    store.save("d/p1", "kept", layout={"lines": []})
    real_write = durable.write_file
    for victim in ("text.txt", "layout.json", "meta.json"):

        def failing(path: Path, data: bytes, victim: str = victim, **kwargs: bool) -> None:
            if path.name == victim:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
            real_write(path, data, **kwargs)

        monkeypatch.setattr(durable, "write_file", failing)
        with pytest.raises(StorageError, match="disk is full"):
            store.save("d/p1", "lost?", layout={"lines": [1]})
        assert store.version_numbers("d/p1") == [1] and store.read("d/p1").text == "kept"
        assert temporaries(store) == []


# -- progress and its derived cache ------------------------------------------------------------------------


def test_progress_follows_every_save_through_its_cache(store: TranscriptStore) -> None:
    cache = store.project.root / ".workbench-cache" / "store-status.json"
    store.save("a/p1", "x", status="Done")
    store.save("a/p2", "x")
    assert store.progress(include=["a/p1", "scan/only"]) == {
        "New": 1,
        "In progress": 1,
        "Done": 1,
        "Final": 0,
        "Ground truth": 0,
    }
    assert cache.is_file()
    # Several saves in quick succession (within one tick of a coarse folder mtime) are all seen.
    for status in ("Final", "Done", "Ground truth"):
        store.set_status("a/p2", status)
        assert store.progress()["Ground truth" if status == "Ground truth" else status] >= 1
    assert store.progress() == {"New": 0, "In progress": 0, "Done": 1, "Final": 0, "Ground truth": 1}
    # The latest metadata rewritten in place (as a git checkout does) is noticed too.
    meta = store.page_dir("a/p1") / "versions" / "0001" / "meta.json"
    meta.write_text(meta.read_text(encoding="utf-8").replace('"Done"', '"Final"'), encoding="utf-8")
    assert store.progress()["Final"] == 1
    meta.write_text("{damaged", encoding="utf-8")
    assert store.progress()["corrupt"] == 1
    # The cache is derived: garbage or no cache gives the same answer.
    cache.write_text("garbage", encoding="utf-8")
    assert store.progress()["corrupt"] == 1
    cache.unlink()
    assert store.progress() == {"New": 0, "In progress": 0, "Done": 0, "Final": 0, "Ground truth": 1, "corrupt": 1}
    assert store.progress(["a/p2"]) == {"New": 0, "In progress": 0, "Done": 0, "Final": 0, "Ground truth": 1}


def test_page_ids_do_not_follow_symlinks(store: TranscriptStore, tmp_path: Path) -> None:
    store.save("a/p1", "x")
    outside = tmp_path / "outside"
    (outside / "p9" / "versions").mkdir(parents=True)
    (store.root / "b").symlink_to(outside)
    assert store.page_ids() == ["a/p1"]


def test_history_cache_is_derived_and_never_stale(store: TranscriptStore) -> None:
    for i in range(5):
        store.save("d/p1", f"v{i}", message=f"m{i}")
    first = store.history("d/p1")
    cache = store.project.root / ".workbench-cache" / "history" / "d" / "p1.json"
    assert cache.is_file()
    assert store.history("d/p1") == first  # served from the cache
    store.save("d/p1", "v5", message="m5")
    assert [m.message for m in store.history("d/p1")] == [f"m{i}" for i in range(6)]
    # A meta.json replaced on disk (a git checkout) is read again, not served stale.
    meta = store.page_dir("d/p1") / "versions" / "0002" / "meta.json"
    meta.write_text(meta.read_text(encoding="utf-8").replace('"m1"', '"changed"'), encoding="utf-8")
    assert store.history("d/p1")[1].message == "changed"
    meta.write_text("{damaged", encoding="utf-8")
    with pytest.raises(IntegrityError):
        store.history("d/p1")
    cache.write_text('{"format": 1, "pages": {"1": [[0, 0, 0], {"number": "junk"}]}}', encoding="utf-8")
    meta.unlink()
    with pytest.raises(IntegrityError, match="missing"):
        store.history("d/p1")
    store.page_dir("d/p1").joinpath("versions", "0002", "meta.json").write_text(
        json.dumps({**first[1].to_json()}), encoding="utf-8"
    )
    assert store.history("d/p1")[:2] == first[:2]


def test_damaged_base_text_keeps_its_status(store: TranscriptStore) -> None:
    store.save("d/p1", "a\nb", status="Final", reviewed=[0, 1])
    (store.page_dir("d/p1") / "versions" / "0001" / "text.txt").write_text("tampered", encoding="utf-8")
    result = store.save("d/p1", "a\nb\nc", base=1)
    # The status comes from the (intact) metadata; the marks cannot be checked against a damaged text.
    assert result.version.status == "Final" and result.version.reviewed == ()


def test_history_in_a_new_process_matches_the_memo(store: TranscriptStore) -> None:
    for i in range(4):
        store.save("d/p1", f"v{i}", message=f"m{i}")
    memo = store.history("d/p1")
    again = TranscriptStore(store.project).history("d/p1")  # from the disk cache
    assert again == memo == [store.meta("d/p1", n) for n in range(1, 5)]
