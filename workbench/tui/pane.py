"""The page view (the scan with the current line and word outlined) and the line strip, via textual-image.

textual-image picks real pixels (Kitty graphics, Sixel) where the terminal speaks them and we fall back to
coloured half-blocks elsewhere (also when not on a terminal, e.g. under Pilot, so snapshots are stable).
Each widget hands textual-image an image already at the pane's pixel size, cut and scaled from a copy
downscaled once, because textual-image's half-cell renderer resizes what it gets at every render.
"""

from __future__ import annotations

import os
import re
import sys
from typing import ClassVar

from PIL import Image as PILImage
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static
from textual_image import renderable as _renderable
from textual_image import widget as _widget
from textual_image._terminal import get_cell_size

from workbench.tui.imaging import Box, PageImage, ViewState

#: Kitty draws textual-image's pictures through Unicode placeholders, which it has understood since 0.28.
KITTY_PLACEHOLDERS = (0, 28, 0)


def kitty_version(reply: str) -> tuple[int, ...] | None:
    """The version in a terminal's XTVERSION reply (``ESC P >| kitty(0.26.5) ESC \\``), if it is Kitty's."""
    m = re.search(r"kitty\((\d+(?:\.\d+)*)\)", reply)
    return tuple(int(p) for p in m.group(1).split(".")) if m else None


def _terminal_version() -> str:
    """The terminal's XTVERSION reply ("" when it gives none); only before Textual starts reading stdin."""
    from textual_image._terminal import TerminalError, capture_terminal_response

    try:
        with capture_terminal_response("\x1bP>|", "\x1b\\", timeout=0.2) as reply:
            sys.__stdout__.write("\x1b[>0q")  # type: ignore[union-attr]
            sys.__stdout__.flush()  # type: ignore[union-attr]
        return str(reply.sequence)
    except (TerminalError, TimeoutError, OSError):
        return ""


def _choose() -> tuple[type[Widget], tuple[int, int], str]:
    """The image widget class, pixels per cell (w, h), and a name for the status line."""
    forced = os.environ.get("WORKBENCH_IMAGES", "").lower()
    auto = _renderable.Image
    if not forced and auto is _renderable.TGPImage:
        # Debian 12's Kitty (0.26) answers the graphics query but shows the placeholders as boxes of
        # tofu instead of the picture: half-blocks read better there.
        version = kitty_version(_terminal_version())
        if version is not None and version < KITTY_PLACEHOLDERS:
            return _widget.HalfcellImage, (1, 2), f"half-blocks (Kitty {'.'.join(map(str, version))} is before 0.28)"
    if forced == "tgp" or (not forced and auto is _renderable.TGPImage):
        cell = get_cell_size()
        return _widget.TGPImage, (max(1, cell.width), max(1, cell.height)), "kitty"
    if forced == "sixel" or (not forced and auto is _renderable.SixelImage):
        cell = get_cell_size()
        return _widget.SixelImage, (max(1, cell.width), max(1, cell.height)), "sixel"
    return _widget.HalfcellImage, (1, 2), "half-blocks"


IMAGE_WIDGET, CELL_PIXELS, GRAPHICS = _choose()


