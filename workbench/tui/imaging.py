"""Page images for the TUI: decoded and downscaled once, then cut into views, line strips and outlines.

Textual-free (pure Pillow), so it can be tested and benchmarked alone. Rendering a view never touches the
full-resolution scan except to crop a line: the page pane works from a copy downscaled once on load
(PERFORMANCE_NOTES: textual-image's half-cell renderer resizes whatever it is given at every render, so it is
always given an image already at the pane's pixel size).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageOps

from workbench.errors import ScanError, WorkbenchError

#: Longest side of the cached copy the page pane is drawn from. 1600 px keeps a full-screen Sixel view sharp
#: and makes a crop+resize cost a few milliseconds.
WORKING_SIZE = 1600
BACKGROUND = (96, 96, 96)
LINE_COLOUR = (40, 110, 255)
WORD_COLOUR = (230, 30, 30)

Box = tuple[int, int, int, int]  # x, y, width, height in original-scan pixels


@dataclass(frozen=True)
class ViewState:
    """What part of the page the pane shows: zoom 1 fits the page; centre in original-scan pixels."""

    zoom: float = 1.0
    cx: float | None = None
    cy: float | None = None


class PageImage:
    """One page's pixels: the original (for line strips) and a downscaled working copy (for the page view)."""

    def __init__(self, original: Image.Image, preprocessed: Image.Image | None = None) -> None:
        self.original = original.convert("L") if original.mode not in ("L", "RGB") else original
        self.width, self.height = self.original.size
        self._working = self._downscale(self.original)
        self._pre_original = preprocessed
        self._pre_working = self._downscale(preprocessed) if preprocessed is not None else None
        self._cache: OrderedDict[tuple[object, ...], tuple[Image.Image, tuple[float, float, float]]] = OrderedDict()
        #: (left, top, scale) of the last view: maps a click on the pane back to scan pixels.
        self.last_view: tuple[float, float, float] = (0.0, 0.0, 1.0)

    @staticmethod
    def _downscale(im: Image.Image) -> Image.Image:
        im = im.convert("RGB")
        scale = WORKING_SIZE / max(im.size)
        if scale < 1:
            im = im.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))), Image.Resampling.BOX)
        return im

    def to_scan(self, px: float, py: float) -> tuple[float, float]:
        """A pixel of the last view back in scan pixels."""
        left, top, scale = self.last_view
        return left + px / scale, top + py / scale

    @property
    def has_preprocessed(self) -> bool:
        """Whether a preprocessed rendering was supplied."""
        return self._pre_working is not None

    def set_preprocessed(self, image: Image.Image) -> None:
        """Attach the preprocessed rendering (same size as the original, as OCR saw it)."""
        self._pre_original = image
        self._pre_working = self._downscale(image)
        self._cache.clear()

    def _source(self, preprocessed: bool) -> tuple[Image.Image, Image.Image]:
        if preprocessed and self._pre_working is not None and self._pre_original is not None:
            return self._pre_original, self._pre_working
        return self.original, self._working

    def view(
        self,
        pixel_size: tuple[int, int],
        state: ViewState,
        *,
        line_box: Box | None = None,
        word_box: Box | None = None,
        preprocessed: bool = False,
    ) -> Image.Image:
        """The page as seen in a pane of ``pixel_size`` pixels, with the line and word boxes outlined."""
        key = (pixel_size, state, line_box, word_box, preprocessed)
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            self.last_view = hit[1]
            return hit[0]
        pw, ph = max(1, pixel_size[0]), max(1, pixel_size[1])
        _, working = self._source(preprocessed)
        fit = min(pw / self.width, ph / self.height)
        scale = fit * max(state.zoom, 0.1)  # output pixels per original pixel
        vw, vh = pw / scale, ph / scale  # the view's size in original pixels
        cx = state.cx if state.cx is not None else self.width / 2
        cy = state.cy if state.cy is not None else self.height / 2
        # Keep the view on the page where the page is larger than the view; centre it otherwise.
        cx = min(max(cx, vw / 2), self.width - vw / 2) if vw < self.width else self.width / 2
        cy = min(max(cy, vh / 2), self.height - vh / 2) if vh < self.height else self.height / 2
        left, top = cx - vw / 2, cy - vh / 2
        k = working.width / self.width  # working pixels per original pixel
        crop = working.crop((round(left * k), round(top * k), round((left + vw) * k), round((top + vh) * k)))
        out = crop.resize((pw, ph), Image.Resampling.BILINEAR if scale * 1 / k > 1 else Image.Resampling.BOX)
        # Pixels outside the page (crop beyond the edge) come out black; paint them as background.
        draw = ImageDraw.Draw(out)
        for x0, y0, x1, y1 in _outside(left, top, vw, vh, self.width, self.height, scale):
            draw.rectangle((x0, y0, x1, y1), fill=BACKGROUND)
        for box, colour in ((line_box, LINE_COLOUR), (word_box, WORD_COLOUR)):
            if box is None:
                continue
            x, y, w, h = box
            x0, y0 = (x - left) * scale, (y - top) * scale
            x1, y1 = (x + max(0, w) - left) * scale, (y + max(0, h) - top) * scale
            # At least 2 px bigger than the box so the outline never covers the letters.
            draw.rectangle((x0 - 2, y0 - 2, x1 + 1, y1 + 1), outline=colour, width=1)
        self.last_view = (left, top, scale)
        self._cache[key] = (out, self.last_view)
        if len(self._cache) > 16:
            self._cache.popitem(last=False)
        return out

    def strip(
        self,
        pixel_size: tuple[int, int],
        line_box: Box,
        *,
        word_box: Box | None = None,
        zoom: float = 1.0,
        text_height: int | None = None,
        letter_pixels: float | None = None,
        preprocessed: bool = False,
        alone: bool = False,
        binarise: bool = False,
    ) -> Image.Image:
        """The line's image cut from the full-resolution scan, filling ``pixel_size`` in height.

        The line is scaled so its words (``text_height``, the median word height) are ``letter_pixels`` tall
        (default: most of the strip's height) times ``zoom``; when it is then wider than the strip, a window
        centred on the word under the cursor is shown, so moving through the line moves the window.
        For half-blocks, where every pixel is half a character cell, ``alone`` blanks what lies above and
        below the line's box (the neighbouring lines' descenders and capitals) and ``binarise`` makes every
        pixel ink or paper, so the few pixels there are all go to the letters' shapes.
        """
        pw, ph = max(1, pixel_size[0]), max(1, pixel_size[1])
        original, _ = self._source(preprocessed)
        x, y, w, h = line_box
        pad = max(2, h // 6)
        x0, y0 = max(0, x - pad), max(0, y - pad)
        x1, y1 = min(self.width, x + w + pad), min(self.height, y + h + pad)
        if x1 <= x0 or y1 <= y0:
            return Image.new("RGB", (pw, ph), BACKGROUND)
        # Scale so the words (not the padded line box, which often takes in parts of the neighbouring
        # lines) fill most of the strip's height: that is what keeps letters legible in half-blocks.
        ref_h = text_height or h
        # Half-blocks give one pixel per column: letters ~10 px tall (about 6 wide) are the smallest that
        # read, and larger ones leave too few letters in the strip. Real pixels: fill the strip.
        target = letter_pixels if letter_pixels else ph * 0.8
        scale = min(target, ph * 0.9) / max(1, ref_h) * max(zoom, 0.2)
        scaled_w = (x1 - x0) * scale
        if scaled_w <= pw:
            left = x0 - (pw / scale - (x1 - x0)) / 2
        else:
            centre = (word_box[0] + word_box[2] / 2) if word_box else x0
            left = min(max(centre - pw / scale / 2, x0), x1 - pw / scale)
        mid = y + h / 2
        top = mid - ph / scale / 2
        region = original.crop((round(left), round(top), round(left + pw / scale), round(top + ph / scale)))
        if alone:
            region = region.convert("L")
            paper = Image.new("L", region.size, 255)
            paper.paste(region.crop((0, round(y0 - top), region.width, round(y1 - top))), (0, round(y0 - top)))
            region = paper
        out = ImageOps.autocontrast(region.convert("L").resize((pw, ph), Image.Resampling.LANCZOS), cutoff=1)
        if binarise:
            threshold = _otsu(out)
            out = out.point([255 if v > threshold else 0 for v in range(256)])
        out = out.convert("RGB")
        if word_box is not None:
            # Underline the word rather than box it: at half-block resolution a box covers the letters.
            draw = ImageDraw.Draw(out)
            wx, wy, ww, wh = word_box
            y_line = min(ph - 1, round((wy + wh - top) * scale) + 1)
            draw.line(((wx - left) * scale, y_line, (wx + ww - left) * scale, y_line), fill=WORD_COLOUR, width=1)
        return out


def _otsu(image: Image.Image) -> int:
    """Otsu's threshold of a greyscale image: the grey level that best splits ink from paper."""
    hist = image.histogram()[:256]
    total = sum(hist) or 1
    sum_all = sum(i * h for i, h in enumerate(hist))
    best, best_t, w0, sum0 = -1.0, 127, 0, 0.0
    for t, h in enumerate(hist):
        w0 += h
        if w0 == 0 or w0 == total:
            continue
        sum0 += t * h
        m0, m1 = sum0 / w0, (sum_all - sum0) / (total - w0)
        between = w0 * (total - w0) * (m0 - m1) ** 2
        if between > best:
            best, best_t = between, t
    return best_t


def _outside(
    left: float, top: float, vw: float, vh: float, width: int, height: int, scale: float
) -> list[tuple[float, float, float, float]]:
    """Rectangles (output pixels) of the view that lie outside the page.

    A view that fits the page exactly can still start a rounding error before it (``top = -1e-13``); such
    slivers are no rectangle at all (Pillow refuses a rectangle whose corners are inverted), so only
    strips at least one output pixel wide are returned.
    """
    pw, ph = vw * scale, vh * scale
    rects = [
        (0.0, 0.0, -left * scale - 1, ph),
        (0.0, 0.0, pw, -top * scale - 1),
        ((width - left) * scale, 0.0, pw, ph),
        (0.0, (height - top) * scale, pw, ph),
    ]
    return [(x0, y0, x1, y1) for x0, y0, x1, y1 in rects if x1 >= x0 and y1 >= y0 and x1 - x0 + 1 >= 1]


def load_page_image(path: Path | None, frame: int | None) -> PageImage:
    """Decode a page's scan for display; raises :class:`ScanError` saying why there is no image."""
    from workbench.scans import load_image

    if path is None:
        raise ScanError("This page has no scan (text only).", hint="The text is still editable.")
    try:
        return PageImage(load_image(path, frame))
    except WorkbenchError:
        raise
    except Exception as e:  # a decoder fault in Pillow we did not foresee: still only this page's image
        raise ScanError(f"{path}: cannot display ({e}).", path=path) from e


def load_preprocessed(path: Path, frame: int | None) -> Image.Image:
    """The page as OCR sees it after preprocessing, mapped back onto the original's geometry.

    Preprocessing crops, deskews and rescales; warping its output back with its ``to_original`` matrix keeps
    the layout's boxes (original-scan pixels) on the right letters in both views.
    """
    import cv2

    from workbench.ocr.preprocess import preprocess
    from workbench.scans import load_grey

    grey = load_grey(path, frame)
    result = preprocess(grey)
    h, w = grey.shape[:2]
    warped = cv2.warpAffine(result.image, result.to_original[:2], (w, h), flags=cv2.INTER_AREA, borderValue=(255,))
    return Image.fromarray(warped)
