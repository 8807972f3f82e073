"""The preprocessing pipeline as data: step names, the default steps, and parsing ``--steps``.

Kept apart from :mod:`workbench.ocr.preprocess` so that code which only needs the settings (the batch
runner's cache check) does not import OpenCV.
"""

from __future__ import annotations

from typing import Any

from workbench.errors import UsageError

#: Steps in the order they run, with the parameters the measurements chose (see ``BENCHMARKS.md``).
DEFAULT_STEPS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("grayscale", {}),
    ("crop_border", {"dark_fraction": 0.6}),
    ("upscale", {"min_text_height": 20.0, "max_factor": 3.0}),
    ("deskew", {"max_angle": 5.0, "min_angle": 0.2}),
    ("flatten", {"kernel": 41}),
    ("denoise", {"method": "median", "strength": 3}),
    # No binarisation of our own: on the sample pages Sauvola (k 0.05-0.2) lost faint typewriter strokes
    # (CER 9-35 %) and Otsu after flattening gave 4.2 %, while Tesseract's own thresholding of the
    # flattened, denoised grey page gave 2.4 % (bench/bench_ocr_cer.py, BENCHMARKS.md). Binarisation and
    # despeckling stay available as steps (`--steps`) for scans where they do help.
)

STEP_NAMES = ("grayscale", "crop_border", "upscale", "deskew", "flatten", "denoise", "binarize", "despeckle")


def parse_steps(spec: str) -> list[tuple[str, dict[str, Any]]]:
    """Parse a command-line pipeline: ``"grayscale,deskew:max_angle=3,binarize:method=otsu"``.

    ``default`` stands for :data:`DEFAULT_STEPS`; ``none`` for no preprocessing at all.
    """
    spec = spec.strip()
    if spec in ("", "default"):
        return [(n, dict(p)) for n, p in DEFAULT_STEPS]
    if spec == "none":
        return []
    steps: list[tuple[str, dict[str, Any]]] = []
    for part in spec.split(","):
        name, _, params = part.strip().partition(":")
        if name not in STEP_NAMES:
            raise UsageError(f"Unknown preprocessing step {name!r}.", hint=f"Steps: {', '.join(STEP_NAMES)}.")
        # Parameters not given keep the default pipeline's values, so the record shows every one.
        values: dict[str, Any] = dict(dict(DEFAULT_STEPS).get(name, {}))
        for item in filter(None, params.split(";")):
            key, sep, raw = item.partition("=")
            if not sep:
                raise UsageError(f"Step parameter {item!r} needs KEY=VALUE.")
            values[key.strip()] = _parse_value(raw.strip())
        steps.append((name, values))
    return steps


def _parse_value(raw: str) -> Any:
    for cast in (int, float):
        try:
            return cast(raw)
        except ValueError:
            pass
    return raw
