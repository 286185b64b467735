"""How records go into `spans`: one insert straight from their parse, priced on the way, and
every record accounted for (loaded, duplicate or rejected)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from llmops_tui.costs import StoreRates
from llmops_tui.errors import StoreError
from llmops_tui.ingest.pipeline import Ingestor, IngestReport
from llmops_tui.pricing import Pricer, TokenUsage
from llmops_tui.store import Store, span_load
from llmops_tui.store import spans as spans_repository
from tests.ingest.spans import flat_span, jsonl

DAY_NS = 86_400 * 1_000_000_000


def _rows(store: Store, sql: str) -> list[tuple[object, ...]]:
    with store.reader() as cur:
        return cur.execute(sql).fetchall()


def test_a_span_met_twice_in_one_file_is_stored_once_and_the_first_copy_wins(
    tmp_path: Path, ingestor: Ingestor, store: Store
) -> None:
    path = tmp_path / "repeats.jsonl"
    path.write_bytes(
        jsonl([flat_span(1), flat_span(2, name="first"), flat_span(3), flat_span(2, name="later")])
    )
    report = ingestor.ingest([path])
    (file,) = report.files
    assert (file.spans_loaded, file.duplicates, file.rejects) == (3, 1, 0)
    assert _rows(store, "select name, source from spans where name in ('first', 'later')") == [
        ("first", f"{path.resolve()}:2")
    ]
    assert _rows(store, "select sum(span_count) from traces") == [(3,)]


def test_a_slice_of_loaded_duplicates_and_rejects_counts_each_once(
    tmp_path: Path, ingestor: Ingestor, store: Store
) -> None:
    first = tmp_path / "first.jsonl"
    first.write_bytes(jsonl([flat_span(n) for n in range(5)]))
    ingestor.ingest([first])
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_bytes(
        jsonl([flat_span(n) for n in range(3, 8)])  # 3 and 4 are stored already
        + b'{"trace_id": "nothex", "span_id": "00f067aa0ba902b7", "start_time": 1}\n'
        + b"not json\n"
    )
    (file,) = ingestor.ingest([mixed]).files
    assert (file.spans_loaded, file.duplicates, file.rejects) == (3, 2, 2)
    assert [r.line for r in file.first_rejects] == [6, 7]
    assert file.first_rejects[0].reason.startswith("span 00f067aa0ba902b7: trace_id: expected")
    assert _rows(store, "select count(*), count(distinct (trace_id, span_id)) from spans") == [
        (8, 8)
    ]


def test_spans_weeks_apart_are_each_priced_at_their_own_time(tmp_path: Path, store: Store) -> None:
    """Rates are looked up for a window of time around the first spans of a model; spans
    outside it are priced after the insert. Every span must get the price in force then."""
    starts = [0, 2 * DAY_NS, 40 * DAY_NS, 41 * DAY_NS, 90 * DAY_NS]
    spans = [
        flat_span(n, start_time=1_735_689_600_000_000_000 + offset)
        | {"end_time": 1_735_689_600_000_000_000 + offset + 10**9}
        for n, offset in enumerate(starts)
    ]
    path = tmp_path / "months.jsonl"
    path.write_bytes(jsonl(spans))
    pricer = Pricer()
    # A tiny slice size: every span is its own slice, so later ones meet the known rates.
    report = Ingestor(store, StoreRates(pricer), chunk_bytes=64, group_bytes=10**9).ingest([path])
    assert report.spans_loaded == len(spans)
    stored = _rows(
        store,
        "select start_time, input_tokens, output_tokens, cost_usd, cost_source "
        "from spans order by start_time",
    )
    for start, input_tokens, output_tokens, cost, source in stored:
        assert isinstance(start, datetime)
        expected = pricer.price(
            "openai",
            "gpt-4o-mini-2024-07-18",
            start.replace(tzinfo=UTC),
            TokenUsage(input_tokens=int(str(input_tokens)), output_tokens=int(str(output_tokens))),
        )
        assert expected is not None
        assert source == "computed"
        assert cost == pytest.approx(float(expected), rel=1e-9)


def test_an_insert_failing_while_records_still_come_is_raised_and_nothing_is_committed(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(jsonl([flat_span(n) for n in range(200)]))
    original = span_load.SpanLoader.insert
    read: list[int] = []

    def failing_insert(self: span_load.SpanLoader, records: object) -> None:
        assert isinstance(records, pa.RecordBatchReader)
        read.append(records.read_next_batch().num_rows)  # the reading thread is under way
        raise RuntimeError("disk full")

    monkeypatch.setattr(span_load.SpanLoader, "insert", failing_insert)
    ingestor = Ingestor(store, StoreRates(Pricer()), chunk_bytes=1024, group_bytes=10**9)
    ingestor._slice_bytes = 1024  # many slices: more come after the insert has failed
    with pytest.raises(RuntimeError, match="disk full"):
        _within_a_minute(lambda: ingestor.ingest([path]))
    assert read
    assert read[0] > 0
    assert _rows(store, "select count(*) from spans") == [(0,)]
    assert _rows(store, "select count(*) from ingest_sources") == [(0,)]
    monkeypatch.setattr(span_load.SpanLoader, "insert", original)
    # The store must have been released: a held write lock would block, so fail, not hang.
    report = _within_a_minute(lambda: ingestor.ingest([path]))
    assert report.spans_loaded == 200


def test_an_interrupted_run_stops_the_insert_and_commits_nothing(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the insert waits for records: the insert must stop, not wait forever."""
    path = tmp_path / "a.jsonl"
    path.write_bytes(jsonl([flat_span(n) for n in range(200)]))
    ingestor = Ingestor(store, StoreRates(Pricer()), chunk_bytes=1024, group_bytes=10**9)
    ingestor._slice_bytes = 1024
    original = Ingestor.batch_full
    calls: list[int] = []

    def interrupted(self: Ingestor) -> None:
        calls.append(1)
        if len(calls) == 5:
            raise KeyboardInterrupt
        original(self)

    monkeypatch.setattr(Ingestor, "batch_full", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _within_a_minute(lambda: ingestor.ingest([path]))
    monkeypatch.undo()
    assert _rows(store, "select count(*) from spans") == [(0,)]
    report = _within_a_minute(lambda: ingestor.ingest([path]))
    assert report.spans_loaded == 200


def _within_a_minute(run: Callable[[], IngestReport]) -> IngestReport:
    """Run in a thread that must end within a minute: a hang fails the test, not the suite."""
    outcome: list[IngestReport] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(run())
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the run hung (a held write lock, or an insert never ended)"
    if errors:
        raise errors[0]
    return outcome[0]


def test_running_out_of_memory_is_one_clear_error_and_stores_nothing(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spans_repository, "LOAD_MEMORY_LIMIT", 2 * 1024 * 1024)
    path = tmp_path / "a.jsonl"
    path.write_bytes(jsonl([flat_span(n) for n in range(2000)]))
    with pytest.raises(StoreError, match="ran out of memory loading spans") as raised:
        Ingestor(store, StoreRates(Pricer())).ingest([path])
    assert "nothing of this batch was stored" in str(raised.value.hint)
    monkeypatch.undo()
    assert _rows(store, "select count(*) from spans") == [(0,)]
    assert Ingestor(store, StoreRates(Pricer())).ingest([path]).spans_loaded == 2000
