"""The workbench's modal screens: help, confirmations, save, history, diff, pages, conflict, recovery, OCR."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, Markdown, Select, Static
from textual.widgets.data_table import CellDoesNotExist, RowDoesNotExist

from workbench.store import STATUSES, VersionMeta
from workbench.tui.diffview import render_diff
from workbench.tui.letters import palette


def short_time(iso: str) -> str:
    """``2026-11-22T02:30:00.123+00:00`` → ``2026-11-22 02:30`` (local time)."""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso[:16]


class Dialog(ModalScreen[Any]):
    """A modal with a frame; Escape closes it with ``None``."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close")]
    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog > .frame { width: 96%; max-width: 160; height: auto; max-height: 90%; border: thick $accent;
                      background: $surface; padding: 0 1; }
    Dialog .title { text-style: bold; margin-bottom: 1; }
    Dialog .buttons { height: auto; margin-top: 1; }
    Dialog .buttons Button { margin-right: 1; }
    Dialog DataTable { height: auto; max-height: 20; }
    Dialog .body { height: auto; max-height: 24; }
    """

    def action_close(self) -> None:
        """Close without a result."""
        self.dismiss(None)


class HelpScreen(Dialog):
    """Every key of the workbench."""

    def __init__(self, markdown: str) -> None:
        super().__init__()
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        """Build the widgets."""
        with VerticalScroll(classes="frame"):
            yield Markdown(self.markdown)

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1,q", "close", "Close")]


class ChoiceScreen(Dialog):
    """A question with buttons; dismisses with the chosen value (the first button is the default)."""

    def __init__(self, title: str, body: str | Text, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text, self.body, self.choices = title, body, choices

    def compose(self) -> ComposeResult:
        """Build the widgets."""
        with Vertical(classes="frame"):
            yield Label(self.title_text, classes="title")
            with VerticalScroll(classes="body"):
                yield Static(self.body)
            with Horizontal(classes="buttons"):
                for i, (label, value) in enumerate(self.choices):
                    yield Button(label, id=f"choice-{value}", variant="primary" if i == 0 else "default")

    def on_mount(self) -> None:
        """Fill in the widgets once mounted."""
        self.query(Button).first().focus()

    @on(Button.Pressed)
    def _chosen(self, event: Button.Pressed) -> None:
        self.dismiss((event.button.id or "").removeprefix("choice-"))


class SaveScreen(Dialog):
    """Message and status for a save; Enter saves."""

    def __init__(self, status: str) -> None:
        super().__init__()
        # A page edited by a person is no longer "New".
        self.status = status if status in STATUSES and status != "New" else "In progress"

    def compose(self) -> ComposeResult:
        """Build the widgets."""
        with Vertical(classes="frame"):
            yield Label("Save a version  (Enter saves, Esc cancels)", classes="title")
            yield Input(placeholder="message (optional)", id="message")
            yield Select([(s, s) for s in STATUSES], value=self.status, allow_blank=False, id="status")
            with Horizontal(classes="buttons"):
                yield Button("Save", id="save", variant="primary")
                yield Button("Cancel", id="cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        self.dismiss((self.query_one("#message", Input).value, str(self.query_one("#status", Select).value)))

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class DiffScreen(Dialog):
    """Two texts with word-level highlights."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close"),
        Binding("c", "toggle_context", "All lines/changes"),
    ]

    def __init__(self, title: str, a: str, b: str) -> None:
        super().__init__()
        self.title_text, self.a, self.b = title, a, b
        self.only_changes = False

    def compose(self) -> ComposeResult:
        """Build the widgets."""
        with Vertical(classes="frame", id="diff-frame"):
            yield Label(self.title_text, classes="title")
            yield Static(
                Text.assemble(
                    ("deleted", "bold #ff8787 on #4a1010 strike"),
                    "  ",
                    ("inserted", "bold #afffaf on #0f3d14"),
                    "   ~ changed line   c: only changes / all lines   Esc: close",
                ),
            )
            with VerticalScroll(id="diff-body", classes="body"):
                yield Static(render_diff(self.a, self.b), id="diff-text")

    def action_toggle_context(self) -> None:
        """Show only changed lines with a little context, or every line."""
        self.only_changes = not self.only_changes
        self.query_one("#diff-text", Static).update(
            render_diff(self.a, self.b, context=2 if self.only_changes else None)
        )


