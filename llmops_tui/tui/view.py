"""The view state every screen shares: which environment, which time range, which clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from llmops_tui.domain.overview import TimeRange, Window

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class View:
    environment: str | None = None
    time_range: TimeRange = TimeRange.DAY

    def with_environment(self, environment: str | None) -> View:
        return replace(self, environment=environment)

    def with_range(self, time_range: TimeRange) -> View:
        return replace(self, time_range=time_range)

    def window(
        self, now: datetime, data_start: datetime | None, data_end: datetime | None
    ) -> Window:
        """The period on screen; `all` spans the stored data (up to now, if data is older)."""
        span = self.time_range.span
        if span is not None:
            return Window(now - span, now)
        end = max(now, (data_end or now) + timedelta(microseconds=1))
        start = data_start or end - timedelta(days=1)
        return Window(start, end)

    def describe(self) -> str:
        env = self.environment or "all environments"
        return (
            f"{env} · last {self.time_range.value}" if self.time_range.span else f"{env} · all time"
        )
