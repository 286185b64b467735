"""OTLP/JSON encoding as the OpenTelemetry Collector's file exporter writes it.

The demo's files must exercise the same ingest path as a user's, so they follow the
collector's output to the letter: hex ids, 64-bit integers as decimal strings, enum ints,
`status: {}` when unset, `parentSpanId: ""` on roots, one `ExportTraceServiceRequest` per
line with spans grouped by resource and instrumentation scope.
"""

from __future__ import annotations

import base64
import random
from pathlib import Path
from typing import IO, Any, Final

import orjson

Json = dict[str, Any]

KIND_INTERNAL: Final = 1
KIND_SERVER: Final = 2
KIND_CLIENT: Final = 3
STATUS_UNSET: Final[Json] = {}
SCHEMA_URL: Final = "https://opentelemetry.io/schemas/1.37.0"

SCOPE_HTTP: Final = 0
SCOPE_APP: Final = 1
SCOPE_OPENAI: Final = 2
SCOPE_ANTHROPIC: Final = 3
SCOPES: Final[tuple[Json, ...]] = (
    {"name": "opentelemetry.instrumentation.fastapi", "version": "0.59b0"},
    {"name": "acme_support"},
    {"name": "opentelemetry.instrumentation.openai", "version": "0.47.5"},
    {"name": "opentelemetry.instrumentation.anthropic", "version": "0.47.5"},
)

_ALPHANUMERIC: Final = bytes.maketrans(b"+/", b"xQ")


def text(key: str, value: str) -> Json:
    return {"key": key, "value": {"stringValue": value}}


def integer(key: str, value: int) -> Json:
    return {"key": key, "value": {"intValue": str(value)}}


def double(key: str, value: float) -> Json:
    return {"key": key, "value": {"doubleValue": value}}


def texts(key: str, values: list[str]) -> Json:
    return {"key": key, "value": {"arrayValue": {"values": [{"stringValue": v} for v in values]}}}


def trace_id(rng: random.Random) -> str:
    return format(rng.getrandbits(128) | 1, "032x")


def span_id(rng: random.Random) -> str:
    return format(rng.getrandbits(64) | 1, "016x")


def base62(rng: random.Random, length: int) -> str:
    """Random letters and digits, like provider response ids (base64 of random bytes, minus +/)."""
    return base64.b64encode(rng.randbytes(length))[:length].translate(_ALPHANUMERIC).decode()


def span(
    trace: str,
    ident: str,
    parent: str,
    name: str,
    kind: int,
    start_ns: int,
    end_ns: int,
    attributes: list[Json],
    status: Json = STATUS_UNSET,
    events: list[Json] | None = None,
) -> Json:
    """A span with *relative* integer times; `shift_times` makes them absolute strings."""
    out: Json = {
        "traceId": trace,
        "spanId": ident,
        "parentSpanId": parent,
        "flags": 256,
        "name": name,
        "kind": kind,
        "startTimeUnixNano": start_ns,
        "endTimeUnixNano": end_ns,
        "attributes": attributes,
    }
    if events:
        out["events"] = events
    out["status"] = status
    return out


def shift_times(spans: list[tuple[int, Json]], base_ns: int) -> None:
    for _, item in spans:
        item["startTimeUnixNano"] = str(base_ns + item["startTimeUnixNano"])
        item["endTimeUnixNano"] = str(base_ns + item["endTimeUnixNano"])
        for event in item.get("events", ()):
            event["timeUnixNano"] = str(base_ns + event["timeUnixNano"])


def resource(environment: str, version: str) -> Json:
    return {
        "attributes": [
            text("service.name", "acme-support"),
            text("service.namespace", "support"),
            text("service.version", version),
            text("deployment.environment.name", environment),
            text("telemetry.sdk.language", "python"),
            text("telemetry.sdk.name", "opentelemetry"),
            text("telemetry.sdk.version", "1.38.0"),
        ]
    }


class BatchFile:
    """One environment's output: a file per UTC day, one export request per line."""

    def __init__(self, directory: Path, environment: str, rng: random.Random) -> None:
        self.directory = directory
        self.environment = environment
        self.rng = rng
        self.files: list[Path] = []
        self.bytes = 0
        self.spans = 0
        self._handle: IO[bytes] | None = None
        self._day = ""
        self._pending: list[tuple[str, int, Json]] = []
        self._batch_size = rng.randint(50, 200)
        self._resources: dict[str, Json] = {}

    def add(self, day: str, version: str, spans: list[tuple[int, Json]]) -> None:
        """Queue a trace's spans (in the order they ended), exporting full batches."""
        if day != self._day:
            self._flush()
            self._open(day)
        for scope, item in spans:
            self._pending.append((version, scope, item))
            if len(self._pending) >= self._batch_size:
                self._flush()

    def close(self) -> None:
        self._flush()
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def _open(self, day: str) -> None:
        if self._handle is not None:
            self._handle.close()
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{day}.jsonl"
        self._handle = path.open("wb")
        self.files.append(path)
        self._day = day

    def _flush(self) -> None:
        if not self._pending or self._handle is None:
            return
        groups: dict[str, dict[int, list[Json]]] = {}
        for version, scope, item in self._pending:
            groups.setdefault(version, {}).setdefault(scope, []).append(item)
        request = {
            "resourceSpans": [
                {
                    "resource": self._resource(version),
                    "scopeSpans": [
                        {"scope": SCOPES[scope], "spans": items} for scope, items in scopes.items()
                    ],
                    "schemaUrl": SCHEMA_URL,
                }
                for version, scopes in groups.items()
            ]
        }
        line = orjson.dumps(request) + b"\n"
        self._handle.write(line)
        self.bytes += len(line)
        self.spans += len(self._pending)
        self._pending = []
        self._batch_size = self.rng.randint(50, 200)

    def _resource(self, version: str) -> Json:
        found = self._resources.get(version)
        if found is None:
            found = self._resources[version] = resource(self.environment, version)
        return found
