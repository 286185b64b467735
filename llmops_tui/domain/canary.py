"""What canary analysis compares: one cohort of requests per release, summarised.

The store (`store.canary`) builds a `Cohort` from spans in SQL, so millions of requests reach
Python as counts, means and a bounded sample; the simulation builds them from random draws.
`deploy/analysis.py` compares two of them and knows nothing of where they came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ScoreSource(StrEnum):
    JUDGE = "judge"
    """An automated judge's score (a feedback name not starting with `user`)."""
    USER = "user"
    """User feedback (feedback names starting with `user`, as the Versions screen splits them)."""


@dataclass(frozen=True, slots=True)
class ScoreSample:
    """The judge scores or user feedback of one name on a cohort's traces."""

    name: str
    """The feedback name (`relevance`); every user feedback name is folded into `user`."""
    source: ScoreSource
    count: int
    mean: float
    values: tuple[float, ...]
    """Up to the store's sample size of the scores (all of them below it)."""


@dataclass(frozen=True, slots=True)
class Cohort:
    """A release's requests in one window: the facts the canary checks test."""

    release_id: str
    requests: int
    errors: int
    latency_p50_ms: float | None
    """Over every request of the cohort (not only the sample); None without durations."""
    latency_sample_ms: tuple[float, ...]
    """A deterministic sample of request durations (all of them up to the sample size)."""
    priced_requests: int
    """Requests with a known cost; unpriced ones are left out of cost per request."""
    cost_mean_usd: float | None
    cost_sample_usd: tuple[float, ...]
    scores: tuple[ScoreSample, ...] = ()

    @property
    def error_rate(self) -> float | None:
        return self.errors / self.requests if self.requests else None
