"""Versions saved elsewhere: the open page's newest version number is polled, and a version the app did not
write (``workbench save``, a replace, another workbench) is offered as soon as it appears.

A clean editor loads it with a notice. Unsaved edits are never touched: the user is told, may view the diff
between that version and the editor, and keeps editing; the next save lands as a reported conflict (the
store's conflict path), so nothing is lost either way.
"""

from __future__ import annotations

from rich.text import Text

from workbench.errors import WorkbenchError
from workbench.tui.base import AppBase, guarded, screens

#: Seconds between two looks at the page's versions folder (one directory listing: cheap).
POLL_SECONDS = 1.0


class StoreWatchPart(AppBase):
    """Noticing new versions of the open page."""

    _offered: tuple[str, int] | None = None  # (page, version) already offered: asked about once

    @guarded
    def watch_store(self) -> None:
        """Look for a version of the open page newer than the editor's; offer it (the interval timer)."""
        session = self.session
        if session is None or not self.is_running or len(self.screen_stack) != 1:
            # A dialog is open (a candidate, the history, a save): it works on the text as it is, so the
            # page is not changed under it; asked again once it closes.
            return
        if self._ocr_started is not None:
            return  # this app's own OCR may store a version: its OcrFinished shows it
        try:
            latest = self.store.latest_number(session.page_id)
        except WorkbenchError:
            return  # a page folder that went away or a bad link: the next save reports it
        if latest is None or (session.base is not None and latest <= session.base):
            return
        if self._offered == (session.page_id, latest):
            return
        self._offered = (session.page_id, latest)
        try:
            meta = self.store.meta(session.page_id, latest)
            who = f"by {meta.author}, {meta.source}" + (f": {meta.message}" if meta.message else "")
        except WorkbenchError:
            who = "damaged"
        if not (self.dirty or self.meta_dirty):
            self._load_newer(latest, who)
        else:
            self._offer_newer(latest, who)

    def _load_newer(self, latest: int, who: str) -> None:
        """Show the new version in place of the saved one the editor held, the cursor where it was."""
        session = self.session
        assert session is not None
        row, column = self.editor.cursor_location
        self.open_page(session.page_id)
        if self.session is not None and self.session.base == latest:
            last = self.editor.document.line_count - 1
            row = min(row, last)
            self.editor.move_cursor((row, min(column, len(self.editor.document[row]))))
        self.notify(f"Version {latest} of {session.page_id} was saved elsewhere ({who}); loaded.", timeout=6)

    def _offer_newer(self, latest: int, who: str) -> None:
        """Say that a version came while the editor has unsaved edits; offer its diff against them."""
        session = self.session
        assert session is not None
        page_id, base = session.page_id, session.base
        body = Text(
            f"Version {latest} of {page_id} was saved elsewhere ({who}) while you have unsaved edits of "
            f"version {base}. Your edits stay in the editor; saving them stores a new version marked as a "
            "conflict (nothing is lost), and F3 can restore either."
        )

        def chosen(choice: str | None) -> None:
            if choice != "diff" or self.session is None or self.session.page_id != page_id:
                return
            try:
                theirs = self.store.read(page_id, latest).text
            except WorkbenchError as e:
                self.report(e)
                return
            self.push_screen(
                screens().DiffScreen(
                    f"Version {latest} (saved elsewhere) → your unsaved text", theirs, self.editor.text
                )
            )

        self.push_screen(
            screens().ChoiceScreen(
                "A newer version was saved", body, [("View the diff", "diff"), ("Keep editing", "keep")]
            ),
            chosen,
        )


__all__ = ["POLL_SECONDS", "StoreWatchPart"]
