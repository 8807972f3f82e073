"""The workbench app: the scan beside its transcript, suggestions, versions, all by keyboard.

The app is a view over :class:`~workbench.session.PageSession` and the core (store, OCR pipeline,
dictionaries). Everything slow (decoding and downscaling images, loading dictionaries, checking a page,
OCR, diff metrics) runs in thread workers that post messages (:mod:`workbench.tui.messages`) back; the UI
paints and takes keys at once.

The app is made of parts, one concept a module: :mod:`~workbench.tui.flagging` (flagged words and
suggestions), :mod:`~workbench.tui.ocr_panel` (re-OCR and candidates), :mod:`~workbench.tui.page_images`
(the scan and line strip), :mod:`~workbench.tui.autosave` (the recovery file), on :mod:`~workbench.tui.base`
(shared state). Its keys, help screen and command palette come from one table, :mod:`~workbench.tui.actions`.
This module holds what ties them together: opening pages, editor events, saving, the page list, history.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Iterable
from typing import Any, ClassVar

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, ProgressBar, Static
from textual.worker import Worker, WorkerState

from workbench.errors import WorkbenchError
from workbench.project import Project
from workbench.session import PageSession
from workbench.tui import actions
from workbench.tui.autosave import AutosavePart
from workbench.tui.base import guarded, screens
from workbench.tui.diffview import render_diff
from workbench.tui.editor import TranscriptEditor
from workbench.tui.flagging import FlaggingPart
from workbench.tui.logfile import write_traceback
from workbench.tui.messages import FlagsCounted
from workbench.tui.ocr_panel import OcrPart
from workbench.tui.page_images import ImagesPart
from workbench.tui.pane import LineStrip, PageView
from workbench.tui.search_part import SearchPart
from workbench.tui.store_watch import POLL_SECONDS, StoreWatchPart


class MainScreen(Screen[None]):
    """The page view, line strip, editor, suggestions and status."""

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="▤")
        with Horizontal(id="main"):
            yield PageView(id="page-view")
            with Vertical(id="right"):
                yield LineStrip(id="strip")
                yield TranscriptEditor(id="editor")
                yield Static("", id="suggest")
                yield Static("", id="letters")
        with Horizontal(id="statusbar"):
            yield Static("", id="status")
            yield ProgressBar(total=None, show_eta=False, show_percentage=False, id="progress")
        yield Footer()

    def on_mount(self) -> None:
        """Start the app's work once the widgets exist."""
        app = self.app
        assert isinstance(app, WorkbenchApp)
        app.start()

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """A dialog closed: keys typed while it was up were meant for it, not for the transcript."""
        self.query_one(TranscriptEditor).refuse_typing_before(event.time)


