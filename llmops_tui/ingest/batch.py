"""The open transaction's pending records, checkpoints and reports."""

from __future__ import annotations

import pyarrow as pa

from llmops_tui.ingest.report import FileReport
from llmops_tui.store.span_load import Checkpoint


class Batch:
    """The open transaction's pending state: the current slice of records, and the
    checkpoints and reports of every file the transaction covers."""

    def __init__(self) -> None:
        self.source: list[str] = []
        self.line: list[int] = []
        self.payload: list[str | None] = []
        self.error: list[str | None] = []
        self.payload_bytes = 0
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
        self.payload_bytes += len(payload)

    def bad(self, source: str, line: int, reason: str, excerpt: bytes | str) -> None:
        text = excerpt if isinstance(excerpt, str) else excerpt[:200].decode("utf-8", "replace")
        self.source.append(source)
        self.line.append(line)
        self.payload.append(text[:200])
        self.error.append(reason)

    def clear_rows(self) -> None:
        self.group_rows += len(self.line)
        self.group_bytes += self.payload_bytes
        self.source, self.line, self.payload, self.error = [], [], [], []
        self.payload_bytes = 0

    def table(self) -> pa.Table:
        return pa.table(
            {
                "line_no": pa.array(range(len(self.line)), pa.int64()),
                "source": pa.array(self.source, pa.string()),
                "line": pa.array(self.line, pa.int64()),
                "payload": pa.array(self.payload, pa.string()),
                "error": pa.array(self.error, pa.string()),
            }
        )
