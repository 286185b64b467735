"""Loading one batch of records into `spans`, atomically, with its checkpoint.

A batch is staged and resolved by DuckDB (see `span_sql.py`), priced through a `RateSource`
(the store never imports pricing: the caller passes it in), then inserted together with its
rejects, feedback events and the file checkpoint in ONE transaction. A kill at any moment
therefore leaves either the whole batch and its checkpoint or neither, and a re-run resumes
exactly where the last commit ended. Span-level uniqueness (`ON CONFLICT DO NOTHING` on the
primary key) is the second line of defence for overlapping files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

import duckdb
import polars as pl
import pyarrow as pa

from llmops_tui.store.span_sql import MACROS_SQL, RESOLVE_SQL, STAGE_FLAT_SQL, STAGE_OTLP_SQL

PayloadKind = Literal["flat", "otlp"]

PRICE_KEY_COLUMNS = ("provider", "response_model", "request_model", "bucket")
RATE_COLUMNS = ("per_request", "input", "cache_read", "cache_write", "output", "reasoning")
USAGE_COLUMNS = (
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "reasoning_tokens",
)


class RateSource(Protocol):
    """Prices for the store: linear per-token rates by key, exact prices for the rest."""

    def rate_table(self, keys: pl.DataFrame) -> pl.DataFrame:
        """Rates for each key of `PRICE_KEY_COLUMNS` (bucket = 30-minute window start, UTC).

        Returns the key columns plus Float64 USD-per-token `RATE_COLUMNS` and Boolean
        `priced` and `tiered` (tiered rows are priced one by one through `price_rows`).
        """
        ...

    def price_rows(self, rows: pl.DataFrame) -> pl.DataFrame:
        """Exact cost for spans whose price isn't linear; `rows` has `row_key`, provider,
        response_model, request_model, start_time and `USAGE_COLUMNS`; returns `row_key` and
        `cost_usd` (null when unpriced)."""
        ...


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """How far a source file has been consumed once this batch commits."""

    path: str
    format: str
    size_bytes: int
    offset_bytes: int
    lines_consumed: int
    fingerprint: str
    complete: bool


@dataclass(frozen=True, slots=True)
class RejectedLine:
    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class BatchResult:
    spans_loaded: int
    duplicates: int
    rejects: int
    first_rejects: tuple[RejectedLine, ...]
    feedback_loaded: int


PRICE_KEYS_SQL = """
select distinct provider, response_model, request_model,
    time_bucket(interval 30 minutes, start_time) as bucket
from staged
where reject is null and cost_usd is null
  and (coalesce(input_tokens, 0) > 0 or coalesce(output_tokens, 0) > 0)
"""

TIERED_ROWS_SQL = """
select s.line_no || ':' || s.span_id as row_key, s.provider, s.response_model, s.request_model,
    s.start_time, s.input_tokens, s.output_tokens, s.cache_read_tokens, s.cache_write_tokens,
    s.reasoning_tokens
from staged s
join batch_rates r
  on r.provider is not distinct from s.provider
 and r.response_model is not distinct from s.response_model
 and r.request_model is not distinct from s.request_model
 and r.bucket = time_bucket(interval 30 minutes, s.start_time)
