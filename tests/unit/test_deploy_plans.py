"""What p, c and r on the Deploys screen would do, from the recorded history alone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from llmops_tui.domain.deploy import DeployAction, Deployment, DeployStatus, EnvironmentState
from llmops_tui.domain.versions import WORKING, ArtifactKind, Release, ReleaseEntry
from llmops_tui.errors import LlmopsError
from llmops_tui.tui.deploy_plans import (
    DeployPlan,
    EnvironmentView,
    plan_action,
    release_changes,
    versions_summary,
)

AT = datetime(2026, 11, 20, tzinfo=UTC)


def _release(release_id: str, **versions: int) -> Release:
    entries = tuple(
        ReleaseEntry(ArtifactKind.PROMPT if name != "default" else ArtifactKind.MODEL, name,
                     f"{name}-{number}", number)
        for name, number in versions.items()
    )  # fmt: skip
    return Release(release_id, None, None, entries)


RELEASES = {
    "r1aaaaaaaa": _release("r1aaaaaaaa", support=2, default=1),
    "r2bbbbbbbb": _release("r2bbbbbbbb", support=3, default=1, triage=1),
    "r3cccccccc": _release("r3cccccccc", support=4, default=2, triage=1),
}


def _deploy(env: str, release: str, previous: str | None, **kw: object) -> Deployment:
    fields: dict[str, object] = {
        "deployment_id": f"{env}-{release}", "environment": env, "action": DeployAction.DEPLOY,
        "status": DeployStatus.SUCCEEDED, "release_id": release, "previous_release_id": previous,
        "canary_percent": None, "target": "file", "detail": "", "actor": "maya", "reason": None,
        "forced": False, "created_at": AT,
    } | kw  # fmt: skip
    return Deployment(**fields)  # type: ignore[arg-type]


def _views(
    staging: tuple[str | None, str | None], production: tuple[str | None, str | None]
) -> dict[str, EnvironmentView]:
    sources = {"staging": None, "production": "staging"}
    views = {}
    for env, (stable, canary) in (("staging", staging), ("production", production)):
        state = EnvironmentState(env, stable, canary, 10.0 if canary else None, AT)
        views[env] = EnvironmentView(state, None, None, sources[env])
    return views


def _plan(
    action: DeployAction, env: str, views: dict[str, EnvironmentView], history: list[Deployment]
) -> DeployPlan:
    return plan_action(action, views[env], views=views, history=history, release=RELEASES.get)


def test_release_changes_list_the_versions_that_differ() -> None:
    old, new = RELEASES["r1aaaaaaaa"], RELEASES["r3cccccccc"]
    assert release_changes(old, new) == (
        "model/default v1 → v2",
        "prompt/support v2 → v4",
        "prompt/triage new → v1",
    )
    assert release_changes(new, old)[-1] == "prompt/triage v1 → removed"
    assert release_changes(new, new) == ()
    working = Release(
        "w", None, None, (ReleaseEntry(ArtifactKind.PROMPT, "support", "x", WORKING),)
    )
    assert release_changes(old, working)[-1] == "prompt/support v2 → working"
    assert versions_summary(new) == "support v4 · triage v1 · default v2"
    assert versions_summary(new, 12) == "support v4 …"


def test_rollback_returns_to_what_the_current_release_replaced() -> None:
    history = [  # newest first
        _deploy("production", "r2bbbbbbbb", "r1aaaaaaaa"),
        _deploy("production", "r3cccccccc", "r2bbbbbbbb", status=DeployStatus.FAILED),
        _deploy("production", "r1aaaaaaaa", None),
    ]
    views = _views(("r3cccccccc", None), ("r2bbbbbbbb", None))
    plan = _plan(DeployAction.ROLLBACK, "production", views, history)
    assert (plan.release_id, plan.replaces) == ("r1aaaaaaaa", "r2bbbbbbbb")
    assert plan.changes == ("prompt/support v3 → v2", "prompt/triage v1 → removed")
    assert plan.summary == "roll production back from r2bbbbbb to r1aaaaaa"
    with pytest.raises(LlmopsError, match="nothing to roll back to on staging"):
        _plan(DeployAction.ROLLBACK, "staging", views, history)


def test_promote_takes_the_canary_or_else_the_upstream_release() -> None:
    views = _views(("r3cccccccc", None), ("r2bbbbbbbb", None))
    plan = _plan(DeployAction.PROMOTE, "production", views, [])
    assert (plan.action, plan.release_id) == (DeployAction.DEPLOY, "r3cccccccc")
    assert plan.summary == "deploy staging's release r3cccccc to production"
    views = _views(("r3cccccccc", None), ("r2bbbbbbbb", "r3cccccccc"))
    plan = _plan(DeployAction.PROMOTE, "production", views, [])
    assert (plan.action, plan.release_id, plan.replaces) == (
        DeployAction.PROMOTE, "r3cccccccc", "r2bbbbbbbb",
    )  # fmt: skip
    with pytest.raises(LlmopsError, match="nothing to promote on staging"):
        _plan(DeployAction.PROMOTE, "staging", views, [])


def test_canary_offers_the_upstream_release_at_ten_percent() -> None:
    views = _views(("r3cccccccc", None), ("r2bbbbbbbb", None))
    plan = _plan(DeployAction.CANARY, "production", views, [])
    assert (plan.release_id, plan.percent) == ("r3cccccccc", 10.0)
    same = _views(("r2bbbbbbbb", None), ("r2bbbbbbbb", None))
    with pytest.raises(LlmopsError, match="deploy a new release to staging first"):
        _plan(DeployAction.CANARY, "production", same, [])
