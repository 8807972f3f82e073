"""A degraded-page suite for the OCR benchmark: typed pages damaged with augraphy at several strengths.

The texts are NOT the sample archive's: Russian lines are drawn from the Russian frequency list of
``wordfreq`` (a Zipf sample of its 30,000 commonest words, with sentence punctuation), Azerbaijani lines
from the word list inside Tesseract's ``aze`` model converted to 1939 Cyrillic (``workbench.ocr.azeri``),
the list the Azerbaijani dictionary is built from. The pages are typed with the sample renderer's
typewriter (``tools/render_samples.py``: FreeMono, pica pitch, uneven strikes) on half an A4 page at
300 dpi (20 lines), then damaged:

Russian (``rus``), three strengths each, with augraphy (https://github.com/sparkfish/augraphy) where it
has the effect and OpenCV where the effect is a plain resample or blur:
  bleed (augraphy InkBleed), fade (ink contrast lowered, then augraphy LowInkRandomLines), grain (augraphy
  SubtleNoise), jpeg (augraphy Jpeg), shadow (augraphy ShadowCast), fold (augraphy Folding), lowres
  (an area downsample: the scan is kept at 150, 100 or 75 dpi), blur (Gaussian, σ 1.5 to 3.5 px)
Azerbaijani (``aze_cyrl``), two strengths each:
  typed (augraphy SubtleNoise and Jpeg on a clean strike), carbon (augraphy InkBleed and a blur on a
  greyed strike), microfilm (film blur and low resolution, then heavy grain: the issue's failing case),
  worn (augraphy Letterpress and LowInkRandomLines)

Each (kind, strength) has a development page and a held-out page, with different texts and seeds. Pages are
written once into the cache folder (``--suite-dir``) with their ground truth and reused by later runs.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np

REPO = Path(__file__).resolve().parent.parent

RUS_KINDS = ("bleed", "fade", "grain", "jpeg", "shadow", "fold", "lowres", "blur")
AZE_KINDS = ("typed", "carbon", "microfilm", "worn")
LINES = 20
WIDTH = 58  # characters a line (the renderer's pica line is 62; a little less keeps the right margin)


def _words(lang: str) -> tuple[list[str], list[float]]:
    if lang == "rus":
        import wordfreq

        words = [w for w in wordfreq.top_n_list("ru", 30000) if w.isalpha()]
        return words, [1.0 / (rank + 10) for rank in range(len(words))]
    sys.path.insert(0, str(REPO))
    from workbench.dictionary import sources
    from workbench.ocr.azeri import latin_to_cyrillic

    latin = [w for w in sources.tesseract_wordlist("aze") if w.isalpha() and 2 <= len(w) <= 12]
    # Turkish-style casing: İ → i, I → ı (str.lower() would give i + a combining dot).
    words = sorted({latin_to_cyrillic(w.replace("İ", "i").replace("I", "ı").lower(), "1939") for w in latin})
    return words, [1.0] * len(words)


def text_lines(lang: str, seed: int) -> list[str]:
    """``LINES`` lines of running text (capitalised sentences, commas, full stops) wrapped at ``WIDTH``."""
    words, weights = _words(lang)
    rng = random.Random(seed)
    lines: list[str] = []
    line: list[str] = []
    start = True
    while len(lines) < LINES:
        w = rng.choices(words, weights)[0]
        if start:
            w = w[:1].upper() + w[1:]
            start = False
        r = rng.random()
        if r < 0.08:
            w += "."
            start = True
        elif r < 0.15:
            w += ","
        if line and len(" ".join([*line, w])) > WIDTH:
            lines.append(" ".join(line))
            line = []
        line.append(w)
    return lines


def _typed(lines: list[str], seed: int, font: str = "freemono") -> np.ndarray:
    """The ink of the typed lines on white paper, half an A4 page (8-bit grey, 0 = ink), in ``font`` (a key of
    the renderer's ``FONTS``)."""
    sys.path.insert(0, str(REPO / "tools"))
    import render_samples as rs

    rng = np.random.RandomState(seed)
    ink = rs.Typewriter(font).type_page([rs.Line(text=t) for t in lines], rng)
    h = rs.TOP + LINES * rs.LINE_PITCH + 120
    ink = ink[:h]
    paper = 232.0 + 4.0 * cv2.GaussianBlur(rng.uniform(-1, 1, ink.shape).astype(np.float32), (0, 0), 3)
    img = paper - np.clip(ink, 0, 1) * (paper - 40.0)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def _aug(augmentation: Any, image: np.ndarray) -> np.ndarray:
    out = augmentation(image)
    out = np.asarray(out)
    if out.ndim == 3:
        out = cv2.cvtColor(out, cv2.COLOR_BGR2GRAY)
    return out.astype(np.uint8)


def damage(image: np.ndarray, kind: str, level: int, seed: int) -> np.ndarray:
    """``image`` damaged by ``kind`` at strength ``level`` (1, 2, 3)."""
    import augraphy as A

    random.seed(seed)
    np.random.seed(seed)
    s = level
    if kind == "bleed":
        return _aug(
            A.InkBleed(
                intensity_range=(0.3 * s, 0.3 * s + 0.1),
                kernel_size=(3 + 2 * s, 3 + 2 * s),
                severity=(0.2 * s, 0.2 * s + 0.1),
            ),
            image,
        )
    if kind == "fade":
        f = (0.55, 0.35, 0.22)[s - 1]
        faded = (255 - (255 - image.astype(np.float32)) * f).astype(np.uint8)
        return _aug(A.LowInkRandomLines(count_range=(10 * s, 15 * s), use_consistent_lines=False), faded)
    if kind == "grain":
        return _aug(A.SubtleNoise(subtle_range=(15, 30, 45)[s - 1]), image)
    if kind == "jpeg":
        q = (30, 15, 8)[s - 1]
        return _aug(A.Jpeg(quality_range=(q, q)), image)
    if kind == "shadow":
        o = (0.4, 0.6, 0.8)[s - 1]
        return _aug(A.ShadowCast(shadow_opacity_range=(o, o), shadow_blur_kernel_range=(31, 61)), image)
    if kind == "fold":
        return _aug(
            A.Folding(
                fold_count=2 * s,
                fold_noise=0.01,
                gradient_width=(0.1, 0.2),
                gradient_height=(0.01 * s, 0.02 * s),
                backdrop_color=(255, 255, 255),
            ),
            image,
        )
    if kind == "lowres":
        f = (0.5, 1 / 3, 0.25)[s - 1]
        return cv2.resize(image, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    if kind == "blur":
        return cv2.GaussianBlur(image, (0, 0), (1.5, 2.5, 3.5)[s - 1])
    # Azerbaijani kinds, strengths 1 and 2.
    if kind == "typed":
        out = _aug(A.SubtleNoise(subtle_range=8 * s), image)
        return _aug(A.Jpeg(quality_range=(60 - 20 * s, 60 - 20 * s)), out)
    if kind == "carbon":
        grey = (255 - (255 - image.astype(np.float32)) * (0.7 - 0.15 * s)).astype(np.uint8)
        bled = _aug(A.InkBleed(intensity_range=(0.5, 0.7), kernel_size=(5, 5), severity=(0.3 * s, 0.3 * s + 0.1)), grey)
        return cv2.GaussianBlur(bled, (0, 0), 0.8 + 0.6 * s)
    if kind == "microfilm":
        blurred = cv2.GaussianBlur(image, (0, 0), 1.2)
        small = cv2.resize(blurred, None, fx=0.45, fy=0.45, interpolation=cv2.INTER_AREA)
        film = cv2.resize(small, (image.shape[1], image.shape[0]), interpolation=cv2.INTER_CUBIC).astype(np.float32)
        grain = np.random.default_rng(seed).normal(0.0, (18.0, 30.0)[s - 1], image.shape)
        return np.clip(film + grain, 0, 255).astype(np.uint8)
    if kind == "worn":
        out = _aug(
            A.Letterpress(
                n_samples=(200 * s, 300 * s),
                n_clusters=(300, 500),
                std_range=(1500, 3000),
                value_range=(200, 255),
                value_threshold_range=(128, 128),
                blur=1,
            ),
            image,
        )
        return _aug(A.LowInkRandomLines(count_range=(8 * s, 12 * s), use_consistent_lines=False), out)
    raise ValueError(f"unknown damage kind {kind!r}")


def build(folder: Path, font: str = "freemono", splits: tuple[str, ...] = ("dev", "held")) -> list[dict[str, Any]]:
    """Make (or reuse) the suite in ``folder``; returns its items (image, ground truth, lang, kind, split).

    ``font``: the typeface (the OCR benchmark's suite is FreeMono; the suggestion benchmark types its held-out
    pages in another face, same texts, seeds and damage). ``splits``: which halves to make.
    """
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / "manifest.json"
    if manifest.exists():
        return list(json.loads(manifest.read_text("utf-8")))
    items: list[dict[str, Any]] = []
    plan = [("rus", k, s) for k in RUS_KINDS for s in (1, 2, 3)] + [
        ("aze_cyrl", k, s) for k in AZE_KINDS for s in (1, 2)
    ]
    for n, (lang, kind, level) in enumerate(plan):
        for split in splits:
            seed = 1000 * n + (1 if split == "dev" else 2) + (500_000 if lang != "rus" else 0)
            lines = text_lines("rus" if lang == "rus" else "aze", seed)
            page = damage(_typed(lines, seed, font), kind, level, seed)
            name = f"{lang}-{kind}{level}-{split}"
            cv2.imwrite(str(folder / f"{name}.png"), page)
            gt = "\n".join(lines) + "\n"
            (folder / f"{name}.gt.txt").write_text(gt, "utf-8")
            items.append(
                {
                    "id": name,
                    "image": str(folder / f"{name}.png"),
                    "gt": gt,
                    "lang": lang,
                    "kind": kind,
                    "level": level,
                    "split": split,
                    "font": font,
                }
            )
            print(f"suite: {name}", flush=True)
    manifest.write_text(json.dumps(items, ensure_ascii=False, indent=1), "utf-8")
    return items


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/degraded-suite"))
