"""Flagged words and suggestions: the dictionaries, flagging a page (in workers), taking suggestions,
adding words to the project dictionary and ignoring them on a page."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.widgets import Static
from textual.widgets.text_area import Selection

from workbench.errors import WorkbenchError
from workbench.flags import Flag, Suggestion
from workbench.session import PageSession
from workbench.tui.base import AppBase, guarded
from workbench.tui.editor import TranscriptEditor
from workbench.tui.logfile import log_path, write_traceback
from workbench.tui.messages import PageChecked, SpellersLoaded

if TYPE_CHECKING:  # the dictionary package loads in a worker, not when the app starts
    from workbench.dictionary.check import Checker


class KnownOnly:
    """A speller that only answers "is it known?": flagging a page then costs lookups, not suggestions.

    Suggestions (the expensive part, ~1 ms a word) are computed for the word under the cursor when the
    cursor gets there.
    """

    def __init__(self, speller: Checker) -> None:
        self.speller = speller
        self.lang = speller.lang

    def is_known(self, word: str) -> bool:
        """Delegate to the real speller."""
        return bool(self.speller.is_known(word))

    def suggest(self, word: str, n: int = 5) -> list[Suggestion]:  # noqa: ARG002 - the Checker interface
        """No suggestions here; see the class docstring."""
        return []

    def real_word(self, word: str, left: str = "", right: str = "", n: int = 5) -> list[Suggestion] | None:
        """Delegate the real-word check (cheap: a few lookups one confusion away, no suggestion search)."""
        found = getattr(self.speller, "real_word", None)
        return found(word, left, right, n) if found is not None else None


def merge_marks(unknown: list[Flag], lowconf: list[Flag]) -> list[Flag]:
    """A page's marks: the dictionary's (unknown, likely misread) and the low-confidence words that are not
    already one of them, in reading order. What F8 visits, the status line and the page list count."""
    taken = {(m.line, m.start) for m in unknown}
    merged = unknown + [m for m in lowconf if (m.line, m.start) not in taken]
    return sorted(merged, key=lambda m: (m.line, m.start))


class FlaggingPart(AppBase):
    """The app's flagging of unknown and low-confidence words, and what can be done with one."""

    def _lowconf(self, text: str) -> list[Flag]:
        return self.session.low_confidence(text) if self.session else []

    @work(thread=True, exclusive=True, group="spell", exit_on_error=False)
    def load_spellers(self) -> None:
        """Load the dictionaries (slow: seconds) without blocking the app."""
        try:
            from workbench.dictionary import load_speller
        except ImportError as e:
            self.post_message(SpellersLoaded({}, [], unavailable=f"the dictionary part is not installed ({e})"))
            return
        orthographies = {"1939"}
        with contextlib.suppress(WorkbenchError):
            orthographies |= {self.project.document(d).orthography for d in self.project.documents()}
        # ё or е in the suggestions: each document's yo, else the project's (typescripts print no ё); a speller
        # per setting in use (they share the mapped index)
        yos = set()
        with contextlib.suppress(WorkbenchError):
            yos.add(self.project.prints_yo())
        with contextlib.suppress(WorkbenchError):
            yos |= {self.project.prints_yo(d) for d in self.project.documents()}
        if self.session is not None:
            yos.add(self.session.yo)
        loaded: dict[tuple[str, str, bool], Any] = {}
        problems: list[tuple[str, WorkbenchError]] = []
        for lang, orth in [("rus", "1939")] + [("aze_cyrl", o) for o in sorted(orthographies)]:
            try:
                for yo in sorted(yos or {False}):
                    loaded[(lang, orth, yo)] = load_speller(self.project, lang, orthography=orth, yo=yo)
            except WorkbenchError as e:
                write_traceback(e, f"loading the {lang} dictionary")
                problems.append((lang, e))
        if loaded:
            # what the archive vouches for: its reviewed lines rank their words higher, and with the installed
            # corpus they are the context of the real-word check (as `workbench check` does)
            from workbench.dictionary.archive import archive_context, corpus_context

            with contextlib.suppress(WorkbenchError, OSError):
                archive = archive_context(self.project)
                context = corpus_context()
                context.update(archive)
                for speller in loaded.values():
                    speller.use_context(context, archive)
        self.post_message(SpellersLoaded(loaded, problems))

    def on_spellers_loaded(self, message: SpellersLoaded) -> None:
        """Use the loaded dictionaries: say which are there, and flag the page."""
        if message.unavailable:
            self.suggestions_state = "unavailable"
            self.notify(f"Suggestions unavailable: {message.unavailable}.", severity="warning", timeout=8)
            return
        loaded, problems = message.loaded, message.problems
        self.spellers = loaded
        if loaded:
            self.suggestions_state = "ready"
            names = ", ".join(sorted({key[0] for key in loaded}))
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

    def _speller_for(self, lang: str, orthography: str | None = None, session: PageSession | None = None) -> Any:
        """The speller of ``lang`` for ``session``'s page (default: the open one): its orthography and yo."""
        session = session or self.session
        orth = orthography or (session.orthography if session else "1939")
        yo = session.yo if session else False
        key = (lang, orth if lang == "aze_cyrl" else "1939", yo)
        found = self.spellers.get(key)
        if found is None and lang in {k[0] for k in self.spellers}:
            # a document whose setting was not in use when the dictionaries loaded: a speller for it now
            # (load_speller reuses the mapped index; ~ms)
            with contextlib.suppress(WorkbenchError):
                from workbench.dictionary import load_speller

                found = load_speller(self.project, lang, orthography=key[1], yo=yo)
                loaded_one = next(sp for k, sp in self.spellers.items() if k[0] == lang)
                found.use_context(loaded_one.context, loaded_one.archive)
                self.spellers[key] = found
        return found

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
        self.post_message(PageChecked(page_id, text, self.unknown_marks(text)))

    @work(thread=True, exclusive=True, group="check-lines", exit_on_error=False)
    def _check_lines(self, page_id: str, text: str, rows: set[int]) -> None:
        """Check only the edited lines (a whole garbled page can take seconds).

        A word broken at a line end is flagged on its first line, and its halves depend on each other: the
        lines next to an edited one are checked again too, so the marks are the ones a full check finds.
        """
        count = text.count("\n") + 1
        rows = {r for row in rows for r in (row - 1, row, row + 1) if 0 <= r < count}
        self.post_message(PageChecked(page_id, text, self.unknown_marks(text, rows), rows))

    def on_page_checked(self, message: PageChecked) -> None:
        """Show the marks a check found (unless the page or its text changed meanwhile)."""
        if message.rows is None:
            self._marks_ready(message.page_id, message.text, message.marks)
        else:
            self._line_marks_ready(message.page_id, message.text, message.rows, message.marks)

    def _line_marks_ready(self, page_id: str, text: str, rows: set[int], marks: list[Flag]) -> None:
        if self.session is None or self.session.page_id != page_id:
            return
        if text != self.editor.text:
            self._recheck_pending = True
            self._recheck_rows |= rows
            return
        lowconf = [m for m in self._lowconf(text) if m.line in rows]
        fresh = merge_marks([m for m in marks if m.line in rows], lowconf)
        # the other lines' marks as the editor holds them: moved with every edit since the last check
        self.editor.set_marks([m for m in self.editor.all_marks() if m.line not in rows] + fresh)
        self._show_suggestions()

    def unknown_marks(self, text: str, lines: set[int] | None = None, session: PageSession | None = None) -> list[Flag]:
        """Words no dictionary of their line's language knows (ignored and added words excepted).

        With ``lines``, only the marks of those lines are returned; they are checked with the lines next to
        them (a hyphenated word's other half) and the rest blanked, so numbers stay right. ``session`` is the
        page the text belongs to (default: the open page).
        """
        from workbench.dictionary import check_text

        session = session or self.session
        if session is None:
            return []
        full = text
        all_lines = text.split("\n")
        if lines is not None:
            context = {r for row in lines for r in (row - 1, row, row + 1)}
            text = "\n".join(line if i in context else "" for i, line in enumerate(all_lines))
        page_langs = {i: session.lang_of_line(i, full) for i in range(len(all_lines))}
        spellers = {
            lang: KnownOnly(sp)
            for lang in set(page_langs.values())
            if (sp := self._speller_for(lang, session.orthography, session)) is not None
        }
        if not spellers:
            return []
        marks: list[Flag] = []
        for flag in check_text(text, spellers, page_langs=page_langs, n=9, real_words=True):
            if session.is_ignored(flag.word) or flag.word in self.added_words:
                continue
            if lines is not None and flag.line not in lines:
                continue  # a context line: its own marks stay as the last check of it found them
            marks.append(flag)
        return marks

    def flagged_marks(self, text: str, session: PageSession) -> list[Flag]:
        """Every mark of ``text`` on ``session``'s page, found as the editor's full check finds them (the page
        list counts these, so its count is the status line's for the same text)."""
        return merge_marks(self.unknown_marks(text, session=session), session.low_confidence(text))

    def _marks_ready(self, page_id: str, text: str, marks: list[Flag]) -> None:
        if self.session is None or self.session.page_id != page_id:
            return
        if text != self.editor.text:
            self._recheck_pending = True  # edited meanwhile; check again
        # found on `text`: placed on the editor's text as it is now (moved with the edits, or dropped)
        self.editor.set_marks(merge_marks(marks, self._lowconf(text)), text)
        self._show_suggestions()

    def _show_suggestions(self) -> None:
        widget = self.screen_stack[0].query_one("#suggest", Static)
        row, col = self.editor.cursor_location
        mark = self.editor.mark_at(row, col)
        legend = Text.assemble(
            ("unknown", "bold underline #ff5f5f"),
            " ",
            ("likely misread", "italic underline #d787ff"),
            " ",
            ("low confidence", "italic underline #ffd75f"),
            "  ",
        )
        if mark is None:
            widget.update(legend + Text("F8/F7 next/previous flagged word", style="dim"), layout=False)
            return
        suggestions = [s.term for s in mark.suggestions]
        if mark.kind == "unknown" and not suggestions:
            speller = self._speller_for(
                mark.lang or (self.session.lang_of_line(row, self.editor.text) if self.session else "rus")
            )
            if speller is not None:
                with contextlib.suppress(Exception):
                    suggestions = [s.term for s in speller.suggest(mark.word, n=9)]
        self._current_suggestions = suggestions[:9]
        kind = {"unknown": "unknown word", "realword": "likely misread"}.get(mark.kind, "low OCR confidence")
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
        suggestions = self._current_suggestions
        if mark is None or not 1 <= number <= len(suggestions):
            self.bell()
            return
        new = suggestions[number - 1]
        self.editor.replace(new, (mark.line, mark.start), (mark.line, mark.end))
        self.editor.marks[mark.line] = [m for m in self.editor.marks[mark.line] if m is not mark]
        self.editor.set_line_marks(mark.line, self.editor.marks[mark.line])
        # a suggestion as long as its word leaves the cursor where it was (no selection event): refresh the bar
        # here, or it keeps offering suggestions for the word just replaced
        self._show_suggestions()
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
    def add_to_dictionary(self, mark: Flag | None = None) -> None:
        """Add the flagged word under the cursor to the project dictionary."""
        mark = mark or self._mark_here()
        if mark is None:
            self.notify("Put the cursor on a flagged word first (F8).")
            return
        from workbench.dictionary import ProjectDictionary

        lang = mark.lang or (self.session.lang_of_line(mark.line, self.editor.text) if self.session else "rus")
        ProjectDictionary(self.project).add(mark.word, lang)
        self.added_words.add(mark.word)
        self._drop_marks(mark.word)
        self.notify(f"Added {mark.word!r} ({lang}) to dictionaries/project.txt.", timeout=3)

    def action_add_word(self) -> None:
        """Add the flagged word under the cursor to the project dictionary."""
        self.add_to_dictionary()

    def action_ignore_word(self) -> None:
        """Stop flagging the word under the cursor on this page."""
        self.ignore_word()

    def ignore_word(self, mark: Flag | None = None) -> None:
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

    def _mark_here(self) -> Flag | None:
        row, col = self.editor.cursor_location
        return self.editor.mark_at(row, col)

    def _drop_marks(self, word: str) -> None:
        self.editor.set_marks([m for m in self.editor.all_marks() if m.word != word])
        self._show_suggestions()

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
