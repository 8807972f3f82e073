"""What every part of the app shares: its state, its widgets, error reporting, the title and status bar.

:class:`~workbench.tui.app.WorkbenchApp` is made of parts, one concept a module (flagging, OCR panel, page
images, autosave); each part is a class on top of :class:`AppBase`. The few methods one part calls in
another are declared here, so each part is typed against this one class.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from textual.app import App
from textual.geometry import Size
from textual.widgets import Static

from workbench.errors import WorkbenchError
from workbench.flags import Flag
from workbench.project import Project
from workbench.session import PageSession
from workbench.store import TranscriptStore
from workbench.tui.editor import TranscriptEditor
from workbench.tui.imaging import PageImage
from workbench.tui.letters import palette
from workbench.tui.logfile import write_traceback
from workbench.tui.pane import LineStrip, PageView

#: Below this many columns the page image pane is hidden unless asked for (F10): beside it the editor would
#: show ~50 characters of a typescript's ~65-character lines. The line strip above the editor stays.
NARROW_COLUMNS = 100

P = ParamSpec("P")
R = TypeVar("R")


def screens() -> Any:
    """The dialogs module, imported on first use: it pulls in Markdown, DataTable and friends, which the
    main screen does not need, so launching paints sooner."""
    from workbench.tui import screens as module

    return module


def guarded(method: Callable[P, R]) -> Callable[P, R | None]:
    """Run an action; a failure becomes a notification (and a logged traceback), never a crash."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | None:
        try:
            return method(*args, **kwargs)
        except Exception as e:  # noqa: BLE001 - the point: any failure of an action is reported, never fatal
            app = args[0]
            assert isinstance(app, AppBase)
            app.report(e, method.__name__)
            return None

    return wrapper


