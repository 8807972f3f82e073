"""The transcript editor: a TextArea that marks flagged words and reviewed lines and types Azerbaijani letters."""

from __future__ import annotations

from collections import defaultdict

from rich.style import Style
from textual import events
from textual.document._document import Document, EditResult, Location
from textual.document._document_navigator import DocumentNavigator
from textual.document._wrapped_document import WrappedDocument
from textual.message import Message
from textual.widgets import TextArea
from textual.widgets.text_area import TextAreaTheme

from workbench.azeri_input import keyboard_letter, type_latin
from workbench.flags import Flag, follow_edit
from workbench.tui.letters import letter_for

#: The editor's input modes: plain typing, Latin-script Azerbaijani converted as typed, one key per letter.
INPUT_MODES = ("plain", "translit", "keyboard")
#: The keys that switch a mode on and off (a second press goes back to plain typing).
MODE_KEYS = {"ctrl+t": "translit", "ctrl+n": "keyboard"}
MODE_LABELS = {
    "plain": "",
    "translit": "Latin → Cyrillic (Ctrl+T: off)",
    "keyboard": "Azerbaijani keys 1–8 (Ctrl+N: off)",
}

#: Keys that change the text besides the printable ones.
TYPING_KEYS = frozenset({"enter", "tab", "backspace", "delete"})

THEME = TextAreaTheme(
    name="workbench",
    syntax_styles={
        # Two styles that differ in more than colour, so they read apart on any terminal:
        "wb.unknown": Style(color="#ff5f5f", underline=True, bold=True),
        "wb.lowconf": Style(color="#ffd75f", italic=True, underline=True),
        # a known word that is likely a misread: its own mark, dotted apart from the unknown words
        "wb.realword": Style(color="#d787ff", underline=True, italic=True),
        "wb.reviewed": Style(bgcolor="#0b3d1a"),
    },
)


class TranscriptDocument(Document):
    """A document whose lines end at ``\n`` only.

    Textual's :class:`Document` splits with ``str.splitlines``, which also breaks lines at a form feed (the
    page break of a typescript), ``\v``, ``\x1c``–``\x1e``, ``\x85`` and U+2028/U+2029: a transcript
    holding one came back from the editor with a newline in its place. The store counts lines with
    ``text.split("\n")``; so does this document, and such characters stay in their line byte for byte.
    """

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._newline = "\n"
        self._lines = text.split("\n")

    def replace_range(self, start: Location, end: Location, text: str) -> EditResult:
        """Replace the text between ``start`` and ``end`` (Textual's algorithm, splitting at ``\n`` only)."""
        top, bottom = sorted((start, end))
        top_row, top_column = top
        bottom_row, bottom_column = bottom
        insert_lines = text.split("\n")
        lines = self._lines
        replaced_text = self.get_text_range(top, bottom)
        after_selection = "" if bottom_row >= len(lines) else lines[bottom_row][bottom_column:]
        before_selection = "" if top_row >= len(lines) else lines[top_row][:top_column]
        insert_lines[0] = before_selection + insert_lines[0]
        destination_column = len(insert_lines[-1])
        insert_lines[-1] = insert_lines[-1] + after_selection
        lines[top_row : bottom_row + 1] = insert_lines
        destination_row = top_row + len(insert_lines) - 1
        return EditResult((destination_row, destination_column), replaced_text)


