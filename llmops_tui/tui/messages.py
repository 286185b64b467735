"""Messages shared across the app (screen-local ones live inside their widgets)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual.message import Message

from llmops_tui.domain.traces import TraceDetail
from llmops_tui.tui.view import View


@dataclass
class ViewChanged(Message):
    """The environment or the time range changed: every screen reloads."""

    view: View


@dataclass
class DataChanged(Message):
    """New spans arrived (in-process watcher or another process): screens refresh in place."""

    spans: int

    def can_replace(self, message: Message) -> bool:
        # A flood of ingest batches coalesces into one refresh.
        return isinstance(message, DataChanged)


@dataclass
class TraceFetched(Message):
    """A trace to open, fetched before its screen is shown (Traces, Overview's errors)."""

    detail: TraceDetail
    start: datetime | None
