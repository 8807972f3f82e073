"""Guards on the geometry estimates: grain does not fool the text height, the pixel cap, checked crops."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from workbench.ocr import guards
from workbench.ocr import preprocess as pp
from workbench.scans import load_grey

REPO = Path(__file__).resolve().parent.parent


def sample_crop() -> np.ndarray:
    """The top half of a rendered sample page (typewriter text, 300 dpi, letters about 26 px high)."""
    page = load_grey(REPO / "scans" / "bagirov-1946" / "p1.jpg")
    return page[: page.shape[0] // 2].copy()


def with_grain(image: np.ndarray, sigma: float, seed: int = 0) -> np.ndarray:
    noise = np.random.default_rng(seed).normal(0.0, sigma, image.shape)
    return np.clip(image.astype(np.float64) + noise, 0, 255).astype(np.uint8)


def test_clean_page_height_is_confident_and_letter_sized() -> None:
    estimate = guards.estimate_text_height(sample_crop())
    assert estimate.confident, estimate
    assert 20 <= estimate.height <= 32


@pytest.mark.parametrize("sigma", [10, 25, 35])
def test_grainy_page_is_not_upscaled(sigma: float) -> None:
    # The known answer: the letters are ~26 px high, above the 20 px the upscale step wants, so a grainy
    # copy must not be scaled (grain used to read as 4-6 px "letters" and the page was scaled ×3).
    noisy = with_grain(sample_crop(), sigma)
    result = pp.preprocess(noisy)
    upscale = next(s for s in result.steps if s["step"] == "upscale")
    assert upscale["factor"] == 1.0, upscale
    assert result.image.size <= noisy.size * 1.05  # deskew may grow the canvas a little, nothing more


def test_small_clean_type_is_still_upscaled_within_the_pixel_cap() -> None:
    page = sample_crop()
    small = pp.rescale(page, 0.5)  # letters ~13 px: the upscale step should act
    result = pp.preprocess(small)
    upscale = next(s for s in result.steps if s["step"] == "upscale")
    assert upscale["confident"] and upscale["factor"] > 1.3, upscale


def test_pixel_cap_lowers_the_factor_and_fit_pixels_shrinks() -> None:
    assert guards.pixel_cap_factor(2480, 3508, 3.0) == pytest.approx(np.sqrt(guards.MAX_PIXELS / (2480 * 3508)))
    assert guards.pixel_cap_factor(800, 60, 2.0) == 2.0
    big = np.full((5000, 4000), 255, np.uint8)
    out, factor = guards.fit_pixels(big)
    assert out.size <= guards.MAX_PIXELS and factor < 1.0


def test_crop_keeps_a_paper_strip_but_cuts_a_dark_border() -> None:
    page = sample_crop()
    h, w = page.shape
    framed = np.zeros((h, w + 200), np.uint8)
    framed[:, 200:] = page
    box = pp.find_content_box(framed)
    assert guards.light_strips(framed, box) == []
    # The same box on a page with typed text where the frame was would cut paper and text.
    assert "left" in guards.light_strips(np.hstack([page[:, 1000:1200], page]), box)


def test_skew_estimate_must_be_confirmed_by_both_halves() -> None:
    page = sample_crop()
    own = pp.estimate_skew(page)  # the rendering lies a little crooked already
    tilted, _ = pp.rotate(page, 1.5)
    result = pp.preprocess(tilted, [("deskew", {"max_angle": 5.0, "min_angle": 0.2})])
    step = result.steps[0]
    assert step.get("rotated", True) and abs(step["angle"] - (own - 1.5)) < 0.3
    # Pure grain has no lines: whatever angle it suggests is not applied.
    grain = with_grain(np.full((800, 800), 200, np.uint8), 40)
    step = pp.preprocess(grain, [("deskew", {"max_angle": 5.0, "min_angle": 0.2})]).steps[0]
    assert step.get("rotated", True) is False or abs(step["angle"]) < 0.2
