"""Building the demo workspace: the sample project plus 30 days of simulated traffic.

The traffic is written as real OTLP JSON files and loaded through the same `Ingestor` a
user's files go through, so the demo exercises exactly the code path users depend on. The
sample project's prompt and config history is replayed as real git commits dated along the
traffic's rollouts (`history.py`).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from llmops_tui.demo import history
from llmops_tui.demo.traffic import TrafficSummary, write_traffic
from llmops_tui.errors import LlmopsError

MARKER = ".llmops-demo"
"""Marks a folder as a demo workspace, so rebuilding it may delete its old traffic."""

SAMPLE_PROJECT = Path(__file__).resolve().parents[2] / "sample_project"


@dataclass(frozen=True, slots=True)
class DemoWorkspace:
    root: Path
    traces: Path
    database: Path
    traffic: TrafficSummary


def build_workspace(
    root: Path, *, end: datetime, target_spans: int, sample: Path = SAMPLE_PROJECT
) -> DemoWorkspace:
    """Lay out `root` from the sample project and write fresh traffic ending at `end`."""
    if not sample.is_dir():
        raise LlmopsError(
            f"{sample}: the sample project is missing",
            hint="the demo runs from a clone of the llmops-tui repository",
        )
    if root.exists() and any(root.iterdir()) and not (root / MARKER).exists():
        raise LlmopsError(
            f"{root}: exists and is not a demo workspace; nothing was changed",
            hint="pick another --dir, or remove the folder",
        )
    for stale in (root / "traces", root / ".llmops", root / ".git"):
        shutil.rmtree(stale, ignore_errors=True)
    shutil.copytree(sample, root, dirs_exist_ok=True)
    (root / MARKER).write_text("built by `llmops demo`; safe to delete\n", encoding="utf-8")
    traces = root / "traces"
    traffic = write_traffic(traces, end=end, target_spans=target_spans)
    if shutil.which("git") is not None:  # without git the demo still works, unversioned
        history.replay(root, history.plan(traffic), sample=sample)
    return DemoWorkspace(root, traces, root / ".llmops" / "llmops.duckdb", traffic)
