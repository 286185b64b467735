"""One trace: its span tree with a timing waterfall, and the selected span's details.

The app builds this screen once and shows each trace in it (`open`): pushing a built screen
takes a few milliseconds, composing and styling a new one over a hundred. The app fetches the
trace before it shows the screen, so the screen is laid out and painted once, with the trace.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Header, Static

from llmops_tui.domain.traces import SpanDetail, TraceDetail
from llmops_tui.formatting import count, ms, usd
from llmops_tui.tui.context import Cockpit, cockpit
from llmops_tui.tui.screens.base import CockpitScreen
from llmops_tui.tui.widgets.key_bar import KeyBar
from llmops_tui.tui.widgets.messages import render_messages
from llmops_tui.tui.widgets.row_table import RowTable

WATERFALL = 22
SPAN_COLUMNS = ("span", "duration", "timeline")
BAR_COLUMN = SPAN_COLUMNS.index("timeline")


@dataclass
class TraceLoaded(Message):
    detail: TraceDetail


class TraceScreen(CockpitScreen):
    CSS_PATH = "trace_detail.tcss"
    HELP_TITLE = "Trace"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace", "close", "Back"),
        Binding("y", "copy_trace_id", "Copy id"),
        Binding("m", "focus_messages", "Details", show=False),
    ]

    def __init__(self, trace_id: str = "", start: datetime | None = None) -> None:
        super().__init__()
        self.trace_id = trace_id
        self._start = start
        self._detail: TraceDetail | None = None
        self._fetched: TraceDetail | None = None
        self._order: list[SpanDetail] = []

    def open(self, trace_id: str, start: datetime | None, detail: TraceDetail | None) -> None:
        """Show another trace: `detail` when already fetched, else loaded once shown."""
        self.trace_id = trace_id
        self._start = start
        self._detail = None
        self._fetched = detail
        self._order = []
        if self.is_mounted:
            self.query_one("#trace-title", Static).update(f"trace {trace_id}")
            self.query_one("#spans", RowTable).set_rows([])
            for part in ("#summary", "#messages", "#attributes", "#feedback"):
                self.query_one(part, Static).update("")

    @property
    def cockpit(self) -> Cockpit:
        return cockpit(self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"trace {self.trace_id}", id="trace-title", classes="section-title")
        with Horizontal():
            yield RowTable(SPAN_COLUMNS, id="spans")
            with VerticalScroll(id="detail"):
                yield Static("", id="summary")
                yield Static("Messages", classes="section-title")
                yield Static("", id="messages", markup=False)
                yield Static("Attributes", classes="section-title")
                yield Static("", id="attributes", markup=False)
                yield Static("Feedback", classes="section-title", id="feedback-title")
                yield Static("", id="feedback")
        yield KeyBar()

    def on_screen_resume(self) -> None:
        if self._fetched is not None:
            self.show_trace(TraceLoaded(self._fetched))
            self._fetched = None
        elif self._detail is None:
            self.load_trace(self.trace_id, self._start)

    @work(thread=True, exclusive=True, group="trace.load", exit_on_error=False)
    def load_trace(self, trace_id: str, start: datetime | None) -> None:
        self.post_message(TraceLoaded(self.cockpit.store.traces.detail(trace_id, around=start)))

    @on(TraceLoaded)
    def show_trace(self, loaded: TraceLoaded) -> None:
        if loaded.detail.trace_id != self.trace_id:
            return  # another trace was opened while this one loaded
        detail = self._detail = loaded.detail
        table = self.query_one("#spans", RowTable)
        if not detail.spans:
            table.set_rows([])
            self.query_one("#summary", Static).update("This trace is no longer in the store.")
            return
        self._order = list(_tree_order(detail.spans))
        first = min(s.start_time for s in detail.spans)
        last = max((s.end_time or s.start_time) for s in detail.spans)
        total = max((last - first).total_seconds(), 1e-6)
        rows = []
        for depth, span in self._order_with_depth():
            offset = int((span.start_time - first).total_seconds() / total * WATERFALL)
            length = max(1, round((span.duration_ms or 0) / 1000 / total * WATERFALL))
            bar = " " * offset + "█" * min(length, WATERFALL - offset)
            name = ("  " * depth + (span.name or span.span_id))[:30]
            rows.append((name, ms(span.duration_ms), f"{bar:<{WATERFALL}}"))
        table.set_rows(
            rows,
            alerts=[BAR_COLUMN if s.status == "error" else None for s in self._order],
            accent=BAR_COLUMN,
        )
        table.move_cursor(row=0)
        self._show_span(self._order[0])

    def _order_with_depth(self) -> list[tuple[int, SpanDetail]]:
        depth: dict[str, int] = {}
        result = []
        for span in self._order:
            level = depth.get(span.parent_span_id or "", -1) + 1
            depth[span.span_id] = level
            result.append((level, span))
        return result

    @on(RowTable.Highlighted, "#spans")
    def _highlighted(self, event: RowTable.Highlighted) -> None:
        if 0 <= event.row < len(self._order):
            self._show_span(self._order[event.row])

    def _show_span(self, span: SpanDetail) -> None:
        self.query_one("#summary", Static).update(_summary(span))
        messages = [
            f"── input ──\n{render_messages(span.input_text)}" if span.input_text else "",
            f"── output ──\n{render_messages(span.output_text)}" if span.output_text else "",
        ]
        self.query_one("#messages", Static).update(
            "\n\n".join(m for m in messages if m) or "(no messages recorded)"
        )
        self.query_one("#attributes", Static).update(_pretty(span.attributes) or "{}")
        feedback = self._detail.feedback if self._detail else ()
        lines = [
            f"{'→ ' if f.span_id == span.span_id else '  '}{f.name}: "
            f"{f.score if f.score is not None else '-'} {f.label or ''} {f.comment or ''}".rstrip()
            for f in feedback
        ]
        self.query_one("#feedback", Static).update("\n".join(lines) or "none")

    def action_close(self) -> None:
        self.dismiss()

    def action_copy_trace_id(self) -> None:
        self.app.copy_to_clipboard(self.trace_id)
        self.notify(f"copied trace id {self.trace_id}")

    def action_focus_messages(self) -> None:
        self.query_one("#detail", VerticalScroll).focus()


def _tree_order(spans: tuple[SpanDetail, ...]) -> list[SpanDetail]:
    """Depth-first by start time; orphans (parent not in the trace) start their own branch."""
    ids = {s.span_id for s in spans}
    children: dict[str | None, list[SpanDetail]] = {}
    for span in spans:
        parent = span.parent_span_id if span.parent_span_id in ids else None
        children.setdefault(parent, []).append(span)
    ordered: list[SpanDetail] = []
    stack = sorted(children.get(None, []), key=lambda s: s.start_time, reverse=True)
    while stack:
        span = stack.pop()
        ordered.append(span)
        stack.extend(
            sorted(children.get(span.span_id, []), key=lambda s: s.start_time, reverse=True)
        )
    return ordered


def _summary(span: SpanDetail) -> str:
    lines = [
        f"[b]{span.name or span.span_id}[/b]  {span.kind or ''}  "
        + ("[$error]error[/]" if span.status == "error" else span.status),
        f"span {span.span_id} · {span.start_time:%Y-%m-%d %H:%M:%S.%f} · {ms(span.duration_ms)}",
    ]
    if span.status_message:
        lines.append(f"[$error]{_escape(span.status_message[:200])}[/]")
    model = span.response_model or span.request_model
    if model:
        lines.append(f"model {model} ({span.provider or '?'})  operation {span.operation or '-'}")
    if span.input_tokens is not None or span.output_tokens is not None:
        lines.append(
            f"tokens in {count(span.input_tokens or 0)} (cache read "
            f"{count(span.cache_read_tokens or 0)}, write {count(span.cache_write_tokens or 0)})"
            f" · out {count(span.output_tokens or 0)} (reasoning "
            f"{count(span.reasoning_tokens or 0)})"
        )
        lines.append(f"cost {usd(span.cost_usd)} ({span.cost_source or 'no usage'})")
    if span.prompt_name:
        lines.append(f"prompt {span.prompt_name}@{span.prompt_version or '?'}")
    context = [
        f"env {span.environment}" if span.environment else "",
        f"user {span.user_id}" if span.user_id else "",
        f"session {span.session_id}" if span.session_id else "",
    ]
    if any(context):
        lines.append("  ".join(c for c in context if c))
    return "\n".join(lines)


def _escape(text: str) -> str:
    return text.replace("[", "\\[")


def _pretty(text: str | None) -> str:
    if not text:
        return ""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text
