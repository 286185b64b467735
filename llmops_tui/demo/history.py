"""The demo workspace's git history, replayed from `sample_project/history/`, and its labels.

The sample project keeps earlier versions of its prompts and configs as plain files
(`history/README.md` lists them with their commit messages). The demo turns them into real
commits in the workspace, dated from the traffic's own schedule: each support-prompt version
is committed a few hours before it first takes traffic (development gets it first), so the
Versions screen's commits, the traces' `llmops.prompt.version` and the rollouts line up.
Labels then follow the rollouts: `staging` and `production` move with each release, `canary`
marks the 30% canary of v4, and a custom `baseline` marks the eval baseline.

Everything is computed from the traffic summary, so the same end time gives the same commit
ids (author and committer dates are both set).
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from llmops_tui.config import ProjectConfig
from llmops_tui.demo.traffic import TrafficSummary
from llmops_tui.domain.versions import ArtifactKind
from llmops_tui.store import Store
from llmops_tui.versions.git import commit_all, init_repository
from llmops_tui.versions.sync import SyncReport, sync

AUTHORS = {
    "maya": ("Maya Okafor", "maya@acme.example"),
    "lukas": ("Lukas Brandt", "lukas@acme.example"),
    "priya": ("Priya Raman", "priya@acme.example"),
}
RELEASE_BOT = "release-bot"
GITIGNORE = ".llmops/\ntraces/\n.llmops-demo\n"

CURRENT = {
    "support": "prompts/support.md",
    "triage": "prompts/triage.yaml",
    "default": "models/default.yaml",
    "kb": "retrieval/kb.yaml",
}
"""Each replayed artifact's file in the project (its newest version)."""


@dataclass(frozen=True, slots=True)
class Step:
    """One commit: files to write (project path -> sample-project source) and who, when."""

    at: datetime
    message: str
    author: str
    files: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class DemoLabel:
    kind: ArtifactKind
    name: str
    label: str
    version: int
    at: datetime
    reason: str


def _first_rollout(traffic: TrafficSummary, environment: str, version: str) -> datetime:
    return min(
        r.at
        for r in traffic.rollouts
        if r.environment == environment and r.prompt_version == version
    )


def plan(traffic: TrafficSummary) -> list[Step]:
    """The commits, oldest first (see `sample_project/history/README.md`)."""
    start = traffic.start.replace(tzinfo=None, second=0, microsecond=0)
    dev = {
        v: _first_rollout(traffic, "development", v).replace(tzinfo=None)
        for v in ("v2", "v3", "v4")
    }
    lead = timedelta(hours=3)
    return [
        Step(
            start - timedelta(days=20),
            "Initial llmops project: model and retrieval configs, regression dataset",
            "maya",
            {
                "models/default.yaml": "history/default.v1.yaml",
                "retrieval/kb.yaml": "history/kb.v1.yaml",
            },
        ),
        Step(
            start - timedelta(days=18),
            "Add support assistant prompt",
            "maya",
            {"prompts/support.md": "history/support.v1.md"},
        ),
        Step(
            start - timedelta(days=16),
            "Add email triage prompt",
            "lukas",
            {"prompts/triage.yaml": "history/triage.v1.yaml"},
        ),
        Step(
            start - timedelta(days=12),
            "models: gpt-4o-mini at temperature 0.3 for the support agent",
            "priya",
            {"models/default.yaml": CURRENT["default"]},
        ),
        Step(
            start - timedelta(days=6),
            "retrieval: rerank to the top 2 of 5 candidates",
            "priya",
            {"retrieval/kb.yaml": CURRENT["kb"]},
        ),
        Step(
            dev["v2"] - lead,
            "support: tone, refund limit and escalation rules",
            "maya",
            {"prompts/support.md": "history/support.v2.md"},
        ),
        Step(
            dev["v2"] + (dev["v3"] - dev["v2"]) / 2,
            "triage: damaged_item category, priorities, needs_human",
            "lukas",
            {"prompts/triage.yaml": CURRENT["triage"]},
        ),
        Step(
            dev["v3"] - lead,
            "support: order lookup tool, shorter answers, cite articles",
            "maya",
            {"prompts/support.md": "history/support.v3.md"},
        ),
        Step(
            dev["v4"] - lead,
            "support: plan-specific policies and real return deadlines",
            "maya",
            {"prompts/support.md": CURRENT["support"]},
        ),
    ]


