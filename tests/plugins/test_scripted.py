"""`scripted`: deterministic per model and prompt version, calibrated quality, answers that
heuristic judges pass or fail as intended, and a parseable verdict as an LLM judge."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import statistics
from pathlib import Path
from typing import Any

import pytest

from llmops_tui.builtin_plugins.providers.scripted import ScriptedProvider
from llmops_tui.plugin_api import ChatMessage, ProviderError, ProviderRequest, ProviderResponse

DATASET = Path(__file__).resolve().parents[2] / "sample_project" / "datasets"
SYSTEM = "You are the Acme Support Assistant."
scripted = ScriptedProvider()


def call(
    case_id: str,
    *,
    expected: Any = None,
    options: dict[str, Any] | None = None,
    version: int = 1,
    model: str = "gpt-4o-mini",
    repetition: int = 0,
    system: str = SYSTEM,
    question: str = "Where is my order?",
) -> ProviderResponse:
    return scripted.complete(
        ProviderRequest(
            model=model,
            messages=(ChatMessage("system", system), ChatMessage("user", question)),
            options=options or {},
            prompt_name="support",
            prompt_version=version,
            case_id=case_id,
            repetition=repetition,
            expected=expected,
        )
    )


def good(response: ProviderResponse) -> bool:
    assert response.raw is not None
    return bool(response.raw["good"])


def passes_heuristics(text: str, expected: dict[str, Any]) -> bool:
    """What the built-in heuristic judges check on the sample dataset."""
    checks = [item in text for item in expected.get("must_include", [])]
    checks += [f"[{cite}]" in text for cite in expected.get("cites", [])]
    checks += [item not in text for item in expected.get("must_not_include", [])]
    if "max_words" in expected:
        checks.append(len(text.split()) <= expected["max_words"])
    return all(checks)


def sample_cases() -> list[tuple[str, dict[str, Any]]]:
    rows = [json.loads(line) for line in (DATASET / "support_regression.jsonl").open()]
    return [(row["id"], row["expected"]) for row in rows]


def test_same_call_same_answer() -> None:
    first = call("sr-001", expected={"must_include": ["A1"]}, options={"quality": 0.5})
    again = call("sr-001", expected={"must_include": ["A1"]}, options={"quality": 0.5})

    assert first == again


def test_quality_is_the_pass_rate() -> None:
    for quality in (0.0, 0.3, 0.7, 1.0):
        share = statistics.mean(
            good(call(f"case-{i}", options={"quality": quality})) for i in range(600)
        )
        assert share == pytest.approx(quality, abs=0.06)


def test_two_runs_of_a_release_agree_on_most_cases() -> None:
    options = {"quality": 0.7}
    first = [good(call(f"c{i}", options=options, repetition=0)) for i in range(500)]
    second = [good(call(f"c{i}", options=options, repetition=1)) for i in range(500)]

    agreement = statistics.mean(a == b for a, b in zip(first, second, strict=True))

    assert 0.85 <= agreement < 1.0  # noise, but the latent difficulty dominates


def test_a_worse_prompt_version_fails_mostly_a_superset() -> None:
    options = {"quality": {"support@v1": 0.8, "support@v2": 0.6, "default": 0.1}}
    v1 = [good(call(f"c{i}", options=options, version=1)) for i in range(500)]
    v2 = [good(call(f"c{i}", options=options, version=2)) for i in range(500)]

    assert statistics.mean(v1) - statistics.mean(v2) == pytest.approx(0.2, abs=0.06)
    improved = sum(b and not a for a, b in zip(v1, v2, strict=True))
    regressed = sum(a and not b for a, b in zip(v1, v2, strict=True))
    assert improved < regressed / 4


def test_quality_table_lookup_order() -> None:
    table = {"support@v2": 1.0, "gpt-4o": 0.0, "default": 1.0}
    cases = [f"c{i}" for i in range(50)]

    assert all(good(call(c, options={"quality": table}, version=2, model="gpt-4o")) for c in cases)
    assert not any(good(call(c, options={"quality": table}, model="gpt-4o")) for c in cases)
    assert all(good(call(c, options={"quality": table}, model="other")) for c in cases)


def test_good_answers_pass_the_sample_datasets_checks_and_bad_ones_fail() -> None:
    cases = sample_cases()
    assert len(cases) >= 10
    for case_id, expected in cases:
        for repetition in range(3):
            answer = call(
                case_id, expected=expected, options={"quality": 1.0}, repetition=repetition
            )
            assert passes_heuristics(answer.text, expected), (case_id, answer.text)
            bad = call(case_id, expected=expected, options={"quality": 0.0}, repetition=repetition)
            assert not passes_heuristics(bad.text, expected), (case_id, bad.text)


def test_good_answer_carries_the_expected_tool_calls() -> None:
    expected = {"must_include": ["x"], "tool_calls": ["lookup_order"]}

    response = call("c1", expected=expected, options={"quality": 1.0})

    assert response.raw is not None
    assert response.raw["tool_calls"] == ["lookup_order"]


def test_string_and_number_expectations() -> None:
    assert call("c1", expected="Paris", options={"quality": 1.0}).text == "Paris"
    assert "Paris" not in call("c1", expected="Paris", options={"quality": 0.0}).text
    assert call("c1", expected=42, options={"quality": 1.0}).text == "42"
    assert abs(float(call("c1", expected=42, options={"quality": 0.0}).text) - 42) >= 1


def test_json_answer_when_the_system_prompt_asks_for_json() -> None:
    expected = {"category": "returns", "priority": "P2", "needs_human": False}
    system = 'Reply with JSON only: {"category": ..., "priority": ..., "needs_human": ...}'

    answer = call("t1", expected=expected, options={"quality": 1.0}, system=system)

    assert json.loads(answer.text) == expected
    for i in range(20):
        bad = call(f"t{i}", expected=expected, options={"quality": 0.0}, system=system).text
        with contextlib.suppress(json.JSONDecodeError):  # a truncated reply is bad too
            assert json.loads(bad) != expected


def test_latency_mean_spread_and_table() -> None:
    latencies = [call(f"c{i}", options={"latency_ms": 800}).latency_ms for i in range(400)]

    assert statistics.mean(latencies) == pytest.approx(800, rel=0.06)
    assert statistics.stdev(latencies) > 100
    table = {"latency_ms": {"gpt-4o": 2000, "default": 300}}
    slow = statistics.mean(
        call(f"c{i}", options=table, model="gpt-4o").latency_ms for i in range(100)
    )
    assert slow == pytest.approx(2000, rel=0.1)


def test_usage_is_reported_and_cost_left_to_pricing() -> None:
    estimated = call("c1", expected="An answer of some length")
    fixed = call("c1", options={"input_tokens": 1200, "output_tokens": 80})

    assert estimated.input_tokens == len(SYSTEM + "Where is my order?") // 4 + 1
    assert estimated.output_tokens is not None
    assert estimated.output_tokens > 0
    assert (fixed.input_tokens, fixed.output_tokens) == (1200, 80)
    assert estimated.cost_usd is None


def test_error_rate_fails_that_share_of_calls_deterministically() -> None:
    errors: list[ProviderError] = []

    def fails(case_id: str) -> bool:
        try:
            call(case_id, options={"error_rate": 0.25})
        except ProviderError as error:
            errors.append(error)
            return True
        return False

    outcomes = [fails(f"c{i}") for i in range(400)]
    assert statistics.mean(outcomes) == pytest.approx(0.25, abs=0.06)
    assert outcomes == [fails(f"c{i}") for i in range(400)]
    assert not any(error.retryable for error in errors)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"quality": "high"}, "scripted: option quality: expected a number or a table"),
        ({"quality": 1.5}, "scripted: option quality: expected 0..1, got 1.5"),
        ({"latency_ms": -5}, "scripted: option latency_ms: expected at least 0, got -5"),
        ({"quality": {"default": True}}, "scripted: option quality: expected a number"),
    ],
)
def test_bad_options_are_one_clear_line(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ProviderError, match=re.escape(message)):
        call("c1", options=options)


def rubric(judged: str) -> dict[str, Any]:
    prompt = f"Grade the answer against the rubric.\n<output>\n{judged}\n</output>"
    request = ProviderRequest(
        model="gpt-4o-mini", messages=(ChatMessage("user", prompt),), prompt_name="llm_rubric"
    )
    response = scripted.complete(request)
    assert response.input_tokens is not None
    verdict: dict[str, Any] = json.loads(response.text)
    return verdict


def test_rubric_verdict_is_json_and_tracks_answer_quality() -> None:
    for case_id, expected in sample_cases():
        good_text = call(case_id, expected=expected, options={"quality": 1.0}).text
        bad_text = call(case_id, expected=expected, options={"quality": 0.0}).text
        high, low = rubric(good_text), rubric(bad_text)
        assert set(high) == {"score", "reason"}
        assert 0.6 <= high["score"] <= 1.0, good_text
        assert 0.0 <= low["score"] < 0.5, bad_text
    assert rubric("") == {"score": 0.0, "reason": "the answer is empty"}
    assert rubric("A direct answer.") == rubric("A direct answer.")


def test_rubric_reads_labelled_answers_too() -> None:
    request = ProviderRequest(
        model="m",
        messages=(ChatMessage("user", "Rubric: be direct.\nAnswer: I think maybe."),),
        prompt_name="llm_rubric",
    )

    assert json.loads(scripted.complete(request).text)["score"] < 0.5


def test_without_case_id_the_question_keys_the_answer() -> None:
    base = ProviderRequest(model="m", messages=(ChatMessage("user", "q1"),), expected="yes")
    other = dataclasses.replace(base, messages=(ChatMessage("user", "q2"),))

    assert scripted.complete(base) == scripted.complete(base)
    assert scripted.complete(base).latency_ms != scripted.complete(other).latency_ms
