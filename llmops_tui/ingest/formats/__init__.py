"""Adapters from third-party record shapes to *flat spans*.

Two shapes reach the store: OTLP JSON requests (the collector file exporter's lines, parsed
and flattened by DuckDB itself: the fast path) and **flat spans**, one JSON object per span.
Flat span JSONL is also a format users write directly. Every other input (console exporter,
OTLP protobuf, OpenAI / Anthropic / LiteLLM request logs, bare attribute maps) is converted
here, in Python, into flat span dicts, so one resolver (`ingest/dialects.py`, compiled to SQL
by the store) maps attributes to columns for every format.

A flat span (keys the store reads; anything else is ignored):

    trace_id        str   32 hex chars (base64 of 16 bytes and `0x` prefixes are accepted)
    span_id         str   16 hex chars (likewise)
    parent_span_id  str | None   "" or None for a root
    name            str
    kind            str | int    "client" / "SPAN_KIND_CLIENT" / "SpanKind.CLIENT" / 3
    start_time      str | int | float   ISO-8601, or epoch in s / ms / µs / ns (by magnitude)
    end_time        same, optional (else start_time + duration_ms)
    duration_ms     number, optional
    status          "ok" | "error" | "unset" (also OTel codes 0/1/2 and enum names)
    status_message  str | None
    attributes      {dotted.key: value}    span attributes, any dialect
    resource        {dotted.key: value}    resource attributes (service.name, deployment...)
    events          [{name, time, attributes}]   optional

Adapters are pure functions `obj -> list[dict]`. They raise `RecordError` with a one-line
reason naming the field when a record can't be converted; the caller turns that into a
reject with the record's line number. Token counts they synthesise follow OTel >= 1.40:
input includes cache reads and writes, output includes reasoning.
"""

from __future__ import annotations


class RecordError(ValueError):
    """One record can't be converted; the message is a one-line reason naming the field."""
