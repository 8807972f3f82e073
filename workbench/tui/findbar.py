"""Ctrl+F: find in the page being edited (its text as it is now, unsaved edits included).

The matching is the archive search's (``workbench.search.match.find_in_text``): the same folding of case,
ё/е, й/ј and Latin look-alikes, ``word~1`` for misread words. Enter or ↓ selects the next hit in the editor,
↑ the previous one; Esc closes the bar and gives the editor back its focus.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Static

from workbench.errors import WorkbenchError
from workbench.search.match import find_in_text
from workbench.search.model import Hit, Query


class FindBar(Horizontal):
    """A one-line bar under the editor: the query and where the current hit is among all."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "step(1)", "Next hit", show=False),
        Binding("up", "step(-1)", "Previous hit", show=False),
        Binding("escape", "close", "Close", show=False),
    ]
    DEFAULT_CSS = """
    FindBar { height: 1; background: $boost; }
    FindBar > Input { width: 1fr; height: 1; border: none; padding: 0 1; }
    FindBar > Static { width: auto; min-width: 14; padding: 0 1; color: $text-muted; }
    """

    class Selected(Message):
        """A hit to select in the editor (0-based line, character offsets)."""

        def __init__(self, hit: Hit) -> None:
            super().__init__()
            self.hit = hit

    class Closed(Message):
        """The bar was closed."""

    def __init__(self, text_of: object, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.text_of = text_of
        self.hits: list[Hit] = []
        self.current = -1

    def compose(self) -> ComposeResult:
        """Build the widgets."""
        yield Input(placeholder="Find in page (word, word~1) · Enter/↓ next · ↑ previous · Esc", id="find")
        yield Static("", id="find-count")

    def open(self, query: str | None = None) -> None:
        """Show the bar (with ``query`` if given) and focus it (once mounted, if it was just mounted)."""
        self.display = True
        self.call_after_refresh(self._open_now, query)

    def _open_now(self, query: str | None) -> None:
        field = self.query_one(Input)
        if query:
            field.value = query
        field.focus()
        self.refresh_hits()

    def refresh_hits(self, text: str | None = None) -> None:
        """Find the query again in the page's current text."""
        value = self.query_one(Input).value
        if text is None:
            assert callable(self.text_of)
            text = str(self.text_of())
        try:
            self.hits = find_in_text(text, Query(value)) if value.strip() else []
        except WorkbenchError as e:
            self.hits = []
            self.query_one("#find-count", Static).update(e.message)
            return
        # page order, not rank order: next/previous walk through the page
        self.hits.sort(key=lambda h: (h.line, h.start))
        self.current = -1
        self._count()

    def _count(self) -> None:
        n = len(self.hits)
        where = f"{self.current + 1}/{n}" if self.current >= 0 else f"{n} hit{'s' if n != 1 else ''}"
        self.query_one("#find-count", Static).update(where if self.query_one(Input).value.strip() else "")

    @on(Input.Changed, "#find")
    def _changed(self) -> None:
        self.refresh_hits()

    @on(Input.Submitted, "#find")
    def _submitted(self) -> None:
        self.action_step(1)

    def action_step(self, step: int) -> None:
        """Select the next (``step`` 1) or previous (-1) hit, wrapping around."""
        if not self.hits:
            return
        self.current = (self.current + step) % len(self.hits)
        self._count()
        self.post_message(self.Selected(self.hits[self.current]))

    def action_close(self) -> None:
        """Hide the bar."""
        self.display = False
        self.post_message(self.Closed())
