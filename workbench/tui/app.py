"""The workbench app: the scan beside its transcript, suggestions, versions, all by keyboard.

The app is a view over :class:`~workbench.session.PageSession` and the core (store, OCR pipeline,
dictionaries). Everything slow (decoding and downscaling images, loading dictionaries, checking a page,
OCR, diff metrics) runs in thread workers that post results back; the UI paints and takes keys at once.
"""

from __future__ import annotations

import contextlib
import functools
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, ParamSpec, TypeVar

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, ProgressBar, Static
from textual.widgets.text_area import Selection
from textual.worker import Worker, WorkerState

from workbench.errors import WorkbenchError
from workbench.project import Project
from workbench.session import Mark, PageSession
from workbench.store import TranscriptStore
from workbench.tui.diffview import render_diff
from workbench.tui.editor import TranscriptEditor
from workbench.tui.imaging import PageImage, load_page_image, load_preprocessed
from workbench.tui.letters import palette
from workbench.tui.logfile import log_path, write_traceback
from workbench.tui.pane import GRAPHICS, LineStrip, PageView

P = ParamSpec("P")


def screens() -> Any:
    """The dialogs module, imported on first use: it pulls in Markdown, DataTable and friends, which the
    main screen does not need, so launching paints sooner."""
    from workbench.tui import screens as module

    return module


R = TypeVar("R")

#: (key, what it does) for the help screen, in the order shown; the bindings below are the same keys.
HELP_KEYS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Pages and versions",
        [
            ("Ctrl+S", "save a version (Enter in the dialog saves; message and status optional)"),
            ("Ctrl+PgDn / Ctrl+PgUp", "next / previous page (unsaved edits are kept in the recovery file)"),
            ("F2", "page list (documents, pages, status, flagged words); Enter opens"),
            ("F3", "history: Space marks two versions to diff, d diffs, r restores"),
            ("F4", "re-OCR the page or the selected lines (result arrives as a candidate)"),
            ("F5", "the latest OCR candidate: choose lines (Space, a) and take them (t)"),
            ("Ctrl+Q", "quit (asks when there are unsaved edits)"),
        ],
    ),
    (
        "Flagged words and suggestions",
        [
            ("F8 / F7", "next / previous flagged word (it gets selected)"),
            ("1 … 9", "with a flagged word selected: take suggestion 1–9"),
            ("+", "with a flagged word selected: add it to the project dictionary"),
            ("=", "with a flagged word selected: ignore it on this page"),
            ("", "red bold underline: unknown word · yellow italic underline: low OCR confidence"),
        ],
    ),
    (
        "Typing and marking",
        [
            (
                "Ctrl+G, then a g k h o u c j y",
                "ә ғ ҝ һ ө ү ҹ (j: й or ј by the page's orthography) й; Shift: capitals",
            ),
            ("Ctrl+O", "Azerbaijani letters palette (click or press the key)"),
            ("Ctrl+R", "mark the selected lines (or the cursor line) reviewed / not reviewed"),
            ("Ctrl+L", "set the language of the selected lines (rus or aze_cyrl)"),
            ("Shift+arrows, F6", "select text / the line (TextArea keys: Ctrl+Z undo, Ctrl+Y redo, …)"),
        ],
    ),
    (
        "Page image",
        [
            ("Tab", "move focus between the editor and the page image"),
            ("+ / - / 0", "(page image focused) zoom in / out / fit the page"),
            ("arrows", "(page image focused) pan"),
            ("F12 or p", "original / preprocessed scan"),
            ("Ctrl+Up / Ctrl+Down", "line strip taller (larger letters) / shorter"),
        ],
    ),
    (
        "Everywhere",
        [
            ("F1", "this help"),
            ("Ctrl+P", "command palette: every action by name"),
            ("Esc", "close a dialog"),
        ],
    ),
]


def help_markdown() -> str:
    """The help screen's text."""
    parts = ["# Workbench keys\n"]
    for section, keys in HELP_KEYS:
        parts.append(f"\n## {section}\n\n| key | action |\n|---|---|\n")
        for key, what in keys:
            parts.append(f"| {key or ' '} | {what} |\n")
    parts.append(
        "\nThe mouse works everywhere but is never needed. Errors are written to the log file named in the message."
    )
    return "".join(parts)


