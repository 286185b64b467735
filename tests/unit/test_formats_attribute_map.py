"""Bare attribute maps are recognised and become one span whose ids derive from the file."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import orjson
import pytest

from llmops_tui.ingest.formats import RecordError
from llmops_tui.ingest.formats.attribute_map import is_attribute_map, spans_from_attribute_map
from llmops_tui.ingest.formats.common import derived_id

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"
DIGEST = hashlib.sha256(b"an attribute map file").hexdigest()
MTIME_NS = 1_772_442_900_000_000_000

CHAT_MAP: dict[str, Any] = {
    "gen_ai.provider.name": "openai",
    "gen_ai.operation.name": "chat",
    "gen_ai.request.model": "gpt-4",
    "gen_ai.response.model": "gpt-4-0613",
    "gen_ai.usage.input_tokens": 97,
    "gen_ai.response.finish_reasons": ["stop"],
    "input": '{"model":"gpt-4"}',
}


def test_chat_map_becomes_one_span() -> None:
    [span] = spans_from_attribute_map(CHAT_MAP, content_digest=DIGEST, start_time_ns=MTIME_NS)

    assert span == {
        "trace_id": derived_id("attribute-map", DIGEST, length=32),
        "span_id": derived_id("attribute-map-span", DIGEST, length=16),
        "parent_span_id": None,
        "name": "chat gpt-4",
        "kind": "client",
        "start_time": MTIME_NS,
        "status": "unset",
        "status_message": None,
        "attributes": CHAT_MAP,
        "resource": {},
        "events": [],
    }
    assert len(span["trace_id"]) == 32
    assert len(span["span_id"]) == 16


def test_same_content_same_ids_other_content_other_ids() -> None:
    [a] = spans_from_attribute_map(CHAT_MAP, content_digest=DIGEST, start_time_ns=1)
    [b] = spans_from_attribute_map(CHAT_MAP, content_digest=DIGEST, start_time_ns=2)
    [c] = spans_from_attribute_map(CHAT_MAP, content_digest="0" * 64, start_time_ns=1)

    assert (a["trace_id"], a["span_id"]) == (b["trace_id"], b["span_id"])
    assert a["trace_id"] != c["trace_id"]
    assert a["span_id"] != c["span_id"]


@pytest.mark.parametrize(
    ("attributes", "name", "kind"),
    [
        (
            {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "get_weather"},
            "execute_tool get_weather",
            "internal",
        ),
        ({"openinference.span.kind": "LLM", "llm.model_name": "gpt-4o"}, "LLM gpt-4o", "client"),
        ({"openinference.span.kind": "CHAIN", "input.value": "x"}, "CHAIN", "internal"),
        ({"gen_ai.response.model": "gpt-4o", "gen_ai.usage.input_tokens": 3}, "gpt-4o", "client"),
        ({"llmops.release": "r1", "user.id": "u"}, "span", "client"),
    ],
)
def test_names_and_kinds(attributes: dict[str, Any], name: str, kind: str) -> None:
    [span] = spans_from_attribute_map(attributes, content_digest=DIGEST, start_time_ns=0)

    assert (span["name"], span["kind"]) == (name, kind)


def test_an_empty_map_is_rejected() -> None:
    with pytest.raises(RecordError, match=r"^attributes: the object is empty$"):
        spans_from_attribute_map({}, content_digest=DIGEST, start_time_ns=0)


@pytest.mark.parametrize(
    "obj",
    [
        {},
        # A flat span line: its attributes are nested.
        {"trace_id": "a" * 32, "span_id": "b" * 16, "name": "x", "attributes": {"gen_ai.a": 1}},
        # An OTLP JSON request.
        {"resourceSpans": [{"resource": {"attributes": []}}]},
        # A console-exporter span.
        {"name": "x", "context": {"trace_id": "0x1"}, "kind": "SpanKind.CLIENT"},
        # A LiteLLM payload: flat-ish but undotted.
        {"id": "x", "call_type": "completion", "model": "gpt-4o", "prompt_tokens": 3},
        # Dotted keys of no known dialect.
        {"com.example.a": 1, "com.example.b": 2},
        # Mostly undotted.
        {"gen_ai.system": "openai", "model": "gpt-4o", "prompt": "hi"},
        # A known dialect, but a nested value.
        {"gen_ai.request.model": "gpt-4o", "gen_ai.input.messages": [{"role": "user"}]},
    ],
)
def test_other_shapes_are_not_attribute_maps(obj: dict[str, Any]) -> None:
    assert not is_attribute_map(obj)


def test_a_map_with_a_few_undotted_keys_is_still_an_attribute_map() -> None:
    assert is_attribute_map(CHAT_MAP)
    assert is_attribute_map({"gen_ai.operation.name": "execute_tool", "input": "{}", "x.y": 1})
    assert is_attribute_map({"gen_ai.request.model": "m", "app.tier": "pro", "app.region": "eu"})


@pytest.mark.fixtures
def test_real_fixture_files() -> None:
    if not FIXTURES.is_dir():
        pytest.skip("../shared/fixtures not present (a user's clone)")
    expected = {
        "otel-genai/otel_genai_client_span_tool_calls.json": ("chat gpt-4", "client"),
        "otel-genai/otel_genai_deprecated_client_span_tool_calls.json": ("chat gpt-4", "client"),
        "otel-genai/otel_genai_tool_execution_span.json": ("execute_tool get_weather", "internal"),
        "openinference/openinference_client_span_input_output_only.json": (
            "LLM gpt-4-0613",
            "client",
        ),
        "openinference/openinference_client_span_tool_calls.json": ("LLM gpt-4-0613", "client"),
    }
    seen = {
        str(path.relative_to(FIXTURES))
        for folder in ("otel-genai", "openinference")
        for path in (FIXTURES / folder).glob("*.json")
    }
    assert seen == set(expected)

    ids = set()
    for relative, (name, kind) in expected.items():
        data = (FIXTURES / relative).read_bytes()
        obj = orjson.loads(data)
        assert is_attribute_map(obj), relative
        [span] = spans_from_attribute_map(
            obj, content_digest=hashlib.sha256(data).hexdigest(), start_time_ns=MTIME_NS
        )
        assert (span["name"], span["kind"], span["status"]) == (name, kind, "unset"), relative
        assert span["attributes"] == obj
        ids.add((span["trace_id"], span["span_id"]))
    assert len(ids) == len(expected)
