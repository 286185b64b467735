"""`json_valid` and `json_schema`."""

from __future__ import annotations

from typing import Any

import pytest

from llmops_tui.plugin_api import JudgeError
from tests.plugins.judging import judge

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["category", "escalate"],
    "properties": {"category": {"type": "string"}, "escalate": {"type": "boolean"}},
}


def test_json_valid() -> None:
    assert judge("json_valid", '{"a": 1}').passed
    score = judge("json_valid", '{"a": 1,}')
    assert not score.passed
    assert (
        score.reason
        == "not JSON: Expecting property name enclosed in double quotes at line 1 column 9"
    )


def test_json_valid_extracts_from_a_fence_only_when_asked() -> None:
    answer = 'Here you go:\n```json\n{"category": "refund"}\n```\nAnything else?'
    assert not judge("json_valid", answer).passed
    assert judge("json_valid", answer, {"extract": True}).passed
    assert judge("json_valid", 'Result: {"a": [1, 2]} done', {"extract": True}).passed


def test_json_valid_top_level_type() -> None:
    assert judge("json_valid", "[1, 2]", {"type": "array"}).passed
    score = judge("json_valid", "[1, 2]", {"type": "object"})
    assert not score.passed
    assert score.reason == "valid JSON, but array, not object"
    assert judge("json_valid", "true", {"type": "number"}).reason == (
        "valid JSON, but boolean, not number"
    )


def test_json_schema_from_a_case_field() -> None:
    expected = {"schema": SCHEMA, "category": "refund"}
    options = {"field": "schema"}
    ok = judge(
        "json_schema", '{"category": "refund", "escalate": false}', options, expected=expected
    )
    assert ok.passed
    assert ok.reason == "valid against the schema"
    wrong = judge(
        "json_schema", '{"category": "refund", "escalate": "no"}', options, expected=expected
    )
    assert not wrong.passed
    assert wrong.reason == "$.escalate: 'no' is not of type 'boolean'"
    missing = judge("json_schema", '{"category": "refund"}', options, expected=expected)
    assert missing.reason == "$: 'escalate' is a required property"


def test_json_schema_as_a_value_or_a_json_string() -> None:
    assert judge("json_schema", '{"category": "x", "escalate": true}', {"value": SCHEMA}).passed
    as_text = '{"type": "array", "items": {"type": "integer"}}'
    assert judge("json_schema", "[1, 2]", {"value": as_text}).passed
    score = judge("json_schema", "[1, 2", {"value": as_text})
    assert not score.passed
    assert score.reason is not None
    assert score.reason.startswith("not JSON: ")


def test_json_schema_bad_schemas_are_judge_errors() -> None:
    with pytest.raises(JudgeError, match="json_schema: invalid schema: 'nope' is not valid"):
        judge("json_schema", "{}", {"value": {"type": "nope"}})
    with pytest.raises(JudgeError, match="json_schema: the schema is not JSON: "):
        judge("json_schema", "{}", expected="{not json")
    with pytest.raises(JudgeError, match="expected a JSON Schema object, got 42"):
        judge("json_schema", "{}", {"value": 42})
