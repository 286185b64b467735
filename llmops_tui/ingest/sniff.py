"""Telling a file's format from its first bytes.

Users point `llmops ingest` at whatever their stack writes, so the format is read from the
content, never from the file name (`--format` overrides). The decision has two parts: the
*framing* (one JSON record per line; pretty-printed objects back to back or a JSON array; or
length-prefixed protobuf) and the *shape* of the records (OTLP request, flat span, console
exporter span, a vendor's request/response log, a bare attribute map). Eval result files
(promptfoo, inspect-ai `.json` and `.eval` ZIP, OpenAI Evals records) are recognised here too;
the pipeline sends them to the eval importers instead of the span loader.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

import orjson

from llmops_tui.ingest.formats.attribute_map import is_attribute_map
from llmops_tui.ingest.formats.inspect_ai import is_inspect
from llmops_tui.ingest.formats.openai_evals import is_openai_evals
from llmops_tui.ingest.formats.otlp_proto import looks_like_protobuf
from llmops_tui.ingest.formats.promptfoo import is_promptfoo
from llmops_tui.ingest.formats.request_logs import classify_request_log

Framing = Literal["lines", "objects", "length-prefixed", "zip"]


class TraceFormat(StrEnum):
    OTLP_JSON = "otlp-json"
    OTLP_PROTO = "otlp-proto"
    CONSOLE = "console"
    FLAT = "flat"
    OPENAI = "openai"
    ANTHROPIC = "anthropic"
    LITELLM = "litellm"
    ATTRIBUTES = "attributes"
    PROMPTFOO = "promptfoo"
    INSPECT_AI = "inspect-ai"
    OPENAI_EVALS = "openai-evals"


EVAL_FORMATS = frozenset({TraceFormat.PROMPTFOO, TraceFormat.INSPECT_AI, TraceFormat.OPENAI_EVALS})
"""Formats that hold eval runs, not spans: they go to `store.evals`, not the span loader."""


@dataclass(frozen=True, slots=True)
class Sniffed:
    format: TraceFormat
    framing: Framing


class UnknownFormat(Exception):
    """The head doesn't look like any trace format; the message says what it looks like."""


_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"
_KEY = re.compile(rb'"([A-Za-z_][A-Za-z0-9_.]*)"\s*:')


def is_gzip(head: bytes) -> bool:
    return head.startswith(_GZIP_MAGIC)


def sniff(head: bytes, *, forced: TraceFormat | None = None) -> Sniffed:
    """Decide format and framing from the first bytes (already decompressed, BOM removed)."""
    if head.startswith(_ZIP_MAGIC):
        if forced not in (None, TraceFormat.INSPECT_AI):
            raise UnknownFormat("a ZIP archive; only inspect-ai .eval logs are read as ZIP")
        return Sniffed(TraceFormat.INSPECT_AI, "zip")
    if forced is TraceFormat.OTLP_PROTO or (forced is None and looks_like_protobuf(head)):
        return Sniffed(TraceFormat.OTLP_PROTO, "length-prefixed")
    text = head.lstrip()
    if not text:
        raise UnknownFormat("no content")
    if _looks_binary(head):
        raise UnknownFormat("binary data that is neither gzip nor OTLP protobuf")
    if not text.startswith((b"{", b"[")):
        # A JSONL file may open with a bad line; judge it by its first JSON line instead.
        text = _first_json_line(text)
        if not text:
            raise UnknownFormat("none of its first lines is a JSON object")
    framing = _framing(text)
    first = _first_record(text, framing)
    if forced is not None:
        return Sniffed(forced, framing)
    shape = _shape_from_keys(text) if first is None else _shape(first)
    if shape is None:
        raise UnknownFormat("no trace format matches its first record (try --format)")
    return Sniffed(shape, framing)


def _first_json_line(text: bytes) -> bytes:
    lines = text.split(b"\n")
    for index, line in enumerate(lines[:20]):
        if line.lstrip().startswith(b"{"):
            return b"\n".join(lines[index:])
    return b""


def _framing(text: bytes) -> Framing:
    first_line = text.split(b"\n", 1)[0].strip()
    if first_line.startswith(b"[") or first_line in (b"{", b"{\r"):
        return "objects"
    try:
        orjson.loads(first_line)
    except orjson.JSONDecodeError:
        # A first line that isn't JSON on its own: pretty-printed objects, or a line longer
        # than the head (then the rest of the head has no newline at all).
        return "lines" if b"\n" not in text else "objects"
    return "lines"


def _first_record(text: bytes, framing: Framing) -> dict[str, Any] | None:
    if framing == "lines":
        for line in text.split(b"\n")[:20]:
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if isinstance(value, dict):
                return value
        return None
    decoded = text.decode("utf-8", errors="replace")
    if decoded.startswith("["):
        decoded = decoded[1:].lstrip()
    try:
        value, _ = json.JSONDecoder().raw_decode(decoded)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _shape(record: dict[str, Any]) -> TraceFormat | None:
    if "resourceSpans" in record or "resource_spans" in record:
        return TraceFormat.OTLP_JSON
    context = record.get("context")
    if isinstance(context, dict) and "trace_id" in context and "span_id" in context:
        return TraceFormat.CONSOLE
    if ("trace_id" in record or "traceId" in record) and (
        "span_id" in record or "spanId" in record
    ):
        return TraceFormat.FLAT
    kind = classify_request_log(record)
    if kind is not None:
        return TraceFormat(kind)
    eval_format = _eval_shape(record)
    if eval_format is not None:
        return eval_format
    if is_attribute_map(record):
        return TraceFormat.ATTRIBUTES
    return None


def _shape_from_keys(text: bytes) -> TraceFormat | None:
    """For a first record larger than the head: judge by the keys seen so far."""
    keys = set(_KEY.findall(text[:65536]))
    if b"resourceSpans" in keys:
        return TraceFormat.OTLP_JSON
    # Before flat spans: a big promptfoo file may carry trace ids in its results' metadata.
    if {b"evalId", b"results"} <= keys or {b"promptIdx", b"testIdx", b"success"} <= keys:
        return TraceFormat.PROMPTFOO
    if {b"eval", b"eval_id", b"task"} <= keys:
        return TraceFormat.INSPECT_AI
    if {b"trace_id", b"span_id"} <= keys or {b"traceId", b"spanId"} <= keys:
        return TraceFormat.FLAT
    return None


def _eval_shape(record: dict[str, Any]) -> TraceFormat | None:
    if is_openai_evals(record):
        return TraceFormat.OPENAI_EVALS
    if is_inspect(record):
        return TraceFormat.INSPECT_AI
    if is_promptfoo(record):
        return TraceFormat.PROMPTFOO
    return None


def _looks_binary(head: bytes) -> bool:
    """Mostly control bytes, or undecodable from the start: a JSON file with one bad line
    further down is still text."""
    sample = head[:4096]
    control = sum(1 for b in sample if b < 9 or 13 < b < 32)
    if control > len(sample) // 10:
        return True
    try:
        sample[:256].decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start < min(len(sample), 256) - 4
    return False
