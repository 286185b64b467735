"""Thirty days of the Acme support assistant's traces, written as OTLP JSON files.

The demo has to fill every screen with what a real team would see (several models, three
environments, prompt versions rolling out, an incident) and has to reach the store through
the same `ingest` path as a user's files, so a parsing bug shows up in the demo too. Hence
real collector file-exporter output rather than rows inserted directly. Everything is drawn
from one seeded `random.Random`: the same seed and end time give byte-identical files.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Final

from llmops_tui.demo.conversation import Sessions
from llmops_tui.demo.otlp import BatchFile, shift_times
from llmops_tui.demo.prompts import load_prompt_versions, parse_versions
from llmops_tui.demo.providers import MODELS
from llmops_tui.demo.timeline import (
    DAY_NS,
    ENVIRONMENT_SHARE,
    ENVIRONMENTS,
    INCIDENT_ENVIRONMENT,
    INCIDENT_VERSION,
    MINUTE_NS,
    RELEASES,
    Rollout,
    Timeline,
    from_ns,
    model_weights,
)
from llmops_tui.demo.tracegen import TraceBuilder

__all__ = ["Rollout", "TrafficSummary", "write_traffic"]

SPANS_PER_TRACE: Final = 3.4
"""Measured average (three spans, five when the agent looks an order up), to size the run."""


@dataclass(frozen=True, slots=True)
class TrafficSummary:
    """What `write_traffic` wrote, and the story in it, for the CLI and the tests to state."""

    files: tuple[Path, ...]
    spans: int
    traces: int
    bytes: int
    start: datetime
    end: datetime
    incident_start: datetime
    incident_end: datetime
    """In this window, production LLM calls on `incident_prompt_version` fail 18% of the time
    (rate limits; context length on the self-hosted models) and are 2.5x slower."""
    incident_prompt_version: str
    incident_environment: str
    per_environment: Mapping[str, int]
    """Spans written per environment."""
    rollouts: tuple[Rollout, ...]
    """When each prompt version (and its release) took traffic, per environment."""


def write_traffic(
    out_dir: Path,
    *,
    end: datetime,
    days: int = 30,
    seed: int = 7,
    target_spans: int = 210_000,
    prompts: Mapping[str, str] | None = None,
) -> TrafficSummary:
    """Write `<out_dir>/<environment>/<YYYY-MM-DD>.jsonl` files ending at `end`.

    `prompts` maps "v1".."v4" to the support prompt's text; by default the versions are read
    from the sample project (`history/support.vN.md` and `prompts/support.md`). Files this
    run writes are overwritten; other files in `out_dir` are left alone.
    """
    if end.tzinfo is None or end.utcoffset() is None:
        raise ValueError("end must be timezone-aware (e.g. datetime.now(UTC))")
    if days < 2:
        raise ValueError("days must be at least 2")
    if target_spans < 100:
        raise ValueError("target_spans must be at least 100")
    end = end.astimezone(UTC)
    templates = parse_versions(load_prompt_versions() if prompts is None else prompts)
    rng = random.Random(seed)
    timeline = Timeline(end, days)

    total = round(target_spans / SPANS_PER_TRACE)
    counts = {env: round(total * ENVIRONMENT_SHARE[env]) for env in ENVIRONMENTS[1:]}
    counts[ENVIRONMENTS[0]] = total - sum(counts.values())
    days_seen: dict[int, tuple[str, date, str]] = {}
    files: list[Path] = []
    per_environment: dict[str, int] = {}
    written = traces = 0
    for environment in ENVIRONMENTS:
        sessions = Sessions(rng, environment)
        builder = TraceBuilder(rng, environment, templates)
        output = BatchFile(out_dir / environment, environment, rng)
        mixes = {version: model_weights(environment, version) for version in RELEASES}
        for t_ns in timeline.trace_starts(rng, environment, counts[environment]):
            version = timeline.version_at(environment, t_ns, rng)
            names, cumulative = mixes[version]
            model = MODELS[rng.choices(names, cum_weights=cumulative)[0]]
            day_name, day, today = _day(days_seen, t_ns // DAY_NS)
            incident = (
                environment == INCIDENT_ENVIRONMENT
                and version == INCIDENT_VERSION
                and timeline.in_incident(t_ns)
            )
            turn = sessions.next_turn(t_ns)
            spans, duration = builder.build(turn, version, model, day, today, incident)
            # A request still running at `end` has not been exported yet: start it earlier.
            base = max(timeline.start_ns, min(t_ns, timeline.end_ns - duration - MINUTE_NS // 60))
            shift_times(spans, base)
            output.add(day_name, RELEASES[version], spans)
            traces += 1
        output.close()
        files += output.files
        written += output.bytes
        per_environment[environment] = output.spans

    return TrafficSummary(
        files=tuple(files),
        spans=sum(per_environment.values()),
        traces=traces,
        bytes=written,
        start=from_ns(timeline.start_ns),
        end=end,
        incident_start=from_ns(timeline.incident_start_ns),
        incident_end=from_ns(timeline.incident_end_ns),
        incident_prompt_version=INCIDENT_VERSION,
        incident_environment=INCIDENT_ENVIRONMENT,
        per_environment=per_environment,
        rollouts=timeline.rollouts(),
    )


def _day(cache: dict[int, tuple[str, date, str]], index: int) -> tuple[str, date, str]:
    """File name, date and the `{{today}}` text of a UTC day, computed once per day."""
    found = cache.get(index)
    if found is None:
        day = from_ns(index * DAY_NS).date()
        found = cache[index] = (day.isoformat(), day, f"{day:%A}, {day:%B} {day.day}, {day.year}")
    return found
