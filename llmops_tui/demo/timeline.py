"""When the demo traffic happens: volume by hour, prompt-version rollouts and the incident.

Every screen the demo shows is a view over time (sparklines, deploy markers, incident
timelines), so the schedule is the demo's plot. It is computed from `end` and `days` alone
and scales with `days`: a 3-day test run has the same shape as the 30-day demo, compressed.
"""

from __future__ import annotations

import itertools
import math
import random
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

SECOND_NS: Final = 1_000_000_000
MINUTE_NS: Final = 60 * SECOND_NS
HOUR_NS: Final = 60 * MINUTE_NS
DAY_NS: Final = 24 * HOUR_NS
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)

ENVIRONMENTS: Final = ("production", "staging", "development")
ENVIRONMENT_SHARE: Final = {"production": 0.90, "staging": 0.06, "development": 0.04}
RELEASES: Final = {"v1": "2.1.0", "v2": "2.2.0", "v3": "2.3.0", "v4": "2.4.0"}
"""The app release (`service.version`, `llmops.release`) that shipped each prompt version."""

INCIDENT_ENVIRONMENT: Final = "production"
INCIDENT_VERSION: Final = "v4"
INCIDENT_DURATION_NS: Final = 3 * HOUR_NS + 40 * MINUTE_NS
INCIDENT_TIME_OF_DAY_NS: Final = 14 * HOUR_NS + 20 * MINUTE_NS
INCIDENT_SURGE: Final = 1.6
"""Traffic multiplier in the incident window: a shipping-delay email sent customers to chat."""
CANARY_SHARE: Final = 0.3
"""Share of production traffic on the incident version while it is a canary."""

MODEL_MIX: Final[dict[str, tuple[tuple[str, float], ...]]] = {
    "v1": (("gpt-4o", 45), ("gpt-4o-mini", 40), ("claude-sonnet-4-5", 15)),
    "v2": (("gpt-4o", 30), ("gpt-4o-mini", 45), ("claude-sonnet-4-5", 15), ("o4-mini", 10)),
    "v3": (
        ("gpt-4o", 20),
        ("gpt-4o-mini", 36),
        ("claude-sonnet-4-5", 14),
        ("o4-mini", 10),
        ("acme-ft-support-v2", 19.5),
        ("acme-experimental-7b", 0.5),
    ),
    "v4": (
        ("gpt-4o", 18),
        ("gpt-4o-mini", 33),
        ("claude-sonnet-4-5", 13),
        ("o4-mini", 10),
        ("acme-ft-support-v2", 25.5),
        ("acme-experimental-7b", 0.5),
    ),
}
"""Router weights per release: the fine-tune arrived with v3, the research model shadows it."""
EXPERIMENTAL_EXTRA: Final = {"production": 0.0, "staging": 3.0, "development": 25.0}


