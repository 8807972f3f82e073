"""The small image of each search hit's line, drawn in half-blocks in the hits table, visible rows only.

Every row of the archive search screen shows the hit's own line cut from its scan (``▀`` cells: two pixels
each, the upper one the foreground), or says why there is none: a page without a scan, or a line the OCR
layout has no box for (typed in by hand, say) — never another line's image. Strips are drawn for the rows on
screen only, in a thread worker, and kept; a list of 500 hits costs what its visible rows cost.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from PIL import Image
from rich.color import Color
from rich.style import Style
from rich.text import Text

from workbench.search.model import Hit
from workbench.tui.imaging import Box, PageImage

#: Cells of a row's strip: a word and its neighbours, four rows (eight pixels) high: the least at which
#: typescript letters read in half-blocks (three rows make blobs; the highlighted hit is shown larger too).
STRIP_WIDTH = 40
ROW_HEIGHT = 4
#: What a row shows until its strip is drawn.
PENDING = "…"
NO_BOX = "no line box: this line is not in the page's OCR layout"


def half_blocks(image: Image.Image) -> Text:
    """``image`` as rows of ``▀`` cells, each the colour of two pixels (upper as the text, lower as the ground)."""
    rgb = image.convert("RGB")
    width, height = rgb.size
    data = rgb.tobytes()
    styles: dict[bytes, Style] = {}
    out = Text(no_wrap=True, overflow="crop")
    for y in range(0, height - 1, 2):
        if y:
            out.append("\n")
        for x in range(width):
            top = 3 * (y * width + x)
            bottom = top + 3 * width
            pair = data[top : top + 3] + data[bottom : bottom + 3]
            style = styles.get(pair)
            if style is None:
                style = styles[pair] = Style(color=Color.from_rgb(*pair[:3]), bgcolor=Color.from_rgb(*pair[3:]))
            out.append("▀", style)
    return out


def hit_word_box(hit: Hit) -> Box | None:
    """Where the hit lies in its line's box, estimated from its character offsets (the strip centres it)."""
    if hit.box is None or not hit.text:
        return None
    x, y, w, h = hit.box
    per_char = w / len(hit.text)
    return round(x + hit.start * per_char), y, max(1, round((hit.end - hit.start) * per_char)), h


def strip_text(image: PageImage | str, hit: Hit, width: int = STRIP_WIDTH, height: int = ROW_HEIGHT) -> Text:
    """The cell for ``hit``: its line's strip in half-blocks, or a dim note saying why there is none."""
    if isinstance(image, str):
        return Text(f"no scan: {image}", style="dim italic")
    if hit.box is None:
        return Text(NO_BOX, style="dim italic")
    pil = image.strip((width, height * 2), hit.box, word_box=hit_word_box(hit), alone=True, binarise=True)
    return half_blocks(pil)


class PageImages:
    """The last few pages' scans, shared by the UI thread (which only looks) and the workers (which load)."""

    def __init__(self, image_of: Callable[[str], PageImage | str], keep: int = 8) -> None:
        self.image_of = image_of
        self.keep = keep
        self._images: OrderedDict[str, PageImage | str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, page_id: str) -> PageImage | str | None:
        """The page's scan (or why there is none) if it is loaded; None if not (yet)."""
        with self._lock:
            return self._images.get(page_id)

    def load(self, page_id: str) -> PageImage | str:
        """The page's scan, decoding it first if need be (call from a worker thread)."""
        found = self.get(page_id)
        if found is None:
            found = self.image_of(page_id)  # outside the lock: decoding takes a while
        with self._lock:
            self._images[page_id] = found
            self._images.move_to_end(page_id)
            while len(self._images) > self.keep:
                self._images.popitem(last=False)
        return found


def visible_rows(scroll_y: float, height: int, count: int, row_height: int = ROW_HEIGHT) -> range:
    """The rows of a table (one header line, rows ``row_height`` tall) that ``height`` lines show."""
    first = int(scroll_y) // row_height
    last = (int(scroll_y) + max(0, height - 1) - 1) // row_height  # the header takes the first line
    return range(first, min(count, last + 1))
