"""`length`, `latency` and `cost`."""

from __future__ import annotations

import pytest

from llmops_tui.plugin_api import JudgeError, ProviderResponse
from tests.plugins.judging import judge


def _response(latency_ms: float = 800.0, cost_usd: float | None = 0.0021) -> ProviderResponse:
    return ProviderResponse(
        text="ok", latency_ms=latency_ms, model="gpt-4o-mini", cost_usd=cost_usd
    )


def test_length_in_characters_and_words() -> None:
    assert judge("length", "abcde", {"max": 5}).reason == "5 characters, at most 5"
    over = judge("length", "abcdef", {"max": 5})
    assert not over.passed
    assert over.value is None
    assert over.reason == "6 characters, over max 5"
    under = judge("length", "one two", {"min": 3, "unit": "words"})
    assert not under.passed
    assert under.reason == "2 words, under min 3"
    assert judge("length", "a b c", {"min": 3, "unit": "words"}).reason == "3 words, at least 3"
    assert judge("length", "one two three", {"min": 3, "max": 4, "unit": "words"}).reason == (
        "3 words, within 3..4"
    )


def test_length_max_from_the_case() -> None:
    expected = {"max_words": 3}
    options = {"field": "max_words", "unit": "words"}
    assert judge("length", "a b c", options, expected=expected).passed
    score = judge("length", "a b c d", options, expected=expected)
    assert score.reason == "4 words, over max 3"
    with pytest.raises(JudgeError, match="length: case 'c1': the max must be a number"):
        judge("length", "a", options, expected={"max_words": "three"})
    with pytest.raises(JudgeError, match="options 'max' and 'field' exclude each other"):
        judge("length", "a", {"max": 3, "field": "max_words"}, expected=expected)


def test_latency_budget() -> None:
    ok = judge("latency", "x", {"max_ms": 1000}, response=_response(latency_ms=812.4))
    assert ok.passed
    assert ok.reason == "812 ms, within 1000 ms"
    slow = judge("latency", "x", {"max_ms": 1000}, response=_response(latency_ms=1234.0))
    assert not slow.passed
    assert slow.reason == "1234 ms, over budget 1000 ms"


def test_cost_budget() -> None:
    ok = judge("cost", "x", {"max_usd": 0.01}, response=_response(cost_usd=0.0021))
    assert ok.passed
    assert ok.reason == "$0.0021, within $0.01"
    pricey = judge("cost", "x", {"max_usd": 0.001}, response=_response(cost_usd=0.0021))
    assert not pricey.passed
    assert pricey.reason == "$0.0021, over budget $0.001"


def test_an_unpriced_answer_is_an_error_not_a_pass() -> None:
    with pytest.raises(JudgeError) as raised:
        judge("cost", "x", {"max_usd": 1}, case_id="sr-4", response=_response(cost_usd=None))
    assert str(raised.value) == (
        "cost: case 'sr-4': the answer has no cost (model 'gpt-4o-mini'); "
        "price the model in [pricing.models] to budget it"
    )


@pytest.mark.parametrize(
    ("name", "options"), [("cost", {"max_usd": 1}), ("latency", {"max_ms": 1})]
)
def test_budgets_need_a_response(name: str, options: dict[str, float]) -> None:
    with pytest.raises(JudgeError, match=f"{name}: case 'c1' has no model response to measure"):
        judge(name, "imported answer", options)
