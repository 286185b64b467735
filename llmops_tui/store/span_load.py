"""Loading records into `spans`, atomically, with their files' checkpoints.

A transaction takes the records of one or many files (many small files share one: a
statement's fixed cost, not the data, dominates below a few thousand spans). They go in by
ONE statement (`INSERT_SPANS_SQL`) that parses, resolves (see `span_sql.py`), prices and
inserts a stream of Arrow record batches: DuckDB spreads one statement over every core and
writes full row groups as they fill, where a statement per slice wrote each row group on
one thread (measured on 1M flat spans: 70.5 s sliced, ~34 s streamed; bench/RESULTS.md).
Prices come from a `RateSource` (the store never imports pricing: the caller passes it in).

A stream can be read once, so the insert settles every record as it passes:

- a rejected record stays out, and its reason reaches `ingest_rejects` through
  `llmops_reject`, a Python function the insert calls for rejected records only;
- a span is priced by `llmops_cost` (`span_costs.py`);
- spans are unique on (trace_id, span_id) (DESIGN §3) because the loader makes them so:
  after the insert, a span stored already is deleted again, and a span met twice keeps its
  first copy in file order (rare: a delete makes the commit dearer, see `INSERT_SPANS_SQL`).
  Only one process writes to a store at a time, so no other writer can slip a span in
  between. There is no primary key (migration 0007): the index it needs cost more than a
  third of the load time, and more as the store grew.

Rejects, feedback events and every file's checkpoint commit in the same transaction. A kill
at any moment therefore leaves either the whole transaction and its checkpoints or neither,
and a re-run resumes exactly where the last commit ended.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime

import duckdb
import polars as pl
import pyarrow as pa
from duckdb.func import FunctionNullHandling

from llmops_tui.errors import StoreError
from llmops_tui.store.span_costs import COST_SQL, HAS_TOKENS, KnownRates, RateSource, SpanCosts
from llmops_tui.store.span_sql import MACROS_SQL, RESOLVED_SQL
from llmops_tui.store.trace_rollup import merge_loaded


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


INSERT_SPANS_SQL = f"""
insert into spans
select
    trace_id, span_id, nullif(parent_span_id, ''), name, kind, start_time, end_time,
    duration_ms, status, status_message, operation, provider, request_model, response_model,
    input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens,
    cost_usd,
    case when reported then 'reported'
         when not priceable then null
         when cost_usd is null then 'unpriced'
         else 'computed' end as cost_source,
    prompt_name, prompt_version, release_id, environment, service_name, user_id, session_id,
    input_text, output_text, attributes, resource_attributes, events, source,
    $ingested_at as ingested_at
from (
    select s.* exclude (cost_usd),
        s.cost_usd is not null as reported,
        {HAS_TOKENS} as priceable,
        case when s.cost_usd is not null then s.cost_usd
             when {HAS_TOKENS} then {COST_SQL} end as cost_usd
    from ({RESOLVED_SQL}) s
    where s.reject is null or llmops_reject(
        s.path, s.source,
        case when s.span_id_raw is not null and s.parse_error is null
             then 'span ' || left(s.span_id_raw, 40) || ': ' || s.reject
             else s.reject end,
        rtrim(left(s.payload, 200), chr(13) || chr(10)))  -- records keep their line end
) s
"""
"""Records go into `spans` straight from the parse, priced on the way, in ONE pass: no
staging table (one made loading ~1.7x as costly), and no UPDATE or DELETE of what was
inserted (either one makes DuckDB's commit re-append the transaction's rows instead of
keeping the row groups it wrote as they filled: ~9 s more for 490k spans, measured).

So what the insert cannot settle in SQL it hands to Python as it goes: `llmops_reject`
collects a rejected record (and keeps it out), and `llmops_cost` prices a record batch of
spans (`span_costs.py`)."""

PATH = "left(source, length(source) - strpos(reverse(source), ':'))"
LINE = "try_cast(right(source, strpos(reverse(source), ':') - 1) as bigint)"
"""A span's file and line, from its `source` ('<path>:<line>'; a path may hold ':')."""

NEW = "from spans where ingested_at = $ingested_at"

REJECT_FUNCTION = "llmops_reject"

BIG_RECORD_BYTES = 1024 * 1024
"""A record this long or longer (a span with a long conversation) makes a load "big"."""
BIG_LOAD_MEMORY = 1024 * 1024 * 1024
"""DuckDB's memory limit for a big load, at least. The insert's working memory grows with
its records (each step of the query holds its own copy of their text, beyond what DuckDB
can spill) and so does what a transaction holds until it commits: measured, six flat spans
of 10 MB ran out of 458 MB and loaded with 1 GB."""
MEMORY_PER_RECORD_BYTE = 48
"""...and per byte of its largest record: a flat span of 20 MB needed more than 366 MB, one
of 40 MB less than 954 MB (measured), and two cores may each be working on one."""

NEW_KEYS_SQL = f"""
create or replace temp table load_new_keys as
select trace_id, span_id, count(*) as copies {NEW} group by all
"""
"""The transaction's keys, in a table of their own: DuckDB then knows how few they are and
builds the duplicate check's hash table on them. As a CTE, inside the write transaction,
it built it on the stored spans instead: a 10-span load into a 10M-span store spent ~2 s
hashing every stored key, against ~20 ms this way (measured)."""

