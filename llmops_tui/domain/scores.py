"""Quality signals of one prompt or config version: judge scores and user feedback."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class VersionScores:
    """Scores on the traces linked to one version. Judges and users share the `feedback`
    table; as on the Overview, a score whose name starts with `user` is a user's."""

    judge_mean: float | None
    judge_count: int
    feedback_mean: float | None
    """Mean user score (thumbs up 1, down 0)."""
    feedback_count: int


NO_SCORES = VersionScores(None, 0, None, 0)