class AppBase(App[None]):
    """The state and the shared helpers of the workbench app (see the module docstring)."""

    def __init__(
        self, project: Project, page_id: str | None, *, autosave_seconds: float, load_dictionaries: bool
    ) -> None:
        super().__init__()
        self.project = project
        self.store = TranscriptStore(project)
        self.initial_page = page_id
        self.autosave_seconds = autosave_seconds
        self.load_dictionaries = load_dictionaries
        self.session: PageSession | None = None
        self.dirty = False  # the text differs from the version it was edited from
        self.meta_dirty = False  # reviewed lines, languages or ignored words changed
        self.page_images: OrderedDict[str, PageImage | str] = OrderedDict()
        # The page list, kept so that moving between pages does not walk the whole archive on every key;
        # refreshed when the page list is shown or a page is not in it.
        self._page_ids: list[str] | None = None
        self.spellers: dict[tuple[str, str, bool], Any] = {}
        self.suggestions_state = "loading…" if load_dictionaries else "off"
        self.added_words: set[str] = set()
        self._current_suggestions: list[str] = []
        self._last_change = 0.0
        self._last_autosave = 0.0
        #: the open page's recovery file holds this editor's edits (written by the autosave, or recovered)
        self._autosave_held = False
        self._ocr_started: float | None = None
        self._loading_text = False
        self._recheck_pending = False
        self._recheck_all = False
        self._recheck_rows: set[int] = set()
        self._line_count = 0
        #: the page pane shown or hidden by the user (F10), and whether the terminal was narrow then: the choice
        #: holds until the terminal is resized across NARROW_COLUMNS (then the width decides again)
        self.page_pane_choice: tuple[bool, bool] | None = None

    # -- widgets -----------------------------------------------------------------------------------------

    @property
    def editor(self) -> TranscriptEditor:
        """The transcript editor."""
        return self.screen_stack[0].query_one(TranscriptEditor)

    @property
    def page_view(self) -> PageView:
        """The page image pane."""
        return self.screen_stack[0].query_one(PageView)

    @property
    def strip(self) -> LineStrip:
        """The line strip."""
        return self.screen_stack[0].query_one(LineStrip)

    # -- errors ------------------------------------------------------------------------------------------

    def report(self, error: BaseException, context: str = "") -> None:
        """Show an error as a notification; unexpected ones also go (with traceback) to the log file."""
        if isinstance(error, WorkbenchError):
            self.notify(str(error), title=error.title, severity="error", timeout=12)
            return
        path = write_traceback(error, context)
        self.notify(
            f"{type(error).__name__}: {error}. The traceback is in {path}.",
            title="Unexpected error",
            severity="error",
            timeout=20,
        )

    # -- title, status -----------------------------------------------------------------------------------

    def _update_title(self) -> None:
        s = self.session
        if s is None:
            return
        version = f"v{s.base}" if s.base is not None else "no version yet"
        unsaved = " · ● unsaved" if (self.dirty or self.meta_dirty) else ""
        self.title = s.page_id
        self.sub_title = f"{version} · {s.status}{unsaved}"

    def _set_status(self, text: str) -> None:
        # Fixed-size bars: no layout pass, which would repaint the whole screen at every cursor move.
        self.screen_stack[0].query_one("#status", Static).update(text, layout=False)

    def _refresh_status(self) -> None:
        s = self.session
        if s is None:
            return
        row, col = self.editor.cursor_location
        n = self.editor.document.line_count
        lang = s.lang_of_line(row, self.editor.text)
        parts = [f"line {row + 1}/{n} col {col + 1}", lang, f"orthography {s.orthography}"]
        if row in s.reviewed:
            parts.append("reviewed")
        marks = self.editor.all_marks()
        if marks:
            parts.append(f"{len(marks)} flagged")
        parts.append(f"suggestions {self.suggestions_state}")
        if self._ocr_started is not None:
            parts.append(f"OCR running {time.monotonic() - self._ocr_started:.0f} s")
        self._set_status(" · ".join(parts))

    def _update_letters(self) -> None:
        s = self.session
        orth = s.orthography if s else "1939"
        pairs = " ".join(f"{k}{v}" for k, v in palette(orth)[:9])
        chord = "[b reverse] Ctrl+G … [/]" if self.editor.chord_pending else "Ctrl+G then"
        self.screen_stack[0].query_one("#letters", Static).update(
            f"{chord} {pairs} (Shift: capitals) · Ctrl+O palette", layout=False
        )

    def _set_dirty(self, dirty: bool) -> None:
        if dirty != self.dirty:
            self.dirty = dirty
            self._update_title()

    def _selected_lines(self) -> tuple[int, int]:
        start, end = sorted(self.editor.selection)
        last = end[0] - 1 if end[1] == 0 and end[0] > start[0] else end[0]
        return start[0], last

    def page_pane_shown(self, width: int | None = None) -> bool:
        """Whether the page image pane is to be shown at ``width`` columns (default: the app's): the user's
        choice (F10) at this width class, else only on terminals at least ``NARROW_COLUMNS`` wide."""
        narrow = (self.size.width if width is None else width) < NARROW_COLUMNS
        choice = self.page_pane_choice
        if choice is not None and choice[1] == narrow:
            return choice[0]
        self.page_pane_choice = None  # resized across the threshold: the width decides again
        return not narrow

    def _apply_size(self, size: Size | None = None) -> None:
        """Use a large terminal well: a wider page view and a taller line strip; keep 80×24 readable (the
        editor takes the whole width there, under the line strip). ``size``: the terminal's (default: the
        app's)."""
        w, h = size or self.size
        screen = self.screen_stack[0]
        with contextlib.suppress(Exception):
            pane = screen.query_one("#page-view")
            pane.display = self.page_pane_shown(w)
            pane.styles.width = "32%" if w < NARROW_COLUMNS else "42%"
            if not pane.display and pane.has_focus:
                self.editor.focus()
            rows = self.strip.rows or (6 if h < 50 else 10)
            screen.query_one("#strip").styles.height = rows

    # -- pages -------------------------------------------------------------------------------------------

    def page_ids(self, *, refresh: bool = False) -> list[str]:
        """The ids of the project's pages in order (listed once, then kept until refreshed)."""
        if refresh or self._page_ids is None:
            self._page_ids = [p.id for p in self.project.pages()]
        return self._page_ids

    def neighbours(self, page_id: str) -> tuple[str | None, str | None]:
        """The pages before and after ``page_id``, from the kept list (refreshed if the page is new)."""
        ids = self.page_ids()
        if page_id not in ids:
            ids = self.page_ids(refresh=True)
        return self.project.neighbours(page_id, ids)

    # -- what one part asks of another (implemented by the part named) -----------------------------------

    def open_page(self, page_id: str) -> None:
        """Show ``page_id`` (the app)."""
        raise NotImplementedError

    def check_page(self) -> None:
        """Flag the unknown words of the page (flagging)."""
        raise NotImplementedError

    def _image_or_reason(self, page_id: str) -> PageImage | str:
        """A page's downscaled scan, or why there is none (page images; the archive search shows hits' lines)."""
        raise NotImplementedError

    def _show_suggestions(self) -> None:
        """Show the suggestions of the flagged word at the cursor (flagging)."""
        raise NotImplementedError

    def _lowconf(self, text: str) -> list[Flag]:
        """The low-confidence marks of ``text`` (flagging)."""
        raise NotImplementedError

    def _follow_cursor(self) -> None:
        """Move the outlines on the page image and the line strip to the cursor (page images)."""
        raise NotImplementedError

    def _show_image_for(self, page_id: str) -> None:
        """Show the page's scan, loading it if needed (page images)."""
        raise NotImplementedError

    def _offer_recovery(self) -> None:
        """Offer the page's autosave, if it holds unsaved edits (autosave)."""
        raise NotImplementedError


__all__ = ["AppBase", "guarded", "screens"]
