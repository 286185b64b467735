"""`exact`, `contains` and `regex`: verdicts, values and reasons."""

from __future__ import annotations

import pytest

from llmops_tui.plugin_api import JudgeError
from tests.plugins.judging import judge


def test_exact_strips_by_default_and_is_case_sensitive() -> None:
    assert judge("exact", "  Paris\n", expected="Paris").passed
    score = judge("exact", "paris", expected="Paris")
    assert not score.passed
    assert score.value is None
    assert score.reason == "expected 'Paris', got 'paris'"


def test_exact_options() -> None:
    assert judge("exact", "PARIS", {"ignore_case": True}, expected="Paris").passed
    assert not judge("exact", " Paris", {"strip": False}, expected="Paris").passed
    assert judge("exact", "42", expected=42).passed


def test_exact_with_several_answers_accepts_any() -> None:
    assert judge("exact", "yes", expected=["y", "yes"]).passed
    score = judge("exact", "no", expected=["y", "yes"])
    assert score.reason == "not one of 2 expected answers; got 'no'"


def test_contains_all_scores_the_share_found() -> None:
    answer = "Your UPS tracking number is 1Z8V7W460394712285."
    score = judge("contains", answer, expected=["1Z8V7W460394712285", "KB-1002", "UPS"])
    assert not score.passed
    assert score.value == pytest.approx(2 / 3)
    assert score.reason == "missing 'KB-1002'"
    assert judge("contains", answer, expected=["UPS", "1Z8V7W460394712285"]).value == 1.0


def test_contains_long_values_are_cut_in_the_reason() -> None:
    score = judge("contains", "nothing", expected="Your order ships from Denver on Tuesday")
    assert score.reason == "missing 'Your order ships from D…'"
    missing = judge("contains", "x", expected=["a", "b", "c", "d", "e"])
    assert missing.reason == "missing 'a', 'b', 'c' and 2 more"
    assert missing.value == 0.0


def test_contains_any_and_ignore_case() -> None:
    score = judge("contains", "Sorry, I cannot help", {"mode": "any"}, expected=["sorry", "Sorry"])
    assert score.passed
    assert score.value == 0.5
    assert score.reason == "found 'Sorry'"
    both = judge("contains", "SORRY", {"mode": "any", "ignore_case": True}, expected=["sorry"])
    assert both.passed
    assert both.value == 1.0
    none_found = judge("contains", "hello", {"mode": "any"}, expected=["a1", "b2"])
    assert not none_found.passed
    assert none_found.reason == "none of 'a1', 'b2' found"


def test_contains_none_fails_on_a_forbidden_value() -> None:
    options = {"mode": "none", "value": ["internal", "TODO"]}
    clean = judge("contains", "All good.", options)
    assert clean.passed
    assert clean.reason == "none of 2 present"
    leaked = judge("contains", "see the internal wiki", options)
    assert not leaked.passed
    assert leaked.value == 0.5
    assert leaked.reason == "contains 'internal'"


def test_regex_searches_and_reports_the_match() -> None:
    score = judge("regex", "Ticket KB-1002 explains it", expected=r"KB-\d{4}")
    assert score.passed
    assert score.reason == "matched 'KB-1002'"
    miss = judge("regex", "no ticket", expected=r"KB-\d{4}")
    assert not miss.passed
    assert miss.reason == r"no match for /KB-\d{4}/"


def test_regex_flags() -> None:
    assert judge("regex", "Hello", {"value": "hello", "ignore_case": True}).passed
    assert not judge("regex", "say hello", {"value": "hello", "full": True}).passed
    assert judge("regex", "a\nb", {"value": "^b$", "multiline": True}).passed
    assert not judge("regex", "a\nb", {"value": "^b$"}).passed


def test_regex_bad_pattern_in_a_case_is_a_judge_error() -> None:
    with pytest.raises(JudgeError, match=r"regex: bad pattern '\[a-': "):
        judge("regex", "x", expected="[a-")
    with pytest.raises(JudgeError, match="expected one string to compare with, got a list of 2"):
        judge("regex", "x", expected=["a", "b"])