def guarded(method: Callable[P, R]) -> Callable[P, R | None]:
    """Run an action; a failure becomes a notification (and a logged traceback), never a crash."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | None:
        try:
            return method(*args, **kwargs)
        except Exception as e:
            app = args[0]
            assert isinstance(app, WorkbenchApp)
            app.report(e, method.__name__)
            return None

    return wrapper


class _KnownOnly:
    """A speller that only answers "is it known?": flagging a page then costs lookups, not suggestions.

    Suggestions (the expensive part, ~1 ms a word) are computed for the word under the cursor when the
    cursor gets there.
    """

    def __init__(self, speller: Any) -> None:
        self.speller = speller
        self.lang = getattr(speller, "lang", "")

    def is_known(self, word: str) -> bool:
        """Delegate to the real speller."""
        return bool(self.speller.is_known(word))

    def suggest(self, word: str, n: int = 5) -> list[Any]:
        """No suggestions here; see the class docstring."""
        return []


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


class WorkbenchApp(App[None]):
    """The Textual workbench."""

    CSS_PATH = "workbench.tcss"
    TITLE = "workbench"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("f1", "help", "Help"),
        Binding("f2", "pages", "Pages"),
        Binding("f3", "history", "History"),
        Binding("f4", "ocr", "Re-OCR"),
        Binding("f5", "candidate", "Candidate", show=False),
        Binding("f8", "next_flag", "Next flag"),
        Binding("f7", "prev_flag", "Prev flag", priority=True, show=False),
        Binding("ctrl+pagedown", "next_page", "Next page", show=False, priority=True),
        Binding("ctrl+pageup", "prev_page", "Prev page", show=False, priority=True),
        Binding("ctrl+r", "toggle_reviewed", "Reviewed", priority=True),
        Binding("ctrl+l", "set_language", "Language", show=False, priority=True),
        Binding("ctrl+o", "letters", "Letters", show=False, priority=True),
        Binding("f12", "toggle_preprocessed", "Orig/prep", show=False),
        Binding("ctrl+up", "strip_zoom(1.25)", "Strip zoom", show=False, priority=True),
        Binding("ctrl+down", "strip_zoom(0.8)", "Strip zoom", show=False, priority=True),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(
        self,
        project: Project,
        page_id: str | None = None,
        *,
        autosave_seconds: float = 2.0,
        load_dictionaries: bool = True,
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
        self.spellers: dict[tuple[str, str], Any] = {}
        self.suggestions_state = "loading…" if load_dictionaries else "off"
        self.added_words: set[str] = set()
        self._last_change = 0.0
        self._last_autosave = 0.0
        self._ocr_started: float | None = None
        self._loading_text = False
        self._recheck_pending = False
        self._recheck_all = False
        self._recheck_rows: set[int] = set()
        self._line_count = 0

    # -- set-up ------------------------------------------------------------------------------------------

    def get_default_screen(self) -> Screen[None]:
        """The main screen."""
        return MainScreen(id="main-screen")

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
        self.set_interval(0.5, self._tick)
        if self.load_dictionaries:
            self.load_spellers()

    def on_resize(self) -> None:
        """Redraw for the new size."""
        self._apply_size()

    def _apply_size(self) -> None:
        """Use a large terminal well: a wider page view and a taller line strip; keep 80×24 workable."""
        w, h = self.size
        screen = self.screen_stack[0]
        with contextlib.suppress(Exception):
            screen.query_one("#page-view").styles.width = "32%" if w < 100 else "42%"
            rows = self.strip.rows or (6 if h < 50 else 10)
            screen.query_one("#strip").styles.height = rows

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
        self.call_from_thread(self._image_ready, page_id, self._image_or_reason(page_id))
        _, following = self.neighbours(page_id)
        if following and following not in self.page_images:
            self.call_from_thread(self._remember_image, following, self._image_or_reason(following))

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

    def _image_ready(self, page_id: str, image: PageImage | str) -> None:
        self._remember_image(page_id, image)
        if self.session is not None and self.session.page_id == page_id:
            self._show_image_for(page_id)

    def _offer_recovery(self) -> None:
        session = self.session
        assert session is not None
        rec = self.store.read_recovery(session.page_id)
        if not rec or not isinstance(rec.get("text"), str):
            return
        if rec["text"] == session.saved_text:
            self.store.discard_recovery(session.page_id)
            return
        base = rec.get("base")
        body = Text.assemble(
            f"An autosave of {session.page_id} from {rec.get('time', '?')} (edited from version {base}) "
            "holds edits that were never saved as a version.\n\nIts changes against the latest version:\n\n",
            render_diff(session.saved_text, rec["text"], context=1),
        )

        def chosen(choice: str | None) -> None:
            if choice == "recover":
                self._loading_text = True
                self.editor.load_text(rec["text"])
                if isinstance(base, int) and base in self.store.version_numbers(session.page_id):
                    session.base = base  # a newer version since then makes the save a reported conflict
                self._set_dirty(True)
                self.notify("Recovered the autosaved edits; Ctrl+S saves them as a version.")
            elif choice == "discard":
                self.store.discard_recovery(session.page_id)
                self.notify("Discarded the autosave.")

        self.push_screen(
            screens().ChoiceScreen(
                "Recover unsaved edits?",
                body,
                [("Recover", "recover"), ("Discard", "discard"), ("Decide later", "later")],
            ),
            chosen,
        )

    # -- title, status -------------------------------------------------------------------------------------

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
        parts = [f"line {row + 1}/{n} col {col + 1}", s.lang_of_line(row), f"orthography {s.orthography}"]
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

    # -- editor events -----------------------------------------------------------------------------------

    def on_text_area_changed(self, event: TranscriptEditor.Changed) -> None:
        """Track unsaved edits and schedule a recheck."""
        if self._loading_text:
            self._loading_text = False
            return
        if self.session is None:
            return
        self._set_dirty(self.editor.text != self.session.saved_text)
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
        hit = self.session.line_at(event.x, event.y)
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

    def on_transcript_editor_flag_key(self, event: TranscriptEditor.FlagKey) -> None:
        """A key on a selected flagged word."""
        mark = self.editor.selected_mark()
        if mark is None:
            return
        if event.key == "+":
            self.add_to_dictionary(mark)
        elif event.key == "=":
            self.ignore_word(mark)
        else:
            self.take_suggestion(int(event.key))

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
        if self.dirty and self._last_change > self._last_autosave and now - self._last_change >= self.autosave_seconds:
            self.autosave()
        self._refresh_status()

    @guarded
    def autosave(self) -> None:
        """Write the unsaved edits to the page's recovery file (survives a crash or a killed terminal)."""
        if self.session is None or not self.dirty:
            return
        self._last_autosave = time.monotonic()
        self.store.write_recovery(self.session.page_id, self.editor.text, self.session.base)

    def _follow_cursor(self) -> None:
        s = self.session
        if s is None:
            return
        row, col = self.editor.cursor_location
        line_box = s.line_box(row)
        word_box = s.word_box(row, self.editor.document[row], col) if line_box else None
        self.page_view.set_boxes(line_box, word_box)
        why = "" if s.layout else "No OCR layout for this page: run F4 (re-OCR) to get line boxes."
        self.strip.set_boxes(line_box, word_box, why, s.text_height(row))

    # -- flagged words and suggestions --------------------------------------------------------------------

    def _lowconf(self, text: str) -> list[Mark]:
        return self.session.low_confidence(text) if self.session else []

    @work(thread=True, exclusive=True, group="spell", exit_on_error=False)
    def load_spellers(self) -> None:
        """Load the dictionaries (slow: seconds) without blocking the app."""
        try:
            from workbench.dictionary import load_speller
        except ImportError as e:
            self.call_from_thread(self._spellers_unavailable, f"the dictionary part is not installed ({e})")
            return
        orthographies = {"1939"}
        with contextlib.suppress(WorkbenchError):
            orthographies |= {self.project.document(d).orthography for d in self.project.documents()}
        loaded: dict[tuple[str, str], Any] = {}
        problems: list[tuple[str, WorkbenchError]] = []
        for lang, orth in [("rus", "1939")] + [("aze_cyrl", o) for o in sorted(orthographies)]:
            try:
                loaded[(lang, orth)] = load_speller(self.project, lang, orthography=orth)
            except WorkbenchError as e:
                write_traceback(e, f"loading the {lang} dictionary")
                problems.append((lang, e))
        self.call_from_thread(self._spellers_ready, loaded, problems)

    def _spellers_unavailable(self, why: str) -> None:
        self.suggestions_state = "unavailable"
        self.notify(f"Suggestions unavailable: {why}.", severity="warning", timeout=8)

    def _spellers_ready(self, loaded: dict[tuple[str, str], Any], problems: list[tuple[str, WorkbenchError]]) -> None:
        self.spellers = loaded
        if loaded:
            self.suggestions_state = "ready"
            names = ", ".join(sorted({lang for lang, _ in loaded}))
            self.notify(f"Suggestions available ({names}).", timeout=4)
        else:
            self.suggestions_state = "unavailable"
        if problems:
            langs = ", ".join(sorted({lang for lang, _ in problems}))
            first = problems[0][1]
            why = first.hint or first.message if isinstance(first, WorkbenchError) else str(first)
            self.notify(
                f"Suggestions unavailable for {langs}: {first.title.lower()}. {why} (details in {log_path()})",
                severity="warning",
                timeout=10,
            )
        self.check_page()

    def _speller_for(self, lang: str, orthography: str | None = None) -> Any:
        orth = orthography or (self.session.orthography if self.session else "1939")
        return self.spellers.get((lang, orth if lang == "aze_cyrl" else "1939"))

    def check_page(self) -> None:
        """Flag unknown words of the whole page in a worker (low-confidence ones are instant)."""
        if self.session is None:
            return
        self._recheck_all = False
        self._line_count = self.editor.document.line_count
        text = self.editor.text
        if not self.spellers:
            self.editor.set_marks(self._lowconf(text))
            return
        self._check_worker(self.session.page_id, text)

    @work(thread=True, exclusive=True, group="check", exit_on_error=False)
    def _check_worker(self, page_id: str, text: str) -> None:
        marks = self.unknown_marks(text)
        self.call_from_thread(self._marks_ready, page_id, text, marks)

    @work(thread=True, exclusive=True, group="check-lines", exit_on_error=False)
    def _check_lines(self, page_id: str, text: str, rows: set[int]) -> None:
        """Check only the edited lines (a whole garbled page can take seconds)."""
        marks = self.unknown_marks(text, rows)
        self.call_from_thread(self._line_marks_ready, page_id, text, rows, marks)

    def _line_marks_ready(self, page_id: str, text: str, rows: set[int], marks: list[Mark]) -> None:
        if self.session is None or self.session.page_id != page_id:
            return
        if text != self.editor.text:
            self._recheck_pending = True
            self._recheck_rows |= rows
            return
        lowconf = self._lowconf(text)
        for row in rows:
            unknown = [m for m in marks if m.line == row]
            starts = {m.start for m in unknown}
            self.editor.marks[row] = unknown + [m for m in lowconf if m.line == row and m.start not in starts]
        self.editor.set_marks(self.editor.all_marks())
        self._show_suggestions()

    def unknown_marks(self, text: str, lines: set[int] | None = None, session: PageSession | None = None) -> list[Mark]:
        """Words no dictionary of their line's language knows (ignored and added words excepted).

        With ``lines``, only those lines are checked (the others are blanked, so numbers stay right);
        ``session`` is the page the text belongs to (default: the open page).
        """
        from workbench.dictionary import check_text

        session = session or self.session
        if session is None:
            return []
        all_lines = text.split("\n")
        if lines is not None:
            text = "\n".join(line if i in lines else "" for i, line in enumerate(all_lines))
        page_langs = {i: session.lang_of_line(i) for i in range(len(all_lines))}
        spellers = {
            lang: _KnownOnly(sp)
            for lang in set(page_langs.values())
            if (sp := self._speller_for(lang, session.orthography)) is not None
        }
        if not spellers:
            return []
        marks: list[Mark] = []
        for flag in check_text(text, spellers, page_langs=page_langs, n=9):
            if flag.word in session.ignored or flag.word in self.added_words:
                continue
            suggestions = tuple(getattr(s, "term", s) for s in (flag.suggestions or ()))
            marks.append(Mark(flag.line, flag.start, flag.end, flag.word, "unknown", suggestions, flag.lang))
        return marks

    def _marks_ready(self, page_id: str, text: str, marks: list[Mark]) -> None:
        if self.session is None or self.session.page_id != page_id:
            return
        if text != self.editor.text:
            self._recheck_pending = True  # edited meanwhile; check again
        unknown = {(m.line, m.start) for m in marks}
        lowconf = [m for m in self._lowconf(text) if (m.line, m.start) not in unknown]
        self.editor.set_marks(marks + lowconf)
        self._show_suggestions()

    def _show_suggestions(self) -> None:
        widget = self.screen_stack[0].query_one("#suggest", Static)
        row, col = self.editor.cursor_location
        mark = self.editor.mark_at(row, col)
        legend = Text.assemble(
            ("unknown", "bold underline #ff5f5f"), " ", ("low confidence", "italic underline #ffd75f"), "  "
        )
        if mark is None:
            widget.update(legend + Text("F8/F7 next/previous flagged word", style="dim"), layout=False)
            return
        suggestions = list(mark.suggestions)
        if mark.kind == "unknown" and not suggestions:
            speller = self._speller_for(mark.lang or (self.session.lang_of_line(row) if self.session else "rus"))
            if speller is not None:
                with contextlib.suppress(Exception):
                    suggestions = [getattr(s, "term", s) for s in speller.suggest(mark.word, n=9)]
        self._current_suggestions = suggestions[:9]
        kind = "unknown word" if mark.kind == "unknown" else "low OCR confidence"
        line = Text.assemble((f"{mark.word}", "bold"), f" ({kind}) ")
        for i, s in enumerate(self._current_suggestions, 1):
            line.append(f" {i}", style="bold reverse")
            line.append(f" {s}")
        if not self._current_suggestions:
            line.append(" no suggestions", style="dim")
        line.append("   + add to dictionary  = ignore on page", style="dim")
        widget.update(line, layout=False)

    def _goto_mark(self, forward: bool) -> None:
        marks = self.editor.all_marks()
        if not marks:
            self.notify("No flagged words on this page.", timeout=3)
            return
        here = self.editor.selection.end if forward else self.editor.selection.start
        if forward:
            after = [m for m in marks if (m.line, m.start) >= here and (m.line, m.end) != tuple(here)]
            after = [m for m in after if (m.line, m.start) >= tuple(here)]
            mark = after[0] if after else marks[0]
        else:
            before = [m for m in marks if (m.line, m.end) < tuple(here) or (m.line, m.start) < tuple(here)]
            before = [m for m in before if (m.line, m.start) < tuple(here)]
            mark = before[-1] if before else marks[-1]
        self.editor.selection = Selection((mark.line, mark.start), (mark.line, mark.end))
        self.editor.scroll_cursor_visible()
        self.editor.focus()
        self._show_suggestions()

    def action_next_flag(self) -> None:
        """Select the next flagged word."""
        self._goto_mark(True)

    def action_prev_flag(self) -> None:
        """Select the previous flagged word."""
        self._goto_mark(False)

    @guarded
    def take_suggestion(self, number: int) -> None:
        """Replace the selected flagged word with suggestion ``number`` (1-based) and learn the correction."""
        mark = self.editor.selected_mark()
        suggestions = getattr(self, "_current_suggestions", [])
        if mark is None or not 1 <= number <= len(suggestions):
            self.bell()
            return
        new = suggestions[number - 1]
        self.editor.replace(new, (mark.line, mark.start), (mark.line, mark.end))
        self.editor.marks[mark.line] = [m for m in self.editor.marks[mark.line] if m is not mark]
        self.editor.set_line_marks(mark.line, self.editor.marks[mark.line])
        self._learn(mark.word, new, mark.lang or "rus")
        self.notify(f"{mark.word} → {new}", timeout=2)

    @work(thread=True, group="learn", exit_on_error=False)
    def _learn(self, wrong: str, right: str, lang: str) -> None:
        try:
            from workbench.dictionary import ProjectDictionary
        except ImportError:
            return
        ProjectDictionary(self.project).learn(wrong, right, lang)

    @guarded
    def add_to_dictionary(self, mark: Mark | None = None) -> None:
        """Add the flagged word under the cursor to the project dictionary."""
        mark = mark or self._mark_here()
        if mark is None:
            self.notify("Put the cursor on a flagged word first (F8).")
            return
        from workbench.dictionary import ProjectDictionary

        lang = mark.lang or (self.session.lang_of_line(mark.line) if self.session else "rus")
        ProjectDictionary(self.project).add(mark.word, lang)
        self.added_words.add(mark.word)
        self._drop_marks(mark.word)
        self.notify(f"Added {mark.word!r} ({lang}) to dictionaries/project.txt.", timeout=3)

    def ignore_word(self, mark: Mark | None = None) -> None:
        """Stop flagging this word on this page (kept with the next saved version)."""
        mark = mark or self._mark_here()
        if mark is None or self.session is None:
            self.notify("Put the cursor on a flagged word first (F8).")
            return
        self.session.ignored.add(mark.word)
        self.meta_dirty = True
        self._update_title()
        self._drop_marks(mark.word)
        self.notify(f"Ignoring {mark.word!r} on this page.", timeout=3)

    def _mark_here(self) -> Mark | None:
        row, col = self.editor.cursor_location
        return self.editor.mark_at(row, col)

    def _drop_marks(self, word: str) -> None:
        self.editor.set_marks([m for m in self.editor.all_marks() if m.word != word])
        self._show_suggestions()

    # -- typing and marking ----------------------------------------------------------------------------

    def action_letters(self) -> None:
        """Open the Azerbaijani letters palette."""
        orth = self.session.orthography if self.session else "1939"

        def typed(letter: str | None) -> None:
            if letter:
                self.editor.insert(letter)
            self.editor.focus()

        self.push_screen(screens().LettersScreen(orth), typed)

    def _selected_lines(self) -> tuple[int, int]:
        start, end = sorted(self.editor.selection)
        last = end[0] - 1 if end[1] == 0 and end[0] > start[0] else end[0]
        return start[0], last

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

    # -- images --------------------------------------------------------------------------------------------

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
        self.call_from_thread(self.action_toggle_preprocessed)

    def action_strip_zoom(self, factor: float) -> None:
        """Make the line strip taller (larger letters) or shorter (more room for the text)."""
        strip = self.strip
        strip.zoom = min(4.0, max(0.5, strip.zoom * factor))
        # A taller strip for larger letters (10 half-block pixels per unit of zoom, two pixels a row).
        strip.rows = max(6, min(24, int(10 * strip.zoom * 1.2 / 2) + 1))
        self._apply_size()

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
                count = str(len(self.unknown_marks(text, session=page))) if text else "0"
            except WorkbenchError:
                count = "?"
            self.call_from_thread(screen.set_flagged, pid, count)

    @guarded
    def action_history(self) -> None:
        """The history panel of this page."""
        session = self.session
        if session is None:
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

    # -- OCR ---------------------------------------------------------------------------------------------

    def action_ocr(self) -> None:
        """Re-OCR the page or the selected lines, in a worker; the result arrives as a candidate."""
        session = self.session
        if session is None:
            return
        if session.page.scan is None:
            self.notify("This page has no scan to OCR.", severity="warning")
            return
        first, last = self._selected_lines()
        lines = (first, last) if self.editor.selection.start != self.editor.selection.end else None

        def chosen(answer: tuple[str, tuple[int, int] | None] | None) -> None:
            if answer is not None:
                self.start_ocr(answer[0], answer[1])

        self.push_screen(screens().OcrScreen(lines, session.lang_of_line(first)), chosen)

    def start_ocr(self, lang: str, lines: tuple[int, int] | None) -> None:
        """Run OCR in a worker with a progress indicator."""
        if self.session is None:
            return
        self._ocr_started = time.monotonic()
        self.screen_stack[0].query_one("#progress").display = True
        span = f"lines {lines[0] + 1}–{lines[1] + 1}" if lines else "the page"
        self.notify(f"OCR of {span} started ({lang}); keep working.", timeout=3)
        self.ocr_worker(self.session.page_id, lang, lines)

    @work(thread=True, exclusive=True, group="ocr", exit_on_error=False)
    def ocr_worker(self, page_id: str, lang: str, lines: tuple[int, int] | None) -> None:
        """OCR in a thread, stored by the pipeline as a version (no human version yet) or a candidate."""
        from workbench.ocr.candidates import apply_ocr_result
        from workbench.ocr.pipeline import ocr_page

        result = ocr_page(self.project, page_id, lang=None if lang == "auto" else lang, lines=lines)
        stored = apply_ocr_result(self.store, page_id, result)
        self.call_from_thread(self._ocr_done, page_id, stored.version.number, stored.candidate, lines)

    def _ocr_finished(self) -> None:
        self._ocr_started = None
        self.screen_stack[0].query_one("#progress").display = False

    def _ocr_done(self, page_id: str, number: int, candidate: bool, lines: tuple[int, int] | None) -> None:
        self._ocr_finished()
        if self.session is None or self.session.page_id != page_id:
            self.notify(f"OCR of {page_id} finished (stored as {'candidate' if candidate else 'version'} {number}).")
            return
        if not candidate:
            if not self.dirty:
                self.open_page(page_id)
            self.notify(f"OCR stored as version {number}.", timeout=4)
            return
        self.show_candidate(number, lines)

    @guarded
    def action_candidate(self) -> None:
        """Diff the latest OCR candidate with the editor and take lines from it."""
        if self.session is None:
            return
        if not self.store.candidates(self.session.page_id):
            self.notify("This page has no OCR candidates; F4 makes one.")
            return
        self.show_candidate(None, None)

    def show_candidate(self, number: int | None, lines: tuple[int, int] | None) -> None:
        """Open the candidate screen; taking lines merges them into the editor (never over reviewed lines)."""
        session = self.session
        assert session is not None
        cand = self.store.read_candidate(session.page_id, number)
        current = self.editor.text
        rng = range(lines[0], lines[1] + 1) if lines else None
        title = f"OCR candidate {cand.number} of {session.page_id}" + (
            f", lines {lines[0] + 1}–{lines[1] + 1}" if lines else ""
        )

        def taken(chosen: list[int] | None) -> None:
            if not chosen:
                return
            from workbench.ocr.candidates import plan_take

            take = plan_take(current, session.reviewed, cand.text, chosen)
            self.editor.replace(take.text, (0, 0), self.editor.document.end)
            if cand.layout() is not None:
                session.layout = cand.layout()
            self.notify(f"Took {len(chosen)} line(s) from the candidate; Ctrl+S saves.", timeout=4)

        self.push_screen(screens().CandidateScreen(title, current, cand.text, session.reviewed, rng), taken)

    # -- help, palette, quit ---------------------------------------------------------------------------

    def action_help(self) -> None:
        """Show every key."""
        if not isinstance(self.screen, screens().HelpScreen):
            self.push_screen(screens().HelpScreen(help_markdown()))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Every action of the workbench, by name, in the command palette."""
        yield from super().get_system_commands(screen)
        commands: list[tuple[str, str, Callable[[], Any]]] = [
            ("Save version", "Save the text as a new version (Ctrl+S)", self.action_save),
            ("Next page", "Open the next page (Ctrl+PgDn)", self.action_next_page),
            ("Previous page", "Open the previous page (Ctrl+PgUp)", self.action_prev_page),
            ("Page list", "Documents, pages, status, flagged words (F2)", self.action_pages),
            ("History", "Versions of this page; diff and restore (F3)", self.action_history),
            ("Re-OCR", "OCR the page or the selected lines (F4)", self.action_ocr),
            ("OCR candidate", "Diff the latest candidate and take lines (F5)", self.action_candidate),
            ("Next flagged word", "Select the next unknown or low-confidence word (F8)", self.action_next_flag),
            ("Previous flagged word", "Select the previous flagged word (F7)", self.action_prev_flag),
            (
                "Add word to dictionary",
                "Add the flagged word under the cursor to the project dictionary",
                lambda: self.add_to_dictionary(),
            ),
            ("Ignore word on this page", "Stop flagging the word under the cursor here", lambda: self.ignore_word()),
            ("Mark lines reviewed", "Toggle reviewed on the selected lines (Ctrl+R)", self.action_toggle_reviewed),
            ("Set language of lines", "rus or aze_cyrl for the selected lines (Ctrl+L)", self.action_set_language),
            ("Azerbaijani letters", "Palette of ә ғ ҝ һ ө ү ҹ ј й (Ctrl+O)", self.action_letters),
            ("Original/preprocessed scan", "Toggle the page image (F12)", self.action_toggle_preprocessed),
            ("Zoom page in", "Zoom the page image in", lambda: self.page_view.action_zoom(1.25)),
            ("Zoom page out", "Zoom the page image out", lambda: self.page_view.action_zoom(0.8)),
            ("Fit page", "Show the whole page", self.page_view.action_fit),
            ("Line strip zoom in", "Ctrl+Up", lambda: self.action_strip_zoom(1.25)),
            ("Line strip zoom out", "Ctrl+Down", lambda: self.action_strip_zoom(0.8)),
            ("Select all", "Select the whole text", self.editor.select_all),
            ("Keys", "Show every key (F1)", self.action_help),
        ]
        for title, help_text, callback in commands:
            yield SystemCommand(title, help_text, callback)

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


def graphics_mode() -> str:
    """How images are drawn on this terminal (kitty, sixel or half-blocks)."""
    return GRAPHICS


__all__ = ["WorkbenchApp", "graphics_mode", "help_markdown", "make_app"]
