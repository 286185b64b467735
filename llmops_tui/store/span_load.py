"""Loading one batch of records into `spans`, atomically, with its files' checkpoints.

A batch holds records of one or many files (many small files share a batch: a statement's
fixed cost, not the data, dominates below a few thousand spans). Each slice of it is parsed,
resolved (see `span_sql.py`), priced and inserted by ONE statement, priced through a
`RateSource` (the store never imports pricing: the caller passes it in); its rejects, feedback
events and every file's checkpoint go in the same transaction. A kill at any moment therefore
leaves either the whole batch and its checkpoint or neither, and a re-run resumes exactly
where the last commit ended.

Spans are unique on (trace_id, span_id) (DESIGN §3) because the loader makes them so: a span
already stored is never inserted (`STORED_LINES_SQL`), and a span met twice within a slice
keeps its first copy (`DROP_REPEATS_SQL`). Only one process writes to a store at a time, so
no other writer can slip a span in between. There is no primary key (migration 0007): the
index it needs cost more than a third of the load time, and more as the store grew.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Protocol

import duckdb
import polars as pl
import pyarrow as pa

from llmops_tui.errors import StoreError
from llmops_tui.store.span_sql import KEYS_SQL, MACROS_SQL, RESOLVED_SQL, STAGE_RETRY_SQL
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


LINEAR_COST = """
    r.per_request
    + (coalesce(s.input_tokens, 0) - coalesce(s.cache_read_tokens, 0)
       - coalesce(s.cache_write_tokens, 0)) * r.input
    + coalesce(s.cache_read_tokens, 0) * r.cache_read
    + coalesce(s.cache_write_tokens, 0) * r.cache_write
    + (coalesce(s.output_tokens, 0) - coalesce(s.reasoning_tokens, 0)) * r.output
    + coalesce(s.reasoning_tokens, 0) * r.reasoning
"""
"""A span's cost from linear per-token rates (`s`: the span, `r`: its `known_rates` row)."""

RATE_MATCH = """
    r.provider is not distinct from s.provider
    and r.response_model is not distinct from s.response_model
    and r.request_model is not distinct from s.request_model
    and r.bucket = time_bucket(interval 30 minutes, s.start_time)
"""

HAS_TOKENS = "(coalesce(s.input_tokens, 0) > 0 or coalesce(s.output_tokens, 0) > 0)"

INSERT_SPANS_SQL = f"""
insert into spans
select
    s.trace_id, s.span_id, nullif(s.parent_span_id, ''), s.name, s.kind, s.start_time,
    s.end_time, s.duration_ms, s.status, s.status_message, s.operation, s.provider,
    s.request_model, s.response_model, s.input_tokens, s.output_tokens, s.cache_read_tokens,
    s.cache_write_tokens, s.reasoning_tokens,
    case when s.cost_usd is not null then s.cost_usd
         when r.priced and not r.tiered then {LINEAR_COST} end as cost_usd,
    -- NULL with tokens: "priced after the insert" (rates not known yet, or tiered).
    case when s.cost_usd is not null then 'reported'
         when not {HAS_TOKENS} then null
         when r.tiered is null or r.tiered then null
         when r.priced then 'computed'
         else 'unpriced' end as cost_source,
    s.prompt_name, s.prompt_version, s.release_id, s.environment, s.service_name, s.user_id,
    s.session_id, s.input_text, s.output_text, s.attributes, s.resource_attributes, s.events,
    s.source, $ingested_at as ingested_at
from ({RESOLVED_SQL}) s
left join known_rates r on {RATE_MATCH}
where s.reject is null and s.line_no not in (select line_no from stored_lines)
"""
"""The slice goes into `spans` straight from the parse: one pass, no staging table (a
temp table of the whole slice made loading ~1.7x as costly). Records that don't go in
(rejects, spans stored already) are sorted out afterwards from the few that are missing
(`MISSING_SQL`); spans met twice within the slice are removed by `DROP_REPEATS_SQL`."""

STORED_LINES_SQL = f"""
create or replace temp table stored_lines as
select k.line_no from ({KEYS_SQL}) k semi join spans x using (trace_id, span_id)
"""
"""Records whose span is stored already (committed, or by this transaction's earlier
slices): a narrow join on the keys, so the wide insert only probes this small table."""

DROP_REPEATS_SQL = """
delete from spans where rowid in (
    select s.rowid from spans s
    join (
        select source || ':' || line as record, min(line_no) as first_no
        from ingest_batch group by 1
    ) b on b.record = s.source
    where s.ingested_at = $ingested_at
      and (s.trace_id, s.span_id) in (
          select (trace_id, span_id) from spans where ingested_at = $ingested_at
          group by all having count(*) > 1
      )
    qualify row_number() over (partition by s.trace_id, s.span_id order by b.first_no, s.rowid) > 1
)
"""
"""A span met twice in one slice: the first one (in file order) stays."""

