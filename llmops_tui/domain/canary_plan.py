"""One `llmops canary run` as recorded, so that a re-run can continue it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class PlanOutcome(StrEnum):
    PROMOTED = "promoted"
    ROLLED_BACK = "rolled_back"
    ABANDONED = "abandoned"
    """The environment moved on outside the plan (a manual rollback or deploy)."""


@dataclass(frozen=True, slots=True)
class CanaryPlanRun:
    plan_id: str
    environment: str
    release_id: str
    """The canary's release."""
    baseline_release_id: str
    """The stable release when the plan started: what the canary is compared with."""
    steps: tuple[float, ...]
    bake: timedelta
    started_at: datetime
    started_by: str
    finished_at: datetime | None = None
    outcome: PlanOutcome | None = None
    """None while the plan is open (running, held, or interrupted)."""
