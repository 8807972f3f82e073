"""Reading scans: PNG, TIFF (multi-page), JPEG and PDF, with a clear error for every bad file.

Images are decoded with Pillow; PDF pages are rasterised at 300 dpi with pypdfium2 (PDFium, the renderer
of Chromium). Every failure is a :class:`~workbench.errors.ScanError` that names the file and says what to
do, so one bad scan never stops the rest of the archive.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, UnidentifiedImageError

from workbench.errors import ScanError

#: Largest image we decode, in pixels. An A3 page at 600 dpi is ~70 Mpx; anything far above is a
#: decompression bomb or a mistake, and decoding it could exhaust memory.
MAX_PIXELS = 150_000_000
PDF_DPI = 300
#: Smallest width and height we accept, in pixels: preprocessing shrinks a page 4× to estimate its
#: background, and a 1×1 or 2000×2 "scan" is a mistake (a thumbnail, a broken export), not a page.
MIN_SIDE = 4


def _size_check(path: Path, frame: int | None, width: int, height: int, unit: str = "pixels") -> None:
    if width < MIN_SIDE or height < MIN_SIDE:
        which = f" page {frame + 1}" if frame is not None else ""
        raise ScanError(
            f"{path}:{which} is {width}×{height} {unit}, too small to be a scanned page "
            f"(at least {MIN_SIDE}×{MIN_SIDE} pixels).",
            path=path,
            hint="Scan or export the page again at 300 dpi.",
        )


def _bomb_error(path: Path, pixels: int | None = None) -> ScanError:
    size = f" ({pixels / 1e6:.0f} megapixels)" if pixels else ""
    return ScanError(
        f"{path}: image is far too large{size}; the limit is {MAX_PIXELS / 1e6:.0f} megapixels.",
        path=path,
        hint="Downscale it to 300-400 dpi (e.g. `convert IN -resample 300 OUT`) and put that in scans/.",
    )


def _check_file(path: Path) -> None:
    try:
        size = path.stat().st_size
    except FileNotFoundError as e:
        raise ScanError(f"{path}: scan file is missing.", path=path, hint="Restore it or remove the page.") from e
    if size == 0:
        raise ScanError(
            f"{path}: scan file is empty (0 bytes).", path=path, hint="Copy the scan again from its source."
        )


def frame_count(path: Path) -> int:
    """Number of pages in a scan file (1 for single-image formats)."""
    _check_file(path)
    if path.suffix.lower() == ".pdf":
        return len(_open_pdf(path))
    with _open_image(path) as im:
        return int(getattr(im, "n_frames", 1))


def _open_pdf(path: Path) -> Any:  # a pypdfium2.PdfDocument (the library has no type information)
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as e:
        raise ScanError(
            f"{path}: not a readable PDF ({e}).", path=path, hint="Re-export it or rasterise it to PNG/TIFF."
        ) from e


def _open_image(path: Path) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; we refuse both.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            old = Image.MAX_IMAGE_PIXELS
            Image.MAX_IMAGE_PIXELS = MAX_PIXELS
            try:
                im = Image.open(path)
            finally:
                Image.MAX_IMAGE_PIXELS = old
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise _bomb_error(path) from e
    except UnidentifiedImageError as e:
        raise ScanError(
            f"{path}: not an image Pillow can read (is it really {path.suffix.lstrip('.').upper()}?).",
            path=path,
            hint="Convert it to PNG or TIFF.",
        ) from e
    except OSError as e:
        raise ScanError(f"{path}: cannot open ({e}).", path=path, hint="Copy the scan again.") from e
    w, h = im.size
    if w * h > MAX_PIXELS:
        im.close()
        raise _bomb_error(path, w * h)
    return im


def load_image(path: Path, frame: int | None = None) -> Image.Image:
    """Decode one page of a scan as a Pillow image in mode ``L`` (grey) or ``RGB``.

    ``frame`` is the 0-based page of a multi-page TIFF or PDF.
    """
    _check_file(path)
    if path.suffix.lower() == ".pdf":
        return _load_pdf_page(path, frame or 0)
    im = _open_image(path)
    try:
        if frame:
            try:
                im.seek(frame)
            except EOFError as e:
                raise ScanError(f"{path}: has no page {frame + 1}.", path=path) from e
        try:
            im.load()
        except (OSError, SyntaxError, ValueError) as e:
            # Pillow raises OSError("image file is truncated") and friends for damaged data.
            raise ScanError(
                f"{path}: image data is corrupt or truncated ({e}).", path=path, hint="Copy the scan again."
            ) from e
        _size_check(path, frame, *im.size)
        if im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in im.info:
            return _flatten_alpha(im)
        if im.mode in ("L", "RGB"):
            return im.copy()
        if im.mode in ("1", "I;16", "I;16B", "I", "F"):
            return _to_grey(im)
        return im.convert("RGB")
    finally:
        im.close()


def _flatten_alpha(im: Image.Image) -> Image.Image:
    """Put a transparent image on white paper: transparent pixels are usually black underneath (0, 0, 0, 0),
    so dropping the alpha channel would turn the page black and its black text invisible."""
    rgba = im.convert("RGBA")
    paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    paper.alpha_composite(rgba)
    grey = im.mode in ("LA", "La") or (im.mode in ("L", "P") and _palette_is_grey(im))
    return paper.convert("L" if grey else "RGB")


def _palette_is_grey(im: Image.Image) -> bool:
    if im.mode == "L":
        return True
    palette = im.getpalette() or []
    return all(palette[i] == palette[i + 1] == palette[i + 2] for i in range(0, len(palette) - 2, 3))


def _to_grey(im: Image.Image) -> Image.Image:
    if im.mode == "1":
        return im.convert("L")
    arr = np.asarray(im, dtype=np.float64)
    lo, hi = float(arr.min()), float(arr.max())
    scaled = (arr - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(arr)
    return Image.fromarray(scaled.astype(np.uint8), mode="L")


def _load_pdf_page(path: Path, frame: int) -> Image.Image:
    pdf = _open_pdf(path)
    try:
        if frame >= len(pdf):
            raise ScanError(f"{path}: has no page {frame + 1}.", path=path)
        page = pdf[frame]
        w_pt, h_pt = page.get_size()
        scale = PDF_DPI / 72
        _size_check(
            path, frame, int(w_pt * scale), int(h_pt * scale), f"pixels at {PDF_DPI} dpi ({w_pt:g}×{h_pt:g} pt)"
        )
        pixels = int(w_pt * scale) * int(h_pt * scale)
        if pixels > MAX_PIXELS:
            raise _bomb_error(path, pixels)
        image: Image.Image = page.render(scale=scale, grayscale=False).to_pil().convert("RGB")
        return image
    finally:
        pdf.close()


def load_grey(path: Path, frame: int | None = None) -> np.ndarray:
    """Decode one page as an 8-bit greyscale numpy array (what preprocessing starts from)."""
    im = load_image(path, frame)
    if im.mode != "L":
        im = im.convert("L")
    return np.asarray(im, dtype=np.uint8)