SUSPECTS_SQL = """
create or replace temp table load_suspects as
select trace_id, span_id, max(stored) as stored from (
    select trace_id, span_id, false as stored from load_new_keys where copies > 1
    union all
    -- The transaction's keys are the hash table; stored spans only stream past it.
    select o.trace_id, o.span_id, true
    from spans o semi join load_new_keys n using (trace_id, span_id)
    where o.ingested_at <> $ingested_at
)
group by all
"""
"""Keys of this transaction met twice, or stored already: usually none."""

DUPLICATES_SQL = f"""
create or replace temp table dropped as
select s.rowid as row_id, {PATH.replace("source", "s.source")} as path
from spans s
join load_suspects k using (trace_id, span_id)
left join load_order f on f.path = {PATH.replace("source", "s.source")}
where s.ingested_at = $ingested_at
qualify k.stored or row_number() over (
    partition by s.trace_id, s.span_id
    order by f.ordinal, {LINE.replace("source", "s.source")}, s.rowid
) > 1
"""
"""Spans of this transaction that must not stay: stored already (every copy), or met more
than once (all but the first in file order: files in `load_order`, then lines; DuckDB's
parallel insert does not keep rows in the order they were read)."""

DELETE_DUPLICATES_SQL = "delete from spans where rowid in (select row_id from dropped)"

