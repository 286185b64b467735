"""The `traces` roll-up: one row per trace, derived from `spans` (migration 0003).

A page of the Traces screen is one read of this narrow table instead of a scan of every span
of the page's traces. It stays exact because every write to `spans` goes through here in the
same transaction:

- a load merges the spans it inserted (`merge_loaded`): counts and sums add up, time bounds
  widen, model lists join, and a root span (no parent) takes over the trace's start, name,
  environment and duration, the earliest root winning as in the backfill. Only spans stamped
  with the load's `ingested_at` are read, so duplicates the loader skipped are never
  counted twice; finding the load's traces among the stored ones is a scan of the trace
  ids (~15 ms per 340,000 traces, measured), dearer for a tiny load into a huge store than
  the primary key's lookups were, and much cheaper for every big load (migration 0009);
- re-pricing recomputes the cost column (`refresh_costs`);
- `rebuild` recomputes everything from `spans` (the migration's backfill, and stores built
  with plain SQL such as the benchmark's).
"""

from __future__ import annotations

from datetime import datetime

import duckdb

ROLLUP_SELECT_SQL = """
select trace_id, coalesce(root.start_time, first_start) as start_time,
    root.span_id as root_span_id, root.name as name, root.environment as environment,
    root.prompt as root_prompt, any_prompt, root.duration_ms as duration_ms,
    first_start, last_start, span_count, tokens, cost_usd, has_error, models
from (
    select trace_id,
        min(start_time) as first_start,
        max(start_time) as last_start,
        count(*) as span_count,
        coalesce(sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0)), 0) as tokens,
        sum(cost_usd) as cost_usd,
        bool_or(status = 'error') as has_error,
        list_sort(list_distinct(list(coalesce(request_model, response_model)))) as models,
        min(coalesce(prompt_name || '@' || prompt_version, prompt_name)) as any_prompt,
        -- The earliest root span (ties: the lowest span id), in the same pass: a window
        -- over the roots and a join back cost ~0.3 CPU-s more per 1M spans (profiled).
        arg_min({{'start_time': start_time, 'span_id': span_id, 'name': name,
                 'environment': environment, 'duration_ms': duration_ms,
                 'prompt': coalesce(prompt_name || '@' || prompt_version, prompt_name)}},
                (start_time, span_id)) filter (where parent_span_id is null) as root
    from ({source})
    group by trace_id
)
"""
"""One roll-up row per trace of `{source}` (a query over spans: all of them, or a load's)."""

NEW_ROOT = """(n.root_span_id is not null and (traces.root_span_id is null
    or (n.start_time, n.root_span_id) < (traces.start_time, traces.root_span_id)))"""

LOADED_TRACES_SQL = f"""
create or replace temp table loaded_traces as
{ROLLUP_SELECT_SQL.format(source="select * from spans where ingested_at = $ingested_at")}
"""
"""The roll-up of a load's spans (`n` below), merged by the two statements that follow."""

UPDATE_LOADED_SQL = f"""
update traces set
    start_time = case
        when {NEW_ROOT} then n.start_time
        when traces.root_span_id is not null then traces.start_time
        else least(traces.start_time, n.start_time) end,
    root_span_id = case when {NEW_ROOT} then n.root_span_id else traces.root_span_id end,
    name = case when {NEW_ROOT} then n.name else traces.name end,
    environment = case when {NEW_ROOT} then n.environment else traces.environment end,
    root_prompt = case when {NEW_ROOT} then n.root_prompt else traces.root_prompt end,
    duration_ms = case when {NEW_ROOT} then n.duration_ms else traces.duration_ms end,
    any_prompt = least(traces.any_prompt, n.any_prompt),
    first_start = least(traces.first_start, n.first_start),
    last_start = greatest(traces.last_start, n.last_start),
    span_count = traces.span_count + n.span_count,
    tokens = traces.tokens + n.tokens,
    cost_usd = case when traces.cost_usd is null and n.cost_usd is null then null
        else coalesce(traces.cost_usd, 0) + coalesce(n.cost_usd, 0) end,
    has_error = traces.has_error or n.has_error,
    models = list_sort(list_distinct(list_concat(traces.models, n.models)))
from loaded_traces n
where traces.trace_id = n.trace_id
"""
"""Traces stored already: counts and sums add up, bounds widen, an earlier root takes over."""

INSERT_LOADED_SQL = """
insert into traces
select n.* from loaded_traces n anti join traces t using (trace_id)
"""
"""Traces new to the store (run after the update, which left them alone)."""

REFRESH_COSTS_SQL = """
update traces set cost_usd = c.cost_usd
from (select trace_id, sum(cost_usd) as cost_usd from spans group by trace_id) c
where traces.trace_id = c.trace_id and traces.cost_usd is distinct from c.cost_usd
"""

REBUILD_SQL = f"""
delete from traces;
insert into traces
select * from ({ROLLUP_SELECT_SQL.format(source="select * from spans")}) order by start_time
"""

HAS_ROLLUP_SQL = """
select count(*) from information_schema.tables
where table_name = 'traces' and table_schema = current_schema()
"""


def merge_loaded(cur: duckdb.DuckDBPyConnection, *, ingested_at: datetime) -> None:
    """Fold the spans a load just inserted (stamped `ingested_at`) into their traces' rows:
    one row per trace, kept so here (the table has no key: see migration 0009).

    Call it once per `ingested_at`, after the insert and inside the same transaction.
    """
    cur.execute(LOADED_TRACES_SQL, {"ingested_at": ingested_at})
    cur.execute(UPDATE_LOADED_SQL)
    cur.execute(INSERT_LOADED_SQL)
    cur.execute("drop table loaded_traces")


def refresh_costs(cur: duckdb.DuckDBPyConnection) -> None:
    """Recompute every trace's cost after `spans.cost_usd` changed (re-pricing)."""
    cur.execute(REFRESH_COSTS_SQL)


def rebuild(cur: duckdb.DuckDBPyConnection) -> None:
    """Recompute the whole roll-up from `spans` (for spans written without a load)."""
    cur.execute(REBUILD_SQL)


def has_rollup(cur: duckdb.DuckDBPyConnection) -> bool:
    """Whether this file's schema has the roll-up (a read-only cockpit may open an older one)."""
    row = cur.execute(HAS_ROLLUP_SQL).fetchone()
    return bool(row and row[0])
