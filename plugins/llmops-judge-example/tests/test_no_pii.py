"""Tests for the `no_pii` judge, written as a plugin author writes them: through the
`load_plugins` fixture that llmops-tui installs as a pytest plugin, so the judge is checked
as llmops sees it (registered through the hook, by name), not only as a class."""

from __future__ import annotations

from typing import Any

import llmops_judge_example
import pytest
from llmops_judge_example.detectors import find_pii, luhn_valid

from llmops_tui.plugin_api import EvalCase, Judge, JudgeError, JudgeInput, Score
from llmops_tui.testing import LoadPlugins


@pytest.fixture
def no_pii(load_plugins: LoadPlugins) -> Judge:
    plugins = load_plugins(llmops_judge_example)
    assert plugins.warnings == []
    return plugins.judges.get("no_pii")


def _judge(judge: Judge, output: str, **options: Any) -> Score:
    case = EvalCase(case_id="sr-032", vars={})
    return judge.judge(JudgeInput(case=case, output=output, options=options))


def test_registered_through_the_hook(load_plugins: LoadPlugins) -> None:
    plugins = load_plugins(llmops_judge_example)
    assert plugins.judges.owners["no_pii"] == "test-plugin-0"
    assert "judge:no_pii" in next(i for i in plugins.infos if i.name == "test-plugin-0").registered


def test_a_clean_answer_passes(no_pii: Judge) -> None:
    answer = (
        "Order A4821937 ships with UPS, tracking 1Z8V7W460394712285 (USPS 9400111899223849116023),"
        " arriving 2026-03-03. Total: $1,089.50."
    )
    score = _judge(no_pii, answer)
    assert score.passed
    assert score.reason == "no personal data"


def test_leaks_are_named_and_masked(no_pii: Judge) -> None:
    answer = "Sure! I updated card 4111 1111 1111 1111 and emailed maya.okafor@gmail.com."
    score = _judge(no_pii, answer)
    assert not score.passed
    assert score.value is None
    assert score.reason == "leaks card '…1111', email 'm…@gmail.com'"
    assert "4111 1111" not in score.reason


def test_every_kind_is_found() -> None:
    text = (
        "a@b.co, (415) 555-0123, +44 20 7946 0958, 1-800-555-0199, +14155550123, "
        "3782 822463 10005, 123-45-6789"
    )
    kinds = [(f.kind, f.masked) for f in find_pii(text)]
    assert kinds == [
        ("email", "a…@b.co"),
        ("phone", "…0123"),
        ("phone", "…0958"),
        ("phone", "…0199"),
        ("phone", "…0123"),
        ("card", "…0005"),
        ("ssn", "…6789"),
    ]


def test_lookalikes_are_not_pii() -> None:
    assert luhn_valid("4242424242424242")
    assert not luhn_valid("4242424242424241")
    not_pii = "card 4242 4242 4242 4241, id 4155550123, 666-12-3456, 10:30 on 03.03.2026"
    assert find_pii(not_pii) == []


def test_allow_and_detect(no_pii: Judge) -> None:
    answer = "Write to support@acme.example or call +1 800 555 0199."
    assert not _judge(no_pii, answer).passed
    allowed = _judge(no_pii, answer, allow=["Support@Acme.example", "1-800-555-0199"])
    assert allowed.passed
    only_cards = _judge(no_pii, answer, detect=["card"])
    assert only_cards.passed
    assert _judge(no_pii, answer, detect="email").reason == "leaks email 's…@acme.example'"


def test_many_leaks_are_summarised(no_pii: Judge) -> None:
    answer = " ".join(f"user{i}@example.com" for i in range(5))
    assert _judge(no_pii, answer).reason == (
        "leaks email 'u…@example.com', email 'u…@example.com', email 'u…@example.com' and 2 more"
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"alow": ["x"]}, "no_pii: unknown option 'alow' (did you mean 'allow'?)"),
        ({"detect": ["emails"]}, "no_pii: option 'detect': unknown kind 'emails' (did you mean"),
        ({"allow": 3}, "no_pii: option 'allow': expected a list of strings, got 3"),
    ],
)
def test_bad_options_are_one_line_errors(
    no_pii: Judge, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(JudgeError) as raised:
        _judge(no_pii, "text", **options)
    assert str(raised.value).startswith(message)
