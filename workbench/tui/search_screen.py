"""The archive search screen: hits with their line's image, open one, replace one, several or all.

The searching and the replacing are the core's (``workbench.search``): this screen asks in thread workers
and shows the answers. Each row shows its hit's line cut from the scan in half-blocks
(:mod:`workbench.tui.hit_strips`, drawn for the rows on screen only), and the highlighted hit's line is
shown larger under the list. Replacing goes through a preview of every line before and after
(:class:`ReplacePreviewScreen`) and then writes one version per page, like ``workbench replace``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Checkbox, DataTable, Input, Label, Select, Static
from textual.widgets.data_table import RowDoesNotExist

from workbench.errors import WorkbenchError
from workbench.project import Project
from workbench.search import replace as core_replace
from workbench.search.boxes import with_boxes
from workbench.search.model import Hit, Query
from workbench.search.query import search
from workbench.tui.hit_strips import PENDING, ROW_HEIGHT, STRIP_WIDTH, PageImages, strip_text, visible_rows
from workbench.tui.imaging import PageImage
from workbench.tui.pane import LineStrip
from workbench.tui.screens import Dialog

#: How many hits the screen lists (the best; the status line says when there were more).
MAX_HITS = 500
KIND_LABEL = {"exact": "exact", "folded": "folded", "confusion": "OCR", "fuzzy": "~{d}"}


def hit_text(hit: Hit) -> Text:
    """The hit's line with the match highlighted."""
    out = Text(hit.text[: hit.start].lstrip())
    out.append(hit.found, style="bold reverse")
    out.append(hit.text[hit.end :].rstrip())
    return out


class SearchDone(Message):
    """A search finished: the best hits (with boxes), how many there were, or the error that stopped it."""

    def __init__(self, hits: list[Hit], total: int, error: str = "") -> None:
        super().__init__()
        self.hits, self.total, self.error = hits, total, error


class HitImageLoaded(Message):
    """The scan of a hit's page is decoded (or ``image`` says why there is none)."""

    def __init__(self, page_id: str, image: PageImage | str, row: int) -> None:
        super().__init__()
        self.page_id, self.image, self.row = page_id, image, row


class HitStripsDrawn(Message):
    """The strips of some rows of search number ``generation`` are drawn: row → cell."""

    def __init__(self, generation: int, cells: dict[int, Text]) -> None:
        super().__init__()
        self.generation, self.cells = generation, cells


class ReplacePlanned(Message):
    """What replacing the chosen hits would do, page by page, ready to preview."""

    def __init__(self, plans: list[core_replace.PagePlan]) -> None:
        super().__init__()
        self.plans = plans


class ReplaceApplied(Message):
    """Replacing is done: one new version per page."""

    def __init__(self, results: list[tuple[core_replace.PagePlan, Any]]) -> None:
        super().__init__()
        self.results = results