PENDING = f"""
from spans s
where s.ingested_at = $ingested_at and s.cost_source is null and {HAS_TOKENS}
"""

PENDING_KEYS_SQL = f"""
select distinct s.provider, s.response_model, s.request_model,
    time_bucket(interval 30 minutes, s.start_time) as bucket
{PENDING}
  and not exists (select 1 from known_rates r where {RATE_MATCH})
"""

ADD_RATES_SQL = """
insert into known_rates
select * from new_rates n
where not exists (
    select 1 from known_rates r
    where r.provider is not distinct from n.provider
      and r.response_model is not distinct from n.response_model
      and r.request_model is not distinct from n.request_model
      and r.bucket = n.bucket
)
"""

PRICE_PENDING_SQL = f"""
update spans s set
    cost_usd = case when r.priced then {LINEAR_COST} end,
    cost_source = case when r.priced then 'computed' else 'unpriced' end
from known_rates r
where s.ingested_at = $ingested_at and s.cost_source is null and {HAS_TOKENS}
  and {RATE_MATCH} and not r.tiered
"""

TIERED_ROWS_SQL = f"""
select s.trace_id || ':' || s.span_id as row_key, s.provider, s.response_model,
    s.request_model, s.start_time, s.input_tokens, s.output_tokens, s.cache_read_tokens,
    s.cache_write_tokens, s.reasoning_tokens
{PENDING}
"""

PRICE_TIERED_SQL = """
update spans set
    cost_usd = t.cost_usd,
    cost_source = case when t.cost_usd is null then 'unpriced' else 'computed' end
from tiered_costs t
where spans.ingested_at = $ingested_at and t.row_key = spans.trace_id || ':' || spans.span_id
"""

MISSING_SQL = """
create or replace temp table retry_batch as
with sent as (
    select source || ':' || line as record, count(*) as n from ingest_batch group by 1
),
loaded as (
    select source as record, count(*) as n from spans where ingested_at = $ingested_at
    group by 1
)
select b.* from ingest_batch b
semi join (
    select record from sent left join loaded using (record) where sent.n > coalesce(loaded.n, 0)
) m on m.record = b.source || ':' || b.line
"""
"""The records of lines (or objects) that did not all go in: rejects and duplicates, and
the spans sharing their line. Usually none; they are resolved again to find the rejects."""

SOURCE_COUNTS_SQL = """
with sent as (select source, count(*) as n from ingest_batch group by 1),
loaded as (
    select left(source, length(source) - strpos(reverse(source), ':')) as source, count(*) as n
    from spans where ingested_at = $ingested_at group by 1
),
rejected as (
    select source, count(*) as n from ingest_rejects where rejected_at = $ingested_at group by 1
)
select s.source, coalesce(l.n, 0), s.n - coalesce(l.n, 0) - coalesce(r.n, 0), coalesce(r.n, 0)
from sent s left join loaded l using (source) left join rejected r using (source)
"""
"""Per file of the slice: spans loaded, duplicates skipped, records rejected."""

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
    from spans
    where ingested_at = $ingested_at and events is not null
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

DROP_STAGING_SQL = """
drop table if exists staged; drop table if exists retry_batch; drop table if exists stored_lines
"""

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


class KnownRates:
    """Rates already looked up, kept across the transactions of one ingest run.

    The insert prices each span by joining this table, so pricing costs no extra pass over
    the data; a key that isn't in it yet is priced right after the insert, and its rates are
    added for a window of buckets around it (`RATE_WINDOW_BEFORE`/`_AFTER`), so the next
    slices of a time-ordered file find theirs already here.
    """

    def __init__(self) -> None:
        self.frame = _EMPTY_RATES

    def add(self, rates: pl.DataFrame) -> None:
        self.frame = pl.concat([self.frame, rates]).unique(
            subset=list(PRICE_KEY_COLUMNS), keep="first"
        )


RATE_WINDOW_BEFORE = timedelta(days=1)
RATE_WINDOW_AFTER = timedelta(days=7)


