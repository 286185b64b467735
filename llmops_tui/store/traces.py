"""Traces over the whole store without loading it: keyset pages, one trace, exports.

A page is found in two steps, as measured in shared/reference/duckdb-performance.md: the
root spans of the page by keyset (`(sort value, trace_id) < cursor`, never OFFSET), then the
aggregates (models, tokens, cost, span count) for those trace ids only, bounded by the page's
time range so DuckDB's zone maps skip the rest of the file. A filter matches a trace when any
of its spans matches (`model:gpt-4o` finds traces whose LLM call used gpt-4o).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import duckdb

from llmops_tui.domain.filters import TraceFilter
from llmops_tui.domain.traces import (
    FeedbackItem,
    PageKey,
    SpanDetail,
    TraceDetail,
    TraceRow,
    TraceSort,
)
from llmops_tui.store.filter_sql import compile_filter

if TYPE_CHECKING:
    from llmops_tui.store import Store

SORT_COLUMNS: dict[TraceSort, str] = {
    TraceSort.TIME: "r.start_time",
    TraceSort.DURATION: "coalesce(r.duration_ms, 0)",
    TraceSort.NAME: "coalesce(r.name, '')",
    TraceSort.STATUS: "r.status",
    TraceSort.ENVIRONMENT: "coalesce(r.environment, '')",
}
"""The whitelist of ORDER BY expressions (the only SQL that varies with the user's sort)."""

TRACE_SLACK = timedelta(hours=6)
"""How far a trace's spans may lie from its root's start: bounds scans by time (zone maps)."""

PAGE_SQL = """
select r.trace_id, r.span_id, r.start_time, r.name, r.environment,
    coalesce(r.prompt_name || '@' || r.prompt_version, r.prompt_name), r.duration_ms, r.status,
    {sort} as sort_value
from spans r
where r.parent_span_id is null
  and r.start_time >= ? and r.start_time < ?
  and (? is null or r.environment = ?)
  {matching}
  {keyset}
order by {sort} {direction}, r.trace_id {direction}
limit ?
"""

MATCHING_SQL = """
  and r.trace_id in (
      select s.trace_id from spans s
      where s.start_time >= ? and s.start_time < ? and ({condition})
  )
"""

PAGE_AGGREGATES_SQL = """
select trace_id,
    list_distinct(list(coalesce(request_model, response_model))
        filter (where coalesce(request_model, response_model) is not null)),
    coalesce(sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0)), 0),
    sum(cost_usd),
    count(*),
    bool_or(status = 'error'),
    any_value(coalesce(prompt_name || '@' || prompt_version, prompt_name))
from spans
where trace_id in (select unnest(?::varchar[]))
  and start_time >= ? and start_time <= ?
group by trace_id
"""

TRACE_SPANS_SQL = """
select span_id, parent_span_id, name, kind, start_time, end_time, duration_ms, status,
    status_message, operation, provider, request_model, response_model, input_tokens,
    output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_usd,
    cost_source, prompt_name, prompt_version, environment, user_id, session_id, input_text,
    output_text, attributes, source
from spans
where trace_id = ? and start_time >= ? and start_time <= ?
order by start_time, span_id
"""

TRACE_START_SQL = "select min(start_time) from spans where trace_id = ?"

TRACE_FEEDBACK_SQL = """
select span_id, name, created_at, score, label, comment
from feedback where trace_id = ? order by created_at
"""

EXPORT_SQL = """
select trace_id, span_id, parent_span_id, name, kind, start_time, end_time, status,
    status_message, attributes, resource_attributes, events
from spans
where start_time >= ? and start_time < ? + interval 6 hours
  and trace_id in (select trace_id from spans r
                   where r.parent_span_id is null and r.start_time >= ? and r.start_time < ?
                     and (? is null or r.environment = ?) {matching})
order by start_time
"""


class TraceRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    def page(
        self,
        *,
        start: datetime,
        end: datetime,
        environment: str | None,
        match: TraceFilter | None,
        sort: TraceSort = TraceSort.TIME,
        descending: bool = True,
        after: PageKey | None = None,
        before: PageKey | None = None,
        limit: int = 100,
    ) -> list[TraceRow]:
        """One page of traces; `after` continues past a page's last row, `before` goes back
        from a page's first row (rows are always returned in display order)."""
        sort_sql = SORT_COLUMNS[sort]
        backwards = before is not None
        direction = "desc" if descending != backwards else "asc"
        params: list[object] = [start, end, environment, environment]
        matching = ""
        if match is not None and match.terms:
            condition, values = compile_filter(match, alias="s")
            matching = MATCHING_SQL.format(condition=condition)
            params += [start - TRACE_SLACK, end + TRACE_SLACK, *values]
        keyset = ""
        edge = before if backwards else after
        if edge is not None:
            op = "<" if direction == "desc" else ">"
            keyset = f"and ({sort_sql}, r.trace_id) {op} (?, ?)"
            params += [edge.value, edge.trace_id]
        params.append(limit)
        sql = PAGE_SQL.format(sort=sort_sql, matching=matching, keyset=keyset, direction=direction)
        with self._store.reader() as cur:
            roots = cur.execute(sql, params).fetchall()
            if backwards:
                roots.reverse()
            aggregates = self._aggregates(cur, roots)
        rows = []
        for trace_id, span_id, started, name, env, prompt, duration, status, value in roots:
            models, tokens, cost, spans, any_error, any_prompt = aggregates.get(
                trace_id, ([], 0, None, 1, status == "error", None)
            )
            rows.append(
                TraceRow(
                    trace_id=trace_id,
                    root_span_id=span_id,
                    start_time=started,
                    name=name,
                    environment=env,
                    models=tuple(models or ()),
                    prompt=prompt or any_prompt,
                    duration_ms=duration,
                    tokens=int(tokens),
                    cost_usd=cost,
                    status="error" if any_error else "ok",
                    spans=spans,
                    sort_value=value,
                )
            )
        return rows

    @staticmethod
    def _aggregates(
        cur: duckdb.DuckDBPyConnection, roots: list[tuple[Any, ...]]
    ) -> dict[str, tuple[Any, ...]]:
        if not roots:
            return {}
        starts = [r[2] for r in roots]
        ids = [r[0] for r in roots]
        rows = cur.execute(
            PAGE_AGGREGATES_SQL, [ids, min(starts) - TRACE_SLACK, max(starts) + TRACE_SLACK]
        ).fetchall()
        return {row[0]: row[1:] for row in rows}

    def detail(self, trace_id: str, *, around: datetime | None = None) -> TraceDetail:
        """All spans of a trace; `around` (its root's start, when known) saves a full scan."""
        with self._store.reader() as cur:
            start = around
            if start is None:
                found = cur.execute(TRACE_START_SQL, [trace_id]).fetchone()
                if found is None or found[0] is None:
                    return TraceDetail(trace_id, (), ())
                start = found[0]
            spans = cur.execute(
                TRACE_SPANS_SQL, [trace_id, start - TRACE_SLACK, start + TRACE_SLACK]
            ).fetchall()
            feedback = cur.execute(TRACE_FEEDBACK_SQL, [trace_id]).fetchall()
        return TraceDetail(
            trace_id,
            tuple(SpanDetail(*row) for row in spans),
            tuple(FeedbackItem(*row) for row in feedback),
        )

    def export_rows(
        self,
        *,
        start: datetime,
        end: datetime,
        environment: str | None,
        match: TraceFilter | None,
        batch: int = 10_000,
    ) -> Iterator[dict[str, object]]:
        """Every span of the matching traces, as flat span records `llmops ingest` reads."""
        matching = ""
        params: list[object] = [start, end, start, end, environment, environment]
        if match is not None and match.terms:
            condition, values = compile_filter(match, alias="s")
            matching = MATCHING_SQL.format(condition=condition)
            params += [start - TRACE_SLACK, end + TRACE_SLACK, *values]
        with self._store.reader() as cur:
            result = cur.execute(EXPORT_SQL.format(matching=matching), params)
            names = [d[0] for d in result.description or []]
            while chunk := result.fetchmany(batch):
                for row in chunk:
                    yield dict(zip(names, row, strict=True))
