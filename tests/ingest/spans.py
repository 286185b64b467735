"""Builders of realistic trace records for tests."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import orjson

from llmops_tui.ingest.source import line_ends


def hex_id(seed: str, length: int) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


def flat_span(n: int, *, trace: str | None = None, **overrides: Any) -> dict[str, Any]:
    """One OTel GenAI chat span as a flat record, distinct per `n`."""
    start_ns = 1_767_225_600_000_000_000 + n * 1_000_000_000
    span: dict[str, Any] = {
        "trace_id": hex_id(trace or f"trace-{n}", 32),
        "span_id": hex_id(f"span-{n}", 16),
        "parent_span_id": None,
        "name": "chat gpt-4o-mini",
        "kind": "SPAN_KIND_CLIENT",
        "start_time": start_ns,
        "end_time": start_ns + 850_000_000,
        "status": {"code": "STATUS_CODE_UNSET"},
        "attributes": {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": "gpt-4o-mini",
            "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
            "gen_ai.usage.input_tokens": 1200 + n,
            "gen_ai.usage.output_tokens": 150,
            "gen_ai.input.messages": orjson.dumps(
                [{"role": "user", "parts": [{"type": "text", "content": f"question {n}"}]}]
            ).decode(),
            "user.id": f"u{n % 7}",
        },
        "resource": {"service.name": "support-bot", "deployment.environment.name": "production"},
    }
    span.update(overrides)
    return span


def jsonl(records: list[dict[str, Any]], *, newline: bytes = b"\n") -> bytes:
    return b"".join(orjson.dumps(r) + newline for r in records)


def jsonl_chunk(records: list[dict[str, Any]]) -> tuple[bytes, np.ndarray]:
    """`records` as a chunk of a JSONL file: its body and line ends (see `Batch.lines`)."""
    body = jsonl(records)
    return body, line_ends(body)


def otlp_line(spans: list[dict[str, Any]], *, environment: str = "production") -> dict[str, Any]:
    """An ExportTraceServiceRequest as the collector file exporter writes it."""

    def kv(key: str, value: Any) -> dict[str, Any]:
        if isinstance(value, bool):
            return {"key": key, "value": {"boolValue": value}}
        if isinstance(value, int):
            return {"key": key, "value": {"intValue": str(value)}}
        if isinstance(value, float):
            return {"key": key, "value": {"doubleValue": value}}
        return {"key": key, "value": {"stringValue": str(value)}}

    return {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [
                        kv("service.name", "support-bot"),
                        kv("deployment.environment.name", environment),
                    ]
                },
                "scopeSpans": [
                    {
                        "scope": {"name": "opentelemetry.instrumentation.openai"},
                        "spans": [
                            {
                                "traceId": s["trace_id"],
                                "spanId": s["span_id"],
                                "parentSpanId": s.get("parent_span_id") or "",
                                "name": s["name"],
                                "kind": 3,
                                "startTimeUnixNano": str(s["start_time"]),
                                "endTimeUnixNano": str(s["end_time"]),
                                "attributes": [kv(k, v) for k, v in s["attributes"].items()],
                                "status": {},
                            }
                            for s in spans
                        ],
                    }
                ],
            }
        ]
    }