class SpanLoader:
    """One write transaction: slices of records go in one by one, then the checkpoints.

    Each slice is inserted straight from its parse (`INSERT_SPANS_SQL`); DuckDB writes full
    row groups of the transaction to the file as they fill (optimistic writes), and only the
    part-filled last one goes through the WAL at commit (so callers make transactions of
    several row groups: see `ingest/pipeline.py`, GROUP_ROWS).
    """

    def __init__(
        self,
        cur: duckdb.DuckDBPyConnection,
        rates: RateSource,
        max_reasons: int = 5,
        known_rates: KnownRates | None = None,
    ) -> None:
        self._cur = cur
        self._rates = rates
        self._known = known_rates if known_rates is not None else KnownRates()
        self._max_reasons = max_reasons
        self._counts: dict[str, list[int]] = {}
        self._first: dict[str, list[RejectedLine]] = {}
        self._feedback = 0
        cur.execute(MACROS_SQL)
        cur.register("known_rates_frame", self._known.frame)
        try:
            cur.execute("create or replace temp table known_rates as from known_rates_frame")
        finally:
            cur.unregister("known_rates_frame")
        cur.execute("begin transaction")
        self.open = True
        """Until committed or rolled back."""

    def add(self, batch: pa.Table, *, ingested_at: datetime) -> None:
        """Parse, resolve, insert and price one slice, and account for every record.

        `batch` has `line_no` (int64, unique in the slice), `source` (the file's checkpoint
        path), `line` (the line or record number in that file), `payload` (a flat span as JSON
        text) and `error` (a reason found before the store saw the record, such as invalid
        UTF-8; the row is then a reject). `ingested_at` must differ between slices.
        """
        cur = self._cur
        params = {"ingested_at": ingested_at}
        # The SQL reads the slice by this local name (a DuckDB replacement scan): a registered
        # Arrow table would stay alive until the transaction ends, ~65 MB for every slice.
        ingest_batch = batch  # noqa: F841
        try:
            cur.execute(STORED_LINES_SQL)
            cur.execute(INSERT_SPANS_SQL, params)
            cur.execute(DROP_REPEATS_SQL, params)
            self._price_pending(params)
            feedback = cur.execute(INSERT_FEEDBACK_SQL, params).fetchone()
            self._feedback += feedback[0] if feedback else 0
            merge_loaded(cur, ingested_at=ingested_at)
            cur.execute(MISSING_SQL, params)
            missing = cur.execute("select count(*) from retry_batch").fetchone()
            if missing and missing[0]:
                cur.execute(STAGE_RETRY_SQL)
                cur.execute(INSERT_REJECTS_SQL, params)
                self._note_first_rejects(params)
            for source, loaded, duplicates, rejects in cur.execute(
                SOURCE_COUNTS_SQL, params
            ).fetchall():
                totals = self._counts.setdefault(source, [0, 0, 0])
                totals[0] += loaded
                totals[1] += duplicates
                totals[2] += rejects
            cur.execute(DROP_STAGING_SQL)  # on failure the rollback drops them
        except duckdb.OutOfMemoryException as error:
            raise StoreError(
                f"DuckDB ran out of memory loading spans: {str(error).splitlines()[0]}",
                hint="nothing of this batch was stored; close other programs and run the "
                "ingest again (it resumes where it stopped)",
            ) from None
        finally:
            for name in ("new_rates", "tiered_costs"):
                cur.unregister(name)

    def _note_first_rejects(self, params: dict[str, datetime]) -> None:
        for source, line, reason in self._cur.execute(
            FIRST_REJECTS_SQL, {**params, "limit": self._max_reasons}
        ).fetchall():
            first = self._first.setdefault(source, [])
            if len(first) < self._max_reasons:
                first.append(RejectedLine(line, reason))

    def _price_pending(self, params: dict[str, datetime]) -> None:
        """Price the spans the insert could not: keys without known rates, tiered prices."""
        cur = self._cur
        keys = cur.execute(PENDING_KEYS_SQL, params).pl()
        if keys.height:
            rates = self._rates.rate_table(_rate_window(keys))
            rates = rates.select(_EMPTY_RATES.columns).cast(_EMPTY_RATES.schema)
            self._known.add(rates)
            cur.register("new_rates", rates)
            cur.execute(ADD_RATES_SQL)
            cur.execute(PRICE_PENDING_SQL, params)
        tiered_rows = cur.execute(TIERED_ROWS_SQL, params).pl()
        if tiered_rows.height:
            tiered = self._rates.price_rows(tiered_rows)
            cur.register(
                "tiered_costs", tiered.select(_EMPTY_COSTS.columns).cast(_EMPTY_COSTS.schema)
            )
            cur.execute(PRICE_TIERED_SQL, params)

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
        self.open = False
        return BatchResult(
            sources={
                path: SourceResult(loaded, duplicates, rejects, tuple(self._first.get(path, ())))
                for path, loaded, duplicates, rejects in counts.iter_rows()
            },
            feedback_loaded=self._feedback,
        )

    def rollback(self) -> None:
        self._cur.execute("rollback")
        self.open = False


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


def _rate_window(keys: pl.DataFrame) -> pl.DataFrame:
    """`keys` widened to every bucket from a day before each (provider, models) key's first
    bucket to a week after its last: the neighbouring slices' spans are priced on insert."""
    spans = keys.group_by("provider", "response_model", "request_model").agg(
        (pl.col("bucket").min() - RATE_WINDOW_BEFORE).alias("first"),
        (pl.col("bucket").max() + RATE_WINDOW_AFTER).alias("last"),
    )
    return spans.select(
        "provider",
        "response_model",
        "request_model",
        pl.datetime_ranges("first", "last", interval="30m", time_unit="us").alias("bucket"),
    ).explode("bucket")
