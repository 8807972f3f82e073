"""Batch OCR with the real Tesseract: cache, resume after Ctrl-C, bad pages, hung engines, Dask."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_ocr_support import AZERBAIJANI, RUSSIAN, fake_tesseract, make_project, path_with, render_lines

from workbench.errors import BatchFailedError, Interrupted
from workbench.ocr import probe
from workbench.ocr.batch import BatchProgress, default_jobs, run_batch
from workbench.project import Project
from workbench.store import TranscriptStore

pytestmark = pytest.mark.tesseract


@pytest.fixture(autouse=True)
def _fresh_probe():
    probe.clear_cache()
    yield
    probe.clear_cache()


def small_pages(n: int) -> dict[str, object]:
    lines = RUSSIAN + AZERBAIJANI
    return {f"p{i + 1}": render_lines([lines[i % len(lines)]], size=32) for i in range(n)}


def test_batch_stores_pages_then_skips_unchanged_and_reruns_changed(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", small_pages(3))
    seen: list[BatchProgress] = []
    report = run_batch(project, lang="rus", jobs=2, progress=seen.append)
    assert sorted(report.versions) == ["doc/p1", "doc/p2", "doc/p3"] and not report.failed
    assert seen[-1].finished == 3 and seen[-1].done == 3 and seen[-1].rate > 0
    store = TranscriptStore(project)
    assert store.read("doc/p1").text == RUSSIAN[0]
    again = run_batch(project, lang="rus", jobs=2)
    assert sorted(again.skipped) == ["doc/p1", "doc/p2", "doc/p3"] and not again.done
    # Changed settings (another language) or a changed scan mean new OCR; --force means it regardless.
    changed = run_batch(project, ["doc/p1"], lang="aze_cyrl", jobs=1)
    assert changed.versions == ["doc/p1"]
    (project.scans_dir / "doc" / "p2.png").write_bytes((project.scans_dir / "doc" / "p3.png").read_bytes())
    rescanned = run_batch(project, ["doc/p2", "doc/p3"], lang="rus", jobs=1)
    assert rescanned.versions == ["doc/p2"] and rescanned.skipped == ["doc/p3"]
    forced = run_batch(project, ["doc/p3"], lang="rus", jobs=1, force=True)
    assert forced.versions == ["doc/p3"]
    assert store.latest_number("doc/p3") == 2


def test_batch_never_overwrites_human_work(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", small_pages(1))
    store = TranscriptStore(project)
    run_batch(project, lang="rus", jobs=1)
    store.save("doc/p1", "исправлено человеком", source="edit")
    report = run_batch(project, lang="rus", jobs=1, force=True)
    assert report.candidates == ["doc/p1"] and not report.versions
    assert store.read("doc/p1").text == "исправлено человеком"
    assert store.read_candidate("doc/p1").text == RUSSIAN[0]


def test_one_bad_page_is_reported_and_the_rest_are_done(tmp_path: Path) -> None:
    pages = small_pages(2) | {"p3.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 100}
    project = make_project(tmp_path / "p", pages)
    proc = subprocess.run(
        [sys.executable, "-m", "workbench", "-C", str(project.root), "ocr", "--lang", "rus", "-j", "2"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1, proc.stderr
    assert "1 of 3 page(s) failed" in proc.stderr and "doc/p3" in proc.stderr
    assert "2 page(s) OCR'd" in proc.stdout
    store = TranscriptStore(project)
    assert store.latest_number("doc/p1") == 1 and store.latest_number("doc/p3") is None


def test_hung_engine_fails_pages_with_a_timeout_not_the_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path / "p", small_pages(2))
    monkeypatch.setenv("PATH", path_with(fake_tesseract(tmp_path / "bin", "exec sleep 60")))
    start = time.monotonic()
    report = run_batch(project, lang="rus", jobs=2, timeout=2)
    assert time.monotonic() - start < 30
    assert sorted(report.failed) == ["doc/p1", "doc/p2"]
    assert all("did not finish within 2 s" in msg for msg in report.failed.values())
    with pytest.raises(BatchFailedError, match="2 of 2 page"):
        report.raise_for_failures()


def test_ctrl_c_keeps_finished_pages_and_a_rerun_resumes(tmp_path: Path) -> None:
    n = 6
    project = make_project(tmp_path / "p", small_pages(n))
    # The real engine, each page a second slower: on a loaded machine the test may look only seconds after
    # the first page is stored, and the batch must still be running then (it was not, once: exit 0).
    real = shutil.which("tesseract")
    slow = fake_tesseract(tmp_path / "bin", f'sleep 1; exec {real} "$@"')
    env = {**os.environ, "PATH": path_with(slow)}
    cmd = [sys.executable, "-m", "workbench", "-C", str(project.root), "ocr", "--lang", "rus", "-j", "1"]
    # SIGINT at its default in the child: a suite started in the background by a shell (`./dev test &`, some
    # CI runners) inherits SIGINT ignored, and Python keeps an ignored SIGINT ignored (the batch ran to the end).
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    versions = project.root / "transcripts" / "doc"
    deadline = time.monotonic() + 120
    while not list(versions.glob("*/versions/0001")) and time.monotonic() < deadline:
        time.sleep(0.05)  # polling the disk, with the deadline above
    assert proc.poll() is None, "the batch finished before it could be interrupted"
    os.kill(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == Interrupted.exit_code, err
    assert "Run the same command again to resume" in err
    finished = sorted(p.parent.parent.name for p in versions.glob("*/versions/0001"))
    assert 1 <= len(finished) < n
    # No half-written result anywhere: every stored version is complete and verifies.
    store = TranscriptStore(project)
    for page in finished:
        assert store.read(f"doc/{page}").text
    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{n - len(finished)} page(s) OCR'd, {len(finished)} unchanged and skipped" in rerun.stdout
    assert all(store.latest_number(f"doc/p{i + 1}") == 1 for i in range(n))


def test_default_jobs_is_the_core_count() -> None:
    assert default_jobs(0) == default_jobs(None) >= 1
    assert default_jobs(3) == 3


@pytest.mark.dask
@pytest.mark.slow
def test_dask_cluster_gives_the_same_results_as_a_local_run(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    pages = small_pages(3)
    local = make_project(tmp_path / "local", pages)
    remote = make_project(tmp_path / "remote", pages)
    run_batch(local, lang="auto", jobs=2)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, scheduler_port=0
    ) as cluster:
        address = cluster.scheduler_address.removeprefix("tcp://")
        report = run_batch(remote, lang="auto", executor=f"dask://{address}")
        # The workers got OMP_THREAD_LIMIT=1 (Dask's nanny sets only OMP_NUM_THREADS).
        with distributed.Client(cluster) as client:
            limits = client.run(lambda: os.environ.get("OMP_THREAD_LIMIT"))
    assert set(limits.values()) == {"1"}
    assert sorted(report.versions) == ["doc/p1", "doc/p2", "doc/p3"]
    for pid in report.versions:
        a = TranscriptStore(local).read(pid)
        b = TranscriptStore(remote).read(pid)
        assert a.text == b.text
        la, lb = a.layout(), b.layout()
        assert la["lines"] == lb["lines"] and la["width"] == lb["width"]


def test_project_pages_without_scans_are_not_in_a_batch(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", {})
    TranscriptStore(project).save("doc/textonly", "текст", source="import")
    report = run_batch(Project(project.root), jobs=1)
    assert report.total == 0 and not report.failed


def test_missing_language_pack_stops_the_batch_before_any_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.errors import MissingDependencyError

    project = make_project(tmp_path / "p", small_pages(2), languages=("rus", "aze_cyrl"))
    empty = tmp_path / "tessdata"
    empty.mkdir()
    monkeypatch.setenv("TESSDATA_PREFIX", str(empty))
    # The system models, so that both packs are needed (the project's own model would stand in for aze_cyrl).
    monkeypatch.setenv("WORKBENCH_AZE_MODEL", "tesseract")
    with pytest.raises(MissingDependencyError, match=r"aze_cyrl, rus") as info:
        run_batch(project, jobs=1)
    assert info.value.exit_code == 4
    assert TranscriptStore(project).latest_number("doc/p1") is None
