"""One environment's health: each metric now, its change against the previous period, a trend."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from textual.widgets import Static

from llmops_tui.domain.deploy import DeployAction, Deployment, DeployStatus
from llmops_tui.domain.overview import EnvironmentHealth, PeriodMetrics, Window
from llmops_tui.formatting import count, ms, percent, usd
from llmops_tui.tui.widgets.spark import delta, sparkline

TREND_WIDTH = 14
MARKS = {
    DeployAction.DEPLOY: ("▲", "$accent"),
    DeployAction.PROMOTE: ("▲", "$accent"),
    DeployAction.CANARY: ("◐", "$warning"),
    DeployAction.ROLLBACK: ("▼", "$error"),
}
"""Deploy markers under the trends; a later mark in the same column wins, a rollback always."""


@dataclass(frozen=True, slots=True)
class _Metric:
    label: str
    value: str
    change: tuple[str, int]
    higher_is_bad: bool | None
    trend: str


class HealthPanel(Static):
    """Rendered from an `EnvironmentHealth` the screen assigns; no I/O here."""

    DEFAULT_CSS = """
    HealthPanel { width: 1fr; height: auto; border: round $panel-lighten-2; padding: 0 1; }
    HealthPanel.incident { border: round $error; }
    """

    def show(
        self,
        health: EnvironmentHealth,
        *,
        days: float,
        minutes: float,
        window: Window | None = None,
        markers: Sequence[Deployment] = (),
    ) -> None:
        """`markers` are this environment's deployments in `window`, drawn under the trends."""
        self.border_title = health.environment
        now, before = health.current, health.previous
        self.set_class((now.error_rate or 0) > 0.05, "incident")
        lines = [self._line(m) for m in _metrics(health, now, before, days, minutes)]
        if window is not None and markers:
            lines.append(f"{'deploys':<11}{len(markers):>9} {'':>6} {marker_row(markers, window)}")
        self.update("\n".join(lines))

    @staticmethod
    def _line(metric: _Metric) -> str:
        text, sign = metric.change
        change = f"{text:>6}"
        if sign and metric.higher_is_bad is not None:
            bad = (sign > 0) == metric.higher_is_bad
            change = f"[{'$error' if bad else '$success'}]{change}[/]"
        return f"{metric.label:<11}{metric.value:>9} {change} [$accent]{metric.trend}[/]"


def _metrics(
    health: EnvironmentHealth,
    now: PeriodMetrics,
    before: PeriodMetrics,
    days: float,
    minutes: float,
) -> list[_Metric]:
    s = health.series
    trend = {name: sparkline(values, TREND_WIDTH) for name, values in s.items()}
    metrics = [
        _Metric(
            "requests",
            count(now.requests),
            delta(now.requests, before.requests),
            None,
            trend["requests"],
        ),
        _Metric("p50", ms(now.p50_ms), delta(now.p50_ms, before.p50_ms), True, ""),
        _Metric("p95", ms(now.p95_ms), delta(now.p95_ms, before.p95_ms), True, trend["p95_ms"]),
        _Metric(
            "errors",
            percent(now.error_rate),
            delta(now.error_rate, before.error_rate),
            True,
            trend["error_rate"],
        ),
        _Metric(
            "req/min",
            f"{now.requests / minutes:,.1f}",
            delta(now.requests, before.requests),
            None,
            "",
        ),
        _Metric(
            "tokens", count(now.tokens), delta(now.tokens, before.tokens), None, trend["tokens"]
        ),
        _Metric(
            "cost/day",
            usd(now.cost_usd / days if now.cost_usd is not None else None),
            delta(now.cost_usd, before.cost_usd),
            True,
            trend["cost_usd"],
        ),
    ]
    if now.judge_score is not None or before.judge_score is not None:
        metrics.append(
            _Metric(
                "judge",
                _score(now.judge_score),
                delta(now.judge_score, before.judge_score),
                False,
                "",
            )
        )
    if now.feedback_count or before.feedback_count:
        metrics.append(
            _Metric(
                "feedback",
                _score(now.feedback_score),
                delta(now.feedback_score, before.feedback_score),
                False,
                f"{count(now.feedback_count)} votes",
            )
        )
    return metrics


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def marker_row(markers: Sequence[Deployment], window: Window, width: int = TREND_WIDTH) -> str:
    """One cell per trend column: a deploy's glyph in the column of its time, dots elsewhere."""
    start, end = _naive(window.start), _naive(window.end)
    span = max((end - start).total_seconds(), 1.0)
    cells: list[tuple[str, str] | None] = [None] * width
    for deployment in sorted(markers, key=lambda d: d.created_at):
        offset = (_naive(deployment.created_at) - start).total_seconds() / span
        if not 0 <= offset <= 1:
            continue
        column = min(int(offset * width), width - 1)
        mark = MARKS.get(deployment.action)
        if deployment.status is DeployStatus.FAILED:
            mark = ("✗", "$error")
        held = cells[column]
        if mark is not None and (held is None or held[0] != "▼"):
            cells[column] = mark
    return "".join(f"[{c[1]}]{c[0]}[/]" if c else "[$text-muted]·[/]" for c in cells)


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
