"""The option convention shared by the built-in judges (`judges/options.py`)."""

from __future__ import annotations

from typing import Any

import pytest

from llmops_tui.builtin_plugins.judges import BUILTIN_JUDGES
from llmops_tui.builtin_plugins.judges.options import CheckedJudge
from llmops_tui.plugin_api import Judge, JudgeError
from llmops_tui.plugin_manager import load_plugins
from tests.plugins.judging import judge

EXPECTED = {"must_include": ["1Z8V7W460394712285"], "order": {"tracking": "1Z8V7W"}}


def test_every_builtin_judge_is_registered_through_the_hook() -> None:
    plugins = load_plugins(load_entrypoints=False)
    names = {
        "exact", "contains", "regex", "json_valid", "json_schema", "numeric",
        "similarity", "length", "latency", "cost", "llm_rubric",
    }  # fmt: skip
    assert names <= set(plugins.judges.names())
    for name in names:
        assert plugins.judges.owners[name] == "llmops_tui.builtin_plugins.judges"
        assert isinstance(plugins.judges.get(name), Judge)
        assert isinstance(plugins.judges.get(name), CheckedJudge)
    assert plugins.warnings == []


def test_value_option_wins_over_the_case() -> None:
    score = judge("exact", "yes", {"value": "yes"}, expected="no")
    assert score.passed


def test_field_picks_a_member_by_dotted_path() -> None:
    assert judge("contains", "track 1Z8V7W", {"field": "order.tracking"}, expected=EXPECTED).passed
    score = judge("contains", "nothing", {"field": "must_include"}, expected=EXPECTED)
    assert not score.passed
    assert score.reason == "missing '1Z8V7W460394712285'"


def test_field_indexes_lists() -> None:
    score = judge("exact", "1Z8V7W460394712285", {"field": "must_include.0"}, expected=EXPECTED)
    assert score.passed


