"""`llm_rubric`: the request it sends, reading grades, scales, failures and judge spend."""

from __future__ import annotations

import json
from typing import Any

import pytest

from llmops_tui.builtin_plugins.judges.rubric_parse import Grade, read_grade
from llmops_tui.plugin_api import JudgeError, ProviderError, ProviderRequest, ProviderResponse
from tests.plugins.judging import judge

RUBRIC = {
    "provider": "fake",
    "model": "grader-1",
    "rubric": "Polite and gives the tracking number.",
}


class FakeJudgeModel:
    """Stands in for `JudgeInput.complete`: records each call and answers with `text`."""

    def __init__(
        self, text: str, *, cost: float | None = 0.0004, error: Exception | None = None
    ) -> None:
        self.text = text
        self.cost = cost
        self.error = error
        self.calls: list[tuple[str, ProviderRequest]] = []

    def __call__(self, provider: str, request: ProviderRequest) -> ProviderResponse:
        self.calls.append((provider, request))
        if self.error is not None:
            raise self.error
        return ProviderResponse(
            text=self.text, latency_ms=300.0, input_tokens=412, output_tokens=23, cost_usd=self.cost
        )


def _grade(text: str, options: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    model = FakeJudgeModel(text, **kwargs)
    score = judge("llm_rubric", "Your tracking number is 1Z8V7W.", {**RUBRIC, **(options or {})},
                  complete=model, expected={"must_include": ["1Z8V7W"]},
                  vars={"question": "Where is my order?"})  # fmt: skip
    return score, model


def test_request_carries_rubric_examples_case_and_answer() -> None:
    examples = [{"output": "No idea.", "score": 0, "reason": "unhelpful"}]
    _, model = _grade(
        '{"score": 1, "reason": "ok"}', {"examples": examples, "field": "must_include"}
    )
    [(provider, request)] = model.calls
    assert provider == "fake"
    assert request.model == "grader-1"
    assert request.prompt_name == "llm_rubric"
    assert request.case_id == "c1"
    assert request.expected == {"must_include": ["1Z8V7W"]}
    assert request.params == {"temperature": 0}
    roles = [m.role for m in request.messages]
    assert roles == ["system", "user", "assistant", "user"]
    assert "Polite and gives the tracking number." in request.messages[0].content
    assert '{"score": <number from 0 to 1>' in request.messages[0].content
    assert request.messages[1].content == "<answer>\nNo idea.\n</answer>"
    assert json.loads(request.messages[2].content) == {"score": 0, "reason": "unhelpful"}
    assert request.messages[3].content == (
        "<input>\nquestion: Where is my order?\n</input>\n\n"
        '<reference>\n["1Z8V7W"]\n</reference>\n\n'
        "<answer>\nYour tracking number is 1Z8V7W.\n</answer>"
    )


def test_json_grade_with_tokens_and_cost() -> None:
    score, _ = _grade('{"score": 0.9, "reason": "Polite, includes the number."}')
    assert score.passed
    assert score.value == pytest.approx(0.9)
    assert score.reason == "0.9 on 0..1: Polite, includes the number."
    assert (score.judge_input_tokens, score.judge_output_tokens) == (412, 23)
    assert score.judge_cost_usd == 0.0004


def test_cost_stays_none_when_the_provider_does_not_report_it() -> None:
    score, _ = _grade('{"score": 0.2, "reason": "rude"}', cost=None)
    assert not score.passed
    assert score.judge_cost_usd is None
    assert score.judge_input_tokens == 412


def test_scale_is_normalised_and_threshold_is_on_the_scale() -> None:
    options = {"scale": "1..5", "threshold": 4}
    four, _ = _grade("Score: 4\nReason: clear and polite", options)
    assert four.passed
    assert four.value == 0.75
    assert four.reason == "4 on 1..5: clear and polite"
    three, _ = _grade('{"score": 3}', options)
    assert not three.passed
    assert three.value == 0.5
    assert three.reason == "3 on 1..5: no reason given"
    listed, _ = _grade("5/5", {"scale": [1, 5]})
    assert listed.value == 1.0


def test_default_threshold_is_the_middle_of_the_scale() -> None:
    assert _grade('{"score": 0.5}')[0].passed
    assert not _grade('{"score": 0.49}')[0].passed
    assert _grade('{"score": 3}', {"scale": "1..5"})[0].passed


def test_an_unparseable_answer_is_a_judge_error_quoting_it() -> None:
    with pytest.raises(JudgeError) as raised:
        _grade("The answer is quite good overall, I would say mostly correct.")
    assert str(raised.value) == (
        "llm_rubric: can't read a score in the judge's answer: "
        "'The answer is quite good overall, I would say mostly correc…'"
    )
    with pytest.raises(JudgeError, match="can't read a score in the judge's answer: ''"):
        _grade("")


def test_scores_outside_the_scale_are_judge_errors() -> None:
    with pytest.raises(JudgeError, match=r"llm_rubric: the judge's score 7 is outside 1\.\.5"):
        _grade('{"score": 7}', {"scale": "1..5"})
    with pytest.raises(JudgeError, match="the judge's score 12/10 is invalid"):
        _grade("Score: 12/10")


def test_a_fraction_on_another_scale_is_read_as_a_fraction() -> None:
    score, _ = _grade("I'd give it 7 out of 10.", {"scale": "1..5"})
    assert score.value == 0.7
    assert score.reason == "3.8 on 1..5: I'd give it"


def test_provider_errors_become_judge_errors_with_the_reason() -> None:
    error = ProviderError("HTTP 429: rate limited", retryable=True, status=429)
    with pytest.raises(JudgeError) as raised:
        _grade("", error=error)
    assert str(raised.value) == "llm_rubric: judge model 'fake' failed: HTTP 429: rate limited"
    assert raised.value.__cause__ is error


def test_without_model_access_it_says_so() -> None:
    with pytest.raises(JudgeError, match="llm_rubric: no model to ask"):
        judge("llm_rubric", "x", RUBRIC)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"rubric": None}, "option 'rubric': expected a non-empty string"),
        ({"scale": "5..1"}, "option 'scale': expected 'low..high' or [low, high], got '5..1'"),
        ({"scale": "1..5", "threshold": 6}, "option 'threshold': expected a number in 1..5"),
        ({"params": 3}, "option 'params': expected a table"),
        ({"examples": {"output": "x"}}, "option 'examples': expected a list of tables"),
        ({"examples": [{"output": "x"}]}, "option 'examples' #1: 'score' must be a number"),
        ({"examples": [{"output": "x", "score": 2}]}, "#1: score 2 is outside 0..1"),
        ({"examples": [{"output": "x", "score": 1, "why": ""}]}, "#1: unknown key 'why'"),
        ({"rubrik": "x"}, "unknown option 'rubrik' (did you mean 'rubric'?)"),
    ],
)
def test_bad_rubric_options(options: dict[str, Any], message: str) -> None:
    with pytest.raises(JudgeError) as raised:
        _grade('{"score": 1}', options)
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("text", "grade"),
    [
        ('{"score": 4, "reason": "fine"}', Grade(4.0, "fine")),
        ('Sure!\n```json\n{"Score": "4/5", "reasoning": "ok"}\n```', Grade(4.0, "ok", 5.0)),
        ('My verdict: {"rating": 0.7, "explanation": "mostly"} thanks', Grade(0.7, "mostly")),
        ('{"pass": true, "reason": "meets it"}', Grade(None, "meets it", verdict=True)),
        (
            "Reasoning first.\nScore: 2\nOn reflection...\n**Final score:** 3",
            Grade(3.0, "Reasoning first.\nScore: 2\nOn reflection"),
        ),
        ("Rating = 4 / 5", Grade(4.0, None, 5.0)),
        ("Good answer. 4/5", Grade(4.0, "Good answer", 5.0)),
        ("0.85", Grade(0.85, None)),
        ("**3**", Grade(3.0, None)),
        ("Ships on 3/4/2026, no score here", None),
        ('{"verdict": "good"}', None),
    ],
)
def test_read_grade_variants(text: str, grade: Grade | None) -> None:
    assert read_grade(text) == grade
