"""The app in real terminals: xterm with Sixel graphics (and Kitty, where it runs) under Xvfb, judged from screenshots.

Pilot and tmux never show whether the page is drawn in real pixels: textual-image chooses Sixel or the Kitty
protocol only when the terminal answers its queries. Here xterm runs as a VT340 (Sixel, 256 colour registers)
on a virtual X display, the app opens a rendered page, and the screen is read back with ``xwd``. The page
view outlines the current line in blue (``imaging.LINE_COLOUR``): drawn in pixels the outline is one pixel
wide; drawn in half-blocks, a cell wide. The same run with ``WORKBENCH_IMAGES=halfcell`` shows the test
tells the two apart. ``./dev`` installs xvfb, xterm and x11-apps (xwd); without them the test is skipped.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from workbench.tui.sample import make_demo_project

pytestmark = pytest.mark.xterm

MISSING = [tool for tool in ("Xvfb", "xterm", "xwd") if shutil.which(tool) is None]
WORKBENCH = [sys.executable, "-m", "workbench"]


def read_xwd(data: bytes) -> np.ndarray:
    """An ``xwd`` screenshot (ZPixmap, 24 or 32 bits a pixel, as Xvfb's 24-bit screen gives) as an RGB array."""
    fields = struct.unpack(">25I", data[:100])
    header_size, fmt, width, height, byte_order = fields[0], fields[2], fields[4], fields[5], fields[7]
    bits_per_pixel, bytes_per_line, masks, ncolors = fields[11], fields[12], fields[14:17], fields[19]
    assert fmt == 2 and bits_per_pixel in (24, 32), f"unexpected XWD format {fmt}, {bits_per_pixel} bpp"
    start = header_size + ncolors * 12
    rows = np.frombuffer(data[start : start + bytes_per_line * height], dtype=np.uint8).reshape(height, -1)
    size = bits_per_pixel // 8
    pixels = rows[:, : width * size].reshape(height, width, size).astype(np.uint32)
    order = range(size - 1, -1, -1) if byte_order else range(size)  # MSBFirst: the first byte is the highest
    raw = sum(pixels[..., k] << np.uint32(8 * n) for n, k in enumerate(order))
    channels = [((raw & m) >> ((m & -m).bit_length() - 1)).astype(np.uint8) for m in masks]
    return np.dstack(channels)


def outline_thickness(shot: np.ndarray) -> int | None:
    """The thinnest run of the page view's blue line outline, in screen pixels (``None``: no outline yet)."""
    rgb = shot.astype(int)
    blue = (rgb[..., 2] > 200) & (rgb[..., 2] - rgb[..., 0] > 100) & (rgb[..., 2] - rgb[..., 1] > 60)
    if blue.sum() < 20:
        return None
    thinnest: int | None = None
    for mask in (blue, blue.T):
        for row in mask:
            if not row.any():
                continue
            edges = np.flatnonzero(np.diff(np.concatenate(([0], row.astype(np.int8), [0]))))
            run = int((edges[1::2] - edges[::2]).min())
            thinnest = run if thinnest is None else min(thinnest, run)
    return thinnest


class XDisplay:
    """A virtual X display (Xvfb) for one test."""

    def __init__(self, tmp: Path) -> None:
        read, write = os.pipe()
        self.proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-screen", "0", "1400x900x24", "-nolisten", "tcp"],
            pass_fds=(write,),
            stdout=subprocess.DEVNULL,
            stderr=(tmp / "xvfb.log").open("wb"),
        )
        os.close(write)
        with os.fdopen(read) as f:
            number = f.readline().strip()  # Xvfb writes the display number when it is ready
        if not number:
            self.proc.kill()
            pytest.fail(f"Xvfb did not start: {(tmp / 'xvfb.log').read_text(errors='replace')}")
        self.name = f":{number}"

    def screenshot(self) -> np.ndarray:
        data = subprocess.run(
            ["xwd", "-root", "-silent"], env={**os.environ, "DISPLAY": self.name}, capture_output=True, timeout=60
        ).stdout
        return read_xwd(data)

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def run_in_terminal(
    tmp_path: Path, terminal: list[str], env: dict[str, str], flag: str | None = "-e"
) -> tuple[int | None, np.ndarray]:
    """Open the demo page in ``terminal`` on a fresh display; the outline thickness once drawn, and the shot."""
    project = make_demo_project(tmp_path / "demo")
    display = XDisplay(tmp_path)
    app = None
    try:
        command = [*WORKBENCH, "-C", str(project.root), "open", "demo/p1"]
        app = subprocess.Popen(
            [*terminal, *([flag] if flag else []), "env", *(f"{k}={v}" for k, v in env.items()), *command],
            env={**os.environ, "DISPLAY": display.name},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 180  # a loaded 2-core machine can take a minute to start the app
        shot = display.screenshot()
        thickness = outline_thickness(shot)
        while thickness is None and time.monotonic() < deadline and app.poll() is None:
            time.sleep(1)  # polling the screen, not waiting a fixed time: the loop ends when the outline is there
            shot = display.screenshot()
            thickness = outline_thickness(shot)
        while thickness is not None and time.monotonic() < deadline:
            # Until two shots in a row agree: the page may still be being painted.
            again = display.screenshot()
            if np.array_equal(again, shot):
                break
            shot, thickness = again, outline_thickness(again)
        return thickness, shot
    finally:
        if app is not None:
            app.kill()
            app.wait(timeout=30)
        display.close()


XTERM = [
    "xterm",
    "-ti",
    "vt340",
    "-xrm",
    "XTerm*decTerminalID: vt340",
    "-xrm",
    "XTerm*numColorRegisters: 256",
    "-fa",
    "DejaVu Sans Mono",
    "-fs",
    "9",
    "-geometry",
    "150x50+0+0",
]


@pytest.mark.skipif(bool(MISSING), reason=f"needs {', '.join(MISSING)} (./dev installs xvfb, xterm, x11-apps)")
@pytest.mark.parametrize(("images", "pixels"), [("", True), ("halfcell", False)], ids=["sixel", "halfcell-control"])
def test_xterm_draws_the_page_in_pixels(tmp_path: Path, images: str, pixels: bool) -> None:
    env = {"WORKBENCH_AUTHOR": "tester", "WORKBENCH_LOG": str(tmp_path / "tui.log")}
    if images:
        env["WORKBENCH_IMAGES"] = images
    thickness, shot = run_in_terminal(tmp_path, XTERM, env)
    from PIL import Image

    Image.fromarray(shot).save(tmp_path / "screen.png")  # kept in pytest's tmp dir, to look at
    assert thickness is not None, f"the page's line outline never appeared (screenshot: {tmp_path / 'screen.png'})"
    if pixels:
        assert thickness <= 2, f"outline {thickness} px thick: drawn in cells, not pixels ({tmp_path / 'screen.png'})"
        # And the page itself is in pixels: inside the outline, the line's letters are dark strokes.
        rgb = shot.astype(int)
        ys, xs = np.nonzero((rgb[..., 2] > 200) & (rgb[..., 2] - rgb[..., 0] > 100))
        inside = shot[ys.min() + 2 : ys.max() - 1, xs.min() + 2 : xs.max() - 1]
        assert (inside.max(axis=2) < 160).sum() > 10
    else:
        assert thickness >= 4, f"the half-block control drew a {thickness}-px outline"


KITTY = ["kitty", "-o", "initial_window_width=1200", "-o", "initial_window_height=800"]


def kitty_version_installed() -> tuple[int, ...] | None:
    from workbench.tui.pane import kitty_version

    if shutil.which("kitty") is None:
        return None
    out = subprocess.run(["kitty", "--version"], capture_output=True, text=True, timeout=60, check=False).stdout
    return kitty_version(out.replace("kitty ", "kitty(").split(" ", 1)[0] + ")")


@pytest.mark.skipif(
    bool(MISSING) or shutil.which("kitty") is None, reason="needs kitty, Xvfb and xwd (./dev installs them)"
)
def test_kitty_draws_the_page(tmp_path: Path) -> None:
    """Kitty speaks its graphics protocol; before 0.28 it lacks the placeholders textual-image draws with.

    Debian 12's Kitty 0.26 then showed boxes of tofu where the page should be; the app now uses half-blocks
    there (a cell-wide outline), and real pixels on a Kitty that has them.
    """
    version = kitty_version_installed()
    assert version is not None
    env = {"WORKBENCH_AUTHOR": "tester", "WORKBENCH_LOG": str(tmp_path / "tui.log"), "LIBGL_ALWAYS_SOFTWARE": "1"}
    thickness, shot = run_in_terminal(tmp_path, ["env", "LIBGL_ALWAYS_SOFTWARE=1", *KITTY], env, flag=None)
    from PIL import Image

    Image.fromarray(shot).save(tmp_path / "screen.png")
    assert thickness is not None, f"no page drawn in Kitty {version} (screenshot: {tmp_path / 'screen.png'})"
    if version >= (0, 28):
        assert thickness <= 2
    else:
        assert thickness >= 4


def test_kitty_version_is_read_from_the_terminals_answer() -> None:
    from workbench.tui.pane import kitty_version

    assert kitty_version("\x1bP>|kitty(0.26.5)\x1b\\") == (0, 26, 5)
    assert kitty_version("\x1bP>|XTerm(379)\x1b\\") is None
    assert kitty_version("") is None
