"""The `spans` table: bulk loading (see `span_load.py`) and re-pricing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import polars as pl
import pyarrow as pa

from llmops_tui.store.span_load import (
    HAS_TOKENS,
    LINEAR_COST,
    RATE_MATCH,
    BatchResult,
    Checkpoint,
    KnownRates,
    RateSource,
    SpanLoader,
)
from llmops_tui.store.sql import quote_literal
from llmops_tui.store.trace_rollup import refresh_costs

if TYPE_CHECKING:
    from llmops_tui.store import Store

REPRICE_KEYS_SQL = """
select distinct provider, response_model, request_model,
    time_bucket(interval 30 minutes, start_time) as bucket
from spans
where cost_source is distinct from 'reported'
  and (coalesce(input_tokens, 0) > 0 or coalesce(output_tokens, 0) > 0)
"""

REPRICE_SQL = f"""
update spans s set
    cost_usd = case when r.priced and not r.tiered then {LINEAR_COST} end,
    cost_source = case when r.priced and not r.tiered then 'computed' else 'unpriced' end
from reprice_rates r
where s.cost_source is distinct from 'reported' and {HAS_TOKENS} and {RATE_MATCH}
"""

REPRICE_TIERED_ROWS_SQL = f"""
select s.trace_id || ':' || s.span_id as row_key, s.provider, s.response_model,
    s.request_model, s.start_time, s.input_tokens, s.output_tokens, s.cache_read_tokens,
    s.cache_write_tokens, s.reasoning_tokens
from spans s join reprice_rates r on {RATE_MATCH}
where s.cost_source is distinct from 'reported' and r.tiered
"""

REPRICE_TIERED_SQL = """
update spans set
    cost_usd = t.cost_usd,
    cost_source = case when t.cost_usd is null then 'unpriced' else 'computed' end
from reprice_tiered t
where t.row_key = spans.trace_id || ':' || spans.span_id
"""

COST_SUMMARY_SQL = """
select
    count(*) filter (where cost_source = 'computed'),
    count(*) filter (where cost_source = 'unpriced'),
    count(*) filter (where cost_source = 'reported'),
    sum(cost_usd)
from spans
"""

COUNT_SQL = "select count(*) from spans"

LOAD_MEMORY_LIMIT = "1GB"
"""DuckDB's memory while loading (its default is 80% of RAM, and it keeps what it may).
Measured on 1M flat spans (bench/RESULTS.md): 2 GB: 65 s, 2.6 GB peak RSS; 1 GB: ~70 s,
1.9 GB; 512 MB (with 32 MB slices): 79 s, 1.27 GB; 384 MB runs out of memory, because the
row group being filled (~300 MB of these spans, uncompressed) stays pinned until written."""


@dataclass(frozen=True, slots=True)
class RepriceResult:
    computed: int
    unpriced: int
    reported: int
    total_usd: float | None


class SpanRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    @contextmanager
    def loading(
        self, rates: RateSource, known_rates: KnownRates | None = None
    ) -> Iterator[SpanLoader]:
        """A write transaction for slices of records; rolled back unless committed (also when
        the block ends without an error, as an abandoned run's does, or after a failed
        statement left the transaction aborted).
        `known_rates` carries rates looked up by earlier transactions of the same run."""
        with self._store.writer() as cur:
            cur.execute(f"set memory_limit = {quote_literal(LOAD_MEMORY_LIMIT)}")
            try:
                loader = SpanLoader(cur, rates, known_rates=known_rates)
                try:
                    yield loader
                finally:
                    if loader.open:
                        loader.rollback()
            finally:
                cur.execute("reset memory_limit")  # the connection may outlive the load

    def load(
        self,
        batch: pa.Table,
        *,
        rates: RateSource,
        checkpoints: list[Checkpoint],
        ingested_at: datetime,
    ) -> BatchResult:
        """Load one slice of records with its files' checkpoints, atomically."""
        with self.loading(rates) as loader:
            loader.add(batch, ingested_at=ingested_at)
            return loader.commit(checkpoints, now=ingested_at)

    def count(self) -> int:
        with self._store.reader() as cur:
            row = cur.execute(COUNT_SQL).fetchone()
        return int(row[0]) if row else 0

    def reprice(self, rates: RateSource) -> RepriceResult:
        """Recompute every cost that was not reported by the trace itself."""
        with self._store.writer() as cur:
            keys = cur.execute(REPRICE_KEYS_SQL).pl()
            cur.execute("begin transaction")
            try:
                if keys.height:
                    cur.register("reprice_rates", rates.rate_table(keys))
                    cur.execute(REPRICE_SQL)
                    tiered_rows = cur.execute(REPRICE_TIERED_ROWS_SQL).pl()
                    if tiered_rows.height:
                        tiered = rates.price_rows(tiered_rows).cast({"cost_usd": pl.Float64})
                        cur.register("reprice_tiered", tiered)
                        cur.execute(REPRICE_TIERED_SQL)
                    refresh_costs(cur)
                cur.execute("commit")
            except BaseException:
                cur.execute("rollback")
                raise
            finally:
                for name in ("reprice_rates", "reprice_tiered"):
                    cur.unregister(name)
            row = cur.execute(COST_SUMMARY_SQL).fetchone()
        assert row is not None
        return RepriceResult(int(row[0]), int(row[1]), int(row[2]), row[3])