class TranscriptEditor(TextArea):
    """The page's text, line for line with the scan."""

    class FlagKey(Message):
        """A key pressed while a flagged word is selected: a digit 1–9, ``+`` (add) or ``=`` (ignore)."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    class InputMode(Message):
        """The input mode changed (``plain``, ``translit`` or ``keyboard``)."""

        def __init__(self, mode: str) -> None:
            super().__init__()
            self.mode = mode

    class Chord(Message):
        """The Azerbaijani-letter chord started or ended (the palette lights up)."""

        def __init__(self, active: bool) -> None:
            super().__init__()
            self.active = active

    def __init__(self, text: str = "", **kwargs: object) -> None:
        super().__init__(text, show_line_numbers=True, soft_wrap=False, **kwargs)  # type: ignore[arg-type]
        self.register_theme(THEME)
        self.theme = "workbench"
        self.marks: dict[int, list[Flag]] = defaultdict(list)
        self._marks_text = self.text  # the text the marks' places are right for
        self.reviewed_lines: set[int] = set()
        self.orthography = "1939"
        self.chord_pending = False
        self.input_mode = "plain"
        self._typing_from = 0.0  # keys made before this moment (Textual's monotonic clock) do not type

    def refuse_typing_before(self, moment: float) -> None:
        """Keys typed before ``moment`` (a dialog closed then) type nothing, even if they arrive after it.

        On a busy machine a dialog's keys (t takes lines, r restores, d diffs, Enter confirms) can be handled
        after the key before them closed the dialog; they were meant for the dialog, not the transcript.
        """
        self._typing_from = max(self._typing_from, moment)

    def set_input_mode(self, mode: str) -> None:
        """Switch the input mode (see ``INPUT_MODES``); the editor's border says which one is on."""
        if mode not in INPUT_MODES:
            raise ValueError(f"input mode must be one of {', '.join(INPUT_MODES)}, not {mode!r}")
        self.input_mode = mode
        label = MODE_LABELS[mode]
        self.border_subtitle = f"{label} · {self.orthography}" if label else ""
        self.post_message(self.InputMode(mode))

    def type_text(self, text: str) -> None:
        """Type ``text`` as a key types its letter: over the selection if there is one (not when read-only)."""
        self._replace_via_keyboard(text, *self.selection)

    def _type_in_mode(self, character: str) -> bool:
        """Type ``character`` the current mode's way; False when the mode leaves the key alone."""
        if self.input_mode == "keyboard":
            letter = keyboard_letter(character, self.orthography)
            if letter is None:
                return False
            self.type_text(letter)
            return True
        if self.input_mode == "translit":
            row, col = self.cursor_location
            if self.selection.start != self.selection.end:
                # over a selection the key starts a new word: no letter before it to combine with
                _, text = type_latin("", character, self.orthography)
                if text == character:
                    return False
                self.type_text(text)
                return True
            before = self.document[row][:col]
            drop, text = type_latin(before, character, self.orthography)
            if drop == 0 and text == character:
                return False
            if drop:
                self.replace(text, (row, col - drop), (row, col))
            else:
                self.insert(text)
            return True
        return False

    def _set_document(self, text: str, language: str | None) -> None:
        # TextArea builds a plain Document here (on mount and on load_text); ours keeps form feeds in place.
        super()._set_document(text, language)
        self.document = TranscriptDocument(text)
        self.wrapped_document = WrappedDocument(self.document, tab_width=self.indent_width)
        self.navigator = DocumentNavigator(self.wrapped_document)
        self._build_highlight_map()

    def set_marks(self, marks: list[Flag], text: str | None = None) -> None:
        """Replace every mark (unknown and low-confidence words) and repaint.

        ``text`` is the text the marks were found on (default: the editor's text now); if it was edited since
        (a check in a worker), the marks are moved onto the text as it is now, or dropped where it changed.
        """
        now = self.text
        if text is not None and text != now:
            marks = follow_edit(marks, text, now)
        self._place_marks(marks, now)
        self._build_highlight_map()
        self.refresh()

    def _place_marks(self, marks: list[Flag], text: str) -> None:
        self.marks = defaultdict(list)
        for m in marks:
            self.marks[m.line].append(m)
        for line in self.marks.values():
            line.sort(key=lambda m: m.start)
        self._marks_text = text

    def _follow_text(self) -> None:
        """Move the marks with the edits made since they were placed (every edit ends here, undo and redo too).

        A check runs a while after typing stops; until then the marks must still point at their words, or F8
        selects (and typing replaces) letters of another word.
        """
        marks_text = getattr(self, "_marks_text", None)
        if marks_text is None:
            return  # still in TextArea.__init__
        now = self.text
        if now != marks_text:
            placed = [m for line in sorted(self.marks) for m in self.marks[line]]
            self._place_marks(follow_edit(placed, marks_text, now), now)

    def set_line_marks(self, line: int, marks: list[Flag]) -> None:
        """Replace the marks of one line (after it was edited and checked again)."""
        self._follow_text()
        self.marks[line] = sorted(marks, key=lambda m: m.start)
        self._build_highlight_map()
        self.refresh()

    def set_reviewed(self, lines: set[int]) -> None:
        """Show these lines as reviewed."""
        self.reviewed_lines = set(lines)
        self._build_highlight_map()
        self.refresh()

    def all_marks(self) -> list[Flag]:
        """Every mark in reading order."""
        self._follow_text()
        return [m for line in sorted(self.marks) for m in self.marks[line]]

    def mark_at(self, line: int, column: int) -> Flag | None:
        """The mark under a cursor position."""
        self._follow_text()
        for m in self.marks.get(line, ()):
            if m.start <= column <= m.end:
                return m
        return None

    def selected_mark(self) -> Flag | None:
        """The mark exactly selected (as after next/previous flagged word)."""
        start, end = sorted(self.selection)
        if start[0] != end[0] or start == end:
            return None
        self._follow_text()
        for m in self.marks.get(start[0], ()):
            if (m.start, m.end) == (start[1], end[1]):
                return m
        return None

    def _build_highlight_map(self) -> None:
        """Highlights come from our marks, not a syntax tree; TextArea wants UTF-8 byte offsets."""
        self._follow_text()
        self._line_cache.clear()
        highlights = self._highlights
        highlights.clear()
        line_count = self.document.line_count
        for line, marks in getattr(self, "marks", {}).items():
            if not marks or line >= line_count:
                continue
            text = self.document[line]
            for m in marks:
                if m.end > len(text) or text[m.start : m.end] != m.word:
                    continue  # the line changed since it was checked; the recheck will mark it again
                b0 = len(text[: m.start].encode("utf-8"))
                b1 = b0 + len(m.word.encode("utf-8"))
                highlights[line].append((b0, b1, f"wb.{m.kind}"))
        for line in getattr(self, "reviewed_lines", ()):
            if line < line_count:
                highlights[line].insert(0, (0, None, "wb.reviewed"))

    async def _on_key(self, event: events.Key) -> None:
        if event.time < self._typing_from and (event.is_printable or event.key in TYPING_KEYS):
            event.stop()
            event.prevent_default()
            return
        if self.chord_pending:
            self.chord_pending = False
            self.post_message(self.Chord(False))
            event.stop()
            event.prevent_default()
            letter = letter_for(event.character or "", self.orthography) if event.character else None
            if letter is not None and not self.read_only:
                self.type_text(letter)  # over the selection, as typing a letter does
            elif event.key != "escape":
                self.app.bell()
            return
        if event.key in MODE_KEYS:
            event.stop()
            event.prevent_default()
            wanted = MODE_KEYS[event.key]
            self.set_input_mode("plain" if self.input_mode == wanted else wanted)
            return
        if (
            self.input_mode != "plain"
            and event.character
            and event.is_printable
            and not self.read_only
            and self._type_in_mode(event.character)
        ):
            event.stop()
            event.prevent_default()
            return
        if event.key == "ctrl+g":
            self.chord_pending = True
            self.post_message(self.Chord(True))
            event.stop()
            event.prevent_default()
            return
        if event.character and event.character in "123456789+=" and self.selected_mark() is not None:
            event.stop()
            event.prevent_default()
            self.post_message(self.FlagKey(event.character))
            return
        await super()._on_key(event)
