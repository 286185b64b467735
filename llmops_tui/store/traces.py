"""Traces over the whole store without loading it: keyset pages, one trace, exports.

A page is one read of the `traces` roll-up (one row per trace, kept by every load: see
`trace_rollup.py`) by keyset (`(sort value, trace_id) < cursor`, never OFFSET). Sorted by time,
the window is read in growing slices from the page's edge, so DuckDB's zone maps skip all but
an hour or so of the file. A filter matches a trace when one of its spans matches the whole
filter (`model:gpt-4o` finds traces whose LLM call used gpt-4o): a semi-join over the spans of
the slice being read, so a filter costs a scan of a few hours of spans, not of the window.

A file opened read-only before its schema got the roll-up is read the older way: root spans
by keyset, then the aggregates of the page's traces from their spans.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
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
from llmops_tui.store.trace_rollup import has_rollup

if TYPE_CHECKING:
    from llmops_tui.store import Store

SORT_COLUMNS: dict[TraceSort, str] = {
    TraceSort.TIME: "r.start_time",
    TraceSort.DURATION: "coalesce(r.duration_ms, 0)",
    TraceSort.NAME: "coalesce(r.name, '')",
    TraceSort.STATUS: "r.has_error",
    TraceSort.ENVIRONMENT: "coalesce(r.environment, '')",
}
"""The whitelist of ORDER BY expressions (the only SQL that varies with the user's sort)."""

SPANS_SORT_COLUMNS = {**SORT_COLUMNS, TraceSort.STATUS: "r.status"}
"""The same on root spans, for a file without the roll-up."""

FIRST_SLICE = timedelta(hours=1)
SLICE_GROWTH = 8
"""Time-sorted pages read slices of the window, an hour first, each next one 8x longer."""

MAX_JUMPS = 4
"""How often a filtered page may skip to the nearest match after an empty slice."""

TICK = timedelta(microseconds=1)

TRACE_SLACK = timedelta(hours=6)
"""How far a trace's spans may lie from its root's start: bounds a filter's scan of spans (and
every read of a file without the roll-up) by time, so zone maps skip the rest."""

PAGE_SQL = """
select r.trace_id, r.root_span_id, r.start_time, r.name, r.environment,
    coalesce(r.root_prompt, r.any_prompt), r.duration_ms, r.has_error, r.models, r.tokens,
    r.cost_usd, r.span_count, {sort} as sort_value
from traces r
where r.root_span_id is not null
  and r.start_time >= ? and r.start_time < ?
  and (? is null or r.environment = ?)
  {matching}
  {keyset}
order by {sort} {direction}, r.trace_id {direction}
limit ?
"""

SPANS_PAGE_SQL = """
select r.trace_id, r.span_id, r.start_time, r.name, r.environment,
    coalesce(r.prompt_name || '@' || r.prompt_version, r.prompt_name), r.duration_ms,
    r.status = 'error', {sort} as sort_value
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

NEAREST_MATCH_SQL = """
select {edge}(s.start_time) from spans s
where s.start_time >= ? and s.start_time < ? and ({condition})
"""

PAGE_AGGREGATES_SQL = """
select trace_id,
    list_sort(list_distinct(list(coalesce(request_model, response_model)))),
    coalesce(sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0)), 0),
    sum(cost_usd),
    count(*),
    bool_or(status = 'error'),
    min(coalesce(prompt_name || '@' || prompt_version, prompt_name))
from spans
where trace_id in (select unnest(?::varchar[]))
  and start_time >= ? and start_time <= ?
