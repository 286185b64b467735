"""The OTel Python console exporter's objects become flat spans with canonical ids and times."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import orjson
import pytest

from llmops_tui.ingest.formats import RecordError
from llmops_tui.ingest.formats.console import spans_from_console

# As `ReadableSpan.to_json()` prints it (opentelemetry-sdk 1.3x), for a chat call under an
# agent span, with an exception event and the default resource.
CHAT_SPAN = """
{
    "name": "chat gpt-4o-mini",
    "context": {
        "trace_id": "0x5B8AA5A2D2C872E8321CF37308D69DF2",
        "span_id": "0x051581bf3cb55c13",
        "trace_state": "[]"
    },
    "kind": "SpanKind.CLIENT",
    "parent_id": "0x5fb397be34d26b51",
    "start_time": "2026-03-01T20:47:18.711501Z",
    "end_time": "2026-03-01T20:47:19.902344Z",
    "status": {
        "status_code": "ERROR",
        "description": "RateLimitError: Error code: 429"
    },
    "attributes": {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.request.stop_sequences": ["\\n\\n", "END"],
        "gen_ai.usage.input_tokens": 1200,
        "error.type": "RateLimitError"
    },
    "events": [
        {
            "name": "exception",
            "timestamp": "2026-03-01T20:47:19.902001Z",
            "attributes": {
                "exception.type": "openai.RateLimitError",
                "exception.message": "Error code: 429",
                "exception.escaped": "False"
            }
        }
    ],
    "links": [],
    "resource": {
        "attributes": {
            "telemetry.sdk.language": "python",
            "telemetry.sdk.name": "opentelemetry",
            "telemetry.sdk.version": "1.39.1",
            "service.name": "support-bot",
            "deployment.environment.name": "staging"
        },
        "schema_url": ""
    }
}
"""

START_NS = 1_772_398_038_711_501_000
"""2026-03-01T20:47:18.711501Z in epoch nanoseconds."""


def chat_span() -> dict[str, Any]:
    value: dict[str, Any] = orjson.loads(CHAT_SPAN)
    return value


def test_maps_ids_times_status_and_attributes() -> None:
    [span] = spans_from_console(chat_span())

    assert span["trace_id"] == "5b8aa5a2d2c872e8321cf37308d69df2"
    assert span["span_id"] == "051581bf3cb55c13"
    assert span["parent_span_id"] == "5fb397be34d26b51"
    assert span["name"] == "chat gpt-4o-mini"
    assert span["kind"] == "SpanKind.CLIENT"
    assert span["start_time"] == START_NS
    assert span["end_time"] == 1_772_398_039_902_344_000
    assert span["status"] == "error"
    assert span["status_message"] == "RateLimitError: Error code: 429"
    assert span["attributes"]["gen_ai.usage.input_tokens"] == 1200
    assert span["attributes"]["gen_ai.request.stop_sequences"] == ["\n\n", "END"]
    assert span["resource"]["service.name"] == "support-bot"
    assert span["resource"]["deployment.environment.name"] == "staging"
    assert span["events"] == [
        {
            "name": "exception",
            "time": 1_772_398_039_902_001_000,
            "attributes": {
                "exception.type": "openai.RateLimitError",
                "exception.message": "Error code: 429",
                "exception.escaped": "False",
            },
        }
    ]


def test_root_span_with_unset_status_and_no_end_time() -> None:
    obj = chat_span()
    obj["parent_id"] = None
    obj["status"] = {"status_code": "UNSET"}
    obj["end_time"] = None
    del obj["events"]

    [span] = spans_from_console(obj)

    assert span["parent_span_id"] is None
    assert span["status"] == "unset"
    assert span["status_message"] is None
    assert "end_time" not in span
    assert span["events"] == []


@pytest.mark.parametrize(("code", "status"), [("OK", "ok"), ("StatusCode.ERROR", "error")])
def test_status_code_spellings(code: str, status: str) -> None:
    obj = chat_span()
    obj["status"] = {"status_code": code}

    assert spans_from_console(obj)[0]["status"] == status


def test_nanosecond_iso_times_keep_every_digit() -> None:
    obj = chat_span()
    obj["start_time"] = "2026-03-01T20:47:18.711501234Z"

    assert spans_from_console(obj)[0]["start_time"] == START_NS + 234


def test_time_with_an_offset_is_converted_to_utc() -> None:
    obj = chat_span()
    obj["start_time"] = "2026-03-01T21:47:18.711501+01:00"

    assert spans_from_console(obj)[0]["start_time"] == START_NS


def test_the_input_object_is_not_modified() -> None:
    obj = chat_span()
    before = copy.deepcopy(obj)

    spans_from_console(obj)

    assert obj == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda o: o.pop("context"), "context: missing"),
        (
            lambda o: o["context"].pop("trace_id"),
            "context.trace_id: expected 32 hex digits or base64 of 16 bytes, got null",
        ),
        (
            lambda o: o["context"].update(span_id="0x12"),
            'context.span_id: expected 16 hex digits or base64 of 8 bytes, got "0x12"',
        ),
        (
            lambda o: o["context"].update(trace_id="0x" + "0" * 32),
            "context.trace_id: an all-zero id is not a valid OTel id",
        ),
        (lambda o: o.pop("name"), "name: missing"),
        (lambda o: o.update(name=7), "name: expected a string, got 7"),
        (
            lambda o: o.update(start_time="yesterday"),
            'start_time: expected an ISO-8601 time, got "yesterday"',
        ),
        (lambda o: o.update(attributes=["a"]), "attributes: expected an object, got a list"),
        (
            lambda o: o.update(status={"status_code": "MAYBE"}),
            'status.status_code: expected UNSET, OK or ERROR, got "MAYBE"',
        ),
        (lambda o: o["events"][0].pop("timestamp"), "events[0].timestamp: missing"),
        (
            lambda o: o.update(kind=["CLIENT"]),
            'kind: expected a span kind such as "SpanKind.CLIENT", got a list',
        ),
    ],
)
def test_bad_fields_are_rejected_naming_the_field(
    change: Callable[[dict[str, Any]], object],
    message: str,
) -> None:
    obj = chat_span()
    change(obj)

    with pytest.raises(RecordError) as caught:
        spans_from_console(obj)

    assert str(caught.value) == message
