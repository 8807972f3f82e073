"""What the app's thread workers post when they finish: the app handles each message on its own thread.

Workers never call back into widgets; they post one of these (``post_message`` is thread-safe) and the app's
``on_<name>`` handler updates the screen. Tests await the same messages (``run_test(message_hook=…)``).
"""

from __future__ import annotations

from typing import Any

from textual.message import Message

from workbench.errors import WorkbenchError
from workbench.flags import Flag
from workbench.tui.imaging import PageImage


class OcrFinished(Message):
    """The OCR of a page (or of some of its lines) is stored: as version or candidate ``number``."""

    def __init__(self, page_id: str, number: int, candidate: bool, lines: tuple[int, int] | None) -> None:
        super().__init__()
        self.page_id = page_id
        self.number = number
        self.candidate = candidate
        self.lines = lines


class ImageLoaded(Message):
    """A page's scan is decoded and downscaled (or ``image`` is the reason there is none)."""

    def __init__(self, page_id: str, image: PageImage | str, prefetched: bool = False) -> None:
        super().__init__()
        self.page_id = page_id
        self.image = image
        self.prefetched = prefetched  # loaded ahead for the next page, not the one shown


class Preprocessed(Message):
    """The preprocessed scan of a page is ready to be shown."""

    def __init__(self, page_id: str) -> None:
        super().__init__()
        self.page_id = page_id


class SpellersLoaded(Message):
    """The dictionaries are loaded (``loaded``), or some could not be (``problems``; ``unavailable``: none at all)."""

    def __init__(
        self,
        loaded: dict[tuple[str, str, bool], Any],
        problems: list[tuple[str, WorkbenchError]],
        unavailable: str = "",
    ) -> None:
        super().__init__()
        self.loaded = loaded
        self.problems = problems
        self.unavailable = unavailable


class PageChecked(Message):
    """The unknown words of ``text`` (all of its lines, or only ``rows``) are flagged."""

    def __init__(self, page_id: str, text: str, marks: list[Flag], rows: set[int] | None = None) -> None:
        super().__init__()
        self.page_id = page_id
        self.text = text
        self.marks = marks
        self.rows = rows


class FlagsCounted(Message):
    """The number of flagged words of one page of the page list."""

    def __init__(self, screen: Any, page_id: str, count: str) -> None:
        super().__init__()
        self.screen = screen
        self.page_id = page_id
        self.count = count


class ExportProgressed(Message):
    """A page of the running export (PDF, TEI or lines) is done."""

    def __init__(self, page_id: str) -> None:
        super().__init__()
        self.page_id = page_id


class ExportFinished(Message):
    """The export wrote its files; ``report`` (a ``HandoverReport``) says what, and what it left out."""

    def __init__(self, report: Any) -> None:
        super().__init__()
        self.report = report


class ImageViewerStarted(Message):
    """The page's scan or a line cut from it was written to ``path`` and the system viewer started on it."""

    def __init__(self, page_id: str, what: str, path: str, command: list[str]) -> None:
        super().__init__()
        self.page_id = page_id
        self.what = what  # "the page" or "line N"
        self.path = path
        self.command = command
