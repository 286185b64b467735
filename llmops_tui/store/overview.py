"""Aggregates for the Overview screen: health per environment, rankings, recent errors."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from llmops_tui.domain.overview import (
    EnvironmentHealth,
    PeriodMetrics,
    RankedItem,
    RecentError,
    Window,
)
from llmops_tui.store.metrics import MODEL_CALL_FILTER

if TYPE_CHECKING:
    from llmops_tui.store import Store

SERIES = ("requests", "p95_ms", "error_rate", "cost_usd", "tokens")

DATA_RANGE_SQL = "select min(start_time), max(start_time) from spans"

PERIODS_SQL = f"""
select
    coalesce(environment, '(none)') as env,
    start_time >= $start as current,
    count(*),
    count(*) filter (where status = 'error'),
    quantile_cont(duration_ms, 0.5),
    quantile_cont(duration_ms, 0.95),
    coalesce(sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0)), 0),
    sum(cost_usd)
from spans
where start_time >= $previous_start and start_time < $end and {MODEL_CALL_FILTER}
group by all
"""

FEEDBACK_SQL = """
select
    coalesce(s.environment, '(none)') as env,
    s.start_time >= $start as current,
    avg(f.score) filter (where not starts_with(f.name, 'user')),
    avg(f.score) filter (where starts_with(f.name, 'user')),
    count(*) filter (where starts_with(f.name, 'user'))
from feedback f
join spans s on s.trace_id = f.trace_id and s.span_id = f.span_id
where s.start_time >= $previous_start and s.start_time < $end
group by all
"""

SERIES_SQL = f"""
select
    coalesce(environment, '(none)') as env,
    least(floor((epoch_us(start_time) - epoch_us($start::timestamp)) / $width_us), $buckets - 1)
        as bucket,
    count(*),
    quantile_cont(duration_ms, 0.95),
    count(*) filter (where status = 'error') / count(*),
    coalesce(sum(cost_usd), 0),
    coalesce(sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0)), 0)
from spans
where start_time >= $start and start_time < $end and {MODEL_CALL_FILTER}
group by all
"""

RANKING_SQL = f"""
select {{key}} as name, count(*), count(*) filter (where status = 'error'), sum(cost_usd)
from spans
where start_time >= $start and start_time < $end and {MODEL_CALL_FILTER}
  and ($env is null or environment = $env)
group by 1
"""

RANKING_KEYS = {
    "model": "coalesce(request_model, response_model, '(unknown)')",
    "prompt": "coalesce(prompt_name || '@' || prompt_version, prompt_name, '(none)')",
}

RECENT_ERRORS_SQL = """
select trace_id, span_id, start_time, environment, name,
    coalesce(response_model, request_model), status_message
from spans
where status = 'error' and start_time >= $start and start_time < $end
  and ($env is null or environment = $env)
order by start_time desc
limit $limit
"""

_EMPTY = PeriodMetrics(0, 0, None, None, 0, None, None, None, 0)


class OverviewRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    def data_range(self) -> tuple[datetime | None, datetime | None]:
        with self._store.reader() as cur:
            row = cur.execute(DATA_RANGE_SQL).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def health(
        self, window: Window, *, environment: str | None, buckets: int = 30
    ) -> list[EnvironmentHealth]:
        params = {"start": window.start, "end": window.end, "previous_start": window.previous.start}
        width_us = max(int((window.end - window.start).total_seconds() * 1e6 / buckets), 1)
        with self._store.reader() as cur:
            periods = cur.execute(PERIODS_SQL, params).fetchall()
            feedback = cur.execute(FEEDBACK_SQL, params).fetchall()
            series = cur.execute(
                SERIES_SQL,
                {
                    "start": window.start,
                    "end": window.end,
                    "width_us": width_us,
                    "buckets": buckets,
                },
            ).fetchall()
        judged = {(env, cur): (judge, user, n) for env, cur, judge, user, n in feedback}
        metrics: dict[tuple[str, bool], PeriodMetrics] = {}
        for env, current, requests, errors, p50, p95, tokens, cost in periods:
            judge, user, n = judged.get((env, current), (None, None, 0))
            metrics[(env, current)] = PeriodMetrics(
                requests, errors, p50, p95, int(tokens), cost, judge, user, n
            )
        points: dict[str, dict[str, list[float]]] = defaultdict(
            lambda: {name: [0.0] * buckets for name in SERIES}
        )
        for env, bucket, requests, p95, error_rate, cost, tokens in series:
            values = points[env]
            index = int(bucket)
            for name, value in zip(SERIES, (requests, p95, error_rate, cost, tokens), strict=True):
                values[name][index] = float(value or 0)
        names = sorted({env for env, _ in metrics}, key=_environment_order)
        if environment is not None:
            names = [n for n in names if n == environment]
        return [
            EnvironmentHealth(
                environment=name,
                current=metrics.get((name, True), _EMPTY),
                previous=metrics.get((name, False), _EMPTY),
                series=points[name],
            )
            for name in names
            if (name, True) in metrics or (name, False) in metrics
        ]

    def ranking(
        self, window: Window, *, by: Literal["model", "prompt"], environment: str | None
    ) -> list[RankedItem]:
        sql = RANKING_SQL.format(key=RANKING_KEYS[by])
        params = {"start": window.start, "end": window.end, "env": environment}
        with self._store.reader() as cur:
            rows = cur.execute(sql, params).fetchall()
        return [RankedItem(name, requests, errors, cost) for name, requests, errors, cost in rows]

    def recent_errors(
        self, window: Window, *, environment: str | None, limit: int = 12
    ) -> list[RecentError]:
        params = {"start": window.start, "end": window.end, "env": environment, "limit": limit}
        with self._store.reader() as cur:
            rows = cur.execute(RECENT_ERRORS_SQL, params).fetchall()
        return [RecentError(*row) for row in rows]


def _environment_order(name: str) -> tuple[int, str]:
    """Production first, then staging, then the rest by name."""
    rank = {"production": 0, "prod": 0, "staging": 1, "stage": 1}
    return (rank.get(name, 2), name)
