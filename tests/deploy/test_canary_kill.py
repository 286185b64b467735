"""Done when: a `llmops canary run` killed mid-plan (SIGKILL) is continued by a re-run from its
recorded step. The analysis is a scripted stand-in installed by a wrapper script, so the test
doesn't depend on traffic: the first run's second analysis hangs, and the test kills it there."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from llmops_tui.deploy.lifecycle import Lifecycle
from llmops_tui.domain.deploy import DeployAction
from llmops_tui.store import Store
from tests.deploy.conftest import Project

WRAPPER = """\
import os, sys, time, types
from llmops_tui.domain.deploy import CanaryAnalysis, CanaryVerdict

script = os.environ["FAKE_ANALYSIS"].split(",")
calls = []

def analyse_canary(store, *, environment, canary_release, baseline_release, since, until,
                   thresholds):
    calls.append(1)
    what = script[min(len(calls), len(script)) - 1]
    if what == "hang":
        time.sleep(3600)
    return CanaryAnalysis(environment, canary_release, baseline_release, since, until, 400, 90,
                          (), 100.0, CanaryVerdict.PASS, "scripted pass")

module = types.ModuleType("llmops_tui.deploy.analysis")
module.analyse_canary = analyse_canary
sys.modules["llmops_tui.deploy.analysis"] = module
from llmops_tui.cli import main
sys.argv = ["llmops", *sys.argv[1:]]
main()
"""


def _llmops(project: Project, script: str, *args: str) -> subprocess.Popen[str]:
    wrapper = project.root.parent / "llmops_fake_analysis.py"
    wrapper.write_text(WRAPPER)
    env = {**os.environ, "FAKE_ANALYSIS": script, "LLMOPS_USER": "ci-bot"}
    return subprocess.Popen(
        [sys.executable, str(wrapper), *args],
        cwd=project.root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _plan_rows(store: Store) -> list[tuple[str, int | None]]:
    rows = reversed(store.deployments.history("staging"))
    return [(d.action.value, d.step) for d in rows if d.plan_id is not None]


def test_a_killed_canary_run_is_continued_from_its_recorded_step(
    project: Project, make_lifecycle: Callable[..., Lifecycle]
) -> None:
    life = make_lifecycle()
    life.deploy("staging", project.commits[0])
    release = life.resolve("HEAD").release_id
    reader = Store(project.store.path, readonly=True)

    first = _llmops(project, "pass,hang", "canary", "run", "staging", "HEAD", "--bake", "0s")
    deadline = time.monotonic() + 120
    while (DeployAction.CANARY.value, 1) not in _plan_rows(reader):
        assert first.poll() is None, first.communicate()[0]
        assert time.monotonic() < deadline, "the canary never reached its second step"
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert first.returncode == -signal.SIGKILL
    killed_at = _plan_rows(reader)
    assert killed_at == [("canary", 0), ("analysis", 0), ("canary", 1)]
    state = reader.deployments.state("staging")
    assert (state.canary_release, state.canary_percent) == (release, 50.0)

    second = _llmops(project, "pass", "canary", "run", "staging", "HEAD", "--bake", "0s")
    output, _ = second.communicate(timeout=120)
    assert second.returncode == 0, output
    assert "resuming plan" in output
    assert "at step 2" in output
    assert "step 2/2 (50%): traffic already set" in output
    assert _plan_rows(reader) == [
        ("canary", 0),
        ("analysis", 0),
        ("canary", 1),
        ("analysis", 1),
        ("promote", 2),
    ]
    final = reader.deployments.state("staging")
    assert (final.stable_release, final.canary_release) == (release, None)
    assert reader.deployments.history("staging")[0].actor == "ci-bot"
    assert Path(project.root / "deploy" / "staging.json").is_file()
