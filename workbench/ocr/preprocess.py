"""Preprocessing a scan for OCR with OpenCV: each step a named, parameterised, testable function.

A step takes an 8-bit greyscale image (``numpy.ndarray``, ``uint8``, 0 = ink) and returns the new image;
steps that move pixels (cropping, rotating, scaling) also say how, so :func:`preprocess` can keep the
affine map from the processed image back to the ORIGINAL scan. Word boxes are stored in original-scan
pixels (see ``docs/ARCHITECTURE.md``), so the TUI draws them on the image the user knows.

The default pipeline (:data:`DEFAULT_STEPS`) was chosen by measuring the character error rate on the
sample archive and the real sets (``bench/bench_ocr_cer.py``, figures in ``BENCHMARKS.md``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from workbench.errors import InputError, UsageError
from workbench.ocr import guards
from workbench.ocr.steps import DEFAULT_STEPS, STEP_NAMES, parse_steps  # noqa: F401 - re-exported

Box = tuple[int, int, int, int]  # x, y, width, height
#: Smallest side :func:`preprocess` takes (the background estimate works on a 4× smaller copy).
MIN_SIDE = 4


# -- geometry ------------------------------------------------------------------------------------------


def _translation(dx: float, dy: float) -> np.ndarray:
    return np.array([[1.0, 0.0, dx], [0.0, 1.0, dy], [0.0, 0.0, 1.0]])


def _scaling(s: float) -> np.ndarray:
    return np.array([[s, 0.0, 0.0], [0.0, s, 0.0], [0.0, 0.0, 1.0]])


def map_box(box: Sequence[float], matrix: np.ndarray, width: int, height: int) -> Box:
    """Map ``box`` (x, y, w, h) through the 3×3 ``matrix`` and return the enclosing box, clipped to the image.

    ``width``/``height`` are the target image's size (the original scan's for :attr:`Preprocessed.to_original`).
    """
    x, y, w, h = (float(v) for v in box)
    corners = np.array([[x, y, 1.0], [x + w, y, 1.0], [x, y + h, 1.0], [x + w, y + h, 1.0]]).T
    mapped = matrix @ corners
    x0 = max(0, math.floor(float(mapped[0].min()) + 1e-6))
    y0 = max(0, math.floor(float(mapped[1].min()) + 1e-6))
    x1 = min(width, math.ceil(float(mapped[0].max()) - 1e-6))
    y1 = min(height, math.ceil(float(mapped[1].max()) - 1e-6))
    return (x0, y0, max(0, x1 - x0), max(0, y1 - y0))


# -- steps ---------------------------------------------------------------------------------------------


def grayscale(image: np.ndarray) -> np.ndarray:
    """Return an 8-bit single-channel image (colour scans are converted with the usual luma weights)."""
    if image.ndim == 3:
        code = cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_RGB2GRAY
        image = cv2.cvtColor(image, code)
    if image.dtype != np.uint8:
        image = cv2.normalize(image, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    return image


def flatten_illumination(image: np.ndarray, kernel: int = 41) -> np.ndarray:
    """Divide the image by an estimate of its paper background, so yellowed or shaded parts become white.

    The background is the grey-level closing (ink removed) with a square of ``kernel`` pixels at the
    original resolution, computed on a 4× smaller copy because the large closing is the slow part.
    """
    if kernel < 3:
        return image
    small = cv2.resize(image, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    k = max(3, (kernel // 4) | 1)
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    background = cv2.GaussianBlur(background, (0, 0), k / 2)
    background = cv2.resize(background, (image.shape[1], image.shape[0]), interpolation=cv2.INTER_LINEAR)
    flat = cv2.divide(image, np.maximum(background, 1), scale=255)
    return flat


def denoise(image: np.ndarray, method: str = "median", strength: int = 3) -> np.ndarray:
    """Remove sensor and paper noise: ``median`` (kernel ``strength``), ``gaussian``, or ``nlmeans`` (slow).

    ``strength`` is the kernel size for ``median``/``gaussian`` and the filter strength ``h`` for ``nlmeans``.
    """
    if strength <= 0:
        return image
    if method == "median":
        return cv2.medianBlur(image, strength | 1)
    if method == "gaussian":
        return cv2.GaussianBlur(image, (strength | 1, strength | 1), 0)
    if method == "nlmeans":
        return cv2.fastNlMeansDenoising(image, None, h=float(strength), templateWindowSize=7, searchWindowSize=21)
    raise UsageError(f"Unknown denoise method {method!r}; use median, gaussian or nlmeans.")


def binarize_otsu(image: np.ndarray) -> np.ndarray:
    """Global threshold chosen by Otsu's method; ink 0, paper 255."""
    _, out = cv2.threshold(image, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return out


def binarize_sauvola(image: np.ndarray, window: int = 31, k: float = 0.2, r: float = 128.0) -> np.ndarray:
    """Sauvola's local threshold T = m · (1 + k · (s / r − 1)) over a ``window``-pixel square; ink 0, paper 255.

    Local thresholds keep faint typewriter strokes that a global threshold loses where the ribbon or the
    carbon copy is weak. Means and deviations come from box filters (integral images), so it is linear time.
    """
    window = max(3, window | 1)
    img = image.astype(np.float64)
    mean = cv2.boxFilter(img, cv2.CV_64F, (window, window), borderType=cv2.BORDER_REFLECT)
    sq_mean = cv2.boxFilter(img * img, cv2.CV_64F, (window, window), borderType=cv2.BORDER_REFLECT)
    std = np.sqrt(np.maximum(sq_mean - mean * mean, 0.0))
    threshold = mean * (1.0 + k * (std / r - 1.0))
    return np.where(img > threshold, 255, 0).astype(np.uint8)


def binarize(image: np.ndarray, method: str = "sauvola", window: int = 31, k: float = 0.2) -> np.ndarray:
    """Binarise with ``method`` ``otsu`` or ``sauvola`` (``window`` and ``k`` are Sauvola's)."""
    if method == "otsu":
        return binarize_otsu(image)
    if method == "sauvola":
        return binarize_sauvola(image, window=window, k=k)
    raise UsageError(f"Unknown binarisation method {method!r}; use otsu or sauvola.")


def estimate_skew(image: np.ndarray, max_angle: float = 5.0) -> float:
    """The angle in degrees (OpenCV's sense, counter-clockwise) that makes the text lines horizontal.

    ``rotate(image, estimate_skew(image))`` straightens a page; the search covers ±``max_angle``.

    Projection-profile method: the ink's row histogram is sharpest when the rows follow the text lines.
    Ink pixel coordinates are projected for each candidate angle (coarse 0.5° steps, then 0.05°) instead of
    rotating the image, which keeps it fast on a full page. Returns 0.0 for a blank image.
    """
    grey = grayscale(image)
    scale = min(1.0, 900.0 / max(grey.shape))
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else grey
    ink = binarize_otsu(small) == 0
    ys, xs = np.nonzero(ink)
    if len(xs) < 50:
        return 0.0
    if len(xs) > 80_000:  # a random subset keeps the histogram shape and bounds the time
        idx = np.random.default_rng(0).choice(len(xs), 80_000, replace=False)
        xs, ys = xs[idx], ys[idx]
    xs = xs.astype(np.float64) - small.shape[1] / 2
    ys = ys.astype(np.float64) - small.shape[0] / 2
    n_bins = int(math.hypot(*small.shape)) + 2

    def score(angle: float) -> float:
        t = math.radians(angle)
        # Row of each ink pixel after rotating the image by ``angle`` (OpenCV's sense, y down).
        rows = -xs * math.sin(t) + ys * math.cos(t)
        hist = np.bincount((rows + n_bins / 2).astype(np.int64), minlength=n_bins)
        return float(np.sum(np.diff(hist.astype(np.float64)) ** 2))

    coarse = np.arange(-max_angle, max_angle + 1e-9, 0.5)
    best = max(coarse, key=score)
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, 0.05)
    best = max(fine, key=score)
    return round(float(best), 2)


