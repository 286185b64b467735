"""Reading one file into the open batch: line by line, or whole objects and records.

OTLP JSON and every other format but flat spans are converted here to flat spans (see
`ingest/formats/`); each chunk of a file adds its records and then its checkpoint, and only
then may the batch commit, so a checkpoint never runs ahead of the records before it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson

from llmops_tui.ingest.batch import Batch
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
from llmops_tui.ingest.report import FileReport
from llmops_tui.ingest.sniff import Sniffed, TraceFormat
from llmops_tui.ingest.source import (
    FileInfo,
    LineChunk,
    fingerprint,
    iter_line_chunks,
    open_stream,
    read_rest,
)
from llmops_tui.store.span_load import Checkpoint

BATCH_RECORDS = 50_000
"""Converted records gathered before a checkpoint, for formats parsed in Python."""

Converter = Callable[[dict[str, Any]], list[dict[str, Any]]]

CONVERTERS: dict[TraceFormat, Converter] = {
    TraceFormat.OTLP_JSON: spans_from_otlp_json,
    TraceFormat.CONSOLE: spans_from_console,
    TraceFormat.OPENAI: spans_from_openai,
    TraceFormat.ANTHROPIC: spans_from_anthropic,
    TraceFormat.LITELLM: spans_from_litellm,
}


class BatchSink(Protocol):
    """Where a file's records go: the ingestor's open batch."""

    chunk_bytes: int

    @property
    def batch(self) -> Batch: ...

    def batch_full(self) -> None:
        """A chunk and its checkpoint were added: the batch may commit now."""


class FileRun:
    """The state of loading one file."""

    def __init__(
        self,
        ingestor: BatchSink,
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
        self._encoded: list[bytes] = []
        self._numbers: list[int] = []
        """Converted records of the current chunk, handed to the batch in bulk."""

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
    def batch(self) -> Batch:
        return self.ingestor.batch

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
                chunk_bytes=self.ingestor.chunk_bytes,
            )
            position = offset
            for chunk in chunks:
                added = self._add_chunk(chunk)
                consumed_lines = chunk.first_line - 1 + chunk.line_count
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

    def _add_chunk(self, chunk: LineChunk) -> int:
        """Add a chunk's non-blank lines; returns how many."""
        if self.converter is None and chunk.line_count:
            # Flat spans go to DuckDB as they are, in bulk; only a chunk that isn't valid
            # UTF-8 is read line by line, to find the lines at fault.
            added = self.batch.lines(self.key, chunk.first_line, chunk.body, chunk.ends)
            if added is not None:
                return added
        added = 0
        for number, line in enumerate(chunk.lines, start=chunk.first_line):
            if line.strip():
                self._add_line(number, line)
                added += 1
        self.batch.encoded(self.key, self._numbers, self._encoded)
        self._numbers, self._encoded = [], []
        return added

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
            self._encoded.append(orjson.dumps(span))
            self._numbers.append(number)

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

    def _protobuf_records(self, data: bytes, base: int) -> Iterator[Record]:
        for index, message, end in iter_length_prefixed(data):
            if message is None:
                return
            try:
                spans = spans_from_protobuf(message)
            except RecordError as error:
                yield Record(index, base + end, index, error=str(error), excerpt="<protobuf>")
                continue
            payloads = [orjson.dumps(span).decode() for span in spans]
            yield Record(index, base + end, index, payloads=payloads)

    def _json_records(self, data: bytes, base: int, lines_done: int) -> Iterator[Record]:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            yield Record(
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
                yield Record(line, byte_position, line - 1)
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

    def _json_array(self, text: str, base: int, lines_done: int) -> Iterator[Record]:
        end_offset = base + len(text.encode())
        end_line = lines_done + text.count("\n")
        try:
            items = orjson.loads(text)
        except orjson.JSONDecodeError as error:
            yield Record(
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
            yield Record(
                record.line,
                record.end_offset,
                record.end_line,
                payloads=record.payloads,
                error=None if record.error is None else f"item {index}: {record.error}",
                excerpt=record.excerpt,
            )

    def _record_for(self, obj: object, raw: str, line: int, end: int, end_line: int) -> Record:
        if self.converter is None:
            if not isinstance(obj, dict):
                return Record(line, end, end_line, error="expected a JSON object", excerpt=raw)
            return Record(line, end, end_line, payloads=[orjson.dumps(obj).decode()])
        if not isinstance(obj, dict):
            return Record(line, end, end_line, error="expected a JSON object", excerpt=raw)
        try:
            spans = self.converter(obj)
        except RecordError as error:
            return Record(line, end, end_line, error=str(error), excerpt=raw)
        return Record(line, end, end_line, payloads=[orjson.dumps(s).decode() for s in spans])


@dataclass(frozen=True, slots=True)
class Record:
    line: int
    end_offset: int
    end_line: int
    payloads: list[str] = field(default_factory=list)
    error: str | None = None
    excerpt: str = ""