class HistoryScreen(Dialog):
    """The page's versions; mark two to diff, or restore one."""

    # F3 opens the history and never closes it (Esc-then-F3 closed it when F3 was a close key here)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close"),
        Binding("f3", "focus_table", "History", show=False),
        Binding("space", "mark", "Mark for diff"),
        Binding("d", "diff", "Diff"),
        Binding("r", "restore", "Restore"),
    ]

    def __init__(self, page_id: str, metas: list[VersionMeta], read: Callable[[int], str]) -> None:
        super().__init__()
        self.page_id, self.metas, self.read = page_id, metas, read
        self.marked: list[int] = []

    def compose(self) -> ComposeResult:
        """Build the widgets."""
        with Vertical(classes="frame"):
            yield Label(f"History of {self.page_id}", classes="title")
            yield DataTable(id="history", cursor_type="row", zebra_stripes=True)
            yield Static(
                "Space: mark two versions · d: diff marked (or this one with the one before) · "
                "r: restore this version · Esc: close",
                classes="hint",
            )

    def on_mount(self) -> None:
        """Fill in the widgets once mounted."""
        table = self.query_one(DataTable)
        table.add_column(" ", key="mark")
        for label in ("#", "time", "author", "source", "status", "message", "CER vs prev"):
            table.add_column(label, key=label)
        for meta in reversed(self.metas):
            table.add_row(
                "",
                str(meta.number) + (" !" if meta.conflict else ""),
                short_time(meta.time),
                meta.author,
                meta.source,
                meta.status,
                meta.message[:40],
                "…",
                key=str(meta.number),
            )
        table.focus()
        self.compute_cer()

    @work(thread=True, exclusive=True)
    def compute_cer(self) -> None:
        """CER of each version against the one before (reading texts is slow on big pages: a worker)."""
        from workbench.metrics import character_error_rate

        prev: str | None = None
        for meta in self.metas:
            text = self.read(meta.number)
            cer = None if prev is None else character_error_rate(prev, text)
            # Against an empty earlier version every character is new: a rate means nothing there.
            value = "" if cer is None else ("—" if math.isinf(cer) else f"{cer * 100:.1f}%")
            self.post_message(self.CerComputed(meta.number, value))
            prev = text

    class CerComputed(Message):
        """The CER of version ``number`` against the one before, as shown (posted by :meth:`compute_cer`)."""

        def __init__(self, number: int, value: str) -> None:
            super().__init__()
            self.number = number
            self.value = value

    def on_history_screen_cer_computed(self, message: CerComputed) -> None:
        """Fill in a CER cell."""
        self.query_one(DataTable).update_cell(str(message.number), "CER vs prev", message.value)

    def action_focus_table(self) -> None:
        """Put the focus on the list of versions (F3 while the history is open)."""
        self.query_one(DataTable).focus()

    def _current(self) -> int | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key else None

    def action_mark(self) -> None:
        """Mark (or unmark) the version under the cursor; two marks make a diff."""
        n = self._current()
        if n is None:
            return
        if n in self.marked:
            self.marked.remove(n)
        else:
            self.marked = [*self.marked[-1:], n]
        table = self.query_one(DataTable)
        for meta in self.metas:
            table.update_cell(str(meta.number), "mark", "●" if meta.number in self.marked else "")
        if len(self.marked) == 2:
            self.action_diff()

    def action_diff(self) -> None:
        """Diff the two marked versions, or the version under the cursor against the one before it."""
        if len(self.marked) == 2:
            a, b = sorted(self.marked)
        else:
            b = self._current() or 0
            numbers = [m.number for m in self.metas]
            if b not in numbers or numbers.index(b) == 0:
                self.notify("Mark two versions with Space, or choose one that has a version before it.")
                return
            a = numbers[numbers.index(b) - 1]
        self.app.push_screen(DiffScreen(f"{self.page_id}: version {a} → version {b}", self.read(a), self.read(b)))

    def on_data_table_row_selected(self) -> None:
        """Enter on a row."""
        self.action_diff()

    def action_restore(self) -> None:
        """Ask, then restore the version under the cursor as a new version."""
        n = self._current()
        if n is None:
            return

        def done(choice: str | None) -> None:
            if choice == "restore":
                self.dismiss(("restore", n))

        self.app.push_screen(
            ChoiceScreen(
                f"Restore version {n}?",
                f"Version {n}'s text becomes a new version; no version is deleted.",
                [("Restore", "restore"), ("Cancel", "cancel")],
            ),
            done,
        )


