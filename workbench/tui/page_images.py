"""Page images: the scan beside the text (decoded in a worker, the next page's prefetched), its outlines
following the cursor, the preprocessed view, zoom, and the system image viewer (F9) where the terminal has no
pixel graphics."""

from __future__ import annotations

from textual import work

from workbench.errors import WorkbenchError
from workbench.tui.base import NARROW_COLUMNS, AppBase
from workbench.tui.imaging import PageImage, load_page_image, load_preprocessed
from workbench.tui.messages import ImageLoaded, ImageViewerStarted, Preprocessed


class ImagesPart(AppBase):
    """The page view and the line strip."""

    def _show_image_for(self, page_id: str) -> None:
        cached = self.page_images.get(page_id)
        if isinstance(cached, PageImage):
            self.page_view.set_page(cached)
            self.strip.set_page(cached)
            self._follow_cursor()
        elif isinstance(cached, str):
            self._no_image(cached)
        else:
            self.page_view.set_page(None, "Loading the scan…")
            self.strip.set_page(None, "")
            self.load_image(page_id)

    def _no_image(self, why: str) -> None:
        note = "" if "still editable" in why else "\n\nThe text is still editable."
        self.page_view.set_page(None, f"No image: {why}{note}")
        self.strip.set_page(None, "No line image (no scan).")

    @work(thread=True, exclusive=True, group="image", exit_on_error=False)
    def load_image(self, page_id: str) -> None:
        """Decode and downscale the page's scan once, then keep it (and prefetch the next page's)."""
        self.post_message(ImageLoaded(page_id, self._image_or_reason(page_id)))
        _, following = self.neighbours(page_id)
        if following and following not in self.page_images:
            self.post_message(ImageLoaded(following, self._image_or_reason(following), prefetched=True))

    def _image_or_reason(self, page_id: str) -> PageImage | str:
        """The page's downscaled scan, or the message that says why there is none (shown in the pane)."""
        page = self.project.page(page_id)
        try:
            return load_page_image(page.scan, page.frame)
        except WorkbenchError as e:
            return str(e)

    def _remember_image(self, page_id: str, image: PageImage | str) -> None:
        self.page_images[page_id] = image
        self.page_images.move_to_end(page_id)
        while len(self.page_images) > 4:
            self.page_images.popitem(last=False)

    def on_image_loaded(self, message: ImageLoaded) -> None:
        """Keep a loaded scan; show it if its page is the open one (a prefetched one waits for its page)."""
        self._remember_image(message.page_id, message.image)
        if not message.prefetched and self.session is not None and self.session.page_id == message.page_id:
            try:
                self._show_image_for(message.page_id)
            except Exception as e:  # noqa: BLE001 - a scan that cannot be drawn must not end the app
                # Issue 15 item 12: drawing a 144-MP scan raised here; the pane stayed on "Loading the scan…"
                # (before, the app itself stopped). Now the pane says there is no image, and the error is logged.
                self.report(e, "showing the scan")
                self._remember_image(message.page_id, f"the scan could not be shown ({type(e).__name__}: {e}).")
                self._show_image_for(message.page_id)

    def _follow_cursor(self) -> None:
        s = self.session
        if s is None:
            return
        row, col = self.editor.cursor_location
        # The editor's text as it is now: lines are tied to the scan by content (workbench.linemap), so a
        # line deleted or added above moves no box (issue 9).
        text = self.editor.text
        line_box = s.line_box(row, text)
        word_box = s.word_box(row, self.editor.document[row], col, text) if line_box else None
        self.page_view.set_boxes(line_box, word_box)
        if not s.layout:
            why = "No OCR layout for this page: run F4 (re-OCR) to get line boxes."
        elif not self.editor.document[row].strip():
            why = "A blank line: no line of the scan."
        else:
            why = "This line is not on the scan (added by hand, or changed past recognition)."
        self.strip.set_boxes(line_box, word_box, why, s.text_height(row, text))

    def action_toggle_page_pane(self) -> None:
        """Hide or show the page image pane (the editor takes its width; the line strip stays)."""
        shown = not self.page_view.display
        self.page_pane_choice = (shown, self.size.width < NARROW_COLUMNS)
        self._apply_size()
        if shown:
            self._follow_cursor()
        self.notify(f"Page image {'shown' if shown else 'hidden'} (F10 toggles).", timeout=2)

    def action_toggle_preprocessed(self) -> None:
        """Switch the page view and line strip between the original and the preprocessed scan."""
        view = self.page_view
        image = view.page_image
        if image is None or self.session is None:
            self.notify("No scan to show for this page.")
            return
        if not view.preprocessed and not image.has_preprocessed:
            self.notify("Preprocessing the scan…", timeout=3)
            self._preprocess(self.session.page_id, image)
            return
        view.preprocessed = not view.preprocessed
        self.strip.preprocessed = view.preprocessed
        self.strip.redraw()
        self.notify("Showing the " + ("preprocessed" if view.preprocessed else "original") + " scan.", timeout=2)

    @work(thread=True, exclusive=True, group="preprocess", exit_on_error=False)
    def _preprocess(self, page_id: str, image: PageImage) -> None:
        page = self.project.page(page_id)
        assert page.scan is not None
        image.set_preprocessed(load_preprocessed(page.scan, page.frame))
        self.post_message(Preprocessed(page_id))

    def on_preprocessed(self, message: Preprocessed) -> None:
        """Show the preprocessed scan that was asked for (if its page is still open)."""
        if self.session is not None and self.session.page_id == message.page_id:
            self.action_toggle_preprocessed()

    def action_zoom_page(self, factor: float) -> None:
        """Zoom the page image in or out."""
        self.page_view.action_zoom(factor)

    def action_fit_page(self) -> None:
        """Show the whole page."""
        self.page_view.action_fit()

    def action_strip_zoom(self, factor: float) -> None:
        """Make the line strip taller (larger letters) or shorter (more room for the text)."""
        strip = self.strip
        strip.zoom = min(4.0, max(0.5, strip.zoom * factor))
        # A taller strip for larger letters (10 half-block pixels per unit of zoom, two pixels a row).
        strip.rows = max(6, min(24, int(10 * strip.zoom * 1.2 / 2) + 1))
        self._apply_size()

    # -- the system image viewer (terminals without pixel graphics) ------------------------------------------

    def action_view_line(self) -> None:
        """Show the cursor's line, cut from the scan, in the system image viewer (``workbench view PAGE LINE``)."""
        if self.session is not None:
            self._start_viewer(self.session.page_id, self.editor.cursor_location[0], self.editor.text)

    def action_view_page(self) -> None:
        """Show the page's scan in the system image viewer (``workbench view PAGE``)."""
        if self.session is not None:
            self._start_viewer(self.session.page_id, None, None)

    @work(thread=True, exclusive=True, group="viewer", exit_on_error=False)
    def _start_viewer(self, page_id: str, line: int | None, text: str | None) -> None:
        """Write the image (decoding a scan takes a moment) and start the viewer, off the app's thread."""
        from workbench.viewer import open_in_viewer, write_view_image

        layout = self.session.layout if self.session is not None and text is not None else None
        shown = write_view_image(self.project, page_id, line, text=text, layout=layout)
        command = open_in_viewer(shown.path)
        what = "the page" if line is None else f"line {line + 1}"
        self.post_message(ImageViewerStarted(page_id, what, str(shown.path), command))

    def on_image_viewer_started(self, message: ImageViewerStarted) -> None:
        """Say what the viewer shows (a failure arrives as the worker's error notification instead)."""
        viewer = message.command[0].rsplit("/", 1)[-1]
        self.notify(f"Showing {message.what} of {message.page_id} in {viewer} ({message.path}).", timeout=5)
