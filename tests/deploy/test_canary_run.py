"""`canary run` with an injected clock and a scripted analysis: every step recorded, promote on
pass, rollback on fail, hold on marginal, and a re-run continues from the recorded step."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from llmops_tui.deploy.canary_run import CanaryRunner, format_duration
from llmops_tui.deploy.lifecycle import Lifecycle
from llmops_tui.deploy.policies import PolicyError
from llmops_tui.domain.canary_plan import PlanOutcome
from llmops_tui.domain.deploy import CanaryVerdict, DeployAction
from llmops_tui.errors import LlmopsError
from tests.deploy.conftest import Clock, FakeAnalysis, Project

MakeLifecycle = Callable[..., Lifecycle]
PASS, FAIL, MARGINAL = CanaryVerdict.PASS, CanaryVerdict.FAIL, CanaryVerdict.MARGINAL


def _runner(life: Lifecycle, clock: Clock, analysis: FakeAnalysis) -> CanaryRunner:
    return CanaryRunner(life, plan=life.config.canary, analyse=analysis, sleep=clock.sleep)


def _steps(project: Project) -> list[tuple[str, int | None, float | None, str | None]]:
    rows = reversed(project.store.deployments.history("staging"))
    return [
        (d.action.value, d.step, d.canary_percent, d.verdict.value if d.verdict else None)
        for d in rows
        if d.plan_id is not None
    ]


@pytest.fixture
def staged(project: Project, make_lifecycle: MakeLifecycle) -> tuple[Lifecycle, str, str]:
    life = make_lifecycle()
    v1 = life.resolve(project.commits[0]).release_id
    v3 = life.resolve(project.commits[2]).release_id
    life.deploy("staging", v1)
    return life, v1, v3


def test_a_passing_plan_steps_bakes_analyses_and_promotes(
    project: Project, clock: Clock, staged: tuple[Lifecycle, str, str]
) -> None:
    life, v1, v3 = staged
    analysis = FakeAnalysis([PASS])
    report = _runner(life, clock, analysis).run("staging", v3)
    assert report.outcome is PlanOutcome.PROMOTED
    assert report.exit_code == 0
    assert _steps(project) == [
        ("canary", 0, 10.0, None),
        ("analysis", 0, 10.0, "pass"),
        ("canary", 1, 50.0, None),
        ("analysis", 1, 50.0, "pass"),
        ("promote", 2, None, None),
    ]
    # Each step baked its ten minutes, in small slices, before it was analysed.
    assert max(clock.slept) <= 1.0
    for call in analysis.calls:
        assert call["until"] - call["since"] >= timedelta(minutes=10)  # type: ignore[operator]
        assert (call["canary"], call["baseline"], call["min_requests"]) == (v3, v1, 10)
    assert project.store.deployments.state("staging").stable_release == v3
    assert project.store.deployments.open_plan("staging", v3) is None


def test_a_failing_step_rolls_back(
    project: Project, clock: Clock, staged: tuple[Lifecycle, str, str]
) -> None:
    life, v1, v3 = staged
    report = _runner(life, clock, FakeAnalysis([PASS, FAIL])).run("staging", v3)
    assert report.outcome is PlanOutcome.ROLLED_BACK
    assert report.exit_code == 1
    assert _steps(project)[-2:] == [("analysis", 1, 50.0, "fail"), ("rollback", 1, None, None)]
    rollback = project.store.deployments.history("staging")[0]
    assert rollback.reason == "canary analysis failed at 50%: scripted fail"
    state = project.store.deployments.state("staging")
    assert (state.stable_release, state.canary_release) == (v1, None)


def test_a_marginal_step_holds_and_a_rerun_continues_from_it(
    project: Project, clock: Clock, staged: tuple[Lifecycle, str, str]
) -> None:
    life, _, v3 = staged
    held = _runner(life, clock, FakeAnalysis([PASS, MARGINAL])).run("staging", v3)
    assert held.outcome is None
    assert held.exit_code == 1
    state = project.store.deployments.state("staging")
    assert (state.canary_release, state.canary_percent) == (v3, 50.0)
    lines: list[str] = []
    runner = _runner(life, clock, FakeAnalysis([PASS]))
    runner.echo = lines.append
    resumed = runner.run("staging", v3)
    assert resumed.plan.plan_id == held.plan.plan_id
    assert resumed.resumed_from == 1
    assert resumed.outcome is PlanOutcome.PROMOTED
    assert any("traffic already set" in line for line in lines)
    assert _steps(project) == [
        ("canary", 0, 10.0, None),
        ("analysis", 0, 10.0, "pass"),
        ("canary", 1, 50.0, None),  # set once, not again on the re-run
        ("analysis", 1, 50.0, "marginal"),
        ("analysis", 1, 50.0, "pass"),
        ("promote", 2, None, None),
    ]


def test_a_rerun_after_a_crash_mid_bake_only_waits_out_the_rest(
    project: Project, clock: Clock, staged: tuple[Lifecycle, str, str]
) -> None:
    life, _, v3 = staged

    class Crash(Exception):
        pass

    def crash_after(seconds: float) -> Callable[[float], None]:
        budget = [seconds]

        def sleep(s: float) -> None:
            budget[0] -= s
            if budget[0] < 0:
                raise Crash
            clock.sleep(s)

        return sleep

    runner = _runner(life, clock, FakeAnalysis([PASS]))
    runner.sleep = crash_after(240)  # dies four minutes into the first bake
    with pytest.raises(Crash):
        runner.run("staging", v3)
    clock.slept.clear()
    resumed = _runner(life, clock, FakeAnalysis([PASS])).run("staging", v3)
    assert resumed.resumed_from == 0
    assert resumed.outcome is PlanOutcome.PROMOTED
    first_bake = sum(clock.slept) - 600  # the second step bakes its full ten minutes
    assert 300 < first_bake < 360
    assert [a for a, *_ in _steps(project)].count("canary") == 2


def test_a_plan_overtaken_by_a_manual_rollback_starts_anew(
    project: Project, clock: Clock, staged: tuple[Lifecycle, str, str]
) -> None:
    life, _, v3 = staged
    first = _runner(life, clock, FakeAnalysis([MARGINAL])).run("staging", v3)
    life.rollback("staging", reason="by hand")
    again = _runner(life, clock, FakeAnalysis([PASS])).run("staging", v3)
    assert again.plan.plan_id != first.plan.plan_id
    assert again.resumed_from is None
    assert again.outcome is PlanOutcome.PROMOTED


def test_a_plan_needs_a_stable_release(
    project: Project, make_lifecycle: MakeLifecycle, clock: Clock
) -> None:
    life = make_lifecycle()
    with pytest.raises(LlmopsError, match="staging runs no release yet"):
        _runner(life, clock, FakeAnalysis([PASS])).run("staging", "HEAD")
    assert project.store.deployments.history() == []
    assert DeployAction.ANALYSIS.value == "analysis"


def test_a_refused_plan_records_nothing_and_force_overrides_it(
    project: Project, make_lifecycle: MakeLifecycle, clock: Clock
) -> None:
    life = make_lifecycle()
    v1 = life.resolve(project.commits[0]).release_id
    v3 = life.resolve(project.commits[2]).release_id
    life.deploy("staging", v1)
    life = make_lifecycle(gate={v1: True})
    life.deploy("production", v1)
    before = len(project.store.deployments.history())
    with pytest.raises(PolicyError, match="no gate verdict"):
        _runner(life, clock, FakeAnalysis([PASS])).run("production", v3)
    assert project.store.deployments.open_plan("production", v3) is None
    assert len(project.store.deployments.history()) == before
    runner = _runner(life, clock, FakeAnalysis([PASS]))
    runner.force, runner.reason = True, "gate runner is down; INC-9"
    assert runner.run("production", v3).outcome is PlanOutcome.PROMOTED
    first_step = [d for d in project.store.deployments.history("production") if d.step == 0][-1]
    assert first_step.forced
    assert first_step.reason == "gate runner is down; INC-9"


def test_durations_read_like_the_config() -> None:
    assert format_duration(timedelta(minutes=15)) == "15m"
    assert format_duration(timedelta(hours=1, minutes=30)) == "1h30m"
    assert format_duration(timedelta(0)) == "0s"


def test_a_plan_killed_after_its_promotion_is_closed_by_the_rerun(
    project: Project,
    clock: Clock,
    staged: tuple[Lifecycle, str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    life, _, v3 = staged
    deployments = project.store.deployments
    real_finish = deployments.finish_plan

    def killed(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(deployments, "finish_plan", killed)
    with pytest.raises(KeyboardInterrupt):
        _runner(life, clock, FakeAnalysis([PASS])).run("staging", v3)
    monkeypatch.setattr(deployments, "finish_plan", real_finish)
    rows = len(deployments.history())
    again = _runner(life, clock, FakeAnalysis([PASS])).run("staging", v3)
    assert again.outcome is PlanOutcome.PROMOTED
    assert len(deployments.history()) == rows  # nothing done twice
    assert deployments.open_plan("staging", v3) is None