where s.reject is null and s.cost_usd is null and r.tiered
"""

INSERT_SPANS_SQL = """
insert into spans
select
    s.trace_id, s.span_id, nullif(s.parent_span_id, ''), s.name, s.kind, s.start_time,
    s.end_time, s.duration_ms, s.status, s.status_message, s.operation, s.provider,
    s.request_model, s.response_model, s.input_tokens, s.output_tokens, s.cache_read_tokens,
    s.cache_write_tokens, s.reasoning_tokens,
    case
        when s.cost_usd is not null then s.cost_usd
        when r.tiered then t.cost_usd
        when r.priced then
            r.per_request
            + (coalesce(s.input_tokens, 0) - coalesce(s.cache_read_tokens, 0)
               - coalesce(s.cache_write_tokens, 0)) * r.input
            + coalesce(s.cache_read_tokens, 0) * r.cache_read
            + coalesce(s.cache_write_tokens, 0) * r.cache_write
            + (coalesce(s.output_tokens, 0) - coalesce(s.reasoning_tokens, 0)) * r.output
            + coalesce(s.reasoning_tokens, 0) * r.reasoning
    end as cost_usd,
    case
        when s.cost_usd is not null then 'reported'
        when coalesce(s.input_tokens, 0) = 0 and coalesce(s.output_tokens, 0) = 0 then null
        when r.tiered and t.cost_usd is not null then 'computed'
        when r.priced and not r.tiered then 'computed'
        else 'unpriced'
    end as cost_source,
    s.prompt_name, s.prompt_version, s.release_id, s.environment, s.service_name, s.user_id,
    s.session_id, s.input_text, s.output_text, s.attributes, s.resource_attributes, s.events,
    $source || ':' || s.line_no as source,
    $ingested_at as ingested_at
from staged s
left join batch_rates r
  on r.provider is not distinct from s.provider
 and r.response_model is not distinct from s.response_model
 and r.request_model is not distinct from s.request_model
 and r.bucket = time_bucket(interval 30 minutes, s.start_time)
left join tiered_costs t on t.row_key = s.line_no || ':' || s.span_id
where s.reject is null
on conflict do nothing
"""

INSERT_REJECTS_SQL = """
insert into ingest_rejects
select $source, r.line_no, r.reason, left(b.payload, 200), $ingested_at
from (
    select line_no, parse_error as reason from staged_raw where parse_error is not null
    union all
    select line_no,
        case when span_id_raw is not null then 'span ' || left(span_id_raw, 40) || ': ' || reject
             else reject end
    from staged where reject is not null
) r
join ingest_batch b using (line_no)
"""

FIRST_REJECTS_SQL = """
select line, reason from ingest_rejects
where source = $source and rejected_at = $ingested_at
order by line limit $limit
"""

COUNT_BATCH_REJECTS_SQL = """
select
    (select count(*) from staged_raw where parse_error is not null)
    + (select count(*) from staged where reject is not null),
    (select count(*) from staged where reject is null)
"""

INSERT_FEEDBACK_SQL = """
insert into feedback
select trace_id, span_id,
    coalesce(e.attributes->>'gen_ai.evaluation.name', 'feedback') as name,
    coalesce(llmops_ts_text(coalesce(e.time_unix_nano, e."timestamp", e."time")),
             end_time, start_time)
        as created_at,
    try_cast(e.attributes->>'gen_ai.evaluation.score.value' as double) as score,
    e.attributes->>'gen_ai.evaluation.score.label' as label,
    e.attributes->>'gen_ai.evaluation.explanation' as comment,
    'event' as source
from (
    select trace_id, span_id, start_time, end_time,
        unnest(from_json(events, '[{"name": "VARCHAR", "time_unix_nano": "VARCHAR",
            "timestamp": "VARCHAR", "time": "VARCHAR", "attributes": "JSON"}]')) as e
    from staged
    where reject is null and events is not null
      and events::varchar like '%gen_ai.evaluation.result%'
)
where e.name = 'gen_ai.evaluation.result'
on conflict do nothing
"""

UPSERT_CHECKPOINT_SQL = """
insert into ingest_sources as src (
    path, format, size_bytes, offset_bytes, lines_consumed, fingerprint, complete,
    spans_loaded, duplicates, rejects, first_seen_at, updated_at
) values (
    $path, $format, $size, $offset, $lines, $fingerprint, $complete,
    $loaded, $duplicates, $rejects, $now, $now
)
on conflict (path) do update set
    format = excluded.format,
    size_bytes = excluded.size_bytes,
    offset_bytes = excluded.offset_bytes,
    lines_consumed = excluded.lines_consumed,
    fingerprint = excluded.fingerprint,
    complete = excluded.complete,
    spans_loaded = src.spans_loaded + excluded.spans_loaded,
    duplicates = src.duplicates + excluded.duplicates,
    rejects = src.rejects + excluded.rejects,
    updated_at = excluded.updated_at
