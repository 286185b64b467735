"""A git project with three releases and two environments, a fake clock and a fake canary
analysis (the real statistics are tested on their own)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from llmops_tui.deploy.config import load_deploy_config
from llmops_tui.deploy.lifecycle import Lifecycle
from llmops_tui.domain.deploy import CanaryAnalysis, CanaryThresholds, CanaryVerdict
from llmops_tui.plugin_manager import Plugins, load_plugins
from llmops_tui.store import Store
from tests.versions.repo import Repo

CONFIG = """\
[project]
name = "t"

[environments.staging]
target = "file"
require_gate = false

[environments.production]
target = "file"
after = "staging"

[canary]
steps = [10, 50, 100]
bake = "10m"
min_requests = 10
"""

START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@dataclass
class Clock:
    """`now` moves a millisecond per look (rows get distinct times); `sleep` moves it on."""

    at: datetime = START
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> datetime:
        self.at += timedelta(milliseconds=1)
        return self.at

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.at += timedelta(seconds=seconds)


@dataclass
class Project:
    repo: Repo
    commits: list[str]
    """The commits of support v1, v2, v3, oldest first: three releases."""

    @property
    def root(self) -> Path:
        return self.repo.root

    @property
    def store(self) -> Store:
        return self.repo.store


@pytest.fixture
def project(tmp_path: Path) -> Project:
    repo = Repo(tmp_path / "proj")
    repo.write("llmops.toml", CONFIG)
    commits = [
        repo.commit(f"support v{n}", {"prompts/support.md": f"You are support agent, take {n}.\n"})
        for n in (1, 2, 3)
    ]
    repo.sync()
    return Project(repo, commits)


@pytest.fixture
def clock() -> Clock:
    return Clock()


GateAnswers = dict[str, bool]


@pytest.fixture
def make_lifecycle(project: Project, clock: Clock) -> Callable[..., Lifecycle]:
    def make(gate: GateAnswers | None = None, plugins: Plugins | None = None) -> Lifecycle:
        answers = gate if gate is not None else {}
        config = load_deploy_config(project.repo.project)
        return Lifecycle(
            project.store,
            project.repo.project,
            config,
            plugins or load_plugins(load_entrypoints=False),
            actor="tester",
            now=clock,
            gate=lambda release_id: answers.get(release_id),
        )

    return make


@dataclass
class FakeAnalysis:
    """Returns the scripted verdicts in order (the last one repeats) and logs each call."""

    verdicts: list[CanaryVerdict]
    calls: list[dict[str, object]] = field(default_factory=list)

    def __call__(
        self,
        store: Store,
        *,
        environment: str,
        canary_release: str,
        baseline_release: str,
        since: datetime,
        until: datetime,
        thresholds: CanaryThresholds,
    ) -> CanaryAnalysis:
        self.calls.append(
            {
                "canary": canary_release,
                "baseline": baseline_release,
                "since": since,
                "until": until,
                "min_requests": thresholds.min_requests,
            }
        )
        verdict = self.verdicts[min(len(self.calls), len(self.verdicts)) - 1]
        return CanaryAnalysis(
            environment=environment,
            canary_release=canary_release,
            baseline_release=baseline_release,
            window_start=since,
            window_end=until,
            baseline_requests=500,
            canary_requests=60,
            checks=(),
            score={"pass": 100.0, "marginal": 80.0, "fail": 40.0}.get(verdict.value),
            verdict=verdict,
            reason=f"scripted {verdict.value}",
        )
