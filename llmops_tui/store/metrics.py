"""Aggregates over spans: what `llmops stats` and the Overview screen show."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from llmops_tui.domain.metrics import StatsGrouping, StatsRow

if TYPE_CHECKING:
    from llmops_tui.store import Store

MODEL_CALL_FILTER = """
    (request_model is not null or response_model is not null
     or input_tokens is not null or output_tokens is not null)
"""

GROUP_EXPRESSIONS: dict[StatsGrouping, str] = {
    StatsGrouping.NONE: "'all'",
    StatsGrouping.MODEL: "coalesce(request_model, response_model, '(unknown)')",
    StatsGrouping.PROMPT: "coalesce(prompt_name || '@' || prompt_version, prompt_name, '(none)')",
    StatsGrouping.ENV: "coalesce(environment, '(none)')",
    StatsGrouping.DAY: "strftime(start_time, '%Y-%m-%d')",
}
"""The whitelist of group-by expressions: the only SQL that varies with user input."""

STATS_SQL = """
with calls as (
    select *, {group} as grp
    from spans
    where start_time >= coalesce($since, timestamp '-infinity')
      and start_time <= $until
      and ($env is null or environment = $env)
      and {model_calls}
),
fb as (
    select c.grp, count(*) as n, avg(f.score) as mean
    from calls c join feedback f on f.trace_id = c.trace_id and f.span_id = c.span_id
    group by c.grp
)
select
    c.grp,
    count(*) as requests,
    count(*) filter (where status = 'error') as errors,
    quantile_cont(duration_ms, 0.5) as p50,
    quantile_cont(duration_ms, 0.95) as p95,
    quantile_cont(duration_ms, 0.99) as p99,
    coalesce(sum(input_tokens), 0) as input_tokens,
    coalesce(sum(output_tokens), 0) as output_tokens,
    coalesce(sum(cache_read_tokens), 0) as cached_tokens,
    coalesce(sum(reasoning_tokens), 0) as reasoning_tokens,
    sum(cost_usd) as cost_usd,
    count(*) filter (where cost_source = 'unpriced') as unpriced,
    min(start_time) as first_at,
    max(start_time) as last_at,
    coalesce(any_value(fb.n), 0) as feedback_count,
    any_value(fb.mean) as feedback_mean
from calls c left join fb using (grp)
group by c.grp
order by {order}
"""

SPAN_COUNT_SQL = "select count(*), max(start_time) from spans"


class MetricsRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    def stats(
        self,
        *,
        since: datetime | None,
        until: datetime,
        environment: str | None,
        grouping: StatsGrouping,
    ) -> list[StatsRow]:
        order = "c.grp" if grouping is StatsGrouping.DAY else "cost_usd desc nulls last, c.grp"
        sql = STATS_SQL.format(
            group=GROUP_EXPRESSIONS[grouping], model_calls=MODEL_CALL_FILTER, order=order
        )
        params = {"since": since, "until": until, "env": environment}
        with self._store.reader() as cur:
            rows = cur.execute(sql, params).fetchall()
        return [StatsRow(*row) for row in rows]

    def span_count(self) -> tuple[int, datetime | None]:
        with self._store.reader() as cur:
            row = cur.execute(SPAN_COUNT_SQL).fetchone()
        return (row[0], row[1]) if row else (0, None)
