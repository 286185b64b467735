"""OpenTelemetry Python `ConsoleSpanExporter` output (`ReadableSpan.to_json`) to flat spans.

This is what people get when they "just print the spans" while developing: not OTLP, but one
pretty-printed object per span with `0x`-prefixed ids, ISO times at microsecond precision,
enum names (`SpanKind.CLIENT`, `status_code: "ERROR"`) and attributes already flat. The caller
splits the concatenated objects (they are not one per line); this module maps one object.
"""

from __future__ import annotations

from typing import Any

from llmops_tui.ingest.formats import RecordError
from llmops_tui.ingest.formats.common import (
    JsonObject,
    fail,
    get_dict,
    get_list,
    get_str,
    iso_to_ns,
    normalize_id,
    normalize_parent_id,
)

_STATUS = {"UNSET": "unset", "OK": "ok", "ERROR": "error"}


def spans_from_console(obj: JsonObject) -> list[dict[str, Any]]:
    """One flat span from one console-exporter object.

    `kind` is passed through as written (`"SpanKind.CLIENT"`), which the store accepts;
    `links` and `context.trace_state` are dropped (the flat-span contract has no place for them).

    Raises:
        RecordError: a missing or malformed id, name or start time, or a wrongly typed field.
    """
    context = get_dict(obj, "context", field="context", required=True)
    status, status_message = _status(obj)
    span: dict[str, Any] = {
        "trace_id": normalize_id(context.get("trace_id"), length=32, field="context.trace_id"),
        "span_id": normalize_id(context.get("span_id"), length=16, field="context.span_id"),
        "parent_span_id": normalize_parent_id(obj.get("parent_id"), field="parent_id"),
        "name": get_str(obj, "name", field="name", required=True),
        "kind": _kind(obj.get("kind")),
        "start_time": iso_to_ns(obj.get("start_time"), field="start_time"),
        "status": status,
        "status_message": status_message,
        "attributes": get_dict(obj, "attributes", field="attributes"),
        "resource": get_dict(
            get_dict(obj, "resource", field="resource"), "attributes", field="resource.attributes"
        ),
        "events": _events(get_list(obj, "events", field="events")),
    }
    if obj.get("end_time") is not None:
        span["end_time"] = iso_to_ns(obj["end_time"], field="end_time")
    return [span]


def _kind(value: object) -> str | int:
    # The SDK always writes a kind; a hand-trimmed dump may not, and 0 is OTel's "unspecified".
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise fail("kind", 'a span kind such as "SpanKind.CLIENT"', value)
    return value


def _status(obj: JsonObject) -> tuple[str, str | None]:
    status = get_dict(obj, "status", field="status")
    code = get_str(status, "status_code", field="status.status_code") or "UNSET"
    # Older SDKs and hand-written dumps vary in case and may carry the enum prefix.
    mapped = _STATUS.get(code.upper().removeprefix("STATUSCODE."))
    if mapped is None:
        raise fail("status.status_code", "UNSET, OK or ERROR", code)
    return mapped, get_str(status, "description", field="status.description")


def _events(events: list[Any]) -> list[dict[str, Any]]:
    converted: list[dict[str, Any]] = []
    for i, event in enumerate(events):
        where = f"events[{i}]"
        if not isinstance(event, dict):
            raise fail(where, "an object", event)
        if event.get("timestamp") is None:
            raise RecordError(f"{where}.timestamp: missing")
        converted.append(
            {
                "name": get_str(event, "name", field=f"{where}.name") or "",
                "time": iso_to_ns(event["timestamp"], field=f"{where}.timestamp"),
                "attributes": get_dict(event, "attributes", field=f"{where}.attributes"),
            }
        )
    return converted
