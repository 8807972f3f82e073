"""Autosave: unsaved edits go to the page's recovery file a moment after typing stops, and are offered back
when the page is opened again (after a crash, a killed terminal, or moving to another page)."""

from __future__ import annotations

import time

from rich.text import Text

from workbench.errors import IntegrityError
from workbench.tui.base import AppBase, guarded, screens
from workbench.tui.diffview import render_diff


class AutosavePart(AppBase):
    """Writing and offering the recovery file."""

    def _autosave_due(self, now: float) -> bool:
        """Whether edits have rested long enough since the last autosave to write one."""
        return (
            self.dirty and self._last_change > self._last_autosave and now - self._last_change >= self.autosave_seconds
        )

    @guarded
    def autosave(self) -> None:
        """Write the unsaved edits to the page's recovery file (survives a crash or a killed terminal)."""
        if self.session is None or not self.dirty:
            return
        self._last_autosave = time.monotonic()
        self.store.write_recovery(self.session.page_id, self.editor.text, self.session.base)
        self._autosave_held = True

    @guarded
    def _edits_undone(self) -> None:
        """The editor is back at the saved text (undo, or typed back): the autosave holds edits that are gone,
        so it is removed, else reopening the page would offer to "recover" what the user undid."""
        if self.session is None or not self._autosave_held:
            return
        self._autosave_held = False
        self.store.discard_recovery(self.session.page_id)

    def _offer_recovery(self) -> None:
        session = self.session
        assert session is not None
        try:
            rec = self.store.read_recovery(session.page_id)
        except IntegrityError as e:  # a corrupt autosave, moved aside: say where, never pretend there was none
            self.notify(str(e), title=e.title, severity="warning", timeout=20)
            return
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
                self._autosave_held = True  # the file now holds the editor's edits: undoing them removes it
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