def rotate(image: np.ndarray, angle: float) -> tuple[np.ndarray, np.ndarray]:
    """Rotate by ``angle`` degrees (OpenCV's sense) on a canvas grown to keep the corners; fill with white.

    Returns the image and the 3×3 matrix from rotated coordinates back to the input's.
    """
    h, w = image.shape[:2]
    forward = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(forward[0, 0]), abs(forward[0, 1])
    new_w, new_h = math.ceil(h * sin + w * cos), math.ceil(h * cos + w * sin)
    forward[0, 2] += new_w / 2 - w / 2
    forward[1, 2] += new_h / 2 - h / 2
    out = cv2.warpAffine(
        image, forward, (new_w, new_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255
    )
    back = np.linalg.inv(np.vstack([forward, [0.0, 0.0, 1.0]]))
    return out, back


def despeckle(image: np.ndarray, max_area: int = 3) -> np.ndarray:
    """Remove isolated ink specks of at most ``max_area`` pixels from a binary image (ink 0).

    Kept small: full stops and the dots of і/ї at 300 dpi are 15–40 pixels and must survive.
    """
    if max_area <= 0:
        return image
    ink = (image == 0).astype(np.uint8)
    _n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    small = np.nonzero(stats[:, cv2.CC_STAT_AREA] <= max_area)[0]
    small = small[small != 0]
    if len(small) == 0:
        return image
    out = image.copy()
    out[np.isin(labels, small)] = 255
    return out


def find_content_box(image: np.ndarray, dark_fraction: float = 0.6, margin: int = 4) -> Box:
    """The box inside the dark scanner borders: edge rows/columns mostly dark are cut, plus ``margin`` px.

    A row (or column) counts as border while more than ``dark_fraction`` of it is dark, scanning inwards
    from each edge; text rows never come close to that.
    """
    h, w = image.shape[:2]
    grey = grayscale(image)
    # Profiles from a quarter-size copy (fast on a full page), scaled back to full-size rows and columns.
    scale = 0.25 if min(h, w) > 1000 else 1.0
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else grey
    dark = binarize_otsu(small) == 0
    rows = np.repeat(dark.mean(axis=1), round(1 / scale))[:h]
    cols = np.repeat(dark.mean(axis=0), round(1 / scale))[:w]

    def inward(profile: np.ndarray) -> int:
        i = 0
        limit = len(profile) // 3  # never cut more than a third from one side
        while i < limit and profile[i] > dark_fraction:
            i += 1
        return i

    top, bottom = inward(rows), inward(rows[::-1])
    left, right = inward(cols), inward(cols[::-1])
    if top == bottom == left == right == 0:
        return (0, 0, w, h)
    x0 = min(w - 1, left + (margin if left else 0))
    y0 = min(h - 1, top + (margin if top else 0))
    x1 = max(x0 + 1, w - right - (margin if right else 0))
    y1 = max(y0 + 1, h - bottom - (margin if bottom else 0))
    return (x0, y0, x1 - x0, y1 - y0)


def crop(image: np.ndarray, box: Box) -> np.ndarray:
    """The part of ``image`` inside ``box`` (x, y, w, h)."""
    x, y, w, h = box
    return image[y : y + h, x : x + w]


def whiten_border(image: np.ndarray, dark_fraction: float = 0.6) -> tuple[np.ndarray, Box]:
    """Crop the dark scanner border (see :func:`find_content_box`); returns the image and the box kept."""
    box = find_content_box(image, dark_fraction=dark_fraction)
    return crop(image, box).copy(), box


def rescale(image: np.ndarray, factor: float) -> np.ndarray:
    """Scale by ``factor`` (cubic up, area down)."""
    if factor == 1.0:
        return image
    interp = cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA
    return cv2.resize(image, None, fx=factor, fy=factor, interpolation=interp)


# -- the pipeline --------------------------------------------------------------------------------------


@dataclass
class Preprocessed:
    """What preprocessing produced: the image for OCR and how to get back to the original scan."""

    image: np.ndarray
    #: The steps that ran, each ``{"step": name, **parameters, **measured}`` (e.g. the skew angle found).
    steps: list[dict[str, Any]]
    #: 3×3 matrix from processed-image pixels to original-scan pixels.
    to_original: np.ndarray
    original_size: tuple[int, int]  # width, height of the scan
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def box_to_original(self, box: Sequence[float]) -> Box:
        """A box in the processed image mapped to the original scan (clipped to it)."""
        return map_box(box, self.to_original, *self.original_size)


def _step_upscale(
    image: np.ndarray, min_text_height: float = 20.0, max_factor: float = 3.0, max_pixels: int = guards.MAX_PIXELS
) -> tuple[np.ndarray, float, dict[str, Any]]:
    """Scale small text up to ``min_text_height``, only when the height estimate is confident (see guards)."""
    estimate = guards.estimate_text_height(image)
    record = estimate.record()
    if not estimate.confident or estimate.height <= 0 or estimate.height >= min_text_height:
        return image, 1.0, record
    wanted = min(max_factor, min_text_height / estimate.height)
    factor = guards.pixel_cap_factor(image.shape[1], image.shape[0], wanted, max_pixels)
    if factor < wanted:
        record["capped"] = f"x{wanted:.2f} would exceed {max_pixels:,} pixels"
    if factor < 1.05:  # not worth a resample
        return image, 1.0, record
    return rescale(image, factor), factor, record


def _checked_skew(image: np.ndarray, max_angle: float, tolerance: float) -> tuple[float, bool, dict[str, Any]]:
    """The skew angle and whether to apply it: the halves of a page must agree (see :mod:`guards`)."""
    angle = estimate_skew(image, max_angle=max_angle)
    h = image.shape[0]
    if h >= 250:
        top, bottom = image[: h // 2], image[h // 2 :]
        halves = (estimate_skew(top, max_angle=max_angle), estimate_skew(bottom, max_angle=max_angle))
        ok = guards.skew_agrees(halves, tolerance)
        return angle, ok, {"halves": list(halves)}
    # Too small to halve (a line or a few): trust no rotation; Tesseract copes with small skews itself.
    return angle, False, {"halves": None}


def preprocess(  # noqa: C901 - each guard (size, height, skew, crop) is one branch of the one pass
    image: np.ndarray, steps: Iterable[tuple[str, Mapping[str, Any]]] | None = None
) -> Preprocessed:
    """Run ``steps`` (default :data:`DEFAULT_STEPS`) on a scan and record what each did.

    Unknown steps or parameters raise :class:`UsageError` naming them.
    """
    start = time.perf_counter()
    chosen = list(DEFAULT_STEPS if steps is None else steps)
    h, w = image.shape[:2]
    if h < MIN_SIDE or w < MIN_SIDE:
        # OpenCV's resize fails with a bare assertion (`!dsize.empty()`) on a 2-pixel side.
        raise InputError(f"The image is {w}×{h} pixels, too small to preprocess (at least {MIN_SIDE}×{MIN_SIDE}).")
    matrix = np.eye(3)
    img = grayscale(image)
    record: list[dict[str, Any]] = []
    for name, params in chosen:
        params = dict(params)
        entry: dict[str, Any] = {"step": name, **params}
        try:
            if name == "grayscale":
                img = grayscale(img)
            elif name == "crop_border":
                box = find_content_box(img, **params)
                light = guards.light_strips(img, box)
                entry["box"] = list(box)
                if not light:
                    img = crop(img, box).copy()
                    matrix = matrix @ _translation(box[0], box[1])
                else:  # a strip to cut is paper, not a scanner border: keep the page whole
                    entry["applied"] = False
                    entry["reason"] = f"the {', '.join(light)} strip is paper, not border"
            elif name == "upscale":
                img, factor, estimate = _step_upscale(img, **params)
                matrix = matrix @ _scaling(1.0 / factor)
                entry["factor"] = round(factor, 4)
                entry.update(estimate)
            elif name == "deskew":
                min_angle = float(params.pop("min_angle", 0.0))
                tolerance = float(params.pop("tolerance", 0.3))
                angle, trusted, evidence = _checked_skew(img, tolerance=tolerance, **params)
                entry["angle"] = angle
                entry.update(evidence)
                if abs(angle) >= min_angle and trusted:
                    img, back = rotate(img, angle)
                    matrix = matrix @ back
                else:
                    entry["rotated"] = False
                    if abs(angle) >= min_angle:
                        entry["reason"] = "skew estimate not confirmed"
            elif name == "flatten":
                img = flatten_illumination(img, **params)
            elif name == "denoise":
                img = denoise(img, **params)
            elif name == "binarize":
                img = binarize(img, **params)
            elif name == "despeckle":
                img = despeckle(img, **params)
            else:
                raise UsageError(f"Unknown preprocessing step {name!r}.", hint=f"Steps: {', '.join(STEP_NAMES)}.")
        except TypeError as e:
            raise UsageError(f"Bad parameters for preprocessing step {name!r}: {e}.") from e
        record.append(entry)
    img, shrink = guards.fit_pixels(img)
    if shrink != 1.0:  # the hard cap on what Tesseract gets, whatever the steps did
        matrix = matrix @ _scaling(1.0 / shrink)
        record.append({"step": "pixel_cap", "factor": round(shrink, 4), "max_pixels": guards.MAX_PIXELS})
    return Preprocessed(
        image=np.ascontiguousarray(img),
        steps=record,
        to_original=matrix,
        original_size=(w, h),
        seconds=time.perf_counter() - start,
    )
