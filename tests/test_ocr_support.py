"""Helpers for the OCR tests: small typewritten pages rendered with FreeMono, fake Tesseract programs.

Real Tesseract on small rendered pages keeps the suite fast (under a second a page); the fakes exist only
for fault tests (an engine that hangs, crashes or fails) and delegate probing to the real program.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from workbench.ocr import preprocess as pp
from workbench.project import Project, init_project

FONT = Path("/usr/share/fonts/truetype/freefont/FreeMono.ttf")

RUSSIAN = [
    "Уважаемый товарищ Хрущев, первое письмо",
    "мое было послано вам в прошлом году.",
    "Положение на границе остается тяжелым.",
]
AZERBAIJANI = [  # 1939 orthography (й), from the Yakubov passage
    "Ҹәнуби Азәрбайҹандан республикамыза ҝәлмиш",
    "сийаси мүһаҹирләр арасында ишин вәзиййәти",
    "барәдә Мәркәзи Комитәйә мәлумат вермәйи",
]


def render_lines(
    lines: list[str], *, angle: float = 0.0, noise: int = 0, size: int = 40, border: int = 0
) -> np.ndarray:
    """A page of ``lines`` (black on white, 2.2 line spacing), optionally rotated, noisy and framed in black."""
    if not FONT.exists():
        pytest.skip("fonts-freefont-ttf is not installed")
    font = ImageFont.truetype(str(FONT), size)
    width = 120 + max(int(font.getlength(line)) for line in lines)
    im = Image.new("L", (width, 80 + int(len(lines) * size * 2.2)), 255)
    draw = ImageDraw.Draw(im)
    for i, line in enumerate(lines):
        draw.text((60, 40 + int(i * size * 2.2)), line, font=font, fill=0)
    arr = np.asarray(im, dtype=np.uint8).copy()
    if angle:
        arr, _ = pp.rotate(arr, angle)
    if noise:
        rng = np.random.default_rng(7)
        arr = np.clip(arr.astype(int) - rng.integers(0, noise, arr.shape), 0, 255).astype(np.uint8)
    if border:
        framed = np.zeros((arr.shape[0] + 2 * border, arr.shape[1] + 2 * border), np.uint8)
        framed[border:-border, border:-border] = arr
        arr = framed
    return arr


def make_project(
    root: Path,
    pages: dict[str, np.ndarray | bytes],
    *,
    doc: str = "doc",
    languages: tuple[str, ...] = ("rus",),
    orthography: str = "1939",
    extra_toml: str = "",
) -> Project:
    """A project with one document whose pages are the given images (arrays as PNG, bytes written as-is)."""
    project = init_project(root, name="ocr-test")
    folder = root / "scans" / doc
    folder.mkdir(parents=True, exist_ok=True)
    langs = ", ".join(f'"{lang}"' for lang in languages)
    (folder / "document.toml").write_text(
        f'title = "test"\nlanguages = [{langs}]\northography = "{orthography}"\n{extra_toml}', encoding="utf-8"
    )
    for name, image in pages.items():
        if isinstance(image, bytes):
            (folder / name).write_bytes(image)
        else:
            Image.fromarray(image).save(folder / f"{name}.png")
    return project


def fake_tesseract(folder: Path, behaviour: str) -> Path:
    """A ``tesseract`` that answers --version/--list-langs like the real one and then does ``behaviour``.

    ``behaviour`` is a shell snippet: ``exec sleep 30`` (hang), ``kill -9 $$`` (killed), ``exit 3`` …
    """
    real = shutil.which("tesseract")
    if real is None:
        pytest.skip("tesseract is not installed")
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "tesseract"
    script.write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do case "$a" in --version|--list-langs) exec '
        + real
        + ' "$@";; esac; done\n'
        + behaviour
        + "\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return folder


def path_with(folder: Path) -> str:
    """``$PATH`` with ``folder`` first."""
    return f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"


def test_render_lines_draws_ink_and_frames() -> None:
    page = render_lines(RUSSIAN[:1], border=10)
    assert page[:10].max() == 0  # the black frame
    assert (page[10:-10, 10:-10] < 128).mean() > 0.003  # some ink on the page