class _ImageHolder(Container):
    """A container that shows either an image sized to itself or a message saying why there is none."""

    DEFAULT_CSS = """
    _ImageHolder { overflow: hidden hidden; }
    _ImageHolder > .why { color: $text-muted; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", classes="why")
        yield IMAGE_WIDGET()

    def on_mount(self) -> None:
        self.query_one(IMAGE_WIDGET).display = False

    def _pixel_size(self) -> tuple[int, int]:
        w, h = self.content_size
        return max(1, w) * CELL_PIXELS[0], max(1, h) * CELL_PIXELS[1]

    def show_image(self, image: PILImage.Image) -> None:
        """Display ``image`` (already at :meth:`_pixel_size`)."""
        widget = self.query_one(IMAGE_WIDGET)
        widget.styles.width = self.content_size.width
        widget.styles.height = self.content_size.height
        widget.image = image  # type: ignore[attr-defined]  # every textual-image widget class has .image
        widget.display = True
        self.query_one(".why", Static).display = False

    def show_message(self, text: str) -> None:
        """Say why there is no image."""
        self.query_one(IMAGE_WIDGET).display = False
        why = self.query_one(".why", Static)
        why.update(text)
        why.display = True


class PageView(_ImageHolder, can_focus=True):
    """The scan of the page: zoom, pan, original or preprocessed; outlines follow the text cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("plus,equals_sign,=", "zoom(1.25)", "Zoom in"),
        Binding("minus", "zoom(0.8)", "Zoom out"),
        Binding("0", "fit", "Fit page"),
        Binding("left", "pan(-1, 0)", "Pan", show=False),
        Binding("right", "pan(1, 0)", "Pan", show=False),
        Binding("up", "pan(0, -1)", "Pan", show=False),
        Binding("down", "pan(0, 1)", "Pan", show=False),
        Binding("p", "app.toggle_preprocessed", "Original/preprocessed"),
    ]

    zoom: reactive[float] = reactive(1.0)
    preprocessed: reactive[bool] = reactive(False)

    class Clicked(Message):
        """The page was clicked at (x, y) in scan pixels."""

        def __init__(self, x: float, y: float) -> None:
            super().__init__()
            self.x, self.y = x, y

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.page_image: PageImage | None = None
        self.centre: tuple[float, float] | None = None
        self.line_box: Box | None = None
        self.word_box: Box | None = None
        self.follow = True  # pan to the outlined line when zoomed, until the user pans by hand

    def set_page(self, image: PageImage | None, why: str = "") -> None:
        """Show a new page (or say why there is none)."""
        self.page_image = image
        self.centre = None
        self.zoom = 1.0
        if image is None:
            self.show_message(why)
        else:
            self.redraw()

    def set_boxes(self, line_box: Box | None, word_box: Box | None) -> None:
        """Outline the line and word under the text cursor."""
        if (line_box, word_box) == (self.line_box, self.word_box):
            return
        self.line_box, self.word_box = line_box, word_box
        if self.follow and self.zoom > 1 and line_box is not None:
            x, y, w, h = word_box or line_box
            self.centre = (x + w / 2, y + h / 2)
        self.redraw()

    def redraw(self) -> None:
        """Render the current view into the image widget."""
        if self.page_image is None or not self.is_mounted:
            return
        cx, cy = self.centre if self.centre else (None, None)
        image = self.page_image.view(
            self._pixel_size(),
            ViewState(self.zoom, cx, cy),
            line_box=self.line_box,
            word_box=self.word_box,
            preprocessed=self.preprocessed,
        )
        self.show_image(image)

    def on_resize(self) -> None:
        """Redraw for the new size."""
        self.redraw()

    def on_click(self, event: events.Click) -> None:
        """A click on the scan moves the text cursor to the line (and word) there."""
        if self.page_image is None:
            return
        x, y = self.page_image.to_scan((event.x + 0.5) * CELL_PIXELS[0], (event.y + 0.5) * CELL_PIXELS[1])
        self.post_message(self.Clicked(x, y))

    def watch_zoom(self) -> None:
        """Redraw at the new zoom."""
        self.redraw()

    def watch_preprocessed(self) -> None:
        """Redraw from the other rendering."""
        self.redraw()

    def action_zoom(self, factor: float) -> None:
        """Zoom in or out around the outlined word (or the centre)."""
        self.zoom = min(16.0, max(1.0, self.zoom * factor))
        if self.centre is None and (self.word_box or self.line_box):
            x, y, w, h = self.word_box or self.line_box  # type: ignore[misc]
            self.centre = (x + w / 2, y + h / 2)
        self.follow = True

    def action_fit(self) -> None:
        """Show the whole page."""
        self.zoom = 1.0
        self.centre = None
        self.redraw()

    def action_pan(self, dx: int, dy: int) -> None:
        """Move the view by a quarter of its size."""
        if self.page_image is None:
            return
        im = self.page_image
        cx, cy = self.centre or (im.width / 2, im.height / 2)
        step_x = im.width / self.zoom / 4
        step_y = im.height / self.zoom / 4
        self.centre = (min(max(cx + dx * step_x, 0), im.width), min(max(cy + dy * step_y, 0), im.height))
        self.follow = False
        self.redraw()


class LineStrip(_ImageHolder):
    """The current line's image cut from the scan at a size where its letters can be read."""

    zoom: reactive[float] = reactive(1.0)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.page_image: PageImage | None = None
        self.line_box: Box | None = None
        self.word_box: Box | None = None
        self.text_height: int | None = None
        self.preprocessed = False
        self.rows: int | None = None  # set by the user (taller strip = larger letters); None = by terminal size

    def set_page(self, image: PageImage | None, why: str = "") -> None:
        """Use a new page's image."""
        self.page_image = image
        self.line_box = self.word_box = None
        if image is None:
            self.show_message(why)

    def set_boxes(
        self, line_box: Box | None, word_box: Box | None, why: str = "", text_height: int | None = None
    ) -> None:
        """Show the line ``line_box`` with ``word_box`` marked; ``text_height`` is its words' median height."""
        if self.page_image is None:
            return
        if line_box is None:
            self.line_box = self.word_box = None
            self.show_message(why or "No line box for this line (no OCR layout).")
            return
        if (line_box, word_box) == (self.line_box, self.word_box):
            return
        self.line_box, self.word_box, self.text_height = line_box, word_box, text_height
        self.redraw()

    def redraw(self) -> None:
        """Render the strip."""
        if self.page_image is None or self.line_box is None or not self.is_mounted:
            return
        self.show_image(
            self.page_image.strip(
                self._pixel_size(),
                self.line_box,
                word_box=self.word_box,
                zoom=self.zoom,
                text_height=self.text_height,
                preprocessed=self.preprocessed,
                # Half-blocks: the line alone, its letters as tall as the strip, ink or paper.
                alone=CELL_PIXELS == (1, 2),
                binarise=CELL_PIXELS == (1, 2),
            )
        )

    def on_resize(self) -> None:
        """Redraw for the new size."""
        self.redraw()

    def watch_zoom(self) -> None:
        """Redraw at the new zoom."""
        self.redraw()
