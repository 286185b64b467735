"""The `spans` table: bulk loading (see `span_load.py`) and re-pricing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import pyarrow as pa

from llmops_tui.store.span_costs import COST_SQL, HAS_TOKENS, KnownRates, RateSource, SpanCosts
from llmops_tui.store.span_load import BatchResult, Checkpoint, SpanLoader
from llmops_tui.store.trace_rollup import refresh_costs

if TYPE_CHECKING:
    from llmops_tui.store import Store

REPRICE_SQL = f"""
update spans s set cost_usd = {COST_SQL}
where s.cost_source is distinct from 'reported' and {HAS_TOKENS}
"""

REPRICE_SOURCE_SQL = f"""
update spans s set cost_source = case when cost_usd is null then 'unpriced' else 'computed' end
where s.cost_source is distinct from 'reported' and {HAS_TOKENS}
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

LOAD_MEMORY_LIMIT = 384 * 1024 * 1024
"""DuckDB's buffer pool while loading, in bytes (its default is 80% of RAM, and it keeps
what it may): what a load holds is a row group being filled per core
(`WRITE_ROW_GROUP_SIZE`) and the JSON parsers' working memory, and DuckDB spills beyond the
limit. Measured on 1M flat spans (bench/RESULTS.md): peak RSS ~1.5 GB with a 1 GB limit,
~0.85 GB with this one (and ~0.9 GB on a 5 GB file; the issue asks for <= 1 GB there).
Alternating runs at 384 MB, 512 MB, 640 MB and 1 GB took the same time within the machine's
noise. A load with big records raises it (`SpanLoader.make_room`)."""

LOAD_SETTINGS = {
    # Lets DuckDB insert from every core without holding back what it read until the rows
    # before are in: keeping order held ~40% of the input in memory, and cost ~30% more
    # time (measured). Rows keep no order anyway (see span_load).
    "preserve_insertion_order": "false",
    # DuckDB's allocator returns freed memory to the system from a thread of its own,
    # instead of when it next allocates: the insert frees hundreds of MB just before the
    # commit's queries allocate theirs (~100 MB less peak RSS, measured).
    "allocator_background_threads": "true",
}
"""Settings for the length of a load besides its memory limit, reset afterwards (the
connection may outlive the load)."""


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
        self,
        rates: RateSource,
        known_rates: KnownRates | None = None,
        *,
        ingested_at: datetime,
    ) -> Iterator[SpanLoader]:
        """A write transaction for records; rolled back unless committed (also when the block
        ends without an error, as an abandoned run's does, or after a failed statement left
        the transaction aborted). `ingested_at` stamps every span of it and must be later
        than any earlier load's; `known_rates` carries rates looked up by earlier
        transactions of the same run."""
        with self._store.writer() as cur:
            settings = {"memory_limit": f"'{LOAD_MEMORY_LIMIT}B'", **LOAD_SETTINGS}
            for name, value in settings.items():
                cur.execute(f"set {name} = {value}")
            try:
                loader = SpanLoader(
                    cur,
                    rates,
                    ingested_at=ingested_at,
                    known_rates=known_rates,
                    memory_limit=LOAD_MEMORY_LIMIT,
                )
                try:
                    yield loader
                finally:
                    if loader.open:
                        loader.rollback()
            finally:
                for name in settings:
                    cur.execute(f"reset {name}")

    def load(
        self,
        batch: pa.Table,
        *,
        rates: RateSource,
        checkpoints: list[Checkpoint],
        ingested_at: datetime,
    ) -> BatchResult:
        """Load records with their files' checkpoints, atomically."""
        with self.loading(rates, ingested_at=ingested_at) as loader:
            loader.insert(batch)
            return loader.commit(checkpoints, now=ingested_at)

    def count(self) -> int:
        with self._store.reader() as cur:
            row = cur.execute(COUNT_SQL).fetchone()
        return int(row[0]) if row else 0

    def reprice(self, rates: RateSource) -> RepriceResult:
        """Recompute every cost that was not reported by the trace itself."""
        costs = SpanCosts(rates)
        with self._store.writer() as cur:
            costs.register(cur)
            cur.execute("begin transaction")
            try:
                cur.execute(REPRICE_SQL)
                cur.execute(REPRICE_SOURCE_SQL)
                refresh_costs(cur)
                cur.execute("commit")
            except BaseException:
                cur.execute("rollback")
                raise
            finally:
                costs.remove(cur)
            row = cur.execute(COST_SUMMARY_SQL).fetchone()
        assert row is not None
        return RepriceResult(int(row[0]), int(row[1]), int(row[2]), row[3])
