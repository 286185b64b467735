"""`llmops stats` agrees with an independent computation over the demo's own files."""

from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from llmops_tui.cli import cli
from llmops_tui.config import load_project
from llmops_tui.demo.workspace import DemoWorkspace
from llmops_tui.domain.metrics import StatsGrouping
from llmops_tui.pricing import Pricer, TokenUsage
from llmops_tui.store import Store


@dataclass
class Group:
    durations: list[float] = field(default_factory=list)
    errors: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached: int = 0
    cost: Decimal = Decimal(0)
    unpriced: int = 0
    feedback: list[float] = field(default_factory=list)


def _value(v: dict[str, Any]) -> Any:
    if "intValue" in v:
        return int(v["intValue"])
    return next(iter(v.values()))


def _independent(workspace: DemoWorkspace) -> dict[str, Group]:
    """Walk the OTLP files with plain json and price each call with `Pricer.price`."""
    pricer = Pricer(load_project(workspace.root).price_overrides)
    groups: dict[str, Group] = defaultdict(Group)
    for path in workspace.traffic.files:
        for line in path.read_text().splitlines():
            for rs in json.loads(line)["resourceSpans"]:
                resource = {a["key"]: _value(a["value"]) for a in rs["resource"]["attributes"]}
                for ss in rs["scopeSpans"]:
                    for span in ss["spans"]:
                        attrs = {a["key"]: _value(a["value"]) for a in span["attributes"]}
                        if "gen_ai.request.model" not in attrs:
                            continue
                        g = groups[resource["deployment.environment.name"]]
                        start, end = int(span["startTimeUnixNano"]), int(span["endTimeUnixNano"])
                        g.durations.append((end // 1000 - start // 1000) / 1000)
                        g.errors += span.get("status", {}).get("code") == 2
                        usage = TokenUsage(
                            input_tokens=attrs.get("gen_ai.usage.input_tokens", 0),
                            output_tokens=attrs.get("gen_ai.usage.output_tokens", 0),
                            cache_read_tokens=attrs.get("gen_ai.usage.cache_read.input_tokens", 0),
                            cache_write_tokens=attrs.get(
                                "gen_ai.usage.cache_creation.input_tokens", 0
                            ),
                            reasoning_tokens=attrs.get("gen_ai.usage.reasoning.output_tokens", 0),
                        )
                        g.input_tokens += usage.input_tokens
                        g.output_tokens += usage.output_tokens
                        g.cached += usage.cache_read_tokens
                        at = datetime.fromtimestamp(start / 1e9, UTC).replace(tzinfo=None)
                        cost = None
                        for model in (
                            attrs.get("gen_ai.response.model"),
                            attrs["gen_ai.request.model"],
                        ):
                            if cost is None and model:
                                cost = pricer.price(
                                    attrs.get("gen_ai.provider.name"), model, at, usage
                                )
                        if cost is None:
                            g.unpriced += 1
                        else:
                            g.cost += cost
                        for event in span.get("events", []):
                            if event["name"] == "gen_ai.evaluation.result":
                                e = {a["key"]: _value(a["value"]) for a in event["attributes"]}
                                g.feedback.append(float(e["gen_ai.evaluation.score.value"]))
    return groups


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def test_stats_by_environment_match_an_independent_computation(
    demo_build: DemoWorkspace,
) -> None:
    expected = _independent(demo_build)
    rows = Store(demo_build.database, readonly=True).metrics.stats(
        since=None,
        until=demo_build.traffic.end.replace(tzinfo=None),
        environment=None,
        grouping=StatsGrouping.ENV,
    )
    assert {r.group for r in rows} == set(expected) == {"production", "staging", "development"}
    for row in rows:
        g = expected[row.group]
        assert row.requests == len(g.durations)
        assert row.errors == g.errors
        assert row.p50_ms == pytest.approx(_quantile(g.durations, 0.5), abs=0.01)
        assert row.p95_ms == pytest.approx(_quantile(g.durations, 0.95), abs=0.01)
        assert row.p99_ms == pytest.approx(_quantile(g.durations, 0.99), abs=0.01)
        assert (row.input_tokens, row.output_tokens, row.cached_tokens) == (
            g.input_tokens,
            g.output_tokens,
            g.cached,
        )
        assert row.cost_usd == pytest.approx(float(g.cost), rel=1e-9)
        assert row.unpriced == g.unpriced
        assert row.feedback_count == len(g.feedback)
        if g.feedback:
            assert row.feedback_mean == pytest.approx(sum(g.feedback) / len(g.feedback))
    production = expected["production"]
    assert production.unpriced > 0  # the demo's unknown model stays unpriced, not $0
    assert production.errors > 0


def test_the_incident_shows_in_stats_by_prompt(demo_build: DemoWorkspace) -> None:
    t = demo_build.traffic
    store = Store(demo_build.database, readonly=True)

    def error_rate(since: datetime, until: datetime) -> float:
        (row,) = [
            r
            for r in store.metrics.stats(
                since=since.replace(tzinfo=None),
                until=until.replace(tzinfo=None),
                environment="production",
                grouping=StatsGrouping.PROMPT,
            )
            if r.group == f"support@{t.incident_prompt_version}"
        ]
        return row.error_rate

    during = error_rate(t.incident_start, t.incident_end)
    after = error_rate(t.incident_end, t.end)
    assert during > 3 * after


def test_stats_cli_json_and_table(demo_build: DemoWorkspace, tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(demo_build.database)
    result = runner.invoke(cli, ["--db", db, "stats", "--since", "all", "--by", "model", "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    models = {r["group"]: r for r in data["rows"]}
    assert "acme-experimental-7b" in models
    assert models["acme-experimental-7b"]["cost_usd"] is None
    assert models["acme-experimental-7b"]["unpriced"] == models["acme-experimental-7b"]["requests"]
    assert models["acme-ft-support-v2"]["cost_usd"] > 0  # priced by the llmops.toml override

    result = runner.invoke(cli, ["--db", db, "stats", "--since", "all", "--env", "staging"])
    assert result.exit_code == 0
    assert result.stdout.startswith("model calls all time, environment staging")
    assert "p95" in result.stdout

    result = runner.invoke(cli, ["--db", db, "stats", "--since", "yesterday"])
    assert result.exit_code == 2
    assert "--since: expected a duration" in result.stderr
    assert os.path.exists(db)
