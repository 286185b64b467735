"""Aggregated metrics as the CLI and the cockpit show them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class StatsGrouping(StrEnum):
    NONE = "none"
    MODEL = "model"
    PROMPT = "prompt"
    ENV = "env"
    DAY = "day"


@dataclass(frozen=True, slots=True)
class StatsRow:
    """System, quality and cost metrics of the model calls in one group.

    A model call is a span that names a model or reports token usage; other spans (HTTP
    handlers, retrieval, tools) are context in a trace, not requests to a model.
    """

    group: str
    requests: int
    errors: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    input_tokens: int
    output_tokens: int
    cached_tokens: int
    reasoning_tokens: int
    cost_usd: float | None
    unpriced: int
    first_at: datetime | None
    last_at: datetime | None
    feedback_count: int
    feedback_mean: float | None

    @property
    def error_rate(self) -> float:
        return self.errors / self.requests if self.requests else 0.0


@dataclass(frozen=True, slots=True)
class StatsWindow:
    """The time range a stats query covered; `since` None means all stored data."""

    since: datetime | None
    until: datetime
    environment: str | None
    grouping: StatsGrouping

    def minutes(self, rows: list[StatsRow]) -> float:
        start = self.since or min((r.first_at for r in rows if r.first_at), default=self.until)
        return max((self.until - start).total_seconds() / 60.0, 1 / 60)
