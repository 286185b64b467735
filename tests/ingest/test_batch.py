"""How a slice of records is cut into the record batches DuckDB scans."""

from __future__ import annotations

from llmops_tui.ingest import batch as batch_module
from llmops_tui.ingest.batch import SCAN_BYTES, SCAN_ROWS, Batch
from llmops_tui.ingest.source import line_ends
from tests.ingest.spans import flat_span, jsonl


def test_typical_records_go_in_batches_of_scan_rows() -> None:
    batch = Batch()
    body = jsonl([flat_span(n) for n in range(SCAN_ROWS * 2 + 5)])
    batch.lines("a.jsonl", 1, body, line_ends(body))

    table = batch.table()

    assert [b.num_rows for b in table.to_batches()] == [SCAN_ROWS, SCAN_ROWS, 5]
    assert table.column("line").to_pylist() == list(range(1, SCAN_ROWS * 2 + 6))
    assert batch.largest_record == max(len(line) for line in batch_lines(table))


def test_long_records_go_in_batches_of_scan_bytes_and_one_longer_alone() -> None:
    third = SCAN_BYTES // 3
    records = [
        flat_span(n, attributes={"gen_ai.input.messages": "x" * size})
        for n, size in enumerate([third, third, third, third, SCAN_BYTES * 2, 10, 10])
    ]
    batch = Batch()
    body = jsonl(records)
    batch.lines("a.jsonl", 1, body, line_ends(body))

    table = batch.table()

    # Each batch holds at most SCAN_BYTES of payload, except a record longer on its own.
    assert [b.num_rows for b in table.to_batches()] == [2, 2, 1, 2]
    assert table.num_rows == len(records)
    assert batch.largest_record > SCAN_BYTES * 2
    batch.clear_rows()
    assert batch.largest_record == 0


def test_scan_ranges_cover_every_row_once() -> None:
    original = batch_module.SCAN_BYTES, batch_module.SCAN_ROWS
    batch_module.SCAN_BYTES, batch_module.SCAN_ROWS = 10, 3
    try:
        by_bytes = list(batch_module._scan_ranges([5, 1, 9, 9, 0, 3, 20, 1]))
        by_rows = list(batch_module._scan_ranges([1, 1, 1, 1]))
    finally:
        batch_module.SCAN_BYTES, batch_module.SCAN_ROWS = original
    assert by_bytes == [(0, 2), (2, 3), (3, 5), (5, 6), (6, 7), (7, 8)]
    assert by_rows == [(0, 3), (3, 4)]
    assert list(batch_module._scan_ranges([])) == []


def batch_lines(table: object) -> list[str]:
    return table.column("payload").to_pylist()  # type: ignore[attr-defined, no-any-return]


def test_blank_lines_are_left_out_and_the_others_keep_their_numbers() -> None:
    first, second = jsonl([flat_span(1)]), jsonl([flat_span(2)])
    batch = Batch()
    body = first + b"\n  \t\n" + second + b"\r\n"
    added = batch.lines("a.jsonl", 10, body, line_ends(body))

    table = batch.table()

    assert added == 2
    assert table.column("line").to_pylist() == [10, 13]
    # Records keep their line ends: the text is handed on without a copy.
    assert [p.encode() for p in table.column("payload").to_pylist()] == [first, second]