"""

DROP_STAGING_SQL = "drop table if exists staged_raw; drop table if exists staged"

_EMPTY_RATES = pl.DataFrame(
    schema={
        "provider": pl.Utf8,
        "response_model": pl.Utf8,
        "request_model": pl.Utf8,
        "bucket": pl.Datetime("us"),
        **dict.fromkeys(RATE_COLUMNS, pl.Float64),
        "priced": pl.Boolean,
        "tiered": pl.Boolean,
    }
)
_EMPTY_COSTS = pl.DataFrame(schema={"row_key": pl.Utf8, "cost_usd": pl.Float64})


def load_batch(
    cur: duckdb.DuckDBPyConnection,
    batch: pa.Table,
    *,
    kind: PayloadKind,
    rates: RateSource,
    checkpoint: Checkpoint,
    ingested_at: datetime,
    max_reasons: int = 5,
) -> BatchResult:
    """Stage, resolve, price and insert `batch` in one transaction.

    `batch` has `line_no` (int64), `payload` (a JSON record as text) and `error` (a reason
    found before the store saw the record, such as invalid UTF-8; the row is then a reject).
    """
    cur.execute(MACROS_SQL)
    cur.register("ingest_batch", batch)
    try:
        cur.execute("begin transaction")
        try:
            result = _load(cur, kind, rates, checkpoint, ingested_at, max_reasons)
            cur.execute("commit")
        except BaseException:
            cur.execute("rollback")
            raise
    finally:
        for name in ("ingest_batch", "batch_rates", "tiered_costs"):
            cur.unregister(name)
        cur.execute(DROP_STAGING_SQL)
    return result


def _load(
    cur: duckdb.DuckDBPyConnection,
    kind: PayloadKind,
    rates: RateSource,
    checkpoint: Checkpoint,
    ingested_at: datetime,
    max_reasons: int,
) -> BatchResult:
    cur.execute(STAGE_FLAT_SQL if kind == "flat" else STAGE_OTLP_SQL)
    cur.execute(RESOLVE_SQL)

    keys = cur.execute(PRICE_KEYS_SQL).pl()
    rate_table = rates.rate_table(keys) if keys.height else _EMPTY_RATES
    cur.register("batch_rates", rate_table.select(_EMPTY_RATES.columns).cast(_EMPTY_RATES.schema))
    tiered_rows = cur.execute(TIERED_ROWS_SQL).pl()
    tiered = rates.price_rows(tiered_rows) if tiered_rows.height else _EMPTY_COSTS
    cur.register("tiered_costs", tiered.select(_EMPTY_COSTS.columns).cast(_EMPTY_COSTS.schema))

    params = {"source": checkpoint.path, "ingested_at": ingested_at}
    rejected_row = cur.execute(COUNT_BATCH_REJECTS_SQL).fetchone()
    rejects, valid = (rejected_row[0], rejected_row[1]) if rejected_row else (0, 0)
    inserted_row = cur.execute(INSERT_SPANS_SQL, params).fetchone()
    loaded = inserted_row[0] if inserted_row else 0
    cur.execute(INSERT_REJECTS_SQL, params)
    feedback_row = cur.execute(INSERT_FEEDBACK_SQL).fetchone()
    first = cur.execute(FIRST_REJECTS_SQL, {**params, "limit": max_reasons}).fetchall()
    cur.execute(
        UPSERT_CHECKPOINT_SQL,
        {
            "path": checkpoint.path,
            "format": checkpoint.format,
            "size": checkpoint.size_bytes,
            "offset": checkpoint.offset_bytes,
            "lines": checkpoint.lines_consumed,
            "fingerprint": checkpoint.fingerprint,
            "complete": checkpoint.complete,
            "loaded": loaded,
            "duplicates": valid - loaded,
            "rejects": rejects,
            "now": ingested_at,
        },
    )
    return BatchResult(
        spans_loaded=loaded,
        duplicates=valid - loaded,
        rejects=rejects,
        first_rejects=tuple(RejectedLine(line, reason) for line, reason in first),
        feedback_loaded=feedback_row[0] if feedback_row else 0,
    )