@pytest.mark.parametrize(
    ("options", "expected", "message"),
    [
        ({"field": "cites"}, EXPECTED, "contains: case 'sr-9' has no expected field 'cites'"),
        ({"field": "order.carrier"}, EXPECTED, "has no expected field 'order.carrier'"),
        ({"field": "must_include"}, None, "has no expected field 'must_include'"),
        ({}, None, "case 'sr-9' has no expected value"),
        ({}, EXPECTED, "expected is a mapping (must_include, order): pick a member with `field"),
        ({"value": "a", "field": "b"}, None, "options 'value' and 'field' exclude each other"),
        ({"value": []}, None, "contains: option 'value' is an empty list"),
        ({"field": "order"}, EXPECTED, "expected is a mapping (tracking): pick a member"),
        ({"value": [None]}, None, "option 'value': expected a string, a number or a list"),
    ],
)
def test_missing_or_unusable_expectations_are_judge_errors(
    options: dict[str, Any], expected: Any, message: str
) -> None:
    with pytest.raises(JudgeError) as raised:
        judge("contains", "answer", options, expected=expected, case_id="sr-9")
    assert str(raised.value).startswith("contains: ")
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_unknown_options_suggest_the_close_name() -> None:
    with pytest.raises(JudgeError) as raised:
        judge("contains", "a", {"value": "a", "ignore_cases": True})
    assert str(raised.value) == (
        "contains: unknown option 'ignore_cases' (did you mean 'ignore_case'?); "
        "options: field, if_missing, ignore_case, mode, value"
    )


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        ("contains", {"value": "a", "mode": "most"}, "option 'mode': expected 'all' or 'any'"),
        ("exact", {"value": "a", "ignore_case": "yes"}, "option 'ignore_case': expected true or"),
        ("numeric", {"value": 1, "abs_tol": -1}, "option 'abs_tol': expected a number >= 0"),
        ("numeric", {"value": 1, "rel_tol": "5%"}, "option 'rel_tol': expected a number, got"),
        ("similarity", {"value": "a", "threshold": 2}, "option 'threshold': expected 0..1"),
        ("regex", {"value": "(unclosed"}, "regex: bad pattern '(unclosed'"),
        ("length", {}, "length: set 'min', 'max' or 'field'"),
        ("length", {"min": 10, "max": 5}, "'min' (10) is above 'max' (5)"),
        ("latency", {}, "latency: option 'max_ms' is required"),
        ("cost", {"max_usd": "1"}, "cost: option 'max_usd': expected a number"),
        ("json_valid", {"type": "dict"}, "option 'type': expected 'object' or 'array'"),
        ("json_schema", {"value": {"type": "nope"}}, "json_schema: invalid schema: "),
        ("llm_rubric", {"rubric": "x"}, "llm_rubric: option 'provider' is required"),
    ],
)
def test_bad_options_are_refused_up_front_in_one_line(
    name: str, options: dict[str, Any], message: str
) -> None:
    judge_object = next(j for j in BUILTIN_JUDGES if j.name == name)
    with pytest.raises(JudgeError) as raised:
        judge_object.check_options(options)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("exact", {"field": "answer", "ignore_case": True, "strip": False}),
        ("contains", {"value": ["a", "b"], "mode": "none", "ignore_case": True}),
        ("regex", {"value": r"^\d+$", "ignore_case": True, "multiline": True, "full": True}),
        ("json_valid", {"extract": True, "type": "object"}),
        ("json_schema", {"value": '{"type": "object"}', "extract": True}),
        ("numeric", {"value": "42", "abs_tol": 0.5, "rel_tol": 0.01, "pick": "only"}),
        ("similarity", {"field": "a", "threshold": 0.7, "method": "words", "ignore_case": True}),
        ("length", {"min": 1, "unit": "words", "field": "max_words"}),
        ("latency", {"max_ms": 2500}),
        ("cost", {"max_usd": 0.01}),
        (
            "llm_rubric",
            {
                "provider": "scripted", "model": "judge", "rubric": "Polite.", "scale": [1, 5],
                "threshold": 4, "params": {"temperature": 0}, "field": "answer",
                "examples": [{"output": "Hi", "score": 5, "reason": "polite"}],
            },
        ),
    ],
)  # fmt: skip
def test_every_documented_option_is_accepted(name: str, options: dict[str, Any]) -> None:
    next(j for j in BUILTIN_JUDGES if j.name == name).check_options(options)


@pytest.mark.parametrize("name", ["exact", "contains", "similarity"])
def test_a_value_that_is_not_text_is_refused_up_front(name: str) -> None:
    with pytest.raises(JudgeError) as raised:
        next(j for j in BUILTIN_JUDGES if j.name == name).check_options({"value": {"a": 1}})
    assert str(raised.value) == (
        f"{name}: option 'value': expected a string, a number or a list of them, got {{'a': 1}}"
    )


def test_if_missing_pass_turns_a_case_without_the_field_into_a_pass() -> None:
    from llmops_tui.builtin_plugins.judges import BUILTIN_JUDGES, PassWhenNotExpected
    from llmops_tui.domain.evals import EvalCase, JudgeInput

    contains = PassWhenNotExpected(next(j for j in BUILTIN_JUDGES if j.name == "contains"))
    case = EvalCase("sr-9", {}, expected={"must_include": ["x"]})
    options = {"field": "cites", "if_missing": "pass"}
    score = contains.judge(JudgeInput(case, "answer", options))
    assert score.passed
    assert score.reason == "not applicable: case 'sr-9' has no expected field 'cites'"
    with pytest.raises(JudgeError, match="has no expected field 'cites'"):
        contains.judge(JudgeInput(case, "answer", {"field": "cites"}))
    with pytest.raises(JudgeError, match="if_missing"):
        contains.judge(JudgeInput(case, "answer", {"field": "cites", "if_missing": "skip"}))
