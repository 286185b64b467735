"""The `spans` loader's storage side: the schema without a primary key (migration 0007),
long text stored ZSTD-compressed (migration 0008), and a streamed load that lets each slice
go once it is read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from llmops_tui.costs import StoreRates
from llmops_tui.ingest.batch import SCHEMA, Batch
from llmops_tui.pricing import Pricer
from llmops_tui.store import Store, span_load
from tests.ingest.spans import flat_span, jsonl_chunk
from tests.store.old_stores import migrated_to


def _rows(store: Store, sql: str) -> list[tuple[object, ...]]:
    with store.reader() as cur:
        return cur.execute(sql).fetchall()


def test_migration_0007_drops_the_spans_key_and_keeps_every_row_in_order(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    conn = migrated_to(path, 6)
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


LONG_TEXT_COLUMNS = ("attributes", "input_text", "output_text")


def _text_compression(store: Store) -> set[tuple[str, str]]:
    """(column, compression) of the stored segments of the long-text columns."""
    columns = ", ".join(f"'{c}'" for c in LONG_TEXT_COLUMNS)
    rows = _rows(
        store,
        "select distinct column_name, compression from pragma_storage_info('spans') "
        f"where column_name in ({columns}) and segment_type <> 'VALIDITY'",
    )
    return {(str(column), str(kind)) for column, kind in rows}


def test_migration_0008_compresses_the_long_text_of_stored_spans(tmp_path: Path) -> None:
    """A file as DuckDB's default storage format and migrations 1-7 left it: the text was
    stored uncompressed or FSST, and a writer's first open moves it to ZSTD."""
    path = tmp_path / "old.duckdb"
    conn = migrated_to(path, 7)
    conn.execute(
        "insert into spans (trace_id, span_id, start_time, status, ingested_at, name, "
        "attributes, input_text, output_text) "
        "select 't' || (9 - i % 10), 's' || i, timestamp '2026-01-01' + to_seconds(i), 'ok', "
        "now()::timestamp, 'span ' || i, json_object('gen_ai.input.messages', repeat('q', 3000)), "
        "repeat('question ' || i, 200), repeat('answer ' || i, 200) from range(5000) r(i)"
    )
    conn.execute("checkpoint")
    conn.close()

    store = Store(path)
    store.initialise()
    assert _rows(store, "select count(*), min(name), max(length(input_text)) from spans") == [
        (5000, "span 0", len("question 4999") * 200)
    ]
    assert _rows(store, "select name from spans limit 3") == [("span 0",), ("span 1",), ("span 2",)]
    assert _text_compression(store) == {(column, "ZSTD") for column in LONG_TEXT_COLUMNS}


def test_loaded_spans_keep_their_long_text_compressed(store: Store) -> None:
    batch = Batch()
    spans = [flat_span(n) for n in range(3000)]
    for span in spans:
        span["attributes"] = span["attributes"] | {
            "gen_ai.input.messages": json.dumps([{"role": "user", "content": "why " * 500}]),
            "gen_ai.output.messages": json.dumps([{"role": "assistant", "content": "so " * 500}]),
        }
    batch.lines("/tmp/long.jsonl", 1, *jsonl_chunk(spans))
    store.spans.load(
        batch.table(),
        rates=StoreRates(Pricer()),
        checkpoints=[],
        ingested_at=datetime(2026, 1, 1),
    )
    assert _rows(store, "select count(*) from spans where input_text like '%why why%'") == [(3000,)]
    assert _text_compression(store) == {(column, "ZSTD") for column in LONG_TEXT_COLUMNS}


STREAMED_SLICES = 60


def _constraint_types(conn: duckdb.DuckDBPyConnection) -> list[str]:
    rows = conn.execute(
        "select constraint_type from duckdb_constraints() where table_name = 'spans' order by 1"
    ).fetchall()
    return [r[0] for r in rows]


