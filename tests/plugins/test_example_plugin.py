"""`plugins/llmops-judge-example` as users get it: installed (`make install` installs it
editable), found through its `llmops_tui` entry point, and judging a case."""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from llmops_tui.cli import cli
from llmops_tui.plugin_api import EvalCase, JudgeInput
from llmops_tui.plugin_manager import load_plugins
from llmops_tui.store import Store
from tests.versions.repo import Repo

DISTRIBUTION = "llmops-judge-example"


def test_the_installed_distribution_is_discovered_through_its_entry_point() -> None:
    try:
        importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - a broken install
        pytest.fail("llmops-judge-example is not installed: run `make install`")
    plugins = load_plugins(load_entrypoints=True, allowlist=[DISTRIBUTION])
    assert plugins.warnings == []
    info = next(i for i in plugins.infos if i.name == DISTRIBUTION)
    assert info.source == "entry point"
    assert info.version == "0.1.0"
    assert info.hooks == ("register_judges",)
    assert info.registered == ("judge:no_pii",)
    assert plugins.judges.owners["no_pii"] == DISTRIBUTION

    judge = plugins.judges.get("no_pii")
    case = EvalCase(case_id="sr-032", vars={}, tags=("billing", "pii"))
    leak = judge.judge(JudgeInput(case, "Your card 4111 1111 1111 1111 is updated.", {}))
    assert not leak.passed
    assert leak.reason == "leaks card '…1111'"
    clean = judge.judge(JudgeInput(case, "Go to Settings → Payment methods.", {}))
    assert clean.passed


def test_the_allowlist_can_leave_it_out() -> None:
    plugins = load_plugins(load_entrypoints=True, allowlist=[])
    assert "no_pii" not in plugins.judges.names()
    assert "contains" in plugins.judges.names()


def test_its_hookimpls_all_name_real_hooks() -> None:
    plugins = load_plugins(load_entrypoints=True, allowlist=[DISTRIBUTION])
    assert plugins.manager.get_plugin(DISTRIBUTION) is not None
    plugins.manager.check_pending()  # raises PluginValidationError for a misspelt hook


SUITE_TOML = """
[project]
name = "pii-suite"

[evals]
provider = "echo"

[evals.suites.leaks]
dataset = "qa"
prompt = "support"
model = "default"
judges = ["no_leaks", "mentions"]

[evals.judges.no_leaks]
type = "no_pii"

[evals.judges.mentions]
type = "contains"
field = "must"
"""

SUITE_CASES = [
    {
        "id": "clean",
        "vars": {"question": "Where do I change my card?"},
        "expected": {"must": ["card"]},
    },
    {
        "id": "leaky",
        "vars": {"question": "My card 4111 1111 1111 1111 was charged twice"},
        "expected": {"must": ["charged"]},
    },
]


def test_a_suite_runs_with_the_installed_judge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The suite names the plugin's judge type like a built-in one; `echo` repeats the
    question, so the case whose question holds a card number leaks it."""
    repo = Repo(tmp_path / "project")
    (repo.root / "llmops.toml").write_text(SUITE_TOML, encoding="utf-8")
    (repo.root / "prompts").mkdir()
    (repo.root / "prompts" / "support.md").write_text("You are a support agent.\n")
    (repo.root / "models").mkdir()
    (repo.root / "models" / "default.yaml").write_text("provider: echo\nmodel: echo-1\n")
    (repo.root / "datasets").mkdir()
    (repo.root / "datasets" / "qa.jsonl").write_text(
        "".join(json.dumps(case) + "\n" for case in SUITE_CASES), encoding="utf-8"
    )
    (repo.root / ".gitignore").write_text(".llmops/\n", encoding="utf-8")
    repo.commit("a suite judged by an installed plugin")
    monkeypatch.chdir(repo.root)
    monkeypatch.delenv("LLMOPS_DB", raising=False)
    monkeypatch.setenv("LLMOPS_LOAD_PLUGINS", DISTRIBUTION)

    result = CliRunner().invoke(cli, ["eval", "run", "--json"], catch_exceptions=False)

    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["summary"]["errors"] == 0
    judges = {j["judge"]: (j["rows"], j["passed"]) for j in report["summary"]["judges"]}
    assert judges == {"no_leaks": (2, 1), "mentions": (2, 2)}
    store = Store(repo.root / ".llmops" / "llmops.duckdb", readonly=True)
    rows = store.evals.results(report["run"]["run_id"]).filter(pl.col("judge") == "no_leaks")
    verdicts = dict(zip(rows["case_id"], rows["passed"], strict=True))
    assert verdicts == {"clean": True, "leaky": False}
    [reason] = rows.filter(pl.col("case_id") == "leaky")["reason"].to_list()
    assert reason == "leaks card '…1111'"
