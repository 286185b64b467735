"""What the cockpit reads of the deployment history, for markers on Overview and Versions.

The Overview draws a marker under its sparklines where a release was deployed; the Versions
history marks each version with the environments that run it (`●`), run it as a canary
(`◐`) or ran it before (`○`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from llmops_tui.domain.deploy import DeployAction, Deployment, DeployStatus, EnvironmentState
from llmops_tui.domain.versions import ArtifactKind, Release

if TYPE_CHECKING:
    from llmops_tui.store import Store

ACTIVE, CANARY, BEFORE = "●", "◐", "○"
HISTORY_LIMIT = 500


def markers(store: Store, since: datetime, until: datetime) -> list[Deployment]:
    """Actions that changed traffic in the window (analysis steps change none)."""
    found = store.deployments.markers(since, until)
    return [d for d in found if d.action is not DeployAction.ANALYSIS]


def deployed_versions(store: Store, kind: ArtifactKind, name: str) -> dict[str, str]:
    """Per content hash of the artifact, where it runs or ran: `●production ○staging`."""
    log = store.deployments
    history = log.history(limit=HISTORY_LIMIT)
    environments = sorted({d.environment for d in history})
    states = [log.state(env) for env in environments]
    return version_marks(kind, name, history, states, store.releases.get)


def version_marks(
    kind: ArtifactKind,
    name: str,
    history: Iterable[Deployment],
    states: Iterable[EnvironmentState],
    release: Callable[[str], Release | None],
) -> dict[str, str]:
    """The marks of `deployed_versions`, from what was read (pure, for tests)."""
    cache: dict[str, str | None] = {}

    def content(release_id: str | None) -> str | None:
        if release_id is None:
            return None
        if release_id not in cache:
            found = release(release_id)
            entries = found.entries if found else ()
            cache[release_id] = next(
                (e.content_hash for e in entries if e.kind is kind and e.name == name), None
            )
        return cache[release_id]

    strength = {ACTIVE: 0, CANARY: 1, BEFORE: 2}
    marks: dict[str, dict[str, str]] = {}

    def mark(release_id: str | None, env: str, glyph: str) -> None:
        digest = content(release_id)
        if digest is not None:
            held = marks.setdefault(digest, {})
            if env not in held or strength[glyph] < strength[held[env]]:
                held[env] = glyph

    for state in states:
        mark(state.stable_release, state.environment, ACTIVE)
        mark(state.canary_release, state.environment, CANARY)
    for deployment in history:
        if deployment.status is DeployStatus.SUCCEEDED:
            mark(deployment.release_id, deployment.environment, BEFORE)
    return {
        digest: " ".join(
            f"{glyph}{env}"
            for env, glyph in sorted(held.items(), key=lambda i: (strength[i[1]], i[0]))
        )
        for digest, held in marks.items()
    }