class SearchScreen(Dialog):
    """Search every page; Enter opens the page at the hit; Space marks hits; replace marked or all.

    The workers post messages (:class:`SearchDone`, :class:`ReplacePlanned` …) that the screen handles on
    its own thread; a test awaits the same messages.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("space", "toggle_mark", "Mark hit", show=False),
        Binding("ctrl+a", "mark_all", "Mark all", show=False),
    ]
    DEFAULT_CSS = """
    SearchScreen > .frame { height: 90%; }
    SearchScreen .row { height: auto; }
    SearchScreen #query { width: 1fr; }
    SearchScreen #fuzzy { width: 16; }
    SearchScreen #hits { height: 1fr; max-height: 100%; }
    SearchScreen #hit-strip { height: 6; background: $panel; }
    SearchScreen #replacement { width: 1fr; }
    SearchScreen #search-status { height: 1; color: $text-muted; }
    """

    def __init__(
        self,
        project: Project,
        query: str = "",
        *,
        image_of: Callable[[str], PageImage | str],
        on_replaced: Callable[[list[str]], None] | None = None,
    ) -> None:
        super().__init__()
        self.project = project
        self.initial = query
        self.image_of = image_of
        self.on_replaced = on_replaced
        self.hits: list[Hit] = []
        self.marked: set[int] = set()
        self._images = PageImages(image_of)
        #: Counts the searches shown, so that strips drawn for an earlier list are not put in this one.
        self.generation = 0
        #: Rows whose strip is drawn or being drawn.
        self.strips_asked: set[int] = set()

    def compose(self) -> ComposeResult:
        """Build the widgets."""
        with Vertical(classes="frame"):
            yield Label("Search the archive  (Enter: search / open hit · Space: mark · Esc: close)", classes="title")
            with Horizontal(classes="row"):
                yield Input(self.initial, placeholder="word, phrase, word~1 …", id="query")
                yield Select([("exact", 0), ("~1 edit", 1), ("~2 edits", 2)], value=0, allow_blank=False, id="fuzzy")
                yield Checkbox("OCR confusions", id="confusions")
                yield Checkbox("regex", id="regex")
            yield DataTable(id="hits", cursor_type="row", zebra_stripes=True)
            yield LineStrip(id="hit-strip")
            with Horizontal(classes="row"):
                yield Input(placeholder="replace with …", id="replacement")
                yield Checkbox("reviewed lines too", id="include-reviewed")
                yield Button("Replace marked", id="replace-marked")
                yield Button("Replace all", id="replace-all", variant="warning")
            yield Static("", id="search-status")

    def on_mount(self) -> None:
        """Set up the table; search at once if a query was given."""
        table = self.query_one("#hits", DataTable)
        for label in ("", "page", "line", "match"):
            table.add_column(label, key=label or "mark")
        table.add_column("scan", key="scan", width=STRIP_WIDTH)
        table.add_column("text", key="text")
        self.watch(table, "scroll_y", self._draw_visible_strips, init=False)
        self.query_one("#query", Input).focus()
        if self.initial:
            self.run_search()

    # -- searching ---------------------------------------------------------------------------------------

    def current_query(self) -> Query:
        """The query the widgets describe."""
        fuzzy = self.query_one("#fuzzy", Select).value
        return Query(
            self.query_one("#query", Input).value,
            fuzzy=fuzzy if isinstance(fuzzy, int) else 0,
            confusions=self.query_one("#confusions", Checkbox).value,
            regex=self.query_one("#regex", Checkbox).value,
        )

    @on(Input.Submitted, "#query")
    def run_search(self) -> None:
        """Search with what the widgets say."""
        if not self.query_one("#query", Input).value.strip():
            return
        self._status("Searching…")
        self._search(self.current_query())

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search(self, query: Query) -> None:
        try:
            hits = search(self.project, query)
        except WorkbenchError as e:
            self.post_message(SearchDone([], 0, str(e)))
            return
        self.post_message(SearchDone(with_boxes(self.project, hits[:MAX_HITS]), len(hits)))

    def on_search_done(self, message: SearchDone) -> None:
        """Show the hits (or why there are none)."""
        if message.error:
            self._status(message.error)
            return
        hits, total = message.hits, message.total
        self.hits, self.marked = hits, set()
        self.generation += 1
        self.strips_asked = set()
        table = self.query_one("#hits", DataTable)
        table.clear()
        for i, h in enumerate(hits):
            kind = KIND_LABEL[h.kind].format(d=h.distance)
            pending = Text(PENDING, style="dim")
            table.add_row("", h.page, str(h.line + 1), kind, pending, hit_text(h), key=str(i), height=ROW_HEIGHT)
        pages = len({h.page for h in hits})
        more = f" (the best {len(hits)} shown)" if total > len(hits) else ""
        self._status(f"{total} hit{'s' if total != 1 else ''} on {pages} page{'s' if pages != 1 else ''}{more}.")
        if hits:
            table.focus()
            self._show_strip(0)
            self.call_after_refresh(self._draw_visible_strips)

    def _status(self, text: str) -> None:
        self.query_one("#search-status", Static).update(text)

    def _row(self) -> int | None:
        table = self.query_one("#hits", DataTable)
        if table.row_count == 0:
            return None
        return int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or 0)

    # -- the line images -------------------------------------------------------------------------------

    def on_resize(self) -> None:
        """More or fewer rows on screen: draw the strips of those that lack one."""
        self.call_after_refresh(self._draw_visible_strips)

    def visible_hit_rows(self) -> range:
        """The rows of the hits table on screen now."""
        table = self.query_one("#hits", DataTable)
        return visible_rows(table.scroll_y, table.scrollable_content_region.height, len(self.hits))

    def _draw_visible_strips(self) -> None:
        """Ask for the strips of the rows on screen that have none yet (the rest wait until scrolled to)."""
        rows = [i for i in self.visible_hit_rows() if i not in self.strips_asked]
        if rows:
            self.strips_asked.update(rows)
            self._draw_strips(self.generation, [(i, self.hits[i]) for i in rows])

    @work(thread=True, group="hit-strips", exit_on_error=False)
    def _draw_strips(self, generation: int, rows: list[tuple[int, Hit]]) -> None:
        by_page: dict[str, list[tuple[int, Hit]]] = {}
        for i, hit in rows:
            by_page.setdefault(hit.page, []).append((i, hit))
        for page, hits in by_page.items():  # a page at a time: its rows appear as soon as its scan is read
            image = self._images.load(page)
            self.post_message(HitStripsDrawn(generation, {i: strip_text(image, hit) for i, hit in hits}))

    def on_hit_strips_drawn(self, message: HitStripsDrawn) -> None:
        """Put the strips in their rows (if the list is still the one they were drawn for)."""
        if message.generation != self.generation:
            return
        table = self.query_one("#hits", DataTable)
        for i, cell in message.cells.items():
            with contextlib.suppress(RowDoesNotExist):
                table.update_cell(str(i), "scan", cell)

    @on(DataTable.RowHighlighted, "#hits")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_strip(int(event.row_key.value or 0))

    def _show_strip(self, i: int) -> None:
        if i >= len(self.hits):
            return
        hit = self.hits[i]
        strip = self.query_one("#hit-strip", LineStrip)
        cached = self._images.get(hit.page)
        if cached is None:
            strip.set_page(None, "Loading the scan…")
            self._load_image(hit.page, i)
        elif isinstance(cached, str):
            strip.set_page(None, cached)
        else:
            strip.set_page(cached)
            strip.set_boxes(hit.box, None, why="No line box for this line (no OCR layout).")

    @work(thread=True, exclusive=True, group="search-image", exit_on_error=False)
    def _load_image(self, page_id: str, row: int) -> None:
        self.post_message(HitImageLoaded(page_id, self._images.load(page_id), row))

    def on_hit_image_loaded(self, message: HitImageLoaded) -> None:
        """Show the strip if its hit is still the highlighted one (the scan is kept in the page cache)."""
        if self._row() == message.row:
            self._show_strip(message.row)

    # -- opening and marking ---------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#hits")
    def _open(self, event: DataTable.RowSelected) -> None:
        self.dismiss(self.hits[int(event.row_key.value or 0)])

    def action_toggle_mark(self) -> None:
        """Mark or unmark the hit under the cursor for replacing."""
        i = self._row()
        if i is None or not self.query_one("#hits", DataTable).has_focus:
            return
        self.marked ^= {i}
        with contextlib.suppress(RowDoesNotExist):
            self.query_one("#hits", DataTable).update_cell(str(i), "mark", "✓" if i in self.marked else "")

    def action_mark_all(self) -> None:
        """Mark every hit."""
        self.marked = set(range(len(self.hits)))
        table = self.query_one("#hits", DataTable)
        for i in self.marked:
            table.update_cell(str(i), "mark", "✓")

    # -- replacing ---------------------------------------------------------------------------------------

    @on(Button.Pressed, "#replace-marked")
    def replace_marked(self) -> None:
        """Preview replacing the marked hits (or the one under the cursor when none is marked)."""
        chosen = sorted(self.marked) or ([r] if (r := self._row()) is not None else [])
        self._preview([self.hits[i] for i in chosen])

    @on(Button.Pressed, "#replace-all")
    def replace_all(self) -> None:
        """Preview replacing every listed hit."""
        self._preview(list(self.hits))

    def _preview(self, hits: list[Hit]) -> None:
        new = self.query_one("#replacement", Input).value.strip()
        if not new:
            self._status("Type the replacement first (the field left of the buttons).")
            self.query_one("#replacement", Input).focus()
            return
        if not hits:
            self._status("No hits to replace.")
            return
        self._plan(hits, new, self.query_one("#include-reviewed", Checkbox).value)

    @work(thread=True, exclusive=True, group="search-replace", exit_on_error=False)
    def _plan(self, hits: list[Hit], new: str, include_reviewed: bool) -> None:
        try:
            plans = core_replace.plan(
                self.project, core_replace.edits_for(hits, new), include_reviewed=include_reviewed
            )
        except WorkbenchError as e:
            self.post_message(SearchDone(self.hits, len(self.hits), str(e)))
            return
        self.post_message(ReplacePlanned(plans))

    def on_replace_planned(self, message: ReplacePlanned) -> None:
        """Preview the plan; replace if confirmed."""
        plans = message.plans

        def chosen(ok: bool | None) -> None:
            if ok:
                self._apply(plans)

        self.app.push_screen(ReplacePreviewScreen(plans), chosen)

    @work(thread=True, exclusive=True, group="search-replace", exit_on_error=False)
    def _apply(self, plans: list[core_replace.PagePlan]) -> None:
        self.post_message(ReplaceApplied(core_replace.apply(self.project, plans)))

    def on_replace_applied(self, message: ReplaceApplied) -> None:
        """Say what was written, let the app reload a touched page, and search again."""
        results = message.results
        n = sum(p.count for p, _ in results)
        pages = [p.page for p, _ in results]
        self.app.notify(f"Replaced {n} on {len(pages)} page(s): one new version each (restore undoes it).")
        if self.on_replaced is not None:
            self.on_replaced(pages)
        self.run_search()


class ReplacePreviewScreen(Dialog):
    """Every line a replacement changes, before and after, side by side; and what it leaves alone."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Cancel")]
    DEFAULT_CSS = """
    ReplacePreviewScreen DataTable { height: auto; max-height: 24; }
    """

    def __init__(self, plans: list[core_replace.PagePlan]) -> None:
        super().__init__()
        self.plans = plans

    def compose(self) -> ComposeResult:
        """Build the widgets."""
        n = sum(p.count for p in self.plans)
        pages = sum(1 for p in self.plans if p.changes)
        skipped = sum(len(p.skipped) for p in self.plans)
        with Vertical(classes="frame"):
            yield Label(f"Replace {n} occurrence(s) on {pages} page(s)?", classes="title")
            yield DataTable(id="preview", cursor_type="row", zebra_stripes=True)
            if skipped:
                reasons = sorted({why for p in self.plans for _, why in p.skipped})
                yield Static(f"{skipped} hit(s) left alone ({', '.join(reasons)}).", classes="hint")
            with Horizontal(classes="buttons"):
                yield Button(f"Replace ({pages} new version(s))", id="ok", variant="warning", disabled=not n)
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        """Fill in the table."""
        table = self.query_one(DataTable)
        for label in ("page", "line", "now", "after"):
            table.add_column(label, key=label)
        for p in self.plans:
            for c in p.changes:
                table.add_row(p.page, str(c.line + 1), c.old.strip(), Text(c.new.strip(), style="bold"))
        self.query_one("#ok" if any(p.changes for p in self.plans) else "#cancel", Button).focus()

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(False)
