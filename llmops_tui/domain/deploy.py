"""What a deploy target is asked to do, and what it reports back.

An environment (`staging`, `production`) runs one stable release and, during a canary, a second
release on a share of the traffic. A target makes that state real where the app reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from llmops_tui.domain.versions import Release


@dataclass(frozen=True, slots=True)
class TrafficShare:
    release_id: str
    percent: float
    """0..100; the shares of one request add up to 100."""


@dataclass(frozen=True, slots=True)
class DeployRequest:
    environment: str
    release: Release
    """The release to make active (the canary's release during a canary step)."""
    traffic: tuple[TrafficShare, ...]
    """The whole split after this step: `(stable 90%, canary 10%)`, or `(release 100%)`."""
    options: Mapping[str, object]
    """The environment's target options from `llmops.toml`."""
    project_root: Path
    """Relative paths in `options` are relative to this folder."""
    action: str
    """`deploy`, `canary`, `promote` or `rollback`."""
    actor: str
    reason: str | None = None
    artifacts: Mapping[str, str] = field(default_factory=dict)
    """`kind/name` → version tag (`prompt/support` → `v4`) of the release, for targets that
    write them out."""


@dataclass(frozen=True, slots=True)
class DeployOutcome:
    detail: str
    """One line for the history: `wrote deploy/production.json`, `moved tag deploy/staging`."""
    changed: bool = True
    """False when the target already held this state (an idempotent repeat)."""
