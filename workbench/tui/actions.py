"""The one table of the workbench's actions: the key bindings, the help screen and the command palette are made
from it, so a key is written once and the three can never disagree.

Each help row says what a key does; the :class:`Command`\\ s under it are the bindings and palette entries
that row stands for (a row such as "F8 / F7" has two). Rows without commands document keys that widgets
handle themselves (the editor's flag keys, the page image's zoom keys).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

from workbench.tui.base import NARROW_COLUMNS


@dataclass(frozen=True)
class Command:
    """One action of the app: its binding (if it has a key of its own) and its command-palette entry."""

    action: str  # a Textual action string on the app, e.g. "save" or "strip_zoom(1.25)"
    key: str | None = None  # the Textual key of its binding; None: palette only
    footer: str | None = None  # the label in the footer, None: not shown there
    rank: int = 99  # the footer's order (bindings shown there are sorted by it)
    priority: bool = False  # the key works even when a widget (the editor) would take it
    title: str | None = None  # the command palette's name for it; None: not in the palette
    description: str = ""


@dataclass(frozen=True)
class HelpRow:
    """A line of the help screen and the commands it stands for."""

    keys: str
    text: str
    commands: tuple[Command, ...] = ()


SECTIONS: list[tuple[str, list[HelpRow]]] = [
    (
        "Pages and versions",
        [
            HelpRow(
                "Ctrl+S",
                "save a version (Enter in the dialog saves; message and status optional)",
                (
                    Command(
                        "save", "ctrl+s", "Save", 1, True, "Save version", "Save the text as a new version (Ctrl+S)"
                    ),
                ),
            ),
            HelpRow(
                "Ctrl+PgDn / Ctrl+PgUp",
                "next / previous page (unsaved edits are kept in the recovery file)",
                (
                    Command(
                        "next_page", "ctrl+pagedown", None, 99, True, "Next page", "Open the next page (Ctrl+PgDn)"
                    ),
                    Command(
                        "prev_page",
                        "ctrl+pageup",
                        None,
                        99,
                        True,
                        "Previous page",
                        "Open the previous page (Ctrl+PgUp)",
                    ),
                ),
            ),
            HelpRow(
                "F2",
                "page list (documents, pages, status, flagged words); Enter opens",
                (
                    Command(
                        "pages", "f2", "Pages", 3, False, "Page list", "Documents, pages, status, flagged words (F2)"
                    ),
                ),
            ),
            HelpRow(
                "F3",
                "history: Space marks two versions to diff, d diffs, r restores",
                (
                    Command(
                        "history", "f3", "History", 4, False, "History", "Versions of this page; diff and restore (F3)"
                    ),
                ),
            ),
            HelpRow(
                "F4",
                "re-OCR the page or the selected lines (result arrives as a candidate)",
                (Command("ocr", "f4", "Re-OCR", 5, False, "Re-OCR", "OCR the page or the selected lines (F4)"),),
            ),
            HelpRow(
                "F5",
                "the latest OCR candidate: choose lines (Space, a) and take them (t)",
                (
                    Command(
                        "candidate",
                        "f5",
                        None,
                        99,
                        False,
                        "OCR candidate",
                        "Diff the latest candidate and take lines (F5)",
                    ),
                ),
            ),
            HelpRow(
                "Ctrl+P, Export …",
                "searchable PDF, TEI or training lines of this page, its document or the archive",
                (
                    Command(
                        "export",
                        title="Export …",
                        description="Searchable PDF, TEI or training lines, with a progress bar",
                    ),
                ),
            ),
            HelpRow(
                "Ctrl+Q", "quit (asks when there are unsaved edits)", (Command("quit", "ctrl+q", "Quit", 8, True),)
            ),
        ],
    ),
    (
        "Search and replace",
        [
            HelpRow(
                "Ctrl+F",
                "find in this page (as it is now, case, ё/е, й/ј and Latin look-alikes folded; word~1 for misreads): "
                "Enter/↓ next hit, ↑ previous, Esc back to the text",
                (Command("find", "ctrl+f", None, 99, True, "Find in page", "Find a word in this page (Ctrl+F)"),),
            ),
            HelpRow(
                "F6",
                "search the archive (exact, ~1, ~2, OCR confusions, regex), the line's image beside the hits; "
                "Enter opens the page at the hit; Space marks hits, Ctrl+A marks all",
                (
                    Command(  # priority: the editor's TextArea binds F6 to "select line"
                        "search_archive",
                        "f6",
                        None,
                        99,
                        True,
                        "Search the archive",
                        "Every page, look-alike letters and misreads included (F6)",
                    ),
                ),
            ),
            HelpRow(
                "",
                "in the archive search: type the replacement, then Replace marked / Replace all: every line before "
                "and after, then one new version per page (restore undoes it); reviewed lines are left alone",
                (
                    Command(
                        "replace_archive",
                        title="Replace in the archive",
                        description="Search, then replace the hits you choose, one new version per page",
                    ),
                ),
            ),
        ],
    ),
    (
        "Flagged words and suggestions",
        [
            HelpRow(
                "F8 / F7",
                "next / previous flagged word (it gets selected)",
                (
                    Command(
                        "next_flag",
                        "f8",
                        "Next flag",
                        6,
                        False,
                        "Next flagged word",
                        "Select the next unknown or low-confidence word (F8)",
                    ),
                    Command(
                        "prev_flag",
                        "f7",
                        None,
                        99,
                        True,
                        "Previous flagged word",
                        "Select the previous flagged word (F7)",
                    ),
                ),
            ),
            HelpRow("1 … 9", "with a flagged word selected: take suggestion 1–9"),
            HelpRow(
                "+",
                "with a flagged word selected: add it to the project dictionary",
                (
                    Command(
                        "add_word",
                        title="Add word to dictionary",
                        description="Add the flagged word under the cursor to the project dictionary",
                    ),
                ),
            ),
            HelpRow(
                "=",
                "with a flagged word selected: ignore it on this page",
                (
                    Command(
                        "ignore_word",
                        title="Ignore word on this page",
                        description="Stop flagging the word under the cursor here",
                    ),
                ),
            ),
            HelpRow("", "red bold underline: unknown word · yellow italic underline: low OCR confidence"),
        ],
    ),
    (
        "Typing and marking",
        [
            HelpRow(
                "Ctrl+G, then a g k h o u c j y",
                "ә ғ ҝ һ ө ү ҹ (j: й or ј by the page's orthography) й; Shift: capitals",
            ),
            HelpRow(
                "Ctrl+O",
                "Azerbaijani letters palette (click or press the key)",
                (
                    Command(
                        "letters",
                        "ctrl+o",
                        None,
                        99,
                        True,
                        "Azerbaijani letters",
                        "Palette of ә ғ ҝ һ ө ү ҹ ј й (Ctrl+O)",
                    ),
                ),
            ),
            HelpRow(
                "Ctrl+R",
                "mark the selected lines (or the cursor line) reviewed / not reviewed",
                (
                    Command(
                        "toggle_reviewed",
                        "ctrl+r",
                        "Reviewed",
                        7,
                        True,
                        "Mark lines reviewed",
                        "Toggle reviewed on the selected lines (Ctrl+R)",
                    ),
                ),
            ),
            HelpRow(
                "Ctrl+L",
                "set the language of the selected lines (rus or aze_cyrl)",
                (
                    Command(
                        "set_language",
                        "ctrl+l",
                        None,
                        99,
                        True,
                        "Set language of lines",
                        "rus or aze_cyrl for the selected lines (Ctrl+L)",
                    ),
                ),
            ),
            HelpRow(
                "Shift+arrows, F6",
                "select text / the line (TextArea keys: Ctrl+Z undo, Ctrl+Y redo, …)",
                (Command("select_all", title="Select all", description="Select the whole text"),),
            ),
        ],
    ),
    (
        "Page image",
        [
            HelpRow("Tab", "move focus between the editor and the page image"),
            HelpRow(
                "F10",
                f"hide / show the page image (hidden by itself below {NARROW_COLUMNS} columns; the line strip stays)",
                (
                    Command(
                        "toggle_page_pane",
                        "f10",
                        None,
                        99,
                        True,
                        "Page image on/off",
                        "Hide the page image so the editor takes the width, or show it (F10)",
                    ),
                ),
            ),
            HelpRow(
                "+ / - / 0",
                "(page image focused) zoom in / out / fit the page",
                (
                    Command("zoom_page(1.25)", title="Zoom page in", description="Zoom the page image in"),
                    Command("zoom_page(0.8)", title="Zoom page out", description="Zoom the page image out"),
                    Command("fit_page", title="Fit page", description="Show the whole page"),
                ),
            ),
            HelpRow("arrows", "(page image focused) pan"),
            HelpRow(
                "F12 or p",
                "original / preprocessed scan",
                (
                    Command(
                        "toggle_preprocessed",
                        "f12",
                        None,
                        99,
                        False,
                        "Original/preprocessed scan",
                        "Toggle the page image (F12)",
                    ),
                ),
            ),
            HelpRow(
                "F9",
                "the cursor's line (palette: or the page) in the system image viewer, for terminals without pixels",
                (
                    Command(
                        "view_line",
                        "f9",
                        None,
                        99,
                        True,
                        "Line in image viewer",
                        "The cursor's line cut from the scan, in the system viewer (F9; $WORKBENCH_IMAGE_VIEWER)",
                    ),
                    Command(
                        "view_page",
                        title="Page in image viewer",
                        description="The page's scan in the system viewer ($WORKBENCH_IMAGE_VIEWER or xdg-open)",
                    ),
                ),
            ),
            HelpRow(
                "Ctrl+Up / Ctrl+Down",
                "line strip taller (larger letters) / shorter",
                (
                    Command("strip_zoom(1.25)", "ctrl+up", None, 99, True, "Line strip zoom in", "Ctrl+Up"),
                    Command("strip_zoom(0.8)", "ctrl+down", None, 99, True, "Line strip zoom out", "Ctrl+Down"),
                ),
            ),
        ],
    ),
    (
        "Everywhere",
        [
            HelpRow("F1", "this help", (Command("help", "f1", "Help", 2, False, "Keys", "Show every key (F1)"),)),
            HelpRow("Ctrl+P", "command palette: every action by name"),
            HelpRow("Esc", "close a dialog"),
        ],
    ),
]


def commands() -> list[Command]:
    """Every command of the table, in the table's order."""
    return [c for _, rows in SECTIONS for row in rows for c in row.commands]


def bindings() -> list[Binding]:
    """The app's key bindings, the footer's ones first in their order."""
    keyed = sorted((c for c in commands() if c.key), key=lambda c: c.rank)
    return [
        Binding(c.key, c.action, c.footer or c.title or c.action, show=c.footer is not None, priority=c.priority)
        for c in keyed
        if c.key
    ]


def palette() -> list[Command]:
    """The commands offered by name in the command palette."""
    return [c for c in commands() if c.title]


def help_markdown() -> str:
    """The help screen's text."""
    parts = ["# Workbench keys\n"]
    for section, rows in SECTIONS:
        parts.append(f"\n## {section}\n\n| key | action |\n|---|---|\n")
        for row in rows:
            parts.append(f"| {row.keys or ' '} | {row.text} |\n")
    parts.append(
        "\nThe mouse works everywhere but is never needed. Errors are written to the log file named in the message."
    )
    return "".join(parts)
