"""Preprocessing steps on images with known answers: skew angles, borders, specks, box mapping."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from workbench.errors import UsageError
from workbench.ocr import preprocess as pp

FONT = Path("/usr/share/fonts/truetype/freefont/FreeMono.ttf")


def text_page(lines: int = 12, width: int = 1400, size: int = 34) -> np.ndarray:
    """A white page with typewriter-like lines of Cyrillic text (ink 0)."""
    if not FONT.exists():
        pytest.skip("fonts-freefont-ttf is not installed")
    font = ImageFont.truetype(str(FONT), size)
    im = Image.new("L", (width, 120 + lines * size * 2), 255)
    draw = ImageDraw.Draw(im)
    for i in range(lines):
        draw.text((80, 60 + i * size * 2), "Товарищ Багиров, сообщаю вам о положении дел", font=font, fill=0)
    return np.asarray(im, dtype=np.uint8).copy()


@pytest.mark.parametrize("angle", [-3.5, -1.0, 0.0, 1.2, 2.0, 4.5])
def test_estimate_skew_recovers_known_rotations(angle: float) -> None:
    page = text_page()
    tilted, _ = pp.rotate(page, angle)
    # The correction is the opposite rotation; 0.15° is well below what hurts Tesseract (about 1°).
    assert pp.estimate_skew(tilted) == pytest.approx(-angle, abs=0.15)


def test_estimate_skew_of_blank_page_is_zero() -> None:
    assert pp.estimate_skew(np.full((200, 300), 255, np.uint8)) == 0.0


def test_crop_dark_border_finds_the_page_and_boxes_map_back() -> None:
    page = text_page(lines=4)
    h, w = page.shape
    framed = np.zeros((h + 90, w + 60), np.uint8)  # a black scanner bed around the page
    framed[50 : 50 + h, 20 : 20 + w] = page
    box = pp.find_content_box(framed)
    assert 50 <= box[1] <= 60 and 20 <= box[0] <= 30
    assert box[0] + box[2] <= 20 + w and box[1] + box[3] <= 50 + h
    result = pp.preprocess(framed, [("crop_border", {})])
    assert result.image.shape == (box[3], box[2])
    assert result.box_to_original((0, 0, 10, 10)) == (box[0], box[1], 10, 10)


def test_boxes_map_back_through_crop_upscale_and_deskew() -> None:
    page = text_page(lines=6, size=16)  # small type: the upscale step will act
    tilted, _ = pp.rotate(page, 2.0)
    framed = np.zeros((tilted.shape[0] + 40, tilted.shape[1] + 40), np.uint8)
    framed[20:-20, 20:-20] = tilted
    # A distinct black square in the original: find it in the processed image and map its box back.
    framed[200:240, 700:740] = 0
    result = pp.preprocess(framed)
    steps = {s["step"]: s for s in result.steps}
    assert steps["upscale"]["factor"] > 1.0
    assert steps["deskew"]["angle"] == pytest.approx(-2.0, abs=0.2)
    ink = result.image == 0
    # The square is the only big solid block; locate it through the dense 20×20 windows.
    import cv2

    size = int(20 * steps["upscale"]["factor"])
    density = cv2.blur(ink.astype(np.float32), (size, size))
    ys, xs = np.nonzero(density >= 0.999 * density.max())
    y, x = int(ys.mean()), int(xs.mean())
    mapped = result.box_to_original((x - 2, y - 2, 4, 4))
    # The square's centre is (720, 220); the box is mapped back within a few pixels.
    assert abs(mapped[0] + mapped[2] / 2 - 720) < 6
    assert abs(mapped[1] + mapped[3] / 2 - 220) < 6


def test_sauvola_keeps_faint_text_that_otsu_loses_under_uneven_light() -> None:
    page = text_page(lines=6).astype(np.float64)
    # Left half lit, right half in shadow with faint ink: ink 150 on paper 190 there.
    shadow = page.copy()
    right = slice(page.shape[1] // 2, None)
    shadow[:, right] = np.where(page[:, right] < 128, 150, 190)
    img = shadow.astype(np.uint8)
    text_ink = page[:, right] < 128
    otsu_hits = (pp.binarize_otsu(img)[:, right] == 0)[text_ink].mean()
    sauvola_hits = (pp.binarize_sauvola(img, window=41)[:, right] == 0)[text_ink].mean()
    paper_false = (pp.binarize_sauvola(img, window=41)[:, right] == 0)[~text_ink].mean()
    assert sauvola_hits > 0.8
    assert paper_false < 0.05
    assert otsu_hits < 0.2 or otsu_hits > 0.99  # Otsu makes the whole shadow one class


def test_flatten_illumination_whitens_a_gradient() -> None:
    gradient = np.tile(np.linspace(120, 250, 800).astype(np.uint8), (400, 1))
    flat = pp.flatten_illumination(gradient)
    assert flat.min() > 230


def test_despeckle_removes_specks_but_keeps_full_stops() -> None:
    img = np.full((100, 100), 255, np.uint8)
    img[10, 10] = 0
    img[30:32, 30] = 0
    img[50:56, 50:56] = 0  # a full stop at 300 dpi is bigger than this
    out = pp.despeckle(img, max_area=3)
    assert out[10, 10] == 255 and out[30, 30] == 255
    assert (out[50:56, 50:56] == 0).all()


def test_denoise_methods_and_bad_method() -> None:
    img = np.full((50, 50), 255, np.uint8)
    img[25, 25] = 0
    assert pp.denoise(img, "median", 3)[25, 25] == 255
    with pytest.raises(UsageError, match="denoise"):
        pp.denoise(img, "magic", 3)


def test_parse_steps_keeps_default_parameters_and_rejects_unknown() -> None:
    steps = pp.parse_steps("grayscale,binarize:method=otsu,deskew:max_angle=3")
    assert steps[1] == ("binarize", {"method": "otsu"})
    assert steps[2][1] == {"max_angle": 3, "min_angle": 0.2}  # min_angle kept from the default pipeline
    assert pp.parse_steps("none") == []
    assert [n for n, _ in pp.parse_steps("default")] == [n for n, _ in pp.DEFAULT_STEPS]
    with pytest.raises(UsageError, match="sharpen"):
        pp.parse_steps("sharpen")
    with pytest.raises(UsageError, match="binarize"):
        pp.preprocess(np.zeros((10, 10), np.uint8), [("binarize", {"colour": 3})])


def test_preprocess_records_every_step_and_its_measurements() -> None:
    result = pp.preprocess(text_page(lines=3))
    assert [s["step"] for s in result.steps] == [n for n, _ in pp.DEFAULT_STEPS]
    assert "angle" in next(s for s in result.steps if s["step"] == "deskew")
    assert result.image.dtype == np.uint8 and result.image.ndim == 2
    binary = pp.preprocess(text_page(lines=3), pp.parse_steps("grayscale,binarize,despeckle"))
    assert set(np.unique(binary.image)) <= {0, 255}
    assert binary.steps[1] == {"step": "binarize"}


def test_cli_preprocess_writes_the_image_ocr_sees(tmp_path: Path) -> None:
    import subprocess
    import sys

    from workbench.project import init_project

    project = init_project(tmp_path / "proj")
    (project.scans_dir / "doc").mkdir()
    page = np.zeros((text_page(lines=2).shape[0] + 40, text_page(lines=2).shape[1] + 40), np.uint8)
    page[20:-20, 20:-20] = text_page(lines=2)
    Image.fromarray(page).save(project.scans_dir / "doc" / "p1.png")
    out = tmp_path / "seen.png"
    run = [sys.executable, "-m", "workbench", "-C", str(project.root), "preprocess", "doc/p1", "-o", str(out)]
    proc = subprocess.run(run, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "crop_border" in proc.stdout and "deskew" in proc.stdout
    seen = np.asarray(Image.open(out))
    # The black frame was cropped: no edge of what OCR sees is mostly dark any more.
    for edge in (seen[0], seen[-1], seen[:, 0], seen[:, -1]):
        assert (edge < 128).mean() < 0.5
    proc = subprocess.run(
        [*run[:-2], "-o", str(tmp_path / "x.jpg"), "--steps", "sharpen"], capture_output=True, text=True
    )
    assert proc.returncode == 2 and "sharpen" in proc.stderr
