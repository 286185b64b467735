"""What the Deploys screen would do, worked out before it asks: the plan a confirmation shows.

A plan names the release that becomes active, the one it replaces and the artifact versions
that change between them (`prompt/support v3 → v4`), so the user confirms a change they can
read. Plans come from the recorded history only; `llmops_tui.deploy.lifecycle` makes them
happen (and re-checks its policies). Nothing here imports Textual or touches the store: the
screen's worker hands in what it read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from llmops_tui.domain.deploy import (
    DeployAction,
    Deployment,
    DeployStatus,
    EnvironmentState,
)
from llmops_tui.domain.versions import ArtifactKind, Release, version_tag
from llmops_tui.errors import LlmopsError

DEFAULT_CANARY_PERCENT = 10.0
MOVES = {DeployAction.DEPLOY, DeployAction.PROMOTE, DeployAction.ROLLBACK}
"""Actions that set the stable release (a canary step and an analysis don't)."""


@dataclass(frozen=True, slots=True)
class EnvironmentView:
    """One environment as the screen shows it."""

    state: EnvironmentState
    stable: Release | None
    canary: Release | None
    upstream: str | None
    """The environment a release comes from (`after = "staging"` for `production`)."""
    last: Deployment | None = None
    """The newest recorded action on it."""

    @property
    def name(self) -> str:
        return self.state.environment


@dataclass(frozen=True, slots=True)
class DeployPlan:
    action: DeployAction
    environment: str
    release_id: str
    """The release this action makes active (the canary's for a canary step)."""
    replaces: str | None
    """The release it takes traffic from."""
    summary: str
    changes: tuple[str, ...]
    percent: float | None = None
    """A canary step's suggested share of traffic."""


def release_changes(old: Release | None, new: Release | None) -> tuple[str, ...]:
    """`kind/name vA → vB` for every artifact whose content differs between two releases."""
    before = {(e.kind.value, e.name): e for e in old.entries} if old else {}
    after = {(e.kind.value, e.name): e for e in new.entries} if new else {}
    lines = []
    for key in sorted(before.keys() | after.keys()):
        a, b = before.get(key), after.get(key)
        if a and b and a.content_hash == b.content_hash:
            continue
        was = version_tag(a.number) if a else "new"
        now = version_tag(b.number) if b else "removed"
        lines.append(f"{key[0]}/{key[1]} {was} → {now}")
    return tuple(lines)


def versions_summary(release: Release | None, width: int = 60) -> str:
    """`support v4 · triage v2 · default v2` (prompts first), cut to `width`."""
    if release is None:
        return "-"
    kinds = list(ArtifactKind)
    entries = sorted(release.entries, key=lambda e: (kinds.index(e.kind), e.name))
    text = " · ".join(f"{e.name} {version_tag(e.number)}" for e in entries)
    return text if len(text) <= width else text[: width - 1] + "…"


def rollback_target(view: EnvironmentView, history: Sequence[Deployment]) -> str | None:
    """The release the current stable one replaced (`kubectl rollout undo`)."""
    for deployment in history:  # newest first
        if (
            deployment.environment == view.name
            and deployment.status is DeployStatus.SUCCEEDED
            and deployment.action in MOVES
            and deployment.release_id == view.state.stable_release
        ):
            return deployment.previous_release_id
    return None


def plan_action(
    action: DeployAction,
    view: EnvironmentView,
    *,
    views: Mapping[str, EnvironmentView],
    history: Sequence[Deployment],
    release: Callable[[str], Release | None],
) -> DeployPlan:
    """What `action` on `view`'s environment would do; a one-line `LlmopsError` when there is
    nothing to do (no canary to promote, nothing to roll back to)."""
    env, state = view.name, view.state
    source = views.get(view.upstream) if view.upstream else None
    offered = source.state.stable_release if source else None
    short = _short
    if action is DeployAction.ROLLBACK:
        if state.canary_release:
            return _plan(
                action, env, state.stable_release, state.canary_release, release,
                f"stop the canary {short(state.canary_release)} on {env}: "
                f"{short(state.stable_release)} takes all traffic again",
            )  # fmt: skip
        target = rollback_target(view, history)
        if target is None:
            raise LlmopsError(f"nothing to roll back to on {env}: no earlier release recorded")
        return _plan(
            action, env, target, state.stable_release, release,
            f"roll {env} back from {short(state.stable_release)} to {short(target)}",
        )  # fmt: skip
    if action is DeployAction.PROMOTE:
        if state.canary_release:
            return _plan(
                action, env, state.canary_release, state.stable_release, release,
                f"promote the canary {short(state.canary_release)} to all of {env}",
            )  # fmt: skip
        if offered and offered != state.stable_release and view.upstream:
            return _plan(
                DeployAction.DEPLOY, env, offered, state.stable_release, release,
                f"deploy {view.upstream}'s release {short(offered)} to {env}",
            )  # fmt: skip
        raise LlmopsError(f"nothing to promote on {env}: no canary, and no newer release upstream")
    if action is DeployAction.CANARY:
        candidate = state.canary_release or (offered if offered != state.stable_release else None)
        if candidate is None:
            where = (
                f"deploy a new release to {view.upstream} first"
                if view.upstream
                else ("`llmops canary ENV REF` starts one from the command line")
            )
            raise LlmopsError(f"no release to canary on {env}: {where}")
        percent = state.canary_percent if state.canary_release else DEFAULT_CANARY_PERCENT
        plan = _plan(
            action, env, candidate, state.stable_release, release,
            f"canary {short(candidate)} on {env} next to {short(state.stable_release)}",
        )  # fmt: skip
        return DeployPlan(
            plan.action, env, plan.release_id, plan.replaces, plan.summary, plan.changes, percent
        )
    raise LlmopsError(f"{action.value} is not an action the cockpit offers")


def _plan(
    action: DeployAction,
    env: str,
    target: str | None,
    replaces: str | None,
    release: Callable[[str], Release | None],
    summary: str,
) -> DeployPlan:
    if target is None:
        raise LlmopsError(f"nothing is deployed on {env} yet")
    new = release(target)
    old = release(replaces) if replaces else None
    return DeployPlan(action, env, target, replaces, summary, release_changes(old, new))


def _short(release_id: str | None) -> str:
    return release_id[:8] if release_id else "nothing"
