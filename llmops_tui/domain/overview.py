"""What the Overview screen shows: per-environment health against the previous period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class TimeRange(StrEnum):
    HOUR = "1h"
    DAY = "24h"
    WEEK = "7d"
    MONTH = "30d"
    ALL = "all"

    @property
    def span(self) -> timedelta | None:
        return {
            TimeRange.HOUR: timedelta(hours=1),
            TimeRange.DAY: timedelta(days=1),
            TimeRange.WEEK: timedelta(days=7),
            TimeRange.MONTH: timedelta(days=30),
            TimeRange.ALL: None,
        }[self]


@dataclass(frozen=True, slots=True)
class Window:
    """A period and the one of the same length before it."""

    start: datetime
    end: datetime

    @property
    def previous(self) -> Window:
        return Window(self.start - (self.end - self.start), self.start)

    @property
    def days(self) -> float:
        return max((self.end - self.start).total_seconds() / 86400, 1 / 1440)


@dataclass(frozen=True, slots=True)
class PeriodMetrics:
    requests: int
    errors: int
    p50_ms: float | None
    p95_ms: float | None
    tokens: int
    cost_usd: float | None
    judge_score: float | None
    feedback_score: float | None
    feedback_count: int

    @property
    def error_rate(self) -> float | None:
        return self.errors / self.requests if self.requests else None


@dataclass(frozen=True, slots=True)
class EnvironmentHealth:
    environment: str
    current: PeriodMetrics
    previous: PeriodMetrics
    series: dict[str, list[float]]
    """Per metric name, one value per bucket across the window (for sparklines)."""


@dataclass(frozen=True, slots=True)
class RankedItem:
    name: str
    requests: int
    errors: int
    cost_usd: float | None


@dataclass(frozen=True, slots=True)
class RecentError:
    trace_id: str
    span_id: str
    start_time: datetime
    environment: str | None
    name: str | None
    model: str | None
    message: str | None