class PagesScreen(Dialog):
    """Every page: document, page, status, versions, flagged words."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,f2", "close", "Close")]

    def __init__(self, rows: list[tuple[str, str, str, str]], current: str) -> None:
        super().__init__()
        self.rows, self.current = rows, current
        self.flagged: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        """Build the widgets."""
        with Vertical(classes="frame"):
            yield Label("Pages  (Enter opens, Esc closes)", classes="title")
            yield DataTable(id="pages", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        """Fill in the widgets once mounted."""
        table = self.query_one(DataTable)
        for label in ("document", "page", "status", "versions", "flagged"):
            table.add_column(label, key=label)
        for pid, status, versions, flagged in self.rows:
            doc, _, name = pid.rpartition("/")
            table.add_row(doc, name, status, versions, self.flagged.get(pid, flagged), key=pid)
        ids = [r[0] for r in self.rows]
        if self.current in ids:
            table.move_cursor(row=ids.index(self.current))
        table.focus()

    def set_flagged(self, page_id: str, value: str) -> None:
        """Fill in a page's flagged-word count once it is known (before the list is shown, or after it closed)."""
        self.flagged[page_id] = value
        if not self.is_mounted:
            return
        table = self.query_one(DataTable)
        # Rows are added in on_mount, which reads self.flagged: a count arriving earlier is not lost.
        with contextlib.suppress(CellDoesNotExist, RowDoesNotExist):
            table.update_cell(page_id, "flagged", value)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row."""
        self.dismiss(event.row_key.value)


class OcrScreen(Dialog):
    """Re-OCR the page or the selected lines with a chosen language."""

    def __init__(self, lines: tuple[int, int] | None, default_lang: str) -> None:
        super().__init__()
        self.lines, self.default_lang = lines, default_lang

    def compose(self) -> ComposeResult:
        """Build the widgets."""
        langs = ["auto", "rus", "aze_cyrl", "rus+aze_cyrl"]
        with Vertical(classes="frame"):
            yield Label(
                "Re-OCR  (the result arrives as a candidate; reviewed lines are never replaced)", classes="title"
            )
            scopes = [("whole page", "page")]
            if self.lines:
                scopes.insert(0, (f"selected lines {self.lines[0] + 1}–{self.lines[1] + 1}", "lines"))
            yield Select(scopes, value=scopes[0][1], allow_blank=False, id="scope")
            value = self.default_lang if self.default_lang in langs else "auto"
            yield Select([(lang, lang) for lang in langs], value=value, allow_blank=False, id="lang")
            with Horizontal(classes="buttons"):
                yield Button("Run OCR", id="run", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        """Fill in the widgets once mounted."""
        self.query_one("#run", Button).focus()

    @on(Button.Pressed, "#run")
    def _run(self) -> None:
        scope = self.query_one("#scope", Select).value
        self.dismiss((str(self.query_one("#lang", Select).value), self.lines if scope == "lines" else None))

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class CandidateScreen(Dialog):
    """An OCR candidate against the editor's text, line by line: choose the lines to take."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close"),
        Binding("space", "toggle_line", "Choose line"),
        Binding("a", "all", "Choose all"),
        Binding("t", "take", "Take chosen"),
    ]

    def __init__(self, title: str, current: str, candidate: str, reviewed: set[int], lines: range | None) -> None:
        super().__init__()
        self.title_text, self.current, self.candidate = title, current, candidate
        self.reviewed = reviewed
        cur, cand = current.split("\n"), candidate.split("\n")
        rng = lines if lines is not None else range(max(len(cur), len(cand)))
        self.differing = [i for i in rng if (cur[i] if i < len(cur) else "") != (cand[i] if i < len(cand) else "")]
        self.chosen: set[int] = set()

    def compose(self) -> ComposeResult:
        """Build the widgets."""
        with Vertical(classes="frame"):
            yield Label(self.title_text, classes="title")
            yield DataTable(id="candidate", cursor_type="row")
            yield Static(
                "Space: choose line · a: choose all · t: take chosen lines into the editor · Esc: close. "
                "Reviewed lines are locked.",
                classes="hint",
            )

    def on_mount(self) -> None:
        """Fill in the widgets once mounted."""
        from workbench.diff import word_diff

        table = self.query_one(DataTable)
        for label in ("take", "line", "now → candidate"):
            table.add_column(label, key=label)
        cur, cand = self.current.split("\n"), self.candidate.split("\n")
        for i in self.differing:
            a = cur[i] if i < len(cur) else ""
            b = cand[i] if i < len(cand) else ""
            cell = Text()
            for op in word_diff(a, b):
                if op.tag == "equal":
                    cell.append(op.a_text)
                else:
                    cell.append(op.a_text, style="bold #ff8787 strike")
                    cell.append(op.b_text, style="bold #afffaf underline")
            table.add_row("reviewed" if i in self.reviewed else "", str(i + 1), cell, key=str(i))
        if not self.differing:
            self.notify("The candidate has no differences in these lines.")
        table.focus()

    def _row(self) -> int | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        return int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or 0)

    def _show(self, i: int) -> None:
        mark = "reviewed" if i in self.reviewed else ("✓" if i in self.chosen else "")
        self.query_one(DataTable).update_cell(str(i), "take", mark)

    def action_toggle_line(self) -> None:
        """Choose or unchoose the line under the cursor (not a reviewed one)."""
        i = self._row()
        if i is None:
            return
        if i in self.reviewed:
            self.notify(f"Line {i + 1} is reviewed; a candidate never replaces it.", severity="warning")
            return
        self.chosen ^= {i}
        self._show(i)

    def action_all(self) -> None:
        """Choose every differing line that is not reviewed."""
        self.chosen = {i for i in self.differing if i not in self.reviewed}
        for i in self.differing:
            self._show(i)

    def action_take(self) -> None:
        """Close, taking the chosen lines; with none chosen, stay open and say how to choose."""
        if not self.chosen:
            # closing here took nothing, and the keys typed next (t, a) landed in the transcript
            self.notify("No line chosen: Space chooses the line under the cursor, a every line; Esc closes.")
            return
        self.dismiss(sorted(self.chosen))