INSERT_REJECTS_SQL = """
insert into ingest_rejects select source, line, reason, excerpt, $ingested_at from load_rejects
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

COUNTS_SQL = f"""
select {PATH} as path, count(*) {NEW} group by 1
"""
"""Spans loaded per file."""

DROP_SCRATCH_SQL = """
drop table if exists load_new_keys; drop table if exists load_suspects;
drop table if exists dropped
"""


class SpanLoader:
    """One write transaction: records go in by `insert` (once or more), then `commit` stores
    the rejects, drops duplicates, rolls traces up, and commits with the files' checkpoints.

    DuckDB writes full row groups of the transaction to the file as they fill (optimistic
    writes), and only the part-filled last ones go through the WAL at commit (so callers
    make transactions of several row groups: see `ingest/pipeline.py`, GROUP_ROWS).
    """

    def __init__(
        self,
        cur: duckdb.DuckDBPyConnection,
        rates: RateSource,
        *,
        ingested_at: datetime,
        max_reasons: int = 5,
        known_rates: KnownRates | None = None,
        memory_limit: int | None = None,
    ) -> None:
        self._cur = cur
        self._memory_limit = memory_limit
        # Settings change on a cursor of their own: the loading cursor is busy inserting.
        self._side = cur.cursor()
        self._costs = SpanCosts(rates, known_rates)
        self._max_reasons = max_reasons
        self._params = {"ingested_at": ingested_at}
        """Every span of the transaction carries this `ingested_at`: the later steps find the
        transaction's spans by it, so it must differ from every earlier load's."""
        self._rejects: list[tuple[str, int, str, str | None]] = []
        cur.execute(MACROS_SQL)
        cur.create_function(
            REJECT_FUNCTION,
            self.note_reject,
            ["VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR"],
            "BOOLEAN",
            null_handling=FunctionNullHandling.SPECIAL,
            side_effects=True,
        )
        self._costs.register(cur)
        self._registered = True
        cur.execute("begin transaction")
        self.open = True
        """Until committed or rolled back."""

    def insert(self, records: pa.Table | pa.RecordBatchReader) -> None:
        """Parse, resolve, price and insert records, each a row of `source` (the file's
        checkpoint path), `line` (the line or record number in that file), `payload` (a flat
        span as JSON text) and `error` (a reason found before the store saw the record, such
        as invalid UTF-8; the record is then a reject).

        A `RecordBatchReader` is read as DuckDB goes, by every core at once: memory holds a
        few record batches, not the records. Safe to call from another thread, as long as
        nothing else uses the cursor meanwhile.
        """
        # The SQL reads the records by this local name (a DuckDB replacement scan): a
        # registered Arrow object would stay alive until the transaction ends. A bare Arrow
        # stream, not the reader itself: DuckDB scans a pyarrow reader through a pyarrow
        # dataset scanner, which reads ahead and held ~400 MB of records (measured).
        ingest_batch = records.__arrow_c_stream__()  # noqa: F841
        with _out_of_memory_as_store_error():
            self._cur.execute(INSERT_SPANS_SQL, self._params)

    def make_room(self, record_bytes: int) -> None:
        """Raise DuckDB's memory limit, if one was set, before records of up to
        `record_bytes` (the payload's length) are inserted; safe while an insert runs. Only
        big records raise it (`BIG_RECORD_BYTES`): a load of typical spans keeps its
        limit, and so its peak memory."""
        if self._memory_limit is None or record_bytes < BIG_RECORD_BYTES:
            return
        needed = max(BIG_LOAD_MEMORY, record_bytes * MEMORY_PER_RECORD_BYTE)
        if needed <= self._memory_limit:
            return
        self._side.execute(f"set memory_limit = '{needed}B'")
        self._memory_limit = needed

    def commit(self, checkpoints: list[Checkpoint], *, now: datetime) -> BatchResult:
        """Store the rejects, drop duplicates, roll traces up, record every file's checkpoint
        with its counts, and commit. `checkpoints` come in file order: a span met twice
        keeps its first copy."""
        cur = self._cur
        with _out_of_memory_as_store_error():
            rejects, first = self._store_rejects()
            duplicates = self._drop_duplicates([c.path for c in checkpoints])
            merge_loaded(cur, ingested_at=self._params["ingested_at"])
            feedback = self._feedback()
            loaded = dict(cur.execute(COUNTS_SQL, self._params).fetchall())
            cur.execute(DROP_SCRATCH_SQL)
        frame = pl.DataFrame(
            [
                (c.path, loaded.get(c.path, 0), duplicates.get(c.path, 0), rejects.get(c.path, 0))
                for c in checkpoints
            ],
            schema={
                "path": pl.Utf8,
                "loaded": pl.Int64,
                "duplicates": pl.Int64,
                "rejects": pl.Int64,
            },
            orient="row",
        )
        cur.register("batch_checkpoints", _checkpoint_frame(checkpoints))
        cur.register("batch_counts", frame)
        try:
            cur.execute(UPSERT_CHECKPOINTS_SQL, {"now": now})
        finally:
            cur.unregister("batch_checkpoints")
            cur.unregister("batch_counts")
        cur.execute("commit")
        self._close()
        return BatchResult(
            sources={
                path: SourceResult(loaded, duplicates, rejects, tuple(first.get(path, ())))
                for path, loaded, duplicates, rejects in frame.iter_rows()
            },
            feedback_loaded=feedback,
        )

    def rollback(self) -> None:
        self._cur.execute("rollback")
        self._close()

    def _close(self) -> None:
        self.open = False
        self._side.close()
        if self._registered:
            self._cur.remove_function(REJECT_FUNCTION)
            self._costs.remove(self._cur)
            self._registered = False

    # -- called by the insert ----------------------------------------------------------------

    def note_reject(self, path: str, source: str, reason: str, excerpt: str | None) -> bool:
        """`llmops_reject`: keep a rejected record for `ingest_rejects`; False (not loaded)."""
        self._rejects.append((path, int(source.rsplit(":", 1)[1]), reason, excerpt))
        return False

    # -- before the commit ------------------------------------------------------------------

    def _store_rejects(self) -> tuple[dict[str, int], dict[str, list[RejectedLine]]]:
        """Store the rejects in `ingest_rejects`; their count and first lines per file."""
        if not self._rejects:
            return {}, {}
        rejects = pl.DataFrame(
            self._rejects,
            schema={"source": pl.Utf8, "line": pl.Int64, "reason": pl.Utf8, "excerpt": pl.Utf8},
            orient="row",
        ).sort("source", "line")
        self._rejects = []
        self._cur.register("load_rejects", rejects)
        try:
            self._cur.execute(INSERT_REJECTS_SQL, self._params)
        finally:
            self._cur.unregister("load_rejects")
        first: dict[str, list[RejectedLine]] = {}
        for source, line, reason in (
            rejects.group_by("source", maintain_order=True)
            .head(self._max_reasons)
            .select("source", "line", "reason")
            .iter_rows()
        ):
            first.setdefault(source, []).append(RejectedLine(line, reason))
        return dict(rejects.group_by("source").len().iter_rows()), first

    def _drop_duplicates(self, file_order: list[str]) -> dict[str, int]:
        """Duplicates per file, deleted. Rare, and dear when they happen: a delete makes
        DuckDB's commit append the transaction's rows again (see `INSERT_SPANS_SQL`)."""
        cur, params = self._cur, self._params
        cur.execute(NEW_KEYS_SQL, params)
        cur.execute(SUSPECTS_SQL, params)
        suspects = cur.execute("select count(*) from load_suspects").fetchone()
        if not suspects or not suspects[0]:
            return {}
        order = pl.DataFrame(
            {"path": file_order, "ordinal": range(len(file_order))},
            schema={"path": pl.Utf8, "ordinal": pl.Int64},
        )
        cur.register("load_order", order)
        try:
            cur.execute(DUPLICATES_SQL, params)
        finally:
            cur.unregister("load_order")
        cur.execute(DELETE_DUPLICATES_SQL)
        return dict(cur.execute("select path, count(*) from dropped group by 1").fetchall())

    def _feedback(self) -> int:
        row = self._cur.execute(INSERT_FEEDBACK_SQL, self._params).fetchone()
        return int(row[0]) if row else 0


@contextmanager
def _out_of_memory_as_store_error() -> Iterator[None]:
    try:
        yield
    except duckdb.OutOfMemoryException as error:
        raise StoreError(
            f"DuckDB ran out of memory loading spans: {str(error).splitlines()[0]}",
            hint="nothing of this batch was stored; close other programs and run the "
            "ingest again (it resumes where it stopped)",
        ) from None


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
