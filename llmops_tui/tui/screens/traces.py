"""Traces (3): every trace in the store, a page at a time, with a filter bar.

Pages come from the store by keyset (never OFFSET), so page 1,000 of ten million spans is as
quick as page 1. The filter bar's text is parsed here (pure) and compiled to bound SQL by the
store; a malformed filter is explained inline and the table keeps its rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Header, Input, Static

from llmops_tui.domain.filters import FilterError, TraceFilter, parse_filter
from llmops_tui.domain.traces import PageKey, TraceRow, TraceSort
from llmops_tui.formatting import compact, ms, usd
from llmops_tui.tui.screens.base import DataScreen
from llmops_tui.tui.view import View
from llmops_tui.tui.widgets.key_bar import KeyBar
from llmops_tui.tui.widgets.row_table import RowTable

PAGE_SIZE = 100
SORTS = list(TraceSort)
COLUMNS = ("time", "name", "env", "model", "prompt", "duration", "tokens", "cost", "status")
STATUS_COLUMN = COLUMNS.index("status")


@dataclass
class PageLoaded(Message):
    request: tuple[View, str, TraceSort, bool, PageKey | None]
    rows: list[TraceRow]


@dataclass
class ExportDone(Message):
    path: Path
    spans: int


class TracesScreen(DataScreen):
    CSS_PATH = "traces.tcss"
    AUTO_FOCUS = "#traces"
    HELP_TITLE = "Traces"
    HELP_TEXT = (
        "Filter (/): model:gpt-4o  status:error  env:production  prompt:support@3\n"
        '  latency>2s  cost>0.01  tokens>=5000  user:u123  -model:gpt-4o-mini  "free text"\n'
        "Terms are ANDed; a field repeated ORs its values; * is a wildcard in model and name."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        *DataScreen.BINDINGS,
        Binding("slash", "edit_filter", "Filter", key_display="/"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("n", "next_page", "Next page"),
        Binding("p", "previous_page", "Prev page"),
        Binding("g", "first_page", "First page", show=False),
        Binding("s", "cycle_sort", "Sort"),
        Binding("r", "reverse_sort", "Reverse", show=False),
        Binding("y", "copy_trace_id", "Copy trace id", show=False),
        Binding("e", "export", "Export JSONL", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter_text = ""
        self.trace_filter: TraceFilter | None = None
        self.sort = TraceSort.TIME
        self.descending = True
        self._anchors: list[PageKey | None] = [None]
        """The keyset position each visited page was loaded from; the last is on screen."""
        self._rows: list[TraceRow] = []
        self.shown: tuple[View, str, TraceSort, bool, PageKey | None] | None = None
        """The request whose rows are on screen."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder='filter: model:gpt-4o status:error latency>2s "text"', id="filter")
        yield Static("", id="filter-error")
        yield RowTable(COLUMNS, id="traces")
        yield Static("", id="status", classes="muted")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#filter", Input).display = False

    # -- loading ----------------------------------------------------------------------------

    def load(self, *, live: bool) -> None:
        if not live:
            self._anchors = [None]
        self.load_page(self._request())

    def _request(self) -> tuple[View, str, TraceSort, bool, PageKey | None]:
        return (self.cockpit.view, self.filter_text, self.sort, self.descending, self._anchors[-1])

    @work(thread=True, exclusive=True, group="traces.page", exit_on_error=False)
    def load_page(self, request: tuple[View, str, TraceSort, bool, PageKey | None]) -> None:
        view, _, sort, descending, after = request
        store = self.cockpit.store
        data_start, data_end = self.cockpit.data_range()
        window = view.window(self.cockpit.clock(), data_start, data_end)
        rows = store.traces.page(
            start=window.start,
            end=window.end,
            environment=view.environment,
            match=self.trace_filter,
            sort=sort,
            descending=descending,
            after=after,
            limit=PAGE_SIZE,
        )
        self.post_message(PageLoaded(request, rows))

    @on(PageLoaded)
    def show_page(self, loaded: PageLoaded) -> None:
        if loaded.request != self._request():
            return  # the filter, sort or page changed while this one was loading
        if not loaded.rows and len(self._anchors) > 1:
            self._anchors.pop()  # no further page: stay on the last one
            self.shown = self._request()
            self.notify("That was the last page.")
            return
        table = self.query_one("#traces", RowTable)
        selected = self.selected_row()
        keep = selected.trace_id if selected else None
        self._rows = loaded.rows
        table.set_rows(
            [_cells(row) for row in loaded.rows],
            alerts=[STATUS_COLUMN if row.status == "error" else None for row in loaded.rows],
        )
        ids = [r.trace_id for r in loaded.rows]
        if keep is not None and keep in ids:
            table.move_cursor(row=ids.index(keep))
        self.shown = loaded.request
        self._show_status()

    def _show_status(self) -> None:
        order = "descending" if self.descending else "ascending"
        where = f" · filter {self.filter_text}" if self.filter_text else ""
        self.query_one("#status", Static).update(
            f"page {len(self._anchors)} · {len(self._rows)} traces · sorted by {self.sort.value} "
            f"({order}){where}"
        )

    def selected_row(self) -> TraceRow | None:
        table = self.query_one("#traces", RowTable)
        if not self._rows or table.cursor_row < 0 or table.cursor_row >= len(self._rows):
            return None
        return self._rows[table.cursor_row]

    # -- filter -----------------------------------------------------------------------------

    def action_edit_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.value = self.filter_text
        box.focus()

    @on(Input.Submitted, "#filter")
    def apply_filter(self, event: Input.Submitted) -> None:
        error = self.query_one("#filter-error", Static)
        try:
            parsed = parse_filter(event.value)
        except FilterError as problem:
            caret = " " * problem.position + "^"
            error.update(f"[$error]{problem}[/]\n{caret}")
            error.display = True
            return
        error.display = False
        self.filter_text = event.value.strip()
        self.trace_filter = parsed if parsed.terms else None
        self.query_one("#traces", RowTable).focus()
        self.query_one("#filter", Input).display = bool(self.filter_text)
        self.reload()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        self.query_one("#filter-error", Static).display = False
        if box.has_focus and box.value != self.filter_text:
            box.value = self.filter_text
        elif self.filter_text:
            self.filter_text = ""
            self.trace_filter = None
            box.value = ""
            self.reload()
        box.display = bool(self.filter_text)
        self.query_one("#traces", RowTable).focus()

    # -- paging and sorting -----------------------------------------------------------------

    def action_next_page(self) -> None:
        if len(self._rows) == PAGE_SIZE:
            self._anchors.append(self._rows[-1].key)
            self.load_page(self._request())
        else:
            self.notify("That was the last page.")

    def action_previous_page(self) -> None:
        if len(self._anchors) > 1:
            self._anchors.pop()
            self.load_page(self._request())

    def action_first_page(self) -> None:
        self._anchors = [None]
        self.load_page(self._request())

    def action_cycle_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.reload()

    def action_reverse_sort(self) -> None:
        self.descending = not self.descending
        self.reload()

    # -- the selected trace -----------------------------------------------------------------

    @on(RowTable.Selected, "#traces")
    def open_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.cockpit.open_trace(row.trace_id, row.start_time)

    def action_copy_trace_id(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.app.copy_to_clipboard(row.trace_id)
            self.notify(f"copied trace id {row.trace_id}")

    def action_export(self) -> None:
        stamp = self.cockpit.clock().strftime("%Y%m%d-%H%M%S")
        self.export_traces(Path.cwd() / f"llmops-traces-{stamp}.jsonl", self.cockpit.view)

    @work(thread=True, exclusive=True, group="traces.export", exit_on_error=False)
    def export_traces(self, path: Path, view: View) -> None:
        store = self.cockpit.store
        data_start, data_end = self.cockpit.data_range()
        window = view.window(self.cockpit.clock(), data_start, data_end)
        written = 0
        with path.open("w", encoding="utf-8") as out:
            for record in store.traces.export_rows(
                start=window.start,
                end=window.end,
                environment=view.environment,
                match=self.trace_filter,
            ):
                out.write(json.dumps(_flat(record), default=_iso) + "\n")
                written += 1
        self.post_message(ExportDone(path, written))

    @on(ExportDone)
    def _exported(self, done: ExportDone) -> None:
        self.notify(f"exported {done.spans:,} spans to {done.path.name}")


def _cells(row: TraceRow) -> tuple[str, ...]:
    models = ", ".join(row.models) if row.models else "-"
    return (
        f"{row.start_time:%m-%d %H:%M:%S}",
        (row.name or "-")[:26],
        row.environment or "-",
        models[:20],
        row.prompt or "-",
        ms(row.duration_ms),
        compact(row.tokens),
        usd(row.cost_usd),
        row.status,
    )


def _flat(record: dict[str, object]) -> dict[str, object]:
    """A stored span back in the flat span shape `llmops ingest` reads."""
    flat = dict(record)
    for key in ("attributes", "resource_attributes", "events"):
        value = flat.pop(key)
        parsed = json.loads(value) if isinstance(value, str) else value
        flat["resource" if key == "resource_attributes" else key] = parsed
    return flat


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat() + "Z"
    raise TypeError(type(value).__name__)
