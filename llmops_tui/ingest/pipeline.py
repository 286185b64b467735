"""`llmops ingest`: files in, spans and a report out.

Per file: check its checkpoint (unchanged files are skipped in milliseconds, grown files
resume where they stopped, replaced files start over), sniff the format, then stream it in
bounded chunks. OTLP JSON and flat span lines go to the store as they are (DuckDB parses
them); every other format is converted to flat spans here first. Each chunk commits with
its checkpoint in one transaction, so memory stays bounded and a kill loses nothing that
was committed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import orjson
import pyarrow as pa

from llmops_tui.errors import IngestError
from llmops_tui.ingest.formats import RecordError
from llmops_tui.ingest.formats.attribute_map import spans_from_attribute_map
from llmops_tui.ingest.formats.console import spans_from_console
from llmops_tui.ingest.formats.otlp_json import spans_from_otlp_json
from llmops_tui.ingest.formats.otlp_proto import iter_length_prefixed, spans_from_protobuf
from llmops_tui.ingest.formats.request_logs import (
    spans_from_anthropic,
    spans_from_litellm,
    spans_from_openai,
)
from llmops_tui.ingest.sniff import Sniffed, TraceFormat, UnknownFormat, sniff
from llmops_tui.ingest.source import (
    FileInfo,
    discover,
    fingerprint,
    iter_line_chunks,
    open_stream,
    read_head,
    read_rest,
    stat_file,
)
from llmops_tui.store import Store
from llmops_tui.store.sources import SourceState
from llmops_tui.store.span_load import (
    Checkpoint,
    RateSource,
    RejectedLine,
    SourceResult,
    SpanLoader,
)

CHUNK_BYTES = 16 * 1024 * 1024
"""Bytes of input read at a time."""
SLICE_BYTES = 16 * 1024 * 1024
"""Records per DuckDB staging step: bounds memory (DuckDB holds a few times this)."""
GROUP_ROWS = 122_880
"""Records per transaction: one DuckDB row group, so inserts go straight to the file
(optimistic writes) instead of through the write-ahead log, and no row group is left half full."""
GROUP_BYTES = 512 * 1024 * 1024
"""...or this much input, whichever comes first (a lock is held for one transaction)."""
BATCH_RECORDS = 50_000
"""Converted records gathered before a checkpoint, for formats parsed in Python."""

FileStatus = Literal["loaded", "unchanged", "empty", "failed"]
Converter = Callable[[dict[str, Any]], list[dict[str, Any]]]

CONVERTERS: dict[TraceFormat, Converter] = {
    TraceFormat.OTLP_JSON: spans_from_otlp_json,
    TraceFormat.CONSOLE: spans_from_console,
    TraceFormat.OPENAI: spans_from_openai,
    TraceFormat.ANTHROPIC: spans_from_anthropic,
    TraceFormat.LITELLM: spans_from_litellm,
}


@dataclass
class FileReport:
    path: str
    status: FileStatus = "loaded"
    format: str | None = None
    spans_loaded: int = 0
    duplicates: int = 0
    rejects: int = 0
    first_rejects: list[RejectedLine] = field(default_factory=list)
    held_back: bool = False
    """An incomplete last line or object was left for the next pass (a writer mid-line)."""
    error: str | None = None

    def add(self, result: SourceResult, max_reasons: int) -> None:
        self.spans_loaded += result.spans_loaded
        self.duplicates += result.duplicates
        self.rejects += result.rejects
        room = max_reasons - len(self.first_rejects)
        self.first_rejects.extend(result.first_rejects[: max(room, 0)])


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)

    @property
    def spans_loaded(self) -> int:
        return sum(f.spans_loaded for f in self.files)

    @property
    def duplicates(self) -> int:
        return sum(f.duplicates for f in self.files)

    @property
    def rejects(self) -> int:
        return sum(f.rejects for f in self.files)

    @property
    def failed(self) -> list[FileReport]:
        return [f for f in self.files if f.status == "failed"]

    def exit_code(self, *, strict: bool) -> int:
        if self.failed:
            return 2
        if strict and self.rejects:
            return 1
        return 0


ProgressCallback = Callable[[int], None]
"""Called with the number of input bytes just consumed."""


class Ingestor:
    """Loads trace files into a store; one instance per run (or per watch loop)."""

    def __init__(
        self,
        store: Store,
        rates: RateSource,
        *,
        forced_format: TraceFormat | None = None,
        chunk_bytes: int = CHUNK_BYTES,
        group_bytes: int = GROUP_BYTES,
        max_reasons: int = 5,
        progress: ProgressCallback | None = None,
    ) -> None:
        self._store = store
        self._rates = rates
        self._forced = forced_format
        self._chunk_bytes = chunk_bytes
        self._slice_bytes = min(chunk_bytes, SLICE_BYTES)
        self._group_bytes = group_bytes
        self._transaction = ExitStack()
        self._loader: SpanLoader | None = None
        self._last_stamp: datetime | None = None
        self._max_reasons = max_reasons
        self._progress = progress
        self._batch = _Batch()
        self._known: dict[str, SourceState] | None = None
        """Checkpoints read up front for a whole run (one query instead of one per file)."""
        self._touched: set[str] = set()
        """Files written since `_known` was read: their checkpoints must be read again."""

    def ingest(self, paths: list[Path]) -> IngestReport:
        """Load files and folders; small files share batches, each file keeps its report."""
        report = IngestReport()
        files = discover(paths)
        self._known = self._store.sources.get_many([str(p.resolve()) for p in files])
        try:
            for path in files:
                report.files.append(self._ingest_one(path))
            self.flush()
        finally:
            self._known = None
        return report

    def ingest_file(self, path: Path) -> FileReport:
        report = self._ingest_one(path)
        self.flush()
        return report

    def _ingest_one(self, path: Path) -> FileReport:
        report = FileReport(path=str(path))
        try:
            self._ingest_file(path, report)
        except IngestError as error:
            report.status = "failed"
            report.error = str(error)
        return report

    def _ingest_file(self, path: Path, report: FileReport) -> None:
        info = stat_file(path)
        key = str(path.resolve())
        if key in self._batch.checkpoints:
            self.flush()  # the same file named twice: read its checkpoint after the first pass
        offset, lines = self._resume_point(info, key)
        if offset is None:
            report.status = "unchanged"
            return
        if info.size == 0:
            report.status = "empty"
            return
        head = read_head(info)
        if not head.strip():
            report.status = "empty"
            return
        try:
            sniffed = sniff(head, forced=self._forced)
        except UnknownFormat as error:
            raise IngestError(str(path), f"not a trace file: {error}") from None
        report.format = sniffed.format.value
        run = _FileRun(self, info, key, sniffed, report)
        if sniffed.framing == "lines":
            run.load_lines(offset, lines)
        else:
            run.load_whole(offset, lines)

    def _resume_point(self, info: FileInfo, key: str) -> tuple[int | None, int]:
        """(offset, lines) to start from; offset None when the file is already loaded."""
        if self._known is not None and key not in self._touched:
            state = self._known.get(key)
        else:
            state = self._store.sources.get(key) if self._store.exists() else None
        if state is None:
            return 0, 0
        if info.compressed:
            same = state.size_bytes == info.size and fingerprint(info, 0) == state.fingerprint
        else:
            same = info.size >= state.offset_bytes and (
                fingerprint(info, state.offset_bytes) == state.fingerprint
            )
        if not same:
            self._store.sources.forget(key)
            return 0, 0
        if state.complete and state.size_bytes == info.size:
            return None, state.lines_consumed
        return state.offset_bytes, state.lines_consumed

    def batch_full(self) -> None:
        """Called after a file's chunk and its checkpoint were added: a safe point to commit."""
        batch = self._batch
        if batch.payload_bytes >= self._slice_bytes:
            self._send_slice()
        if batch.group_rows >= GROUP_ROWS or batch.group_bytes >= self._group_bytes:
            self.flush()

    def _send_slice(self) -> None:
        """Hand the records gathered so far to the open transaction (opening it if needed)."""
        batch = self._batch
        if not batch.line:
            return
        if self._loader is None:
            self._loader = self._transaction.enter_context(self._store.spans.loading(self._rates))
        self._loader.add(batch.table(), ingested_at=self._next_timestamp())
        batch.clear_rows()

    def flush(self) -> None:
        """Commit the open transaction with the checkpoints of every file it covers."""
        try:
            self._send_slice()
            batch = self._batch
            if not batch.checkpoints:
                return
            if self._loader is None:
                self._loader = self._transaction.enter_context(
                    self._store.spans.loading(self._rates)
                )
            result = self._loader.commit(
                list(batch.checkpoints.values()), now=self._next_timestamp()
            )
        finally:
            self._loader = None
            self._transaction.close()  # rolls back if commit was not reached
        self._batch = _Batch()
        self._touched.update(batch.checkpoints)
        for path, counts in result.sources.items():
            batch.reports[path].add(counts, self._max_reasons)
        if self._progress is not None:
            self._progress(batch.consumed_bytes)

    def _next_timestamp(self) -> datetime:
        """Now, strictly after the previous one: slices are told apart by `ingested_at`."""
        now = datetime.now(UTC).replace(tzinfo=None)
        if self._last_stamp is not None and now <= self._last_stamp:
            now = self._last_stamp + timedelta(microseconds=1)
        self._last_stamp = now
        return now


