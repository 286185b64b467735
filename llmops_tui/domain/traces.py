"""Traces as the Traces screen lists and opens them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class TraceSort(StrEnum):
    """Columns a trace list can be ordered by (the root span's own values)."""

    TIME = "time"
    DURATION = "duration"
    NAME = "name"
    STATUS = "status"
    ENVIRONMENT = "env"


@dataclass(frozen=True, slots=True)
class PageKey:
    """Keyset position: the sort value and trace id of a row at a page's edge."""

    value: object
    trace_id: str


@dataclass(frozen=True, slots=True)
class TraceRow:
    trace_id: str
    root_span_id: str
    start_time: datetime
    name: str | None
    environment: str | None
    models: tuple[str, ...]
    prompt: str | None
    duration_ms: float | None
    tokens: int
    cost_usd: float | None
    status: str
    spans: int
    sort_value: object

    @property
    def key(self) -> PageKey:
        return PageKey(self.sort_value, self.trace_id)


@dataclass(frozen=True, slots=True)
class SpanDetail:
    span_id: str
    parent_span_id: str | None
    name: str | None
    kind: str | None
    start_time: datetime
    end_time: datetime | None
    duration_ms: float | None
    status: str
    status_message: str | None
    operation: str | None
    provider: str | None
    request_model: str | None
    response_model: str | None
    input_tokens: int | None
    output_tokens: int | None
    cache_read_tokens: int | None
    cache_write_tokens: int | None
    reasoning_tokens: int | None
    cost_usd: float | None
    cost_source: str | None
    prompt_name: str | None
    prompt_version: str | None
    environment: str | None
    user_id: str | None
    session_id: str | None
    input_text: str | None
    output_text: str | None
    attributes: str | None
    source: str | None


@dataclass(frozen=True, slots=True)
class FeedbackItem:
    span_id: str
    name: str
    created_at: datetime
    score: float | None
    label: str | None
    comment: str | None


@dataclass(frozen=True, slots=True)
class TraceDetail:
    trace_id: str
    spans: tuple[SpanDetail, ...]
    feedback: tuple[FeedbackItem, ...]
