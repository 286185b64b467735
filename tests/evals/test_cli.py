"""`llmops eval run/runs/show` on a git project whose plugins come from `plugins = [...]`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from llmops_tui.cli import cli
from tests.evals.conftest import TOML, write_project
from tests.versions.repo import Repo

PLUGIN = """
from llmops_tui.plugin_api import hookimpl
from tests.evals.conftest import ContainsAll, FakeProvider, MaxWords, Mentions, Rubric


@hookimpl
def register_providers(register):
    register(FakeProvider())


@hookimpl
def register_judges(register):
    for judge in (ContainsAll(), MaxWords(), Mentions(), Rubric()):
        register(judge)
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    repo = Repo(tmp_path / "project")
    write_project(repo.root, toml=f'plugins = ["eval_test_plugin"]\n{TOML}')
    (repo.root / ".gitignore").write_text(".llmops/\n", encoding="utf-8")
    repo.commit("eval project")
    plugin_dir = tmp_path / "plugins"
    plugin_dir.mkdir()
    (plugin_dir / "eval_test_plugin.py").write_text(PLUGIN, encoding="utf-8")
    monkeypatch.syspath_prepend(str(plugin_dir))
    monkeypatch.chdir(repo.root)
    return repo


@pytest.fixture
def project(repo: Repo) -> Path:
    return repo.root


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_eval_run_json_then_runs_and_show(project: Path) -> None:
    code, out, err = run("eval", "run", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["run"]["status"] == "finished"
    assert report["run"]["release_ref"] == "HEAD"
    assert report["run"]["prompt"] == "support"
    assert report["run"]["prompt_version"] == 1
    summary = report["summary"]
    assert (summary["answers"], summary["errors"], summary["passed_all"]) == (4, 0, 4)
    assert summary["cost_usd"] == pytest.approx(0.008)
    assert {j["judge"]: (j["rows"], j["pass_rate"]) for j in summary["judges"]} == {
        "has_words": (4, 1.0),
        "says_bulk": (1, 1.0),
        "short": (4, 1.0),
    }
    run_id = report["run"]["run_id"]

    code, out, _ = run("eval", "runs", "--release", "HEAD", "--json")
    assert code == 0
    assert [r["run_id"] for r in json.loads(out)] == [run_id]

    code, out, _ = run("eval", "show", run_id[:6], "--json")
    shown = json.loads(out)
    assert shown["run"]["run_id"] == run_id
    assert shown["failing"] == []

    code, out, _ = run("eval", "show", run_id)
    assert code == 0
    assert "has_words" in out
    assert "100.0%" in out


def test_eval_run_text_summary_and_a_cached_rerun(project: Path) -> None:
    run("eval", "run")
    code, out, _ = run("eval", "run", "--suite", "qa")
    assert code == 0
    assert "4 cached" in out
    assert "short" in out


def test_user_errors_are_one_line_with_exit_2(project: Path) -> None:
    code, _, err = run("eval", "run", "--suite", "nope")
    assert code == 2
    assert err.splitlines()[0] == "error: llmops.toml: [evals]: unknown suite 'nope' (suites: qa)"
    code, _, err = run("eval", "run", "--release", "no-such-ref")
    assert code == 2
    assert "unknown reference 'no-such-ref'" in err
    code, _, err = run("eval", "show", "zzzzzz")
    assert code == 2
    assert "unknown eval run 'zzzzzz'" in err


def test_a_new_commit_is_registered_before_it_is_evaluated(repo: Repo) -> None:
    run("eval", "run")
    repo.write("prompts/support.md", "Short now, {{ name }}.\n")
    code, out, _ = run("eval", "run", "--release", "working", "--json")
    assert json.loads(out)["run"]["prompt_version"] == 0  # the working version
    repo.commit("support: shorter")
    code, out, err = run("eval", "run", "--json")
    assert code == 0, err
    assert json.loads(out)["run"]["prompt_version"] == 2
