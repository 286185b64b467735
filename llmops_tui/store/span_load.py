"""Loading one batch of records into `spans`, atomically, with its files' checkpoints.

A batch holds records of one or many files (many small files share a batch: a statement's
fixed cost, not the data, dominates below a few thousand spans). It is staged and resolved by
DuckDB (see `span_sql.py`), priced through a `RateSource` (the store never imports pricing:
the caller passes it in), then inserted together with its rejects, feedback events and every
file's checkpoint in ONE transaction. A kill at any moment
therefore leaves either the whole batch and its checkpoint or neither, and a re-run resumes
exactly where the last commit ended. Span-level uniqueness (`ON CONFLICT DO NOTHING` on the
primary key) is the second line of defence for overlapping files.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Protocol

import duckdb
import polars as pl
import pyarrow as pa

from llmops_tui.store.span_sql import MACROS_SQL, STAGE_SQL
from llmops_tui.store.trace_rollup import merge_loaded

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
class SourceResult:
    """What one file's records in a batch came to."""

    spans_loaded: int = 0
    duplicates: int = 0
    rejects: int = 0
    first_rejects: tuple[RejectedLine, ...] = ()


@dataclass(frozen=True, slots=True)
class BatchResult:
    sources: dict[str, SourceResult]
    feedback_loaded: int

    @property
    def spans_loaded(self) -> int:
        return sum(r.spans_loaded for r in self.sources.values())


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

KEYS_SQL = """
create or replace temp table staged_keys as
with stored as (
    -- Spans already in the table (committed, or added by this transaction's earlier slices).
    select s.line_no from staged s semi join spans x using (trace_id, span_id)
    where s.reject is null
),
repeats as (
    -- A span met twice in the slice: the first one wins.
    select line_no from staged where reject is null
    qualify row_number() over (partition by trace_id, span_id order by line_no) > 1
),
skipped as (select line_no from stored union select line_no from repeats)
select
    s.line_no,
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
    end as cost_source
from staged s
left join batch_rates r
  on r.provider is not distinct from s.provider
 and r.response_model is not distinct from s.response_model
 and r.request_model is not distinct from s.request_model
 and r.bucket = time_bucket(interval 30 minutes, s.start_time)
left join tiered_costs t on t.row_key = s.line_no || ':' || s.span_id
where s.reject is null and s.line_no not in (select line_no from skipped)
"""
"""Which records of a slice go in (valid, not stored yet, first of their key) at what cost.
Duplicates are found here, not by `ON CONFLICT DO NOTHING`: that made the insert ~1.7x as
costly (122,880 spans: 10 vs 6 CPU-s); the semi-join reads only the key columns of `spans`
(~0.9 CPU-s a slice against 10M stored spans)."""

INSERT_SPANS_SQL = """
insert into spans
select
    s.trace_id, s.span_id, nullif(s.parent_span_id, ''), s.name, s.kind, s.start_time,
    s.end_time, s.duration_ms, s.status, s.status_message, s.operation, s.provider,
    s.request_model, s.response_model, s.input_tokens, s.output_tokens, s.cache_read_tokens,
    s.cache_write_tokens, s.reasoning_tokens, k.cost_usd, k.cost_source,
    s.prompt_name, s.prompt_version, s.release_id, s.environment, s.service_name, s.user_id,
    s.session_id, s.input_text, s.output_text, s.attributes, s.resource_attributes, s.events,
    s.source, $ingested_at as ingested_at
from staged s
join staged_keys k using (line_no)
"""

INSERT_REJECTS_SQL = """
insert into ingest_rejects
select b.source, b.line, r.reason, left(b.payload, 200), $ingested_at
from (
    select line_no,
        case when span_id_raw is not null and parse_error is null
             then 'span ' || left(span_id_raw, 40) || ': ' || reject
             else reject end as reason
    from staged where reject is not null
) r
join ingest_batch b using (line_no)
"""

STAGED_COUNTS_SQL = """
select count(*) filter (where reject is not null) from staged
"""

SLICE_COUNTS_SQL = """
with valid as (
    select path as source, count(*) as n from staged where reject is null group by 1
),
loaded as (
    select left(source, length(source) - strpos(reverse(source), ':')) as source, count(*) as n
    from spans where ingested_at = $ingested_at group by 1
),
rejected as (
    select source, count(*) as n from ingest_rejects where rejected_at = $ingested_at group by 1
),
sources as (select distinct path as source from staged)
select s.source, coalesce(l.n, 0), coalesce(v.n, 0) - coalesce(l.n, 0), coalesce(r.n, 0)
from sources s
left join valid v using (source)
left join loaded l using (source)
left join rejected r using (source)
"""

FIRST_REJECTS_SQL = """
select source, line, reason from ingest_rejects
where rejected_at = $ingested_at
qualify row_number() over (partition by source order by line) <= $limit
order by source, line
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

UPSERT_CHECKPOINTS_SQL = """
insert into ingest_sources as src (
    path, format, size_bytes, offset_bytes, lines_consumed, fingerprint, complete,
    spans_loaded, duplicates, rejects, first_seen_at, updated_at
)
select c.path, c.format, c.size_bytes, c.offset_bytes, c.lines_consumed, c.fingerprint,
    c.complete, n.loaded, n.duplicates, n.rejects, $now, $now