def replay(root: Path, steps: list[Step], *, sample: Path) -> None:
    """Turn `root` (a fresh copy of the sample project) into a git repository with `steps`
    as its history; afterwards its working tree is the sample project's current files."""
    shutil.rmtree(root / ".git", ignore_errors=True)
    for path in CURRENT.values():  # each file appears with the step that introduces it
        (root / path).unlink(missing_ok=True)
    (root / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    git = init_repository(root)
    for step in steps:
        for target, source in step.files.items():
            shutil.copyfile(sample / source, root / target)
        name, email = AUTHORS[step.author]
        commit_all(git, step.message, author=name, email=email, at=step.at)


def labels(traffic: TrafficSummary, steps: list[Step]) -> list[DemoLabel]:
    """Label moves that follow the commits and the rollouts, oldest first."""
    start, end = traffic.start.replace(tzinfo=None), traffic.end.replace(tzinfo=None)
    prompt, model, retrieval = ArtifactKind.PROMPT, ArtifactKind.MODEL, ArtifactKind.RETRIEVAL
    hour, day = timedelta(hours=1), timedelta(days=1)
    initial, support_v1, triage_v1, model_v2, kb_v2, _, triage_v2, _, _ = (s.at for s in steps)
    moves = [
        DemoLabel(model, "default", "production", 1, initial + hour, "first release"),
        DemoLabel(retrieval, "kb", "production", 1, initial + hour, "first release"),
        DemoLabel(prompt, "support", "staging", 1, support_v1 + hour, "first draft on staging"),
        DemoLabel(prompt, "support", "production", 1, support_v1 + day, "release 2.1.0"),
        DemoLabel(prompt, "triage", "production", 1, triage_v1 + day, "intake worker launch"),
        DemoLabel(model, "default", "production", 2, model_v2 + hour, "cheaper, steadier answers"),
        DemoLabel(retrieval, "kb", "production", 2, kb_v2 + hour, "same recall on the eval set"),
        DemoLabel(
            prompt, "triage", "staging", 2, triage_v2 + hour, "new categories, QA on staging"
        ),
        DemoLabel(prompt, "triage", "production", 2, triage_v2 + day, "staging sign-off"),
    ]
    for rollout in traffic.rollouts:
        at = rollout.at.replace(tzinfo=None)
        if at <= start or rollout.environment == "development":
            continue  # development runs whatever is on main: no label
        number = int(rollout.prompt_version.removeprefix("v"))
        label, reason = rollout.environment, f"release {rollout.release}"
        if rollout.share < 1.0:
            label, reason = "canary", f"release {rollout.release}, canary on {rollout.share:.0%}"
            moves.append(
                DemoLabel(prompt, "support", "baseline", number - 1, at, "canary baseline")
            )
        elif rollout.environment == "production" and number == 4:
            reason = f"release {rollout.release} promoted after the canary"
        moves.append(DemoLabel(prompt, "support", label, number, at, reason))
    return sorted((m for m in moves if m.at <= end), key=lambda m: m.at)


def register(
    store: Store, project: ProjectConfig, traffic: TrafficSummary, *, now: datetime
) -> SyncReport:
    """`versions sync` on the demo workspace, then its label and deployment history."""
    from llmops_tui.demo.deploys import record_history  # it builds on this module's plan

    report = sync(project, store, now=now.replace(tzinfo=None))
    for move in labels(traffic, plan(traffic)):
        store.labels.move(
            move.kind,
            move.name,
            move.label,
            move.version,
            by=RELEASE_BOT,
            reason=move.reason,
            at=move.at,
        )
    record_history(store, project, traffic)
    return report