group by trace_id
"""

TRACE_BOUNDS_SQL = """
select first_start, last_start from traces
where trace_id = ? and start_time >= ? and start_time <= ?
"""

TRACE_BOUNDS_ANYWHERE_SQL = "select first_start, last_start from traces where trace_id = ?"

TRACE_START_SQL = "select min(start_time) from spans where trace_id = ?"

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


@dataclass(frozen=True, slots=True)
class _PageQuery:
    """The query for one page, run over one time slice at a time."""

    sort: TraceSort
    newest_first: bool
    environment: str | None
    match: TraceFilter | None
    edge: PageKey | None
    rollup: bool

    def run(
        self, cur: duckdb.DuckDBPyConnection, start: datetime, end: datetime, limit: int
    ) -> list[tuple[Any, ...]]:
        """Up to `limit` traces starting in [start, end), in page order, past the edge."""
        sort_sql = (SORT_COLUMNS if self.rollup else SPANS_SORT_COLUMNS)[self.sort]
        direction = "desc" if self.newest_first else "asc"
        params: list[object] = [start, end, self.environment, self.environment]
        matching = ""
        if self.match is not None and self.match.terms:
            condition, values = compile_filter(self.match, alias="s")
            matching = MATCHING_SQL.format(condition=condition)
            params += [start - TRACE_SLACK, end + TRACE_SLACK, *values]
        keyset = ""
        if self.edge is not None:
            op = "<" if self.newest_first else ">"
            keyset = f"and ({sort_sql}, r.trace_id) {op} (?, ?)"
            params += [self.edge.value, self.edge.trace_id]
        params.append(limit)
        template = PAGE_SQL if self.rollup else SPANS_PAGE_SQL
        sql = template.format(sort=sort_sql, matching=matching, keyset=keyset, direction=direction)
        return cur.execute(sql, params).fetchall()

    @property
    def filtered(self) -> bool:
        return self.match is not None and bool(self.match.terms)

    def nearest(self, cur: duckdb.DuckDBPyConnection, start: datetime, end: datetime) -> Any:
        """The start time of the matching span nearest the page's edge among those of traces
        starting in [start, end) (the latest when newest first), or None."""
        assert self.match is not None
        condition, values = compile_filter(self.match, alias="s")
        sql = NEAREST_MATCH_SQL.format(
            edge="max" if self.newest_first else "min", condition=condition
        )
        row = cur.execute(sql, [start - TRACE_SLACK, end + TRACE_SLACK, *values]).fetchone()
        return row[0] if row else None


class TraceRepository:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._rollup = False

    def _has_rollup(self, cur: duckdb.DuckDBPyConnection) -> bool:
        """Checked until found: a writer may migrate the file while the cockpit reads it."""
        if not self._rollup:
            self._rollup = has_rollup(cur)
        return self._rollup

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
        backwards = before is not None
        with self._store.reader() as cur:
            query = _PageQuery(
                sort=sort,
                newest_first=descending != backwards,
                environment=environment,
                match=match,
                edge=before if backwards else after,
                rollup=self._has_rollup(cur),
            )
            if sort is TraceSort.TIME:
                found = self._time_first(cur, query, start, end, limit)
            else:
                found = query.run(cur, start, end, limit)
            if backwards:
                found.reverse()
            if not query.rollup:
                found = self._with_aggregates(cur, found)
        return [
            TraceRow(
                trace_id=trace_id,
                root_span_id=span_id,
                start_time=started,
                name=name,
                environment=env,
                models=tuple(models or ()),
                prompt=prompt,
                duration_ms=duration,
                tokens=int(tokens),
                cost_usd=cost,
                status="error" if error else "ok",
                spans=spans,
                sort_value=value,
            )
            for (
                trace_id,
                span_id,
                started,
                name,
                env,
                prompt,
                duration,
                error,
                models,
                tokens,
                cost,
                spans,
                value,
            ) in found
        ]

    @staticmethod
    def _time_first(
        cur: duckdb.DuckDBPyConnection,
        query: _PageQuery,
        start: datetime,
        end: datetime,
        limit: int,
    ) -> list[tuple[Any, ...]]:
        """Time-sorted pages read the window in growing slices from the page's edge (an hour,
        then 8x longer each time): DuckDB's zone maps skip every row group outside the slice,
        and a filter's semi-join only scans the slice, so a page rarely reads more than a few
        hours of spans whatever the window (a filter over the whole window took seconds).
        When a filtered slice finds nothing, the nearest matching span (one cheap scan, no
        join) tells where the next matches are, and slicing starts again from there."""
        edge = query.edge.value if query.edge is not None else None
        width = FIRST_SLICE
        jumps = MAX_JUMPS if query.filtered else 0
        found: list[tuple[Any, ...]] = []
        if query.newest_first:
            high = min(end, edge + TICK) if isinstance(edge, datetime) else end
            while high > start and len(found) < limit:
                low = max(start, high - width)
                got = query.run(cur, low, high, limit - len(found))
                found += got
                high, width = low, width * SLICE_GROWTH
                if not got and jumps and high > start:
                    jumps -= 1
                    nearest = query.nearest(cur, start, high)
                    if nearest is None:
                        break
                    high = min(high, nearest + TRACE_SLACK + TICK)
                    width = TRACE_SLACK + FIRST_SLICE
        else:
            low = max(start, edge) if isinstance(edge, datetime) else start
            while low < end and len(found) < limit:
                high = min(end, low + width)
                got = query.run(cur, low, high, limit - len(found))
                found += got
                low, width = high, width * SLICE_GROWTH
                if not got and jumps and low < end:
                    jumps -= 1
                    nearest = query.nearest(cur, low, end)
                    if nearest is None:
                        break
                    low = max(low, nearest - TRACE_SLACK)
                    width = TRACE_SLACK + FIRST_SLICE
        return found

    @staticmethod
    def _with_aggregates(
        cur: duckdb.DuckDBPyConnection, roots: list[tuple[Any, ...]]
    ) -> list[tuple[Any, ...]]:
        """Root spans completed with their traces' aggregates (a file without the roll-up)."""
        if not roots:
            return []
        starts = [r[2] for r in roots]
        rows = cur.execute(
            PAGE_AGGREGATES_SQL,
            [[r[0] for r in roots], min(starts) - TRACE_SLACK, max(starts) + TRACE_SLACK],
        ).fetchall()
        aggregates = {row[0]: row[1:] for row in rows}
        completed = []
        for trace_id, span_id, started, name, env, prompt, duration, error, value in roots:
            models, tokens, cost, spans, any_error, any_prompt = aggregates.get(
                trace_id, ([], 0, None, 1, error, None)
            )
            completed.append(
                (trace_id, span_id, started, name, env, prompt or any_prompt, duration,
                 any_error, models, tokens, cost, spans, value)
            )  # fmt: skip
        return completed

    def detail(self, trace_id: str, *, around: datetime | None = None) -> TraceDetail:
        """All spans of a trace. `around` (a time of one of its spans, when known) lets the
        roll-up row be found by time; the roll-up's bounds then confine the span scan."""
        with self._store.reader() as cur:
            bounds = self._bounds(cur, trace_id, around)
            if bounds is None:
                return TraceDetail(trace_id, (), ())
            spans = cur.execute(TRACE_SPANS_SQL, [trace_id, *bounds]).fetchall()
            feedback = cur.execute(TRACE_FEEDBACK_SQL, [trace_id]).fetchall()
        return TraceDetail(
            trace_id,
            tuple(SpanDetail(*row) for row in spans),
            tuple(FeedbackItem(*row) for row in feedback),
        )

    def _bounds(
        self, cur: duckdb.DuckDBPyConnection, trace_id: str, around: datetime | None
    ) -> tuple[datetime, datetime] | None:
        """The first and last start time of the trace's spans (or a guess around `around`)."""
        if self._has_rollup(cur):
            found = None
            if around is not None:
                found = cur.execute(
                    TRACE_BOUNDS_SQL, [trace_id, around - TRACE_SLACK, around + TRACE_SLACK]
                ).fetchone()
            if found is None:
                found = cur.execute(TRACE_BOUNDS_ANYWHERE_SQL, [trace_id]).fetchone()
            if found is not None:
                return found[0], found[1]
        if around is None:
            first = cur.execute(TRACE_START_SQL, [trace_id]).fetchone()
            if first is None or first[0] is None:
                return None
            around = first[0]
        return around - TRACE_SLACK, around + TRACE_SLACK

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