from batch_checkpoints c join batch_counts n using (path)
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

DROP_STAGING_SQL = "drop table if exists staged; drop table if exists staged_keys"

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


class SpanLoader:
    """One write transaction: slices of records go in one by one, then the checkpoints.

    DuckDB stages one slice at a time, while the commit covers many slices: a commit of at
    least a row group (122,880 rows) is merged into the file as whole row groups instead of
    going through the write-ahead log, so big ingests write their data once. Until then the
    transaction's rows are held uncompressed in DuckDB's memory (bounded by the memory limit
    `SpanRepository.loading` sets; the excess goes to a temporary file).
    """

    def __init__(
        self, cur: duckdb.DuckDBPyConnection, rates: RateSource, max_reasons: int = 5
    ) -> None:
        self._cur = cur
        self._rates = rates
        self._max_reasons = max_reasons
        self._counts: dict[str, list[int]] = {}
        self._first: dict[str, list[RejectedLine]] = {}
        self._feedback = 0
        cur.execute(MACROS_SQL)
        cur.execute("begin transaction")

    def add(self, batch: pa.Table, *, ingested_at: datetime) -> None:
        """Stage, resolve, price and insert one slice.

        `batch` has `line_no` (int64, unique in the slice), `source` (the file's checkpoint
        path), `line` (the line or record number in that file), `payload` (a flat span as JSON
        text) and `error` (a reason found before the store saw the record, such as invalid
        UTF-8; the row is then a reject). `ingested_at` must differ between slices.
        """
        cur = self._cur
        cur.register("ingest_batch", batch)
        try:
            cur.execute(STAGE_SQL)
            self._price()
            params = {"ingested_at": ingested_at}
            cur.execute(KEYS_SQL)
            cur.execute(INSERT_SPANS_SQL, params)
            merge_loaded(cur, ingested_at=ingested_at)
            rejected = cur.execute(STAGED_COUNTS_SQL).fetchone()
            if rejected and rejected[0]:
                cur.execute(INSERT_REJECTS_SQL, params)
            feedback = cur.execute(INSERT_FEEDBACK_SQL).fetchone()
            self._feedback += feedback[0] if feedback else 0
            for source, loaded, duplicates, rejects in cur.execute(
                SLICE_COUNTS_SQL, params
            ).fetchall():
                totals = self._counts.setdefault(source, [0, 0, 0])
                totals[0] += loaded
                totals[1] += duplicates
                totals[2] += rejects
            if rejected and rejected[0]:
                self._note_first_rejects(params)
        finally:
            for name in ("ingest_batch", "batch_rates", "tiered_costs"):
                cur.unregister(name)
            cur.execute(DROP_STAGING_SQL)

    def _note_first_rejects(self, params: dict[str, datetime]) -> None:
        for source, line, reason in self._cur.execute(
            FIRST_REJECTS_SQL, {**params, "limit": self._max_reasons}
        ).fetchall():
            first = self._first.setdefault(source, [])
            if len(first) < self._max_reasons:
                first.append(RejectedLine(line, reason))

    def _price(self) -> None:
        cur = self._cur
        keys = cur.execute(PRICE_KEYS_SQL).pl()
        rate_table = self._rates.rate_table(keys) if keys.height else _EMPTY_RATES
        cur.register(
            "batch_rates", rate_table.select(_EMPTY_RATES.columns).cast(_EMPTY_RATES.schema)
        )
        tiered_rows = cur.execute(TIERED_ROWS_SQL).pl()
        tiered = self._rates.price_rows(tiered_rows) if tiered_rows.height else _EMPTY_COSTS
        cur.register("tiered_costs", tiered.select(_EMPTY_COSTS.columns).cast(_EMPTY_COSTS.schema))

    def commit(self, checkpoints: list[Checkpoint], *, now: datetime) -> BatchResult:
        """Record every file's checkpoint with its counts, and commit."""
        cur = self._cur
        counts = pl.DataFrame(
            [(c.path, *self._counts.get(c.path, [0, 0, 0])) for c in checkpoints],
            schema={
                "path": pl.Utf8,
                "loaded": pl.Int64,
                "duplicates": pl.Int64,
                "rejects": pl.Int64,
            },
            orient="row",
        )
        cur.register("batch_checkpoints", _checkpoint_frame(checkpoints))
        cur.register("batch_counts", counts)
        try:
            cur.execute(UPSERT_CHECKPOINTS_SQL, {"now": now})
        finally:
            cur.unregister("batch_checkpoints")
            cur.unregister("batch_counts")
        cur.execute("commit")
        return BatchResult(
            sources={
                path: SourceResult(loaded, duplicates, rejects, tuple(self._first.get(path, ())))
                for path, loaded, duplicates, rejects in counts.iter_rows()
            },
            feedback_loaded=self._feedback,
        )

    def rollback(self) -> None:
        self._cur.execute("rollback")


def _checkpoint_frame(checkpoints: list[Checkpoint]) -> pl.DataFrame:
    return pl.DataFrame(
        [asdict(c) for c in checkpoints],
        schema={
            "path": pl.Utf8,
            "format": pl.Utf8,
            "size_bytes": pl.Int64,
            "offset_bytes": pl.Int64,
            "lines_consumed": pl.Int64,
            "fingerprint": pl.Utf8,
            "complete": pl.Boolean,
        },
    )
