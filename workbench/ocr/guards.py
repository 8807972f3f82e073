"""Checks on the estimates that change a page's geometry, so a bad estimate is never applied.

Preprocessing rescales, rotates and crops a scan on the strength of estimates made from the scan itself.
On a clean page those estimates are right; on a grainy microfilm page the grain can fool them (film grain
looks like many tiny letters, so a naive text height says "tiny text, scale ×3" and the page then takes
Tesseract minutes instead of a second). Each estimate here therefore comes with the evidence for it, and
the step only acts when that evidence agrees:

- text height: two estimators (letter-shaped ink components on the raw and on a median-filtered copy)
  must agree, and the text lines that a row profile of those components finds must be as tall as letters
  make them (a band 1–2× the letter height); otherwise the page is not rescaled;
- skew: the angle found on the top half and on the bottom half of the page must agree (or, on an image
  too small to halve, the angle must sharpen the line profile clearly over no rotation);
- crop: each strip cut away must be dark through and through (a border, not paper with text);
- and whatever the estimates say, the image handed to Tesseract never exceeds :data:`MAX_PIXELS`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

#: The most pixels an image handed to Tesseract may have: twice an A4 page at 300 dpi (2,480 × 3,508).
#: Tesseract's time grows with the pixels; a page scaled ×3 (78 MP) ran past the 180 s timeout.
MAX_PIXELS = 17_400_000

#: How far the raw and the median-filtered text heights may differ (relative) and still be trusted.
HEIGHT_AGREEMENT = 0.2
#: Line bands this many times the letter height are what text gives (x-height letters plus the taller
#: capitals, ascenders and descenders); grain fragments letters into bits much smaller than the band.
BAND_RATIO = (0.95, 2.0)
#: Pixel noise above this deviation (grey levels) counts as grain: the second height estimate is then made
#: on a median-filtered copy. Clean scans and renderings measure 0.5–3; σ = 10 of added grain measures ≈ 5.
GRAIN_SIGMA = 4.0


@dataclass(frozen=True)
class HeightEstimate:
    """A text height with the evidence for it; ``confident`` says whether it may change the geometry."""

    height: float  # median letter height in pixels of the image measured (0 if none found)
    denoised: float  # the same measured after a 3 × 3 median filter
    band: float  # median height of the text-line bands of the row profile
    components: int  # letter-shaped components counted
    confident: bool
    reason: str

    def record(self) -> dict[str, Any]:
        """The estimate as it goes into the preprocessing record of the OCR metadata."""
        return {
            "text_height": round(self.height, 1),
            "text_height_denoised": round(self.denoised, 1),
            "line_band": round(self.band, 1),
            "components": self.components,
            "confident": self.confident,
            "reason": self.reason,
        }


def _otsu_ink(image: np.ndarray) -> np.ndarray:
    _, out = cv2.threshold(image, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return np.asarray(out == 0, dtype=np.uint8)


def noise_level(grey: np.ndarray) -> float:
    """The standard deviation of pixel noise (grain), robustly: the median of a Laplacian's magnitude.

    The 3 × 3 kernel ``[1 -2 1; -2 4 -2; 1 -2 1]`` is blind to flat paper and to linear gradients and
    multiplies white noise's deviation by 6; the median ignores the minority of pixels on letter edges.
    """
    kernel = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)
    response = cv2.filter2D(grey.astype(np.float32), -1, kernel)
    return float(np.median(np.abs(response))) * 1.4826 / 6.0


def letter_components(grey: np.ndarray, *, median: bool = False) -> np.ndarray:
    """Stats rows (x, y, w, h, area) of the ink components shaped like letters (Otsu ink of ``grey``).

    Letter-shaped: at least 3 px tall and 2 px wide, neither a long rule nor a thin stick (width ≤ 4 ×
    height, height ≤ 6 × width), and filling 10–90 % of its box (grain clumps and frame lines do not).
    """
    if median:
        grey = cv2.medianBlur(grey, 3)
    _n, _labels, stats, _ = cv2.connectedComponentsWithStats(_otsu_ink(grey), connectivity=8)
    stats = stats[1:]
    h = stats[:, cv2.CC_STAT_HEIGHT].astype(np.float64)
    w = stats[:, cv2.CC_STAT_WIDTH].astype(np.float64)
    fill = stats[:, cv2.CC_STAT_AREA] / np.maximum(w * h, 1.0)
    keep = (h >= 3) & (w >= 2) & (w <= 4 * h) & (h <= 6 * w) & (fill >= 0.1) & (fill <= 0.9) & (h <= 200)
    return np.asarray(stats[keep])


def line_bands(stats: np.ndarray, rows: int, min_height: float) -> list[int]:
    """Heights of the text-line bands: runs of rows covered by many components' boxes (a row profile).

    A row is "on" when more boxes cover it than a fifth of the busiest rows' count; runs shorter than
    ``min_height`` are dropped (bits of grain between the lines).
    """
    profile = np.zeros(rows + 1, np.int64)
    tops = stats[:, cv2.CC_STAT_TOP]
    np.add.at(profile, tops, 1)
    np.add.at(profile, np.minimum(tops + stats[:, cv2.CC_STAT_HEIGHT], rows), -1)
    profile = np.cumsum(profile)[:rows]
    if not np.any(profile > 0):
        return []
    threshold = 0.2 * float(np.percentile(profile[profile > 0], 90))
    on = np.concatenate([[0], (profile > threshold).astype(np.int8), [0]])
    edges = np.diff(on)
    starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
    return [int(e - s) for s, e in zip(starts, ends, strict=True) if e - s >= min_height]


def estimate_text_height(grey: np.ndarray) -> HeightEstimate:
    """The letter height of an 8-bit grey image, with whether it can be trusted (see the module notes).

    Measured on a half-size copy when the image is large (a full A4 page at 300 dpi): four times faster
    and exact to a pixel at the sizes that matter (the upscale step acts below 20 px).
    """
    scale = 0.5 if min(grey.shape[:2]) > 1500 else 1.0
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else grey
    raw = letter_components(small)
    # The median filter removes grain but also the 1-px strokes of a clean small type: use it where
    # there is grain to remove.
    grainy = noise_level(small) > GRAIN_SIGMA
    clean = letter_components(small, median=True) if grainy else raw
    if len(raw) < 3 or len(clean) < 3:
        return HeightEstimate(0.0, 0.0, 0.0, min(len(raw), len(clean)), False, "too few letter-shaped components")
    h_raw = float(np.median(raw[:, cv2.CC_STAT_HEIGHT])) / scale
    h_clean = float(np.median(clean[:, cv2.CC_STAT_HEIGHT])) / scale
    # Bands are measured in vertical strips about 20 letters wide, so a skewed page (deskew comes later)
    # does not smear its lines into one tall band: at 2° a line drifts 7 % of the strip's width.
    strip = max(8.0, 20.0 * h_clean * scale)
    centres = clean[:, cv2.CC_STAT_LEFT] + clean[:, cv2.CC_STAT_WIDTH] / 2
    bands: list[int] = []
    for x0 in np.arange(0.0, small.shape[1], strip):
        inside = clean[(centres >= x0) & (centres < x0 + strip)]
        bands += line_bands(inside, small.shape[0], 0.5 * h_clean * scale)
    band = float(np.median(bands)) / scale if bands else 0.0
    n = len(clean)
    if abs(h_raw - h_clean) > HEIGHT_AGREEMENT * max(h_raw, h_clean):
        reason = "raw and median-filtered heights disagree (grain or broken letters)"
    elif not bands or not (BAND_RATIO[0] <= band / h_clean <= BAND_RATIO[1]):
        reason = "text lines are not letter-high (grain or no line structure)"
    else:
        return HeightEstimate(h_clean, h_clean, band, n, True, "agree")
    return HeightEstimate(h_raw, h_clean, band, n, False, reason)


def pixel_cap_factor(width: int, height: int, factor: float, max_pixels: int = MAX_PIXELS) -> float:
    """``factor`` lowered so the scaled image has at most ``max_pixels`` (never below 1 by this cap)."""
    limit = math.sqrt(max_pixels / max(1, width * height))
    return max(min(factor, limit), min(1.0, factor))


def fit_pixels(image: np.ndarray, max_pixels: int = MAX_PIXELS) -> tuple[np.ndarray, float]:
    """Shrink ``image`` (area interpolation) if it has more than ``max_pixels``; returns it and the factor."""
    h, w = image.shape[:2]
    if h * w <= max_pixels:
        return image, 1.0
    factor = math.sqrt(max_pixels / (h * w))
    size = (max(1, math.floor(w * factor)), max(1, math.floor(h * factor)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA), factor


def skew_agrees(angles: tuple[float, float], tolerance: float = 0.3) -> bool:
    """Whether the skew found on two halves of a page agree within ``tolerance`` degrees."""
    return abs(angles[0] - angles[1]) <= tolerance


def light_strips(grey: np.ndarray, box: tuple[int, int, int, int]) -> list[str]:
    """The sides whose strip outside ``box`` is mostly paper, not scanner border: a crop must keep them.

    A scanner or microfilm border is dark through and through, so the median grey of the strip cut away
    is below the page's Otsu threshold; a strip of text on paper has the paper's median. The median is
    what grain cannot move (unlike counts of dark pixels or components).
    """
    threshold, _ = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    x, y, w, h = box
    strips = {
        "left": grey[:, :x],
        "right": grey[:, x + w :],
        "top": grey[:y, :],
        "bottom": grey[y + h :, :],
    }
    return [side for side, strip in strips.items() if strip.size and float(np.median(strip)) >= threshold]


def is_single_line(grey: np.ndarray) -> bool:
    """Whether an image is one text line (a line crop, like the Komi set's), to be read with ``--psm 7``.

    One band in the row profile of the letter-shaped components, and the image no taller than 3.5 bands:
    a page has many bands, a word or a line with a margin has one.
    """
    h = grey.shape[0]
    if h > 400 or h < 8:  # a line image at 300-400 dpi is well under 400 px high
        return False
    stats = letter_components(grey)
    if len(stats) < 2:
        return False
    median = float(np.median(stats[:, cv2.CC_STAT_HEIGHT]))
    bands = line_bands(stats, h, 0.5 * median)
    return len(bands) == 1 and h <= 3.5 * bands[0]
