"""Search in the app: Ctrl+F in the page (the find bar), F6 for the whole archive (search and replace)."""

from __future__ import annotations

from textual.widgets.text_area import Selection

from workbench.search.model import Hit
from workbench.tui.base import AppBase, guarded
from workbench.tui.findbar import FindBar


class SearchPart(AppBase):
    """The find bar under the editor and the archive search screen."""

    def _find_bar(self) -> FindBar:
        screen = self.screen_stack[0]
        found = screen.query(FindBar)
        if found:
            return found.first()
        bar = FindBar(lambda: self.editor.text, id="findbar")
        screen.mount(bar, before=screen.query_one("#statusbar"))
        return bar

    def _selected_word(self) -> str:
        """The editor's selection if it is on one line (a query to start from), else nothing."""
        text = self.editor.selected_text
        return text if text and "\n" not in text and len(text) <= 80 else ""

    @guarded
    def action_find(self) -> None:
        """Find in this page (its text as it is now): Enter/↓ next hit, ↑ previous, Esc back to the text."""
        if self.session is None:
            return
        self._find_bar().open(self._selected_word() or None)

    def on_find_bar_selected(self, message: FindBar.Selected) -> None:
        """Select the hit in the editor."""
        self.select_span(message.hit.line, message.hit.start, message.hit.end)

    def on_find_bar_closed(self, _message: FindBar.Closed) -> None:
        """Give the editor its focus back."""
        self.editor.focus()

    def select_span(self, line: int, start: int, end: int) -> None:
        """Select characters ``start``–``end`` of ``line`` in the editor and scroll them into view."""
        editor = self.editor
        if line >= editor.document.line_count:
            return
        editor.selection = Selection((line, start), (line, end))
        editor.scroll_cursor_visible(center=True)

    @guarded
    def action_search_archive(self, replace: bool = False) -> None:
        """Search every page (F6); Enter on a hit opens its page there; replace from the same screen."""
        from workbench.tui.search_screen import SearchScreen

        screen = SearchScreen(
            self.project,
            self._selected_word(),
            image_of=self._image_or_reason,
            on_replaced=self._pages_replaced,
        )

        def chosen(hit: Hit | None) -> None:
            if hit is not None:
                self._open_hit(hit)

        self.push_screen(screen, chosen)
        if replace:
            screen.call_after_refresh(lambda: screen.query_one("#replacement").focus())

    def action_replace_archive(self) -> None:
        """The archive search screen, ready to type the replacement."""
        self.action_search_archive(replace=True)

    @guarded
    def _open_hit(self, hit: Hit) -> None:
        if self.session is None or self.session.page_id != hit.page:
            self.open_page(hit.page)
        self.select_span(hit.line, hit.start, hit.end)
        self.editor.focus()

    def _pages_replaced(self, pages: list[str]) -> None:
        """Show the new version of the page being edited, if a replacement touched it (and it has no edits)."""
        session = self.session
        if session is None or session.page_id not in pages:
            return
        if self.dirty or self.meta_dirty:
            self.notify(
                f"{session.page_id} got a new version from the replacement while you edit it; saving will say "
                "so (a conflict), and nothing is lost.",
                severity="warning",
                timeout=8,
            )
            return
        self.open_page(session.page_id)
