"""The OCR panel: re-OCR of the page or of selected lines in a worker, and taking lines from a candidate."""

from __future__ import annotations

import time

from textual import work

from workbench.tui.base import AppBase, guarded, screens
from workbench.tui.messages import OcrFinished


class OcrPart(AppBase):
    """Re-OCR (F4) and OCR candidates (F5)."""

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
            if answer is None:
                # Cancel (Tab from Run lands on it) or Esc: say so, or the dialog seems to have vanished
                self.notify("Re-OCR cancelled: nothing was run.", timeout=4)
                return
            self.start_ocr(answer[0], answer[1])

        self.push_screen(screens().OcrScreen(lines, session.lang_of_line(first, self.editor.text)), chosen)

    def start_ocr(self, lang: str, lines: tuple[int, int] | None) -> None:
        """Run OCR in a worker with a progress indicator."""
        if self.session is None:
            return
        self._ocr_started = time.monotonic()
        self.screen_stack[0].query_one("#progress").display = True
        span = f"lines {lines[0] + 1}–{lines[1] + 1}" if lines else "the page"
        self.notify(f"OCR of {span} started ({lang}); keep working.", timeout=3)
        # The lines are the editor's: each is read inside its own image line, found from this text.
        self.ocr_worker(self.session.page_id, lang, lines, self.editor.text)

    @work(thread=True, exclusive=True, group="ocr", exit_on_error=False)
    def ocr_worker(self, page_id: str, lang: str, lines: tuple[int, int] | None, text: str | None = None) -> None:
        """OCR in a thread, stored by the pipeline as a version (no human version yet) or a candidate."""
        from workbench.ocr.candidates import apply_ocr_result
        from workbench.ocr.pipeline import ocr_page

        lang_arg = None if lang == "auto" else lang
        result = ocr_page(self.project, page_id, lang=lang_arg, lines=lines, text=text if lines else None)
        stored = apply_ocr_result(self.store, page_id, result)
        self.post_message(OcrFinished(page_id, stored.version.number, stored.candidate, lines))

    def _ocr_finished(self) -> None:
        self._ocr_started = None
        self.screen_stack[0].query_one("#progress").display = False

    def on_ocr_finished(self, message: OcrFinished) -> None:
        """Show what the OCR stored: a new version (reloaded if the editor is clean) or a candidate to take from."""
        page_id, number, candidate, lines = message.page_id, message.number, message.candidate, message.lines
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
        from workbench.ocr.candidates import plan_take

        cand = self.store.read_candidate(session.page_id, number)
        current = self.editor.text
        # Line i of the screen is the editor's line i against the candidate's reading of the same image line
        # (not the candidate's line i: after lines were deleted or added, the numbers differ; issue 9).
        layouts = {"current_layout": session.layout, "candidate_layout": cand.layout()}
        aligned = plan_take(current, (), cand.text, range(current.count("\n") + 1), **layouts).text
        rng = range(lines[0], lines[1] + 1) if lines else None
        title = f"OCR candidate {cand.number} of {session.page_id}" + (
            f", lines {lines[0] + 1}–{lines[1] + 1}" if lines else ""
        )

        def taken(chosen: list[int] | None) -> None:
            if not chosen:
                return
            take = plan_take(current, session.reviewed, cand.text, chosen, **layouts)
            self.editor.replace(take.text, (0, 0), self.editor.document.end)
            if cand.layout() is not None:
                session.layout = cand.layout()
            self.notify(f"Took {len(chosen)} line(s) from the candidate; Ctrl+S saves.", timeout=4)

        self.push_screen(screens().CandidateScreen(title, current, aligned, session.reviewed, rng), taken)
