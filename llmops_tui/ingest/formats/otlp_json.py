"""OTLP JSON (`ExportTraceServiceRequest`) to flat spans.

The collector's file exporter writes one request per line; a request nests spans under
resource and scope, with attributes as `[{"key", "value": {"stringValue": ...}}]` lists.
Turning those lists into objects is per-element work that orjson and a dict comprehension do
several times faster than any SQL we measured (a regular expression in DuckDB, or list
lambdas), so OTLP JSON is flattened here and loaded through the same flat-span path as every
other format. Ids, times, kinds and status codes pass through untouched: the store's resolver
already accepts hex, base64, enum names and integers or strings for them, with one reject
reason per bad span.
"""

from __future__ import annotations

from typing import Any

from llmops_tui.ingest.formats import RecordError

JsonObject = dict[str, Any]


def spans_from_otlp_json(request: JsonObject) -> list[JsonObject]:
    resource_spans = request.get("resourceSpans", request.get("resource_spans"))
    if not isinstance(resource_spans, list):
        raise RecordError("resourceSpans: expected an array of resource spans")
    spans: list[JsonObject] = []
    for resource_span in resource_spans:
        if not isinstance(resource_span, dict):
            raise RecordError("resourceSpans: expected objects")
        resource = attributes(_get(resource_span, "resource").get("attributes"))
        scopes = resource_span.get("scopeSpans") or resource_span.get("instrumentationLibrarySpans")
        for scope_spans in scopes or ():
            if not isinstance(scope_spans, dict):
                raise RecordError("scopeSpans: expected objects")
            for span in scope_spans.get("spans") or ():
                if isinstance(span, dict):
                    spans.append(_flat(span, resource))
    return spans


def _get(obj: JsonObject, key: str) -> JsonObject:
    value = obj.get(key)
    return value if isinstance(value, dict) else {}


def _flat(span: JsonObject, resource: JsonObject) -> JsonObject:
    status = _get(span, "status")
    flat: JsonObject = {
        "trace_id": span.get("traceId"),
        "span_id": span.get("spanId"),
        "parent_span_id": span.get("parentSpanId"),
        "name": span.get("name"),
        "kind": span.get("kind"),
        "start_time": span.get("startTimeUnixNano"),
        "end_time": span.get("endTimeUnixNano"),
        "status": {"code": status.get("code"), "message": status.get("message")},
        "attributes": attributes(span.get("attributes")),
        "resource": resource,
    }
    events = span.get("events")
    if events:
        flat["events"] = [
            {
                "name": event.get("name"),
                "time": event.get("timeUnixNano"),
                "attributes": attributes(event.get("attributes")),
            }
            for event in events
            if isinstance(event, dict)
        ]
    return flat


def attributes(key_values: object) -> JsonObject:
    """`[{"key": k, "value": AnyValue}]` as `{k: plain value}`."""
    if not isinstance(key_values, list):
        return {}
    return {
        kv["key"]: any_value(kv.get("value"))
        for kv in key_values
        if isinstance(kv, dict) and isinstance(kv.get("key"), str)
    }


def any_value(value: object) -> Any:
    """An OTLP JSON `AnyValue` as a plain value; 64-bit ints arrive as strings."""
    if not isinstance(value, dict) or not value:
        return None
    kind, inner = next(iter(value.items()))
    if kind == "stringValue":
        return inner
    if kind == "intValue":
        try:
            return int(inner)
        except (TypeError, ValueError):
            return inner
    if kind == "doubleValue":
        try:
            return float(inner)
        except (TypeError, ValueError):
            return inner
    if kind == "arrayValue":
        items = inner.get("values") if isinstance(inner, dict) else None
        return [any_value(item) for item in items or ()]
    if kind == "kvlistValue":
        return attributes(inner.get("values") if isinstance(inner, dict) else None)
    return inner
