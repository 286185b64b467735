"""The `spans` loader's storage side: the schema without a primary key (migration 0007),
and a load transaction that lets each slice go once it is in."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from llmops_tui.costs import StoreRates
from llmops_tui.ingest.batch import Batch
from llmops_tui.pricing import Pricer
from llmops_tui.store import Store, span_load
from llmops_tui.store.migrate import CREATE_MIGRATIONS_TABLE_SQL, RECORD_SQL, available_migrations
from tests.ingest.spans import flat_span, jsonl


def _rows(store: Store, sql: str) -> list[tuple[object, ...]]:
    with store.reader() as cur:
        return cur.execute(sql).fetchall()


def test_migration_0007_drops_the_spans_key_and_keeps_every_row_in_order(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    conn = duckdb.connect(str(path))
    conn.execute(CREATE_MIGRATIONS_TABLE_SQL)
    for migration in available_migrations()[:6]:
        conn.execute(migration.sql)
        conn.execute(RECORD_SQL, [migration.version, migration.name, migration.checksum])
    conn.execute(
        "insert into spans (trace_id, span_id, start_time, status, ingested_at, name) "
        "select 't' || (9 - i), 's' || i, timestamp '2026-01-01' + to_seconds(i), 'ok', "
        "now()::timestamp, 'span ' || i from range(10) r(i)"
    )
    assert "PRIMARY KEY" in _constraint_types(conn)
    conn.close()

    store = Store(path)
    store.initialise()
    assert _rows(store, "select name from spans") == [(f"span {i}",) for i in range(10)]
    with store.reader() as cur:
        assert "PRIMARY KEY" not in _constraint_types(cur)
        assert "NOT NULL" in _constraint_types(cur)


def _constraint_types(conn: duckdb.DuckDBPyConnection) -> list[str]:
    rows = conn.execute(
        "select constraint_type from duckdb_constraints() where table_name = 'spans' order by 1"
    ).fetchall()
    return [r[0] for r in rows]


def test_a_transaction_does_not_keep_its_slices_alive(store: Store) -> None:
    """DuckDB keeps a registered Arrow table referenced until the transaction ends (~65 MB
    a slice in a big load); the loader must let each slice go once it is in."""
    allocated = []
    with store.spans.loading(StoreRates(Pricer())) as loader:
        for slice_number in range(4):
            batch = Batch()
            records = [flat_span(slice_number * 2000 + n) for n in range(2000)]
            batch.lines("/tmp/x.jsonl", 1, jsonl(records))
            table = batch.table()
            slice_bytes = table.nbytes
            del batch
            loader.add(table, ingested_at=datetime(2026, 1, 1, 0, 0, slice_number))
            del table
            allocated.append(pa.total_allocated_bytes())
        loader.rollback()
    assert allocated[-1] - allocated[0] < slice_bytes


def test_a_statement_failing_inside_a_slice_is_the_error_raised(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed statement aborts the transaction; the clean-up after it must not replace
    the real error with DuckDB's 'transaction is aborted'."""
    batch = Batch()
    batch.lines("/tmp/x.jsonl", 1, jsonl([flat_span(n) for n in range(10)]))
    failing = "select error('the disk is full') from range(1) where $ingested_at is not null"
    monkeypatch.setattr(span_load, "MISSING_SQL", failing)
    with (
        pytest.raises(duckdb.InvalidInputException, match="the disk is full"),
        store.spans.loading(StoreRates(Pricer())) as loader,
    ):
        loader.add(batch.table(), ingested_at=datetime(2026, 1, 1))
    assert _rows(store, "select count(*) from spans") == [(0,)]
