"""The open transaction's pending records, checkpoints and reports."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from itertools import accumulate

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from llmops_tui.ingest.report import FileReport
from llmops_tui.store.span_load import Checkpoint

SCAN_ROWS = 2048
"""Rows per Arrow record batch handed to DuckDB: each core takes one record batch at a
time, so small batches keep both busy."""
SCAN_BYTES = 4 * 1024 * 1024
"""...and payload bytes, at most (but one record): the memory a core's part of the insert
needs grows with its record batch (every step of the query holds its strings), and ten
2 MB spans in one batch ran out of the load's memory limit. Typical spans (~2.5 KB) fill
`SCAN_ROWS` first."""

SCHEMA = pa.schema(
    {
        "source": pa.large_string(),
        "line": pa.int64(),
        "payload": pa.large_string(),
        "error": pa.large_string(),
    }
)


class Batch:
    """The open transaction's pending state: the current slice of records, and the
    checkpoints and reports of every file the transaction covers."""

    def __init__(self) -> None:
        self.source: list[str] = []
        self.line: list[int] = []
        self.payload: list[str | None] = []
        self.error: list[str | None] = []
        self.blocks: list[pa.RecordBatch] = []
        self.rows = 0
        self.payload_bytes = 0
        self.largest_record = 0
        """Payload bytes of the longest record of the slice (known once `table` ran)."""
        self.group_rows = 0
        self.group_bytes = 0
        self.consumed_bytes = 0
        self.checkpoints: dict[str, Checkpoint] = {}
        self.reports: dict[str, FileReport] = {}

    def ok(self, source: str, line: int, payload: str) -> None:
        self.source.append(source)
        self.line.append(line)
        self.payload.append(payload)
        self.error.append(None)
        self.rows += 1
        self.payload_bytes += len(payload)

    def bad(self, source: str, line: int, reason: str, excerpt: bytes | str) -> None:
        text = excerpt if isinstance(excerpt, str) else excerpt[:200].decode("utf-8", "replace")
        self.source.append(source)
        self.line.append(line)
        self.payload.append(text[:200])
        self.error.append(reason)
        self.rows += 1

    def lines(
        self, source: str, first_line: int, body: bytes | memoryview, ends: np.ndarray
    ) -> int | None:
        """Add every non-blank line of `body` (whole lines of a file, numbered from
        `first_line`, line i ending at `ends[i]`) as a record, in bulk: no Python object per
        line, and no copy of the text. Returns how many were added, or None (and adds
        nothing) when `body` isn't valid UTF-8, so the caller can find the bad lines one by
        one."""
        text = _text_array(body, ends)
        if text is None:
            return None
        numbers = pa.array(np.arange(first_line, first_line + len(text), dtype=np.int64))
        # A record keeps its line end (JSON allows the white space); a blank line is all
        # white space, tested in place.
        blank = pc.ascii_is_space(text)
        if pc.any(blank).as_py():  # a filter copies the text, and most chunks have no blanks
            keep = pc.invert(blank)
            text, numbers = text.filter(keep), numbers.filter(keep)
        self._block(source, numbers, text)
        self.payload_bytes += len(body)
        return len(text)

    def encoded(self, source: str, numbers: list[int], payloads: list[bytes]) -> None:
        """Add records serialised by orjson (one line each: it escapes newlines), numbered
        by the line they came from, in bulk."""
        if not payloads:
            return
        body = b"\n".join(payloads)
        ends = np.cumsum([len(p) + 1 for p in payloads], dtype=np.int64)
        ends[-1] -= 1  # the join puts no newline after the last record
        text = _text_array(body, ends)
        assert text is not None, "orjson writes UTF-8"
        self._block(source, pa.array(numbers, pa.int64()), text)
        self.payload_bytes += len(body)

    def _block(self, source: str, numbers: pa.Array, text: pa.Array) -> None:
        count = len(text)
        if not count:
            return
        zeros = pa.nulls(count, pa.int32()).fill_null(0)
        self.blocks.append(
            pa.RecordBatch.from_arrays(
                [
                    pa.array([source], pa.large_string()).take(zeros),
                    numbers,
                    text,
                    pa.nulls(count, pa.large_string()),
                ],
                schema=SCHEMA,
            )
        )
        self.rows += count

    def clear_rows(self) -> None:
        self.group_rows += self.rows
        self.group_bytes += self.payload_bytes
        self.source, self.line, self.payload, self.error = [], [], [], []
        self.blocks = []
        self.rows = 0
        self.payload_bytes = 0
        self.largest_record = 0

    def table(self) -> pa.Table:
        """The slice as source, line, payload, error, in record batches of at most
        `SCAN_ROWS` rows and `SCAN_BYTES` of payload; sets `largest_record`."""
        batches = list(self.blocks)
        if self.line:
            batches.append(
                pa.RecordBatch.from_arrays(
                    [
                        pa.array(self.source, pa.large_string()),
                        pa.array(self.line, pa.int64()),
                        pa.array(self.payload, pa.large_string()),
                        pa.array(self.error, pa.large_string()),
                    ],
                    schema=SCHEMA,
                )
            )
        scan: list[pa.RecordBatch] = []
        for batch in batches:
            lengths = pc.fill_null(pc.binary_length(batch.column("payload")), 0).to_pylist()
            self.largest_record = max(self.largest_record, max(lengths, default=0))
            scan += [batch.slice(start, end - start) for start, end in _scan_ranges(lengths)]
        return pa.Table.from_batches(scan, schema=SCHEMA)


def _scan_ranges(lengths: list[int]) -> Iterator[tuple[int, int]]:
    """(start, end) row ranges of at most `SCAN_ROWS` rows and `SCAN_BYTES` of `lengths`
    (a range holds at least one row)."""
    ends = list(accumulate(lengths))  # bytes up to and including each row
    start = 0
    while start < len(ends):
        before = ends[start - 1] if start else 0
        end = min(start + SCAN_ROWS, bisect_right(ends, before + SCAN_BYTES, lo=start))
        end = max(end, start + 1)
        yield start, end
        start = end


def _text_array(body: bytes | memoryview, ends: np.ndarray) -> pa.Array | None:
    """The lines of `body` ending at `ends`, as a string array over `body` itself (no copy);
    None unless `body` is valid UTF-8."""
    offsets = np.empty(len(ends) + 1, np.int64)
    offsets[0] = 0
    offsets[1:] = ends
    text = pa.LargeStringArray.from_buffers(len(ends), pa.py_buffer(offsets), pa.py_buffer(body))
    try:
        text.validate(full=True)  # UTF-8, in C++
    except pa.ArrowInvalid:
        return None
    return text
