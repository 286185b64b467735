"""OTLP protobuf, as the collector file exporter writes it with `format: proto`, to flat spans.

The file is a sequence of `ExportTraceServiceRequest` messages, each prefixed by its length as
4 big-endian bytes. A writer that is still appending leaves a short last record; framing is
split from decoding so the caller can stop at that record and resume from its offset on the
next pass instead of rejecting it.

Decoding goes through the generated `opentelemetry-proto` classes rather than a hand-written
wire parser: they track the spec, and DuckDB can't read protobuf anyway.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator
from typing import Any

from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import ScopeSpans, Span, Status

from llmops_tui.ingest.formats import RecordError
from llmops_tui.ingest.formats.common import normalize_id, normalize_parent_id

PREFIX_BYTES = 4
MAX_RECORD_BYTES = 256 * 1024 * 1024
"""A length above this is corruption, not a big batch. It also keeps text files from sniffing
as protobuf: any four printable bytes read as a length are larger than this."""

_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_NOT_TRACES = "(a metrics or logs record? only traces are read)"
_STATUS = {
    Status.STATUS_CODE_UNSET: "unset",
    Status.STATUS_CODE_OK: "ok",
    Status.STATUS_CODE_ERROR: "error",
}


def looks_like_protobuf(head: bytes) -> bool:
    """Whether a file's first bytes look like a length-prefixed `ExportTraceServiceRequest`.

    The first field of the request, `resource_spans` (1, length-delimited), encodes as 0x0a.
    """
    if len(head) <= PREFIX_BYTES:
        return False
    length = int.from_bytes(head[:PREFIX_BYTES], "big")
    return 0 < length <= MAX_RECORD_BYTES and head[PREFIX_BYTES] == 0x0A


def iter_length_prefixed(data: bytes) -> Iterator[tuple[int, bytes | None, int]]:
    """Split the file exporter's framing into `(record_index, message, end_offset)`.

    `record_index` counts from 1 (it is the "line number" of a reject). A truncated last
    record is yielded as `(index, None, offset)` where `offset` is where that record starts,
    i.e. how far the file was safely consumed; iteration stops there. Otherwise `end_offset`
    is where the next record starts.

    Raises:
        RecordError: a length prefix that can't be real (the file is corrupt or not
            length-prefixed), after which no later record can be located.
    """
    offset, index = 0, 0
    while offset < len(data):
        index += 1
        body_start = offset + PREFIX_BYTES
        if body_start > len(data):
            yield index, None, offset
            return
        length = int.from_bytes(data[offset:body_start], "big")
        if length > MAX_RECORD_BYTES:
            raise RecordError(
                f"record {index} at byte {offset}: length prefix {length} is not plausible;"
                " the file is corrupt or not length-prefixed protobuf"
            )
        end = body_start + length
        if end > len(data):
            yield index, None, offset
            return
        yield index, data[body_start:end], end
        offset = end


def spans_from_protobuf(message: bytes) -> list[dict[str, Any]]:
    """Flat spans from one serialised `ExportTraceServiceRequest`.

    Raises:
        RecordError: the bytes don't decode, or a span has a malformed id or no start time.
    """
    if message.startswith(_ZSTD_MAGIC):
        raise RecordError(
            "record: zstd-compressed; set `compression: none` on the collector file exporter"
        )
    request = ExportTraceServiceRequest()
    try:
        request.ParseFromString(message)
    except DecodeError as error:
        raise RecordError(
            f"record: not an OTLP ExportTraceServiceRequest: {error} {_NOT_TRACES}"
        ) from None
    spans: list[dict[str, Any]] = []
    for r, resource_spans in enumerate(request.resource_spans):
        resource = attributes_to_dict(resource_spans.resource.attributes)
        for s, scope_spans in enumerate(resource_spans.scope_spans):
            scope = _scope(scope_spans)
            for n, span in enumerate(scope_spans.spans):
                where = f"resource_spans[{r}].scope_spans[{s}].spans[{n}]"
                spans.append(_flat_span(span, where=where, resource=resource, scope=scope))
    return spans


def _scope(scope_spans: ScopeSpans) -> dict[str, str]:
    # Kept beside the span for provenance; the store ignores keys outside the contract.
    return {"name": scope_spans.scope.name, "version": scope_spans.scope.version}


def _flat_span(
    span: Span, *, where: str, resource: dict[str, Any], scope: dict[str, str]
) -> dict[str, Any]:
    try:
        trace_id = normalize_id(span.trace_id, length=32, field=f"{where}.trace_id")
        span_id = normalize_id(span.span_id, length=16, field=f"{where}.span_id")
    except RecordError as error:
        # Metrics and logs requests share the framing and decode as garbage "spans".
        raise RecordError(f"{error} {_NOT_TRACES}") from None
    if not span.start_time_unix_nano:
        raise RecordError(f"{where}.start_time_unix_nano: missing")
    flat: dict[str, Any] = {
        "trace_id": trace_id,
        "span_id": span_id,
        "parent_span_id": normalize_parent_id(span.parent_span_id, field=f"{where}.parent_span_id"),
        "name": span.name,
        "kind": int(span.kind),
        "start_time": span.start_time_unix_nano,
        "status": _STATUS.get(span.status.code, "unset"),
        "status_message": span.status.message or None,
        "attributes": attributes_to_dict(span.attributes),
        "resource": resource,
        "events": [
            {
                "name": event.name,
                "time": event.time_unix_nano,
                "attributes": attributes_to_dict(event.attributes),
            }
            for event in span.events
        ],
        "scope": scope,
    }
    if span.end_time_unix_nano:
        flat["end_time"] = span.end_time_unix_nano
    return flat


def attributes_to_dict(attributes: Iterable[KeyValue]) -> dict[str, object]:
    """OTLP `KeyValue`s as a plain dict (a repeated key keeps its last value, as in OTLP JSON)."""
    return {kv.key: any_value(kv.value) for kv in attributes}


def any_value(value: AnyValue) -> object:
    """An OTLP `AnyValue` as the plain value OTLP JSON would carry (bytes become base64)."""
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [any_value(item) for item in value.array_value.values]
    if kind == "kvlist_value":
        return attributes_to_dict(value.kvlist_value.values)
    if kind == "bytes_value":
        return base64.b64encode(value.bytes_value).decode()
    return None if kind is None else getattr(value, kind)