class _Batch:
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


class _FileRun:
    """The state of loading one file."""

    def __init__(
        self,
        ingestor: Ingestor,
        info: FileInfo,
        key: str,
        sniffed: Sniffed,
        report: FileReport,
    ) -> None:
        self.ingestor = ingestor
        self.info = info
        self.key = key
        self.sniffed = sniffed
        self.report = report
        self.converter = self._converter()

    def _converter(self) -> Converter | None:
        fmt = self.sniffed.format
        if fmt is TraceFormat.ATTRIBUTES:
            digest = hashlib.sha256(self.info.path.read_bytes()).hexdigest()
            mtime = self.info.mtime_ns

            def convert(obj: dict[str, Any]) -> list[dict[str, Any]]:
                return spans_from_attribute_map(obj, content_digest=digest, start_time_ns=mtime)

            return convert
        return CONVERTERS.get(fmt)

    @property
    def batch(self) -> _Batch:
        return self.ingestor._batch

    def ok(self, line: int, payload: str) -> None:
        self.batch.ok(self.key, line, payload)

    def bad(self, line: int, reason: str, excerpt: bytes | str) -> None:
        self.batch.bad(self.key, line, reason, excerpt)

    def commit(self, *, offset: int, lines: int, complete: bool, consumed: int) -> None:
        """Record how far the file is read; it commits with the records added before it."""
        batch = self.batch
        batch.checkpoints[self.key] = Checkpoint(
            path=self.key,
            format=self.sniffed.format.value,
            size_bytes=self.info.size,
            offset_bytes=offset,
            lines_consumed=lines,
            fingerprint=fingerprint(self.info, offset),
            complete=complete,
        )
        batch.reports[self.key] = self.report
        batch.consumed_bytes += consumed
        self.ingestor.batch_full()

    # -- one record per line ---------------------------------------------------------------

    def load_lines(self, offset: int, lines_done: int) -> None:
        with open_stream(self.info) as stream:
            chunks = iter_line_chunks(
                stream,
                offset=offset,
                first_line=lines_done + 1,
                chunk_bytes=self.ingestor._chunk_bytes,
            )
            position = offset
            for chunk in chunks:
                added = 0
                for number, line in enumerate(chunk.lines, start=chunk.first_line):
                    if line.strip():
                        self._add_line(number, line)
                        added += 1
                consumed_lines = chunk.first_line - 1 + len(chunk.lines)
                done = chunk.at_eof and (self.info.compressed or chunk.end_offset == self.info.size)
                if chunk.at_eof and not done:
                    self.report.held_back = True
                if added or chunk.end_offset != position or done:
                    self.commit(
                        offset=chunk.end_offset,
                        lines=consumed_lines,
                        complete=done,
                        consumed=chunk.end_offset - position,
                    )
                position = chunk.end_offset

    def _add_line(self, number: int, line: bytes) -> None:
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as error:
            self.bad(number, f"not valid UTF-8 text (byte {error.start + 1})", line)
            return
        if self.converter is None:
            self.ok(number, text)
            return
        try:
            obj = orjson.loads(text)
        except orjson.JSONDecodeError:
            self.bad(number, "not valid JSON", text)
            return
        self._convert(number, obj, text)

    def _convert(self, number: int, obj: object, raw: str) -> None:
        assert self.converter is not None
        if not isinstance(obj, dict):
            self.bad(number, f"expected a JSON object, got {type(obj).__name__}", raw)
            return
        try:
            spans = self.converter(obj)
        except RecordError as error:
            self.bad(number, str(error), raw)
            return
        for span in spans:
            self.ok(number, orjson.dumps(span).decode())

    # -- whole objects (pretty JSON, arrays, protobuf) --------------------------------------

    def load_whole(self, offset: int, lines_done: int) -> None:
        with open_stream(self.info) as stream:
            data = read_rest(stream, offset=offset)
        if self.sniffed.framing == "length-prefixed":
            records = self._protobuf_records(data, offset)
        else:
            records = self._json_records(data, offset, lines_done)
        end, lines = offset, lines_done
        added = 0
        for record in records:
            if record.error is not None:
                self.bad(record.line, record.error, record.excerpt)
            for payload in record.payloads:
                self.ok(record.line, payload)
            added += len(record.payloads) + (record.error is not None)
            end, lines = record.end_offset, record.end_line
            if added >= BATCH_RECORDS:
                self.commit(offset=end, lines=lines, complete=False, consumed=0)
                added = 0
        complete = self.info.compressed or end == self.info.size
        self.report.held_back = not complete
        self.commit(offset=end, lines=lines, complete=complete, consumed=len(data))

    def _protobuf_records(self, data: bytes, base: int) -> Iterator[_Record]:
        for index, message, end in iter_length_prefixed(data):
            if message is None:
                return
            try:
                spans = spans_from_protobuf(message)
            except RecordError as error:
                yield _Record(index, base + end, index, error=str(error), excerpt="<protobuf>")
                continue
            payloads = [orjson.dumps(span).decode() for span in spans]
            yield _Record(index, base + end, index, payloads=payloads)

    def _json_records(self, data: bytes, base: int, lines_done: int) -> Iterator[_Record]:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            yield _Record(
                lines_done + 1,
                base,
                lines_done,
                error=f"not valid UTF-8 text (byte {base + error.start + 1})",
                excerpt=data[:200].decode("utf-8", "replace"),
            )
            return
        stripped = text.lstrip()
        if stripped.startswith("["):
            yield from self._json_array(text, base, lines_done)
            return
        decoder = json.JSONDecoder()
        position = 0
        byte_position = base
        line = lines_done + 1
        while True:
            skip = len(text) - len(text[position:].lstrip())
            line += text.count("\n", position, skip)
            byte_position += len(text[position:skip].encode())
            position = skip
            if position >= len(text):
                # Only whitespace after the last object: the file is consumed to its end.
                yield _Record(line, byte_position, line - 1)
                return
            try:
                obj, end = decoder.raw_decode(text, position)
            except ValueError:
                return  # a half-written last object: left for the next pass
            raw = text[position:end]
            end_line = line + raw.count("\n")
            byte_position += len(raw.encode())
            yield self._record_for(obj, raw, line, byte_position, end_line - 1)
            line = end_line
            position = end

    def _json_array(self, text: str, base: int, lines_done: int) -> Iterator[_Record]:
        end_offset = base + len(text.encode())
        end_line = lines_done + text.count("\n")
        try:
            items = orjson.loads(text)
        except orjson.JSONDecodeError as error:
            yield _Record(
                lines_done + 1,
                end_offset,
                end_line,
                error=f"not valid JSON: {str(error).splitlines()[0]}",
                excerpt=text,
            )
            return
        for index, item in enumerate(items, start=1):
            raw = orjson.dumps(item).decode()
            record = self._record_for(item, raw, lines_done + 1, end_offset, end_line)
            yield _Record(
                record.line,
                record.end_offset,
                record.end_line,
                payloads=record.payloads,
                error=None if record.error is None else f"item {index}: {record.error}",
                excerpt=record.excerpt,
            )

    def _record_for(self, obj: object, raw: str, line: int, end: int, end_line: int) -> _Record:
        if self.converter is None:
            if not isinstance(obj, dict):
                return _Record(line, end, end_line, error="expected a JSON object", excerpt=raw)
            return _Record(line, end, end_line, payloads=[orjson.dumps(obj).decode()])
        if not isinstance(obj, dict):
            return _Record(line, end, end_line, error="expected a JSON object", excerpt=raw)
        try:
            spans = self.converter(obj)
        except RecordError as error:
            return _Record(line, end, end_line, error=str(error), excerpt=raw)
        return _Record(line, end, end_line, payloads=[orjson.dumps(s).decode() for s in spans])


@dataclass(frozen=True, slots=True)
class _Record:
    line: int
    end_offset: int
    end_line: int
    payloads: list[str] = field(default_factory=list)
    error: str | None = None
    excerpt: str = ""