def to_ns(moment: datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * SECOND_NS + delta.microseconds * 1000


def from_ns(ns: int) -> datetime:
    return _EPOCH + timedelta(microseconds=ns // 1000)


@dataclass(frozen=True, slots=True)
class Rollout:
    """From `at` on, `share` of an environment's traffic runs `prompt_version`."""

    environment: str
    at: datetime
    prompt_version: str
    release: str
    share: float


@dataclass(frozen=True, slots=True)
class _Step:
    at_ns: int
    version: str
    share: float
    previous: str


class Timeline:
    def __init__(self, end: datetime, days: int) -> None:
        self.end_ns = to_ns(end)
        self.start_ns = self.end_ns - days * DAY_NS
        period = self.end_ns - self.start_ns
        scale = days / 30
        # The incident starts at the afternoon (UTC) peak nearest to 3.5 days before the end
        # of a 30-day run (proportionally earlier in shorter runs), so it has traffic to hurt.
        nominal = self.end_ns - int(3.5 * DAY_NS * scale)
        earliest = self.end_ns - int(0.6 * period)
        latest = self.end_ns - INCIDENT_DURATION_NS - 30 * MINUTE_NS
        anchor = nominal - nominal % DAY_NS + INCIDENT_TIME_OF_DAY_NS
        candidates = [anchor + k * DAY_NS for k in range(-days - 1, 2)]
        start = min(
            (t for t in candidates if earliest <= t <= latest), key=lambda t: abs(t - nominal)
        )
        self.incident_start_ns = start
        self.incident_end_ns = start + INCIDENT_DURATION_NS

        # v4 is a canary well before the incident and fully rolled out well after it; the
        # earlier versions make way for it in short runs.
        canary = _minute(min(self.end_ns - int(5 * DAY_NS * scale), start - 6 * HOUR_NS))
        full = _minute(max(self.end_ns - int(1.5 * DAY_NS * scale), start + 10 * HOUR_NS))
        v3 = _minute(min(self.start_ns + int(period * 0.55), canary - period // 10))
        v2 = _minute(min(self.start_ns + int(period * 0.27), v3 - period // 10))
        production = [_Step(self.start_ns, "v1", 1.0, "v1"), _Step(v2, "v2", 1.0, "v1")]
        production += [_Step(v3, "v3", 1.0, "v2"), _Step(canary, "v4", CANARY_SHARE, "v3")]
        if full < self.end_ns:
            production.append(_Step(full, "v4", 1.0, "v3"))
        self._steps = {"production": production}
        for environment, lead_days in (("staging", 2.0), ("development", 3.0)):
            lead = int(lead_days * DAY_NS * scale)
            steps = [_Step(self.start_ns, "v1", 1.0, "v1")]
            for at, version, previous in ((v2, "v2", "v1"), (v3, "v3", "v2"), (canary, "v4", "v3")):
                at_ns = max(self.start_ns + 1, _minute(at - lead))
                steps.append(_Step(at_ns, version, 1.0, previous))
            self._steps[environment] = steps
        self._step_times = {env: [s.at_ns for s in steps] for env, steps in self._steps.items()}

    def rollouts(self) -> tuple[Rollout, ...]:
        return tuple(
            Rollout(env, from_ns(step.at_ns), step.version, RELEASES[step.version], step.share)
            for env in ENVIRONMENTS
            for step in self._steps[env]
        )

    def version_at(self, environment: str, t_ns: int, rng: random.Random) -> str:
        step = self._steps[environment][bisect_right(self._step_times[environment], t_ns) - 1]
        if step.share < 1.0 and rng.random() >= step.share:
            return step.previous
        return step.version

    def in_incident(self, t_ns: int) -> bool:
        return self.incident_start_ns <= t_ns < self.incident_end_ns

    def trace_starts(self, rng: random.Random, environment: str, count: int) -> list[int]:
        """`count` start times following the environment's daily rhythm, sorted."""
        cuts = set(range(self.start_ns - self.start_ns % HOUR_NS + HOUR_NS, self.end_ns, HOUR_NS))
        cuts |= {self.start_ns, self.end_ns, self.incident_start_ns, self.incident_end_ns}
        edges = sorted(cuts)
        buckets = list(itertools.pairwise(edges))
        weights = [
            self._intensity(environment, (lo + hi) // 2) * (hi - lo) / HOUR_NS for lo, hi in buckets
        ]
        times: list[int] = []
        for (lo, hi), n in zip(buckets, _apportion(count, weights), strict=True):
            times.extend(lo + rng.randrange(hi - lo) for _ in range(n))
        times.sort()
        return times

    def _intensity(self, environment: str, t_ns: int) -> float:
        hour = (t_ns % DAY_NS) / HOUR_NS
        weekend = (t_ns // DAY_NS + 3) % 7 >= 5  # 1970-01-01 was a Thursday
        if environment == "production":
            # Customers in Europe (morning peak) and North America (evening peak, UTC).
            weight = 0.12 + 0.6 * _bump(hour, 10.5, 3.0) + _bump(hour, 18.5, 3.5)
            weight *= 0.7 if weekend else 1.0
            progress = (t_ns - self.start_ns) / (self.end_ns - self.start_ns)
            weight *= 0.9 + 0.2 * progress
            return weight * (INCIDENT_SURGE if self.in_incident(t_ns) else 1.0)
        working = not weekend and 8 <= hour < 18
        if environment == "staging":
            return 1.0 if working else 0.12  # synthetic checks keep running at night
        if not working:
            return 0.04 if weekend else 0.02
        return 0.5 if 12 <= hour < 13 else 1.0


def model_weights(environment: str, version: str) -> tuple[tuple[str, ...], list[float]]:
    """The router's models for a release in an environment, with cumulative weights."""
    mix = list(MODEL_MIX[version])
    extra = EXPERIMENTAL_EXTRA[environment]
    if extra:
        mix.append(("acme-experimental-7b", extra))
    cumulative: list[float] = []
    total = 0.0
    for _, weight in mix:
        total += weight
        cumulative.append(total)
    return tuple(name for name, _ in mix), cumulative


def _bump(hour: float, centre: float, width: float) -> float:
    distance = abs(hour - centre)
    distance = min(distance, 24 - distance)
    return math.exp(-(distance**2) / (2 * width**2))


def _minute(t_ns: int) -> int:
    return t_ns - t_ns % MINUTE_NS


def _apportion(count: int, weights: list[float]) -> list[int]:
    """Split `count` in proportion to `weights` exactly (largest remainder, no randomness)."""
    total = sum(weights)
    quotas = [count * weight / total for weight in weights]
    counts = [int(quota) for quota in quotas]
    order = sorted(range(len(quotas)), key=lambda i: (counts[i] - quotas[i], i))
    for i in order[: count - sum(counts)]:
        counts[i] += 1
    return counts