class LanguageScreen(Dialog):
    """Set the language of the selected lines."""

    def __init__(self, lines: tuple[int, int]) -> None:
        super().__init__()
        self.lines = lines

    def compose(self) -> ComposeResult:
        """Build the widgets."""
        with Vertical(classes="frame"):
            yield Label(f"Language of lines {self.lines[0] + 1}–{self.lines[1] + 1}", classes="title")
            with Horizontal(classes="buttons"):
                yield Button("Russian (rus)", id="rus", variant="primary")
                yield Button("Azerbaijani (aze_cyrl)", id="aze_cyrl")
                yield Button("Cancel", id="cancel")

    @on(Button.Pressed)
    def _chosen(self, event: Button.Pressed) -> None:
        self.dismiss(None if event.button.id == "cancel" else event.button.id)


class LettersScreen(Dialog):
    """The Azerbaijani letters palette: click one, or press its chord key."""

    DEFAULT_CSS = """
    LettersScreen Button { min-width: 5; width: 7; margin: 0 1 0 0; }
    LettersScreen .row { height: auto; }
    """

    def __init__(self, orthography: str) -> None:
        super().__init__()
        self.orthography = orthography
        self.pairs = palette(orthography)

    def compose(self) -> ComposeResult:
        """Build the widgets."""
        with Vertical(classes="frame"):
            yield Label(
                f"Azerbaijani letters ({self.orthography} alphabet): press the key (Shift for capitals) or click",
                classes="title",
            )
            half = len(self.pairs) // 2
            for row in (self.pairs[:half], self.pairs[half:]):
                with Horizontal(classes="row"):
                    for key, letter in row:
                        yield Button(f"{letter} {key}", id=f"l-{self.pairs.index((key, letter))}")

    @on(Button.Pressed)
    def _clicked(self, event: Button.Pressed) -> None:
        self.dismiss(self.pairs[int((event.button.id or "l-0")[2:])][1])

    def on_key(self, event: Any) -> None:
        """Type the letter whose key was pressed."""
        from workbench.tui.letters import letter_for

        letter = letter_for(event.character or "", self.orthography) if event.character else None
        if letter:
            event.stop()
            self.dismiss(letter)
