"""Showing a page, or one of its lines, in the system image viewer: for terminals without pixel graphics
(tmux, plain xterm), where the half-block page view cannot show the letters well enough to read.

The image handed to the viewer is always a copy in a private temporary folder (never the scan itself, which a
viewer that rotates or "saves" must not touch); a line is cut from the scan at its box, which
:mod:`workbench.linemap` finds by content, so the picture is the line the text has, whatever was edited.
The viewer is ``$WORKBENCH_IMAGE_VIEWER`` (a command; the file is its last argument) or ``xdg-open``.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from workbench import linemap
from workbench.errors import MissingDependencyError, UsageError, WorkbenchError
from workbench.layout import Layout
from workbench.linemap import Box
from workbench.project import Project
from workbench.scans import load_image
from workbench.store import TranscriptStore

#: The environment variable naming the viewer command (``feh -.``, ``eog``, a script …).
VIEWER_ENV = "WORKBENCH_IMAGE_VIEWER"
#: Images written for a viewer are removed when a later one is written and they are older than this.
KEEP_SECONDS = 3600
#: Scan formats a viewer opens as they are (copied byte for byte); anything else is decoded and written as PNG.
_PLAIN = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}


@dataclass(frozen=True)
class ViewImage:
    """An image written for the viewer: where, which line (0-based, ``None`` for the page) and its scan box."""

    path: Path
    page_id: str
    line: int | None
    box: Box | None
    size: tuple[int, int]


def view_folder() -> Path:
    """The private folder the images for the viewer go to (created mode 0700; old images removed)."""
    folder = Path(tempfile.gettempdir()) / f"workbench-view-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    cutoff = time.time() - KEEP_SECONDS
    for old in folder.iterdir():
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            continue  # another workbench removed it first
    return folder


def _target(folder: Path, page_id: str, what: str, suffix: str) -> Path:
    fd, name = tempfile.mkstemp(prefix=f"{page_id.replace('/', '-')}-{what}-", suffix=suffix, dir=folder)
    os.close(fd)
    return Path(name)


def write_view_image(
    project: Project,
    page_id: str,
    line: int | None = None,
    *,
    text: str | None = None,
    layout: Layout | None = None,
) -> ViewImage:
    """Write the page's scan, or text line ``line`` (0-based) of ``text`` cut from it, for the viewer.

    ``text`` and ``layout`` default to the newest version's text and the newest OCR layout (the TUI passes its
    editor's text). A line without an image line (blank, typed by hand) is a :class:`UsageError` that says why.
    """
    page = project.page(page_id)
    if page.scan is None:
        raise UsageError(f"Page {page_id!r} has no scan to show.", hint="Put its image under scans/ (see README).")
    folder = view_folder()
    if line is None:
        if page.frame is None and page.scan.suffix.lower() in _PLAIN:
            path = _target(folder, page_id, "page", page.scan.suffix.lower())
            shutil.copyfile(page.scan, path)
            with Image.open(path) as im:
                size = im.size
            return ViewImage(path, page_id, None, None, size)
        image = load_image(page.scan, page.frame)
        path = _target(folder, page_id, "page", ".png")
        image.save(path)
        return ViewImage(path, page_id, None, None, image.size)
    store = TranscriptStore(project)
    if text is None:
        if store.latest_number(page_id) is None:
            raise UsageError(f"Page {page_id!r} has no transcript yet, so no lines.", hint="Run `workbench ocr`.")
        text = store.read(page_id).text
    if layout is None:
        layout = store.latest_layout(page_id, skip_damaged=True)
    count = text.count("\n") + 1
    if not 0 <= line < count:
        raise UsageError(f"Page {page_id!r} has lines 1–{count}, not {line + 1}.")
    box = linemap.line_box(text, layout, line)
    if box is None:
        why = "it has no OCR layout" if layout is None else "that line is not on the scan (blank, or typed by hand)"
        raise UsageError(f"Line {line + 1} of {page_id!r} has no image: {why}.", hint="Show the whole page instead.")
    image = load_image(page.scan, page.frame)
    x, y, w, h = box
    crop = image.crop((max(0, x), max(0, y), min(image.width, x + w), min(image.height, y + h)))
    path = _target(folder, page_id, f"line{line + 1}", ".png")
    crop.save(path)
    return ViewImage(path, page_id, line, box, crop.size)


def viewer_command(path: Path) -> list[str]:
    """The command that shows ``path``: ``$WORKBENCH_IMAGE_VIEWER`` with the file last, else ``xdg-open``."""
    configured = os.environ.get(VIEWER_ENV, "").strip()
    if configured:
        try:
            words = shlex.split(configured)
        except ValueError as e:
            raise UsageError(f"${VIEWER_ENV} is not a command line ({e}): {configured!r}.") from e
        return [*words, str(path)]
    found = shutil.which("xdg-open")
    if found is None:
        raise MissingDependencyError(
            "No image viewer: xdg-open is not installed and $WORKBENCH_IMAGE_VIEWER is not set.",
            hint=f"Install xdg-utils, or set {VIEWER_ENV} to a viewer command (e.g. `feh`, `eog`); the image "
            f"is in {path}.",
        )
    return [found, str(path)]


def open_in_viewer(path: Path) -> list[str]:
    """Start the viewer on ``path`` in its own session (it outlives a closed workbench); return its command.

    The viewer's output is discarded: in the TUI it would paint over the screen.
    """
    command = viewer_command(path)
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as e:
        raise WorkbenchError(
            f"The image viewer {command[0]!r} could not be started ({e.strerror or e}).",
            hint=f"Set {VIEWER_ENV} to a viewer command that exists; the image is in {path}.",
        ) from e
    # reaped in the background, so a viewer that exits (xdg-open hands over at once) leaves no zombie
    threading.Thread(target=process.wait, name="image-viewer", daemon=True).start()
    return command


__all__ = ["VIEWER_ENV", "ViewImage", "open_in_viewer", "view_folder", "viewer_command", "write_view_image"]