class WorkbenchApp(FlaggingPart, OcrPart, ImagesPart, AutosavePart, SearchPart, StoreWatchPart):
    """The Textual workbench."""

    CSS_PATH = "workbench.tcss"
    TITLE = "workbench"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = list(actions.bindings())

    def __init__(
        self,
        project: Project,
        page_id: str | None = None,
        *,
        autosave_seconds: float = 2.0,
        load_dictionaries: bool = True,
        watch_seconds: float | None = POLL_SECONDS,
    ) -> None:
        super().__init__(project, page_id, autosave_seconds=autosave_seconds, load_dictionaries=load_dictionaries)
        #: how often to look for versions of the open page saved elsewhere (None: never)
        self.watch_seconds = watch_seconds

    # -- set-up ------------------------------------------------------------------------------------------

    def get_default_screen(self) -> Screen[None]:
        """The main screen."""
        return MainScreen(id="main-screen")

    def start(self) -> None:
        """Open the first page and start loading dictionaries (called when the main screen is mounted)."""
        self.screen_stack[0].query_one("#progress").display = False
        self._apply_size()
        page_id = self.initial_page
        if page_id is None:
            try:
                ids = self.page_ids(refresh=True)
            except WorkbenchError as e:
                self.report(e)
                ids = []
            page_id = ids[0] if ids else None
        if page_id is None:
            self._set_status("No pages in this project yet: put scans under scans/ (see README).")
            self.editor.read_only = True
        else:
            self.open_page(page_id)
        self.editor.focus()
        # Unknown keys in workbench.toml or a document.toml (a typo such as `timout`): the core returns them.
        self.project.check_keys()
        for warning in self.project.warnings:
            self.notify(warning, title="Configuration", severity="warning", timeout=15)
        self.set_interval(0.5, self._tick)
        if self.watch_seconds:
            self.set_interval(self.watch_seconds, self.watch_store)  # versions saved elsewhere (the CLI) show up
        if self.load_dictionaries:
            self.load_spellers()

    def on_resize(self, event: events.Resize) -> None:
        """Redraw for the new size (the event's: the app's own size is updated after its handlers ran)."""
        self._apply_size(event.size)

    def _handle_exception(self, error: Exception) -> None:
        write_traceback(error, "unhandled")
        super()._handle_exception(error)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Report a failed worker as a notification."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            if event.worker.group == "ocr":
                self._ocr_finished()
            self.report(event.worker.error, f"worker {event.worker.name}")

    # -- opening pages -------------------------------------------------------------------------------------

    @guarded
    def open_page(self, page_id: str) -> None:
        """Show ``page_id``: its latest version in the editor, its scan loading in the background."""
        if self.session is not None and self.dirty:
            self.store.write_recovery(self.session.page_id, self.editor.text, self.session.base)
            self.notify(
                f"Unsaved edits of {self.session.page_id} are kept in its recovery file; "
                "they are offered when you open it again.",
                timeout=6,
            )
        session = PageSession.open(self.project, self.store, page_id)
        self.session = session
        self._autosave_held = False  # the new page's recovery file, if any, is offered below, not ours
        editor = self.editor
        editor.orthography = session.orthography
        editor.read_only = False
        self._loading_text = True
        editor.load_text(session.saved_text)
        editor.set_reviewed(session.reviewed)
        editor.set_marks(self._lowconf(session.saved_text))
        self.dirty = self.meta_dirty = False
        self._update_title()
        self._update_letters()
        self._refresh_status()
        self._show_suggestions()  # the legend of the marks, from the first paint on
        self._show_image_for(page_id)
        self.check_page()
        self._offer_recovery()

    # -- editor events -----------------------------------------------------------------------------------

    def on_text_area_changed(self, _event: TranscriptEditor.Changed) -> None:
        """Track unsaved edits and schedule a recheck."""
        if self._loading_text:
            self._loading_text = False
            return
        if self.session is None:
            return
        self._set_dirty(self.editor.text != self.session.saved_text)
        if not self.dirty:
            self._edits_undone()
        self._last_change = time.monotonic()
        self._recheck_pending = True
        count = self.editor.document.line_count
        if count != self._line_count:
            self._recheck_all = True  # lines moved: their marks' line numbers changed
            self._line_count = count
        self._recheck_rows.add(self.editor.cursor_location[0])

    def on_text_area_selection_changed(self) -> None:
        """Move the outline, the line strip, the suggestions and the status with the cursor."""
        self._follow_cursor()
        self._show_suggestions()
        self._refresh_status()

    def on_page_view_clicked(self, event: PageView.Clicked) -> None:
        """Clicking the scan puts the text cursor on the line (and word) clicked."""
        if self.session is None:
            return
        hit = self.session.line_at(event.x, event.y, self.editor.text)
        if hit is None or hit[0] >= self.editor.document.line_count:
            return
        line, word = hit
        column = 0
        if word >= 0:
            starts = [m.start() for m in re.finditer(r"\S+", self.editor.document[line])]
            column = starts[word] if word < len(starts) else 0
        self.editor.move_cursor((line, column))
        self.editor.focus()

    def on_transcript_editor_chord(self) -> None:
        """Light up the letters bar while a chord is pending."""
        self._update_letters()

    def _tick(self) -> None:
        """Twice a second: recheck edited lines, autosave, refresh the status line."""
        if not self.is_running or not isinstance(self.screen_stack[0], MainScreen):
            return
        now = time.monotonic()
        if self._recheck_pending and now - self._last_change > 0.3:
            self._recheck_pending = False
            if self._recheck_all or not self.spellers:
                self.check_page()
            else:
                self._check_lines(
                    self.session.page_id if self.session else "", self.editor.text, set(self._recheck_rows)
                )
            self._recheck_rows.clear()
        if self._autosave_due(now):
            self.autosave()
        self._refresh_status()

    # -- typing and marking ----------------------------------------------------------------------------

    def action_letters(self) -> None:
        """Open the Azerbaijani letters palette."""
        orth = self.session.orthography if self.session else "1939"

        def typed(letter: str | None) -> None:
            if letter:
                self.editor.type_text(letter)
            self.editor.focus()

        self.push_screen(screens().LettersScreen(orth), typed)

    def action_toggle_reviewed(self) -> None:
        """Mark the selected lines (or the cursor's line) reviewed, or unmark them if all already are."""
        if self.session is None:
            return
        first, last = self._selected_lines()
        lines = set(range(first, last + 1))
        if lines <= self.session.reviewed:
            self.session.reviewed -= lines
            verb = "not reviewed"
        else:
            self.session.reviewed |= lines
            verb = "reviewed"
        self.editor.set_reviewed(self.session.reviewed)
        self.meta_dirty = True
        self._update_title()
        span = f"line {first + 1}" if first == last else f"lines {first + 1}–{last + 1}"
        self.notify(f"{span.capitalize()}: {verb} (saved with the next version).", timeout=3)

    def action_set_language(self) -> None:
        """Set the language of the selected lines (checked and re-OCR'd in that language)."""
        if self.session is None:
            return
        first, last = self._selected_lines()

        def chosen(lang: str | None) -> None:
            if lang and self.session is not None:
                for i in range(first, last + 1):
                    self.session.line_langs[i] = lang
                self.meta_dirty = True
                self._update_title()
                self.check_page()
                self.notify(f"Lines {first + 1}–{last + 1}: {lang}.", timeout=3)

        self.push_screen(screens().LanguageScreen((first, last)), chosen)

    # -- saving ----------------------------------------------------------------------------------------

    def action_save(self) -> None:
        """Ask for an optional message and status, then save a version."""
        if self.session is None:
            return
        if not isinstance(self.screen, MainScreen):
            return

        def chosen(answer: tuple[str, str] | None) -> None:
            if answer is not None:
                self.save(*answer)

        self.push_screen(screens().SaveScreen(self.session.status), chosen)

    @guarded
    def save(self, message: str = "", status: str = "") -> None:
        """Save the editor's text as a new version; a conflict is shown with its diff."""
        session = self.session
        if session is None:
            return
        text = self.editor.text
        if not (self.dirty or self.meta_dirty) and (not status or status == session.status):
            self.notify("No changes since version " + str(session.base) + "; nothing saved.", timeout=3)
            return
        base_before = session.base
        result = session.save(text, message=message, status=status or None)
        self.dirty = self.meta_dirty = False
        self._update_title()
        if result.conflict:
            self._show_conflict(result.latest_before, result.version.number, base_before)
        else:
            self.notify(f"Saved {session.page_id} as version {result.version.number}.", timeout=3)
        for warning in result.warnings:  # e.g. a damaged base version: its reviewed marks could not follow
            self.notify(warning, title="Saved, but", severity="warning", timeout=12)

    def _show_conflict(self, theirs: int | None, mine: int, base: int | None) -> None:
        session = self.session
        assert session is not None and theirs is not None
        other = self.store.read(session.page_id, theirs)
        body = Text.assemble(
            f"Version {theirs} (by {other.meta.author}, {other.meta.source}) was saved while you edited "
            f"version {base}. Your text was saved as version {mine}, marked as a conflict: nothing was lost.\n\n"
            f"Their version {theirs} → your version {mine}:\n\n",
            render_diff(other.text, self.editor.text, context=1),
        )

        def chosen(choice: str | None) -> None:
            if choice == "theirs":
                self.restore(theirs)

        self.push_screen(
            screens().ChoiceScreen(
                "Save conflict",
                body,
                [(f"Keep mine (v{mine})", "mine"), (f"Take theirs (restore v{theirs})", "theirs")],
            ),
            chosen,
        )

    @guarded
    def restore(self, number: int) -> None:
        """Restore version ``number`` as a new version and show it."""
        session = self.session
        if session is None:
            return
        result = self.store.restore(session.page_id, number)
        self.store.discard_recovery(session.page_id)
        self.dirty = False
        self.open_page(session.page_id)
        self.notify(f"Restored version {number} as version {result.version.number}.", timeout=4)

    # -- pages -----------------------------------------------------------------------------------------

    def _move(self, step: int) -> None:
        if self.session is None:
            return
        before, after = self.neighbours(self.session.page_id)
        target = after if step > 0 else before
        if target is None:
            self.notify("This is the " + ("last" if step > 0 else "first") + " page.", timeout=2)
            return
        self.open_page(target)

    def action_next_page(self) -> None:
        """Open the next page."""
        self._move(1)

    def action_prev_page(self) -> None:
        """Open the previous page."""
        self._move(-1)

    @guarded
    def action_export(self) -> None:
        """The Export dialog: a searchable PDF, TEI or training lines of this page, its document or the archive."""
        from workbench.tui.export_screen import ExportScreen

        self.push_screen(ExportScreen(self.project, self.session.page_id if self.session else None))

    @guarded
    def action_pages(self) -> None:
        """The page list; Enter opens a page."""
        rows = []
        pages = self.project.pages()
        self._page_ids = [p.id for p in pages]
        for page in pages:
            try:
                history = self.store.history(page.id)
                status = history[-1].status if history else "—"
                versions = str(len(history))
            except WorkbenchError as e:
                status, versions = "error", str(e)[:20]
            rows.append((page.id, status, versions, "…" if self.spellers else "—"))
        current = self.session.page_id if self.session else ""
        screen = screens().PagesScreen(rows, current)

        def chosen(page_id: str | None) -> None:
            if page_id and page_id != current:
                self.open_page(page_id)

        self.push_screen(screen, chosen)
        if self.spellers:
            self._count_flags(screen, [r[0] for r in rows])

    @work(thread=True, exclusive=True, group="count", exit_on_error=False)
    def _count_flags(self, screen: Any, page_ids: list[str]) -> None:
        """Flagged words per page (reads each page and checks it: a worker)."""
        for pid in page_ids:
            try:
                page = PageSession.open(self.project, self.store, pid)
                text = page.saved_text
                count = str(len(self.flagged_marks(text, page))) if text else "0"
            except WorkbenchError:
                count = "?"
            self.post_message(FlagsCounted(screen, pid, count))

    def on_flags_counted(self, message: FlagsCounted) -> None:
        """Fill in the flagged-word count of a page in the page list (if the list is still open)."""
        if message.screen.is_attached:
            message.screen.set_flagged(message.page_id, message.count)

    @guarded
    def action_history(self) -> None:
        """The history panel of this page."""
        session = self.session
        if session is None or self._history_open():
            return
        metas = session.history()
        if not metas:
            self.notify("This page has no saved versions yet.")
            return

        def done(result: tuple[str, int] | None) -> None:
            if result and result[0] == "restore":
                self.restore(result[1])

        page_id = session.page_id
        self.push_screen(screens().HistoryScreen(page_id, metas, lambda n: self.store.read(page_id, n).text), done)

    def _history_open(self) -> bool:
        """The history asked for while it is open (from the command palette) comes back on top, focused."""
        history: Any = next((s for s in self.screen_stack if isinstance(s, screens().HistoryScreen)), None)
        if history is None:
            return False
        if history is not self.screen:
            history.pop_until_active()  # a diff or a question opened from the history (popped in a callback)
        self.call_later(history.action_focus_table)
        return True

    # -- help, palette, quit ---------------------------------------------------------------------------

    def action_help(self) -> None:
        """Show every key."""
        if not isinstance(self.screen, screens().HelpScreen):
            self.push_screen(screens().HelpScreen(actions.help_markdown()))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Every action of the workbench, by name, in the command palette (from the one action table)."""
        yield from super().get_system_commands(screen)
        for command in actions.palette():
            assert command.title is not None
            yield SystemCommand(command.title, command.description, functools.partial(self.run_action, command.action))

    def action_select_all(self) -> None:
        """Select the whole text."""
        self.editor.select_all()

    async def action_quit(self) -> None:
        """Quit; with unsaved edits, ask first (save, discard, or stay)."""
        if not (self.dirty or self.meta_dirty) or self.session is None:
            self.exit()
            return
        session = self.session

        def chosen(choice: str | None) -> None:
            if choice == "save":
                self.save("", "")
                if not (self.dirty or self.meta_dirty):
                    self.exit()
            elif choice == "discard":
                self.store.discard_recovery(session.page_id)
                self.exit()

        self.push_screen(
            screens().ChoiceScreen(
                "Unsaved edits",
                f"{session.page_id} has edits not saved as a version.",
                [("Save and quit", "save"), ("Quit without saving", "discard"), ("Stay", "stay")],
            ),
            chosen,
        )


def make_app(project: Project, page_id: str | None = None, **kwargs: Any) -> WorkbenchApp:
    """The one factory of the app; the CLI and the tests use it."""
    return WorkbenchApp(project, page_id, **kwargs)


__all__ = ["WorkbenchApp", "make_app"]
