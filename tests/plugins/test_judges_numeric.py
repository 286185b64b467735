"""`numeric` (extraction, tolerances) and `similarity`."""

from __future__ import annotations

import pytest

from llmops_tui.builtin_plugins.judges.numeric import numbers_in
from llmops_tui.builtin_plugins.judges.similarity import similarity
from llmops_tui.plugin_api import JudgeError
from tests.plugins.judging import judge


def test_numbers_in_prose() -> None:
    text = "Order A4821937 (tracking 1Z8V7W460394712285) refund: $1,234.50, or -3 and 2.5e3."
    assert numbers_in(text) == [1234.5, -3.0, 2500.0]
    assert numbers_in("3-5 days, 42%") == [3.0, 5.0, 42.0]  # a range, not minus five
    assert numbers_in("no numbers") == []


def test_numeric_exact_by_default() -> None:
    score = judge("numeric", "Your refund is $89.50.", expected=89.5)
    assert score.passed
    assert score.value == 1.0
    assert score.reason == "got 89.5, expected 89.5"
    off = judge("numeric", "Your refund is $90.", expected=89.5)
    assert not off.passed
    assert off.value == pytest.approx(1 - 0.5 / 89.5)


def test_numeric_tolerances() -> None:
    near = judge("numeric", "about 101", {"abs_tol": 1}, expected=100)
    assert near.passed
    assert near.reason == "got 101, expected 100 ± 1"
    rel = judge("numeric", "about 104", {"rel_tol": 0.05}, expected=100)
    assert rel.passed
    assert rel.reason == "got 104, expected 100 ± 5%"
    far = judge("numeric", "about 110", {"rel_tol": 0.05, "abs_tol": 2}, expected=100)
    assert not far.passed
    assert far.reason == "got 110, expected 100 ± 2 or 5%"


def test_numeric_pick() -> None:
    answer = "Between 3 and 5 items; the total is 7"
    assert judge("numeric", answer, expected=7).passed
    assert judge("numeric", answer, {"pick": "first"}, expected=3).passed
    only = judge("numeric", answer, {"pick": "only"}, expected=7)
    assert not only.passed
    assert only.reason == "3 numbers in the answer"
    none = judge("numeric", "I don't know", {"value": 7})
    assert not none.passed
    assert none.value == 0.0
    assert none.reason == "no number in the answer; expected 7"


def test_numeric_expected_must_be_a_number() -> None:
    assert judge("numeric", "12", expected="12 items").passed
    with pytest.raises(JudgeError, match=r"numeric: expected a number to compare with, got 'many'"):
        judge("numeric", "12", expected="many")
    with pytest.raises(JudgeError, match="expected a number to compare with, got True"):
        judge("numeric", "1", {"value": True})


def test_similarity_measures() -> None:
    assert similarity("kitten", "sitting", "chars") == pytest.approx(8 / 13)
    assert similarity("a b c", "a  b\nc", "chars") == 1.0
    assert similarity("a b c d", "a b x d", "words") == pytest.approx(0.75)
    # Punctuation is a token of its own: "Tuesday." shares "Tuesday" with "Tuesday".
    assert similarity("Tuesday.", "Tuesday", "words") == pytest.approx(2 / 3)
    assert similarity("c b a", "a b c", "jaccard") == 1.0
    assert similarity("", "", "jaccard") == 1.0


def test_chars_is_not_distorted_by_autojunk_on_long_texts() -> None:
    # With difflib's autojunk every frequent letter of a 200+ character text is "junk".
    long = "the quick brown fox jumps over the lazy dog " * 6
    assert similarity(long, long.replace("fox", "cat", 1), "chars") > 0.98


def test_similarity_threshold_and_reason() -> None:
    expected = "Your order will arrive on Tuesday."
    close = judge("similarity", "Your order will arrive Tuesday.", expected=expected)
    assert close.passed
    assert close.value == pytest.approx(12 / 13)
    assert close.reason == "words similarity 0.92 >= 0.8 to 'Your order will arrive on Tuesday.'"
    chars = judge(
        "similarity", "Your order will arrive Tuesday.", {"method": "chars"}, expected=expected
    )
    assert chars.value == pytest.approx(62 / 65)
    far = judge("similarity", "Refunds take 5 days.", {"threshold": 0.9}, expected=expected)
    assert not far.passed
    assert far.value == pytest.approx(1 / 6)
    assert far.reason == "words similarity 0.17 < 0.9 to 'Your order will arrive on Tuesday.'"


def test_similarity_best_of_several_and_ignore_case() -> None:
    score = judge(
        "similarity", "HELLO THERE", {"ignore_case": True, "method": "jaccard"},
        expected=["goodbye", "hello there"],
    )  # fmt: skip
    assert score.passed
    assert score.value == 1.0
    assert score.reason == "jaccard similarity 1.00 >= 0.8 to 'hello there'"