def test_a_streamed_insert_does_not_keep_what_it_read(store: Store) -> None:
    """Records stream in as DuckDB reads them; every slice read must be let go, or a big
    transaction would hold its whole input (DuckDB keeps a registered Arrow object
    referenced until the transaction ends). The spans carry no tokens: DuckDB also holds
    some of what `llmops_cost` returns until the statement ends, which is another matter
    (bench/RESULTS.md)."""
    allocated: list[int] = []
    slice_bytes: list[int] = []

    def slices() -> Iterator[pa.RecordBatch]:
        for slice_number in range(STREAMED_SLICES):
            batch = Batch()
            records = [_without_tokens(flat_span(slice_number * 1000 + n)) for n in range(1000)]
            batch.lines("/tmp/x.jsonl", slice_number * 1000 + 1, *jsonl_chunk(records))
            table = batch.table()
            del batch
            slice_bytes.append(table.nbytes)
            allocated.append(pa.total_allocated_bytes())
            yield from table.to_batches()
            del table

    with store.spans.loading(StoreRates(Pricer()), ingested_at=datetime(2026, 1, 1)) as loader:
        loader.insert(pa.RecordBatchReader.from_batches(SCHEMA, slices()))
        assert _rows_in(loader, "select count(*) from spans") == [(STREAMED_SLICES * 1000,)]
        loader.rollback()
    # DuckDB holds a record batch per core in flight, never the stream (scanning a pyarrow
    # reader itself, it read ahead: ~9 slices here).
    assert max(allocated) - allocated[0] < 4 * max(slice_bytes)


def _without_tokens(span: dict[str, Any]) -> dict[str, Any]:
    attributes = {k: v for k, v in span["attributes"].items() if "usage" not in k}
    return span | {"attributes": attributes}


def _rows_in(loader: span_load.SpanLoader, sql: str) -> list[tuple[object, ...]]:
    return loader._cur.execute(sql).fetchall()


def test_a_statement_failing_before_the_commit_is_the_error_raised(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed statement aborts the transaction; the clean-up after it must not replace
    the real error with DuckDB's 'transaction is aborted'."""
    batch = Batch()
    batch.lines("/tmp/x.jsonl", 1, *jsonl_chunk([flat_span(n) for n in range(10)]))
    failing = "select error('the disk is full') from range(1) where $ingested_at is not null"
    monkeypatch.setattr(span_load, "SUSPECTS_SQL", failing)
    with store.spans.loading(StoreRates(Pricer()), ingested_at=datetime(2026, 1, 1)) as loader:
        loader.insert(batch.table())
        with pytest.raises(duckdb.InvalidInputException, match="the disk is full"):
            loader.commit([], now=datetime(2026, 1, 1))
    assert _rows(store, "select count(*) from spans") == [(0,)]


def test_a_big_record_raises_the_memory_limit_of_its_load_and_typical_ones_do_not(
    store: Store,
) -> None:
    def limit(loader: span_load.SpanLoader) -> str:
        return str(_rows_in(loader, "select current_setting('memory_limit')")[0][0])

    with store.spans.loading(StoreRates(Pricer()), ingested_at=datetime(2026, 1, 1)) as loader:
        before = limit(loader)
        loader.make_room(span_load.BIG_RECORD_BYTES - 1)
        assert limit(loader) == before
        loader.make_room(span_load.BIG_RECORD_BYTES)
        assert limit(loader) == "1.0 GiB"  # BIG_LOAD_MEMORY
        loader.make_room(64 * 1024 * 1024)
        assert limit(loader) == f"{64 * span_load.MEMORY_PER_RECORD_BYTE / 1024:.1f} GiB"
        loader.make_room(span_load.BIG_RECORD_BYTES)
        assert limit(loader) == f"{64 * span_load.MEMORY_PER_RECORD_BYTE / 1024:.1f} GiB"
        loader.rollback()
    with store.writer() as cur:  # the load's limits end with the load
        (after,) = cur.execute("select current_setting('memory_limit')").fetchone() or ("",)
    assert after not in (
        before,
        "1.0 GiB",
        f"{64 * span_load.MEMORY_PER_RECORD_BYTE / 1024:.1f} GiB",
    )
