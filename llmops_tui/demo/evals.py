"""The demo's eval story: a candidate on top of production that the gate should stop.

After the history replay (`history.py`) the workspace's HEAD is what production runs
(support v4, promoted after its canary). The demo then commits a candidate on top, the
trimmed `history/support.v5.md` ("cut tokens after the v4 incident"), labels the release
production runs `production`, and runs the `support_regression` suite on it and on the
release before (v2.3.0, support v3), so the Evals screen has runs to show out of the box. HEAD is
left for the user: `llmops gate --candidate HEAD --baseline production` runs it, reuses the
production run, and fails on the candidate's regression (the `scripted` provider's quality
in `llmops.toml` is lower for support v5).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from llmops_tui.config import ProjectConfig
from llmops_tui.demo.history import AUTHORS, RELEASE_BOT
from llmops_tui.demo.traffic import TrafficSummary
from llmops_tui.domain.evals import EvalRun
from llmops_tui.errors import LlmopsError
from llmops_tui.evals.runner import run_eval
from llmops_tui.evals.summary import RunSummary, summarize
from llmops_tui.plugin_manager import Plugins
from llmops_tui.store import Store
from llmops_tui.versions.git import Git, commit_all
from llmops_tui.versions.refs import resolve_release
from llmops_tui.versions.releases import save_release
from llmops_tui.versions.sync import sync

CANDIDATE_SOURCE = "history/support.v5.md"
CANDIDATE_MESSAGE = "support: trim the prompt to cut tokens after the v4 incident"
SUITE = "support_regression"
BASELINES = ("production", "v2.3.0")
"""The releases the demo evaluates: production (v2.4.0, support v4) and the one before."""


@dataclass(frozen=True, slots=True)
class DemoEvals:
    runs: tuple[tuple[EvalRun, RunSummary], ...]
    skipped: str | None = None
    """Why no run was made (a provider or judge type not installed), else None."""


def commit_candidate(root: Path, sample: Path, *, at: datetime) -> bool:
    """Commit the v5 candidate on top of the replayed history; False outside git."""
    git = Git.discover(root)
    if git is None:
        return False
    # Tag the app releases that shipped support v3 and v4, so runs name them readably.
    git.run("tag", "--force", "v2.4.0", "HEAD")
    git.run("tag", "--force", "v2.3.0", "HEAD~1")
    shutil.copyfile(sample / CANDIDATE_SOURCE, root / "prompts" / "support.md")
    name, email = AUTHORS["lukas"]
    commit_all(git, CANDIDATE_MESSAGE, author=name, email=email, at=at.replace(tzinfo=None))
    return True


def label_production(
    store: Store, project: ProjectConfig, traffic: TrafficSummary, *, now: datetime
) -> str:
    """Register the candidate, then label the release before it `production`."""
    sync(project, store, now=now.replace(tzinfo=None))
    release = resolve_release(store, project, "v2.4.0")
    save_release(store, release, now=now.replace(tzinfo=None))
    promoted = max(
        (r.at for r in traffic.rollouts if r.environment == "production" and r.share >= 1.0),
        default=now,
    )
    store.labels.move_release(
        "production",
        release.release_id,
        by=RELEASE_BOT,
        reason="release 2.4.0 promoted after the canary",
        at=promoted.replace(tzinfo=None),
    )
    return release.release_id


def run_demo_evals(
    store: Store, project: ProjectConfig, plugins: Plugins, *, now: datetime
) -> DemoEvals:
    """The suite on production and on the release before; skipped (with the reason) when a
    provider or judge type it names isn't installed."""
    runs: list[tuple[EvalRun, RunSummary]] = []
    for offset, ref in enumerate(BASELINES):
        started = now - timedelta(minutes=30 * (len(BASELINES) - offset))
        try:
            run = run_eval(
                store,
                project,
                plugins,
                release_ref=ref,
                suite=SUITE,
                now=_clock(started),
            )
        except LlmopsError as error:
            return DemoEvals(tuple(runs), skipped=str(error))
        runs.append((run, summarize(store.evals.results(run.run_id))))
    return DemoEvals(tuple(runs))


def _clock(at: datetime) -> Callable[[], datetime]:
    """A fixed clock: the demo's runs are dated just before the demo's end."""
    return lambda: at
