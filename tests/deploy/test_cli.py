"""The lifecycle commands' exit codes and one-line errors, through click."""

from __future__ import annotations

import json
import sys
import types

import pytest
from click.testing import CliRunner

from llmops_tui.cli import cli
from llmops_tui.domain.deploy import CanaryVerdict
from tests.deploy.conftest import FakeAnalysis, Project


@pytest.fixture
def here(project: Project, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.chdir(project.root)
    monkeypatch.setenv("LLMOPS_USER", "ann")
    return project


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_deploy_canary_promote_rollback_and_the_history(here: Project) -> None:
    code, out, _ = run("deploy", "staging", "HEAD~2", "--reason", "first")
    assert code == 0
    assert out.startswith("deployed release ")
    assert "wrote deploy/staging.json" in out
    code, out, _ = run("deploy", "staging", "HEAD~2")
    assert (code, "nothing recorded" in out) == (0, True)
    code, out, _ = run("canary", "staging", "HEAD", "--percent", "25")
    assert code == 0
    assert "sends 25% to release" in out
    code, out, _ = run("promote", "staging")
    assert code == 0
    code, out, _ = run("rollback", "staging", "--reason", "slow answers")
    assert code == 0
    assert out.startswith("rolled staging back to release ")
    code, out, _ = run("deployments", "--env", "staging")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["when", "(UTC)", "env"]
    assert [line.split()[3] for line in lines[1:]] == ["rollback", "promote", "canary", "deploy"]
    assert "slow answers" in lines[1]
    code, out, _ = run("deployments", "--json")
    rows = json.loads(out)
    assert [r["action"] for r in rows] == ["rollback", "promote", "canary", "deploy"]
    assert rows[2]["canary_percent"] == 25.0
    assert {r["actor"] for r in rows} == {"ann"}
    assert rows[0]["reason"] == "slow answers"


def test_rollback_refusals_are_one_line_and_change_nothing(here: Project) -> None:
    code, _out, err = run("--readonly", "rollback", "staging")
    assert code == 2
    assert err == "error: --readonly: rollback staging refused; nothing was changed\n"
    code, _, err = run("rollback", "nowhere")
    assert code == 2
    assert err.splitlines()[0] == (
        "error: unknown environment 'nowhere'; llmops.toml declares: production, staging"
    )
    code, _, err = run("rollback", "staging")
    assert code == 2
    assert err == "error: nothing to roll back to: staging has never been deployed\n"
    run("deploy", "staging", "HEAD")
    code, _, err = run("rollback", "staging")
    assert code == 2
    assert err.startswith("error: nothing to roll back to: staging has only ever run release")
    assert len(err.splitlines()) == 1
    assert len(here.store.deployments.history()) == 1
    code, _, err = run("--readonly", "deploy", "staging", "HEAD~1")
    assert code == 2
    assert len(here.store.deployments.history()) == 1


def test_policy_refusal_exits_1_and_force_needs_a_reason(here: Project) -> None:
    code, _, err = run("deploy", "production", "HEAD")
    assert code == 1
    assert "refused: no gate verdict for release" in err
    assert "hint:" in err
    code, _, err = run("deploy", "production", "HEAD", "--force")
    assert code == 2
    assert "--force needs --reason" in err
    code, _out, _ = run("deploy", "production", "HEAD", "--force", "--reason", "INC-7 hotfix")
    assert code == 0
    [row] = json.loads(run("deployments", "--json")[1])
    assert (row["forced"], row["reason"]) == (True, "INC-7 hotfix")


def test_canary_group_takes_an_environment_or_a_subcommand(here: Project) -> None:
    code, _, err = run("canary", "staging", "HEAD", "--percent", "150")
    assert code == 2
    assert "150" in err
    code, out, _ = run("canary", "status", "staging")
    assert (code, out) == (0, "staging: no canary in progress\n")
    code, out, _ = run("canary", "status", "staging", "--json")
    assert json.loads(out)["canary_release"] is None
    code, _, err = run("canary", "status", "prod")
    assert code == 2
    assert "unknown environment 'prod'" in err
    code, out, _ = run("canary", "--help")
    assert code == 0
    assert "canary status ENV" in out
    code, _, err = run("canary", "staging", "HEAD", "--percent", "10")
    assert code == 2
    assert "staging runs no release yet" in err
    assert run("--readonly", "canary", "run", "staging", "HEAD")[0] == 2


def test_deploying_a_bad_ref_is_one_line(here: Project) -> None:
    code, _, err = run("deploy", "staging", "no-such-ref")
    assert code == 2
    assert err.startswith("error: unknown reference 'no-such-ref'")


def test_canary_status_analyses_the_canary_since_it_started(
    here: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    analysis = FakeAnalysis([CanaryVerdict.FAIL])
    module = types.ModuleType("llmops_tui.deploy.analysis")
    module.analyse_canary = analysis  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "llmops_tui.deploy.analysis", module)
    run("deploy", "staging", "HEAD~1")
    run("canary", "staging", "HEAD", "--percent", "10")
    run("canary", "staging", "HEAD", "--percent", "40")
    code, out, _ = run("canary", "status", "staging")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("staging: canary release ")
    assert "on 40% since" in lines[0]
    assert lines[1] == "verdict: fail (score 40/100): scripted fail"
    assert lines[2] == "requests: baseline 500, canary 60"
    started = here.store.deployments.history("staging")[1].created_at  # the 10% step
    assert analysis.calls[0]["since"] == started
    code, out, _ = run("canary", "status", "staging", "--json")
    data = json.loads(out)
    assert code == 1
    assert data["canary_percent"] == 40.0
    assert data["analysis"]["verdict"] == "fail"
    assert here.store.deployments.history("staging")[0].action.value == "canary"  # unchanged
