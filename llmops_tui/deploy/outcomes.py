"""What a lifecycle action reports: its result line, and the errors that end it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from llmops_tui.domain.deploy import DeployAction, Deployment, DeployOutcome
from llmops_tui.errors import LlmopsError


class DeployFailedError(LlmopsError):
    """The target failed; the attempt is recorded and the environment is unchanged."""

    exit_code = 1


class ReadonlyError(LlmopsError):
    """A mutating action under `--readonly`."""


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class ActionResult:
    deployment: Deployment | None
    """The recorded row; None when nothing was recorded (the state already held)."""
    message: str
    """One line for the user."""
    warnings: tuple[str, ...] = ()
    """Plugins whose `release_deployed` hook failed (the deployment stands)."""


def describe(deployment: Deployment, outcome: DeployOutcome) -> str:
    """`rolled production back to release abc (was def): wrote deploy/production.json`."""
    d = deployment
    was = f" (was {d.previous_release_id})" if d.previous_release_id else ""
    if d.action is DeployAction.DEPLOY:
        verb = f"deployed release {d.release_id} to {d.environment}{was}"
    elif d.action is DeployAction.CANARY:
        verb = (
            f"canary: {d.environment} sends {d.canary_percent or 0:g}% to release "
            f"{d.release_id}, the rest to {d.previous_release_id}"
        )
    elif d.action is DeployAction.PROMOTE:
        verb = f"promoted release {d.release_id} in {d.environment}{was}"
    elif d.action is DeployAction.ROLLBACK:
        verb = f"rolled {d.environment} back to release {d.release_id}{was}"
    else:
        verb = f"{d.action.value} {d.release_id}"
    unchanged = "" if outcome.changed else " (the target already held it)"
    return f"{verb}: {outcome.detail}{unchanged}"


def with_id(deployment: Deployment) -> Deployment:
    """The row named by a hash of what it records, so replaying the same action at the same
    moment (the demo rebuilt) names it alike and the store keeps it once."""
    d = deployment
    parts = (
        d.environment,
        d.action,
        d.status,
        d.release_id,
        d.previous_release_id,
        d.created_at.isoformat(),
        d.plan_id,
        d.step,
        d.canary_percent,
    )
    key = "\0".join(str(part) for part in parts)
    return replace(d, deployment_id=hashlib.sha256(key.encode()).hexdigest()[:16])
