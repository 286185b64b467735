"""`[environments.*]` and `[canary]`: typed, and refused in one line when wrong."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from llmops_tui.deploy.config import parse_bake, parse_canary, parse_environments
from llmops_tui.errors import ConfigError


def test_environments_and_plan_are_read() -> None:
    envs = parse_environments(
        {
            "staging": {"target": "file", "options": {"path": "s.json"}, "require_gate": False},
            "production": {"target": "git-tag", "after": "staging"},
        },
        "llmops.toml",
    )
    assert envs["staging"].options == {"path": "s.json"}
    assert not envs["staging"].require_gate
    assert envs["production"].require_gate
    assert envs["production"].after == "staging"
    plan = parse_canary(
        {"steps": [5, 25, 100], "bake": "30m", "min_requests": 500, "max_latency_increase": 0.2},
        "llmops.toml",
    )
    assert plan.steps == (5.0, 25.0, 100.0)
    assert plan.bake == timedelta(minutes=30)
    assert plan.thresholds.min_requests == 500
    assert plan.thresholds.max_latency_increase == 0.2
    assert plan.thresholds.alpha == 0.05  # the default stays


@pytest.mark.parametrize(
    ("environments", "message"),
    [
        (
            {"staging": {"taget": "file"}},
            "[environments.staging]: unknown key 'taget' (did you mean 'target'?)",
        ),
        (
            {"staging": {"target": 3}},
            "[environments.staging]: target: expected a deploy target name",
        ),
        (
            {"staging": {"target": "file", "require_gate": "yes"}},
            "require_gate: expected true or false",
        ),
        ({"prod": {"target": "file", "after": "stage"}}, "after: unknown environment 'stage'"),
        (
            {"a": {"target": "file", "after": "b"}, "b": {"target": "file", "after": "a"}},
            "a cycle: a -> b -> a",
        ),
    ],
)
def test_bad_environments_are_one_line(environments: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_environments(environments, "llmops.toml")
    assert message in str(error.value)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("canary", "message"),
    [
        ({"step": [10]}, "unknown key 'step' (did you mean 'steps'?)"),
        ({"steps": [50, 10]}, "expected increasing percentages"),
        ({"steps": [100]}, "at least one canary share below 100"),
        ({"steps": [0, 50]}, "expected percentages in (0, 100]"),
        ({"bake": "soon"}, "bake: expected a duration like 30s, 15m or 1h"),
        ({"alpha": 2}, "alpha: expected a number between 0 and 1"),
        ({"min_requests": 2.5}, "min_requests: expected a whole number"),
    ],
)
def test_bad_plans_are_one_line(canary: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_canary(canary, "llmops.toml")
    assert message in str(error.value)


def test_bake_durations() -> None:
    assert parse_bake("0s") == timedelta(0)
    assert parse_bake("90s") == timedelta(seconds=90)
    assert parse_bake("1.5h") == timedelta(minutes=90)
