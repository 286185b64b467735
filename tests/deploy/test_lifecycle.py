"""Deploy, canary, promote and rollback through the real `file` target and store."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from types import SimpleNamespace
from typing import cast

import pytest

from llmops_tui.deploy.lifecycle import DeployFailedError, Lifecycle, ReadonlyError
from llmops_tui.deploy.policies import PolicyError
from llmops_tui.domain.comparison import Comparison, GateResult
from llmops_tui.domain.deploy import DeployAction, DeployStatus
from llmops_tui.errors import LlmopsError
from llmops_tui.plugin_api import DeployError, hookimpl
from llmops_tui.plugin_manager import load_plugins
from llmops_tui.store import Store
from tests.deploy.conftest import Clock, Project

MakeLifecycle = Callable[..., Lifecycle]


def _ids(life: Lifecycle, project: Project) -> list[str]:
    return [life.resolve(sha).release_id for sha in project.commits]


def _file(project: Project, env: str) -> dict[str, object]:
    data = json.loads((project.root / "deploy" / f"{env}.json").read_text())
    assert isinstance(data, dict)
    return data


def test_deploy_writes_the_file_and_records_who_when_why(
    project: Project, make_lifecycle: MakeLifecycle
) -> None:
    life = make_lifecycle()
    v1, v2, _ = _ids(life, project)
    first = life.deploy("staging", project.commits[0], reason="first")
    second = life.deploy("staging", v2)
    assert first.deployment is not None
    assert second.deployment is not None
    assert second.deployment.previous_release_id == v1
    assert second.deployment.actor == "tester"
    data = _file(project, "staging")
    assert data["release"] == v2
    assert data["traffic"] == [{"release": v2, "percent": 100.0}]
    assert data["artifacts"] == {"prompt/support": "v2"}
    assert data["actor"] == "tester"
    history = project.store.deployments.history("staging")
    assert [(d.action, d.release_id, d.reason) for d in history] == [
        (DeployAction.DEPLOY, v2, None),
        (DeployAction.DEPLOY, v1, "first"),
    ]
    state = project.store.deployments.state("staging")
    assert (state.stable_release, state.canary_release) == (v2, None)


def test_deploying_the_active_release_again_records_nothing(
    project: Project, make_lifecycle: MakeLifecycle
) -> None:
    life = make_lifecycle()
    life.deploy("staging", "HEAD")
    before = (project.root / "deploy" / "staging.json").read_text()
    again = life.deploy("staging", "HEAD")
    assert again.deployment is None
    assert "already runs" in again.message
    assert "nothing recorded" in again.message
    assert len(project.store.deployments.history("staging")) == 1
    assert (project.root / "deploy" / "staging.json").read_text() == before


def test_production_only_after_staging_and_with_a_passed_gate(
    project: Project, make_lifecycle: MakeLifecycle
) -> None:
    life = make_lifecycle()
    v1 = _ids(life, project)[0]
    with pytest.raises(PolicyError, match=f"no gate verdict for release {v1}.*not been deployed"):
        life.deploy("production", v1)
    life = make_lifecycle(gate={v1: False})
    life.deploy("staging", v1)
    with pytest.raises(PolicyError, match="the gate failed") as refused:
        life.deploy("production", v1)
    assert refused.value.exit_code == 1
    assert project.store.deployments.history("production") == []
    assert not (project.root / "deploy" / "production.json").exists()
    make_lifecycle(gate={v1: True}).deploy("production", v1)
    assert project.store.deployments.state("production").stable_release == v1


def test_the_gate_policy_reads_recorded_gate_verdicts(
    project: Project, make_lifecycle: MakeLifecycle, clock: Clock
) -> None:
    life = make_lifecycle()
    life.gate = None  # the real lookup: store.gates.latest
    v1 = _ids(life, project)[0]
    life.deploy("staging", v1)
    runs = SimpleNamespace(
        candidate=SimpleNamespace(run_id="c"), baseline=SimpleNamespace(run_id="b")
    )
    result = GateResult(True, (), cast(Comparison, runs), v1, None)
    project.store.gates.record(result, created_at=clock(), created_by="ci")
    assert life.deploy("production", v1).deployment is not None


def test_force_overrides_a_policy_and_is_recorded_but_needs_a_reason(
    project: Project, make_lifecycle: MakeLifecycle
) -> None:
    life = make_lifecycle()
    with pytest.raises(LlmopsError, match="--force needs --reason"):
        life.deploy("production", "HEAD", force=True)
    assert project.store.deployments.history() == []
    done = life.deploy("production", "HEAD", force=True, reason="hotfix for INC-7")
    assert done.deployment is not None
    assert done.deployment.forced
    assert done.deployment.reason == "hotfix for INC-7"
    assert "forced over: no gate verdict" in done.deployment.detail


def test_canary_promote_and_rollback_move_the_traffic(
    project: Project, make_lifecycle: MakeLifecycle
) -> None:
    life = make_lifecycle()
    v1, v2, v3 = _ids(life, project)
    life.deploy("staging", v1)
    life.canary("staging", v2, 10)
    assert _file(project, "staging")["traffic"] == [
        {"release": v1, "percent": 90.0},
        {"release": v2, "percent": 10.0},
    ]
    assert life.canary("staging", v2, 10).deployment is None  # a repeat
    life.canary("staging", v2, 50)
    state = project.store.deployments.state("staging")
    assert (state.stable_release, state.canary_release, state.canary_percent) == (v1, v2, 50.0)
    with pytest.raises(LlmopsError, match=r"a canary of release .* is in progress"):
        life.canary("staging", v3, 10)
    with pytest.raises(LlmopsError, match="promote or roll it back first"):
        life.deploy("staging", v3)
    promoted = life.promote("staging")
    assert promoted.deployment is not None
    assert promoted.deployment.previous_release_id == v1
    assert _file(project, "staging")["traffic"] == [{"release": v2, "percent": 100.0}]
    with pytest.raises(LlmopsError, match="nothing to promote"):
        life.promote("staging")
    # A rollback during a canary ends it; the stable release stays.
    life.canary("staging", v3, 10)
    ended = life.rollback("staging", reason="looks slow")
    assert ended.deployment is not None
    assert (ended.deployment.release_id, ended.deployment.previous_release_id) == (v2, v3)
    state = project.store.deployments.state("staging")
    assert (state.stable_release, state.canary_release) == (v2, None)


def test_rollback_goes_back_to_what_the_current_release_replaced(
    project: Project, make_lifecycle: MakeLifecycle
) -> None:
    life = make_lifecycle()
    v1, v2, v3 = _ids(life, project)
    for release in (v1, v2, v3):
        life.deploy("staging", release)
    back = life.rollback("staging", reason="bad answers")
    assert back.deployment is not None
    assert (back.deployment.release_id, back.deployment.previous_release_id) == (v2, v3)
    assert back.deployment.reason == "bad answers"
    # As `kubectl rollout undo`: undoing again returns to the release the rollback replaced.
    assert life.rollback("staging").deployment is not None
    assert project.store.deployments.state("staging").stable_release == v3
    assert life.rollback("staging", to=v1).deployment is not None
    assert _file(project, "staging")["release"] == v1
    assert life.rollback("staging", to=v1).deployment is None


def test_nothing_to_roll_back_to_changes_nothing(
    project: Project, make_lifecycle: MakeLifecycle
) -> None:
    life = make_lifecycle()
    with pytest.raises(LlmopsError, match=r"^nothing to roll back to: staging has never been"):
        life.rollback("staging")
    life.deploy("staging", "HEAD")
    with pytest.raises(LlmopsError, match=r"^nothing to roll back to: staging has only ever run"):
        life.rollback("staging")
    with pytest.raises(LlmopsError, match="never ran in staging"):
        life.rollback("staging", to="HEAD~2")
    assert len(project.store.deployments.history()) == 1


def test_a_failing_target_keeps_the_previous_release_and_records_the_failure(
    project: Project, make_lifecycle: MakeLifecycle
) -> None:
    class Broken:
        name = "broken"
        description = "always fails"

        def deploy(self, request: object) -> object:
            raise DeployError("the load balancer said no")

    class Plugin:
        @hookimpl
        def register_deploy_targets(self, register: Callable[[object], None]) -> None:
            register(Broken())

    life = make_lifecycle(plugins=load_plugins(load_entrypoints=False, extra=[("b", Plugin())]))
    v1, v2, _ = _ids(life, project)
    life.deploy("staging", v1)
    # The environment's target, swapped for the broken one (the config is frozen).
    staging = replace(life.config.environments["staging"], target="broken")
    life.config = replace(
        life.config, environments={**life.config.environments, "staging": staging}
    )
    with pytest.raises(DeployFailedError, match="the load balancer said no; staging is unchanged"):
        life.deploy("staging", v2)
    failed = project.store.deployments.history("staging")[0]
    assert (failed.status, failed.release_id, failed.detail) == (
        DeployStatus.FAILED,
        v2,
        "the load balancer said no",
    )
    assert project.store.deployments.state("staging").stable_release == v1


def test_release_deployed_is_notified_after_a_success(
    project: Project, make_lifecycle: MakeLifecycle
) -> None:
    seen: list[tuple[str, str, bool]] = []

    class Listener:
        @hookimpl
        def release_deployed(self, request: object, outcome: object) -> None:
            seen.append((request.environment, request.action, outcome.changed))  # type: ignore[attr-defined]

    plugins = load_plugins(load_entrypoints=False, extra=[("listener", Listener())])
    make_lifecycle(plugins=plugins).deploy("staging", "HEAD")
    assert seen == [("staging", "deploy", True)]


def test_readonly_and_unknown_environment_are_refused_up_front(
    project: Project, make_lifecycle: MakeLifecycle
) -> None:
    life = make_lifecycle()
    with pytest.raises(LlmopsError, match=r"unknown environment 'prod'; .* production, staging"):
        life.deploy("prod", "HEAD")
    life.store = Store(project.store.path, readonly=True)
    with pytest.raises(ReadonlyError, match="--readonly: rollback staging refused"):
        life.rollback("staging")
