"""The page or a line in the system image viewer (`workbench view`, F9 and the palette in the TUI), for terminals
without pixel graphics. The viewer is a fake command set through $WORKBENCH_IMAGE_VIEWER that records the file it
was given; the file must be the scan, or the line's box cut from it."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from helpers import run_async, settle, wait_for
from PIL import Image, ImageChops

from workbench.project import Project
from workbench.store import TranscriptStore
from workbench.tui import actions
from workbench.tui.app import make_app
from workbench.tui.sample import DEFAULT_LINES, make_demo_project


@pytest.fixture
def demo(tmp_path: Path) -> Project:
    return make_demo_project(tmp_path / "demo")


@pytest.fixture
def viewer(tmp_path: Path) -> Path:
    """A viewer command that appends each file it is asked to show to ``record`` (beside it)."""
    record = tmp_path / "record"
    script = tmp_path / "fake-viewer"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" >> "{record}"\n', encoding="utf-8")
    script.chmod(0o755)
    return script


def shown(viewer: Path, timeout: float = 60.0) -> list[Path]:
    """The files the fake viewer was started on (it runs detached: poll for its record with a deadline)."""
    record = viewer.parent / "record"
    deadline = time.monotonic() + timeout
    while not record.exists() or not record.read_text(encoding="utf-8").endswith("\n"):
        if time.monotonic() > deadline:
            raise AssertionError("the viewer was never started")
        time.sleep(0.05)  # polling a file another process writes, with a deadline (no fixed wait)
    return [Path(p) for p in record.read_text(encoding="utf-8").splitlines()]


def run(project: Project, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workbench", "-C", str(project.root), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        check=False,
    )


def scan_crop(project: Project, box: list[int]) -> Image.Image:
    x, y, w, h = box
    with Image.open(project.scans_dir / "demo" / "p1.png") as scan:
        return scan.convert("L").crop((x, y, x + w, y + h))


def same_pixels(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and ImageChops.difference(a.convert("L"), b.convert("L")).getbbox() is None


def test_view_a_line_shows_its_box_cut_from_the_scan(demo: Project, viewer: Path, tmp_path: Path) -> None:
    env = {"WORKBENCH_IMAGE_VIEWER": str(viewer), "TMPDIR": str(tmp_path)}
    result = run(demo, "view", "demo/p1", "2", env=env)
    assert result.returncode == 0, result.stderr
    [path] = shown(viewer)
    assert path.parent == tmp_path / f"workbench-view-{os.getuid()}" and str(path) in result.stdout
    box = TranscriptStore(demo).read("demo/p1").layout()["lines"][1]["box"]
    with Image.open(path) as image:
        assert image.size == (box[2], box[3])  # the line box, not the page
        assert same_pixels(image, scan_crop(demo, box))


def test_view_the_page_shows_a_copy_of_the_scan(demo: Project, viewer: Path, tmp_path: Path) -> None:
    env = {"WORKBENCH_IMAGE_VIEWER": f"{viewer} --some-flag", "TMPDIR": str(tmp_path)}
    assert run(demo, "view", "demo/p1", env=env).returncode == 0
    flag, path = shown(viewer)
    assert str(flag) == "--some-flag"  # the variable is a command line; the file comes last
    scan = demo.scans_dir / "demo" / "p1.png"
    assert path != scan and path.read_bytes() == scan.read_bytes()


def test_view_says_why_it_cannot(demo: Project, viewer: Path, tmp_path: Path) -> None:
    env = {"WORKBENCH_IMAGE_VIEWER": str(viewer), "TMPDIR": str(tmp_path)}
    TranscriptStore(demo).save("demo/p1", "\n".join([*DEFAULT_LINES, "typed by hand"]), base=1)
    no_image = run(demo, "view", "demo/p1", "5", env=env)
    assert no_image.returncode == 2 and "Line 5 of 'demo/p1' has no image" in no_image.stderr
    assert run(demo, "view", "demo/p1", "9", env=env).returncode == 2
    assert run(demo, "view", "demo/p1", "0", env=env).returncode == 2
    # No viewer variable and no xdg-open on PATH: a missing dependency (exit 4) naming the image written.
    empty = tmp_path / "empty-path"
    empty.mkdir()
    missing = run(demo, "view", "demo/p1", "1", env={"WORKBENCH_IMAGE_VIEWER": "", "PATH": str(empty)})
    assert missing.returncode == 4 and "WORKBENCH_IMAGE_VIEWER" in missing.stderr and ".png" in missing.stderr
    assert not (viewer.parent / "record").exists()
    assert "Traceback" not in no_image.stderr + missing.stderr


@run_async
async def test_f9_shows_the_editors_line_and_the_palette_the_page(
    demo: Project, viewer: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKBENCH_IMAGE_VIEWER", str(viewer))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    titles = {c.title: c for c in actions.palette()}
    assert titles["Line in image viewer"].key == "f9" and "Page in image viewer" in titles
    layout = TranscriptStore(demo).read("demo/p1").layout()
    app = make_app(demo, "demo/p1", load_dictionaries=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        # Delete line 1 (unsaved): the cursor's line is now «Докладываю …», image line 2 of the scan.
        await pilot.press("shift+down", "delete")
        await wait_for(pilot, lambda: app.editor.document[0] == DEFAULT_LINES[1], "the deleted line")
        await pilot.press("f9")
        await wait_for(pilot, lambda: (viewer.parent / "record").exists(), "the viewer on the line")
        [line_image] = shown(viewer)
        box = layout["lines"][1]["box"]
        with Image.open(line_image) as image:
            assert image.size == (box[2], box[3]) and same_pixels(image, scan_crop(demo, box))
        await wait_for(pilot, lambda: any("Showing line 1" in n.message for n in app._notifications), "the notice")
        await app.run_action(titles["Page in image viewer"].action)  # what the palette entry runs
        await wait_for(pilot, lambda: len(shown(viewer)) == 2, "the viewer on the page")
        page_image = shown(viewer)[1]
        assert page_image.read_bytes() == (demo.scans_dir / "demo" / "p1.png").read_bytes()
