"""The Deploys screen's pieces: an environment's state, a canary's checks, the timeline.

All render what the screen assigns; none reads the store.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.markup import escape
from textual.widgets import Static

from llmops_tui.domain.deploy import (
    CanaryAnalysis,
    CanaryVerdict,
    DeployAction,
    Deployment,
    DeployStatus,
    MetricCheck,
)
from llmops_tui.formatting import count
from llmops_tui.tui.deploy_plans import EnvironmentView, versions_summary
from llmops_tui.tui.widgets.row_table import RowTable

VERDICT_COLOURS = {
    CanaryVerdict.PASS: "$success",
    CanaryVerdict.MARGINAL: "$warning",
    CanaryVerdict.FAIL: "$error",
    CanaryVerdict.WAITING: "$text-muted",
}
ACTION_TONES = {
    DeployAction.ROLLBACK: "warning",
    DeployAction.PROMOTE: "success",
    DeployAction.CANARY: "accent",
}


class EnvironmentPanel(Static):
    """One environment: its stable release, the canary beside it, since when."""

    DEFAULT_CSS = """
    EnvironmentPanel { width: 1fr; height: auto; border: round $panel-lighten-2; padding: 0 1; }
    EnvironmentPanel.selected { border: round $accent; }
    EnvironmentPanel.canary { border-subtitle-color: $warning; }
    """

    def show(self, view: EnvironmentView, *, selected: bool) -> None:
        state = view.state
        self.border_title = view.name
        self.set_class(selected, "selected")
        self.set_class(state.canary_release is not None, "canary")
        self.border_subtitle = (
            f"canary {state.canary_percent or 0:g}%" if state.canary_release else ""
        )
        stable = view.stable
        ref = f"  {escape(stable.ref)}" if stable and stable.ref else ""
        lines = [
            f"[b]release[/b]  {_short(state.stable_release)}{ref}",
            f"[b]since[/b]    {state.since:%Y-%m-%d %H:%M}" if state.since else "[b]since[/b]    -",
            f"[b]versions[/b] {escape(versions_summary(stable, 44))}",
        ]
        if state.canary_release:
            lines.append(
                f"[b][$warning]canary[/][/b]   {_short(state.canary_release)} at "
                f"{state.canary_percent or 0:g}% · {escape(versions_summary(view.canary, 24))}"
            )
        elif view.last is not None and view.last.status is DeployStatus.FAILED:
            lines.append(f"[$error]last {view.last.action.value} failed[/]")
        else:
            lines.append(f"[$text-muted]from {escape(view.upstream)}[/]" if view.upstream else "")
        self.update("\n".join(lines))


def canary_title(analysis: CanaryAnalysis) -> str:
    """One line of markup: who against whom, the samples, the score and the verdict."""
    colour = VERDICT_COLOURS.get(analysis.verdict, "$text-muted")
    score = f"score {analysis.score:.0f}" if analysis.score is not None else "no score yet"
    return (
        f"Canary on {escape(analysis.environment)}: {analysis.canary_release[:8]} "
        f"({count(analysis.canary_requests)} requests) vs {analysis.baseline_release[:8]} "
        f"({count(analysis.baseline_requests)}) · {score} · "
        f"[b {colour}]{analysis.verdict.value.upper()}[/] · {escape(analysis.reason)}"
    )


class CanaryChecks(RowTable):
    COLUMNS = ("metric", "baseline", "canary", "test", "p", "result", "detail")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(self.COLUMNS, id=id)

    def show(self, checks: Sequence[MetricCheck]) -> None:
        self.set_rows(
            [
                (
                    c.metric,
                    _figure(c.baseline),
                    _figure(c.canary),
                    c.test,
                    "-" if c.p_value is None else f"{c.p_value:.3f}",
                    "no data" if c.passed is None else "pass" if c.passed else "fail",
                    c.detail,
                )
                for c in checks
            ],
            tones=[
                (5, "muted" if c.passed is None else "success" if c.passed else "alert")
                for c in checks
            ],
        )


class DeployTimeline(RowTable):
    """Every recorded action, newest first."""

    COLUMNS = ("when", "env", "action", "release", "share", "status", "who", "why")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(self.COLUMNS, id=id)
        self.deployments: list[Deployment] = []

    def show(self, deployments: Sequence[Deployment]) -> None:
        self.deployments = list(deployments)
        rows, tones = [], []
        for d in self.deployments:
            action = d.action.value + (f" {d.verdict.value}" if d.verdict else "")
            why = d.reason or d.detail
            if d.forced:
                why = f"forced: {why}"
            rows.append(
                (
                    f"{d.created_at:%Y-%m-%d %H:%M}",
                    d.environment,
                    action,
                    d.release_id[:8],
                    f"{d.canary_percent:g}%" if d.canary_percent is not None else "",
                    d.status.value,
                    d.actor,
                    why.replace("\n", " "),
                )
            )
            failed = d.status is DeployStatus.FAILED
            tone = ACTION_TONES.get(d.action)
            tones.append((5, "alert") if failed else (2, tone) if tone else None)
        self.set_rows(rows, tones=tones)


def _short(release_id: str | None) -> str:
    return release_id[:8] if release_id else "[$text-muted]nothing deployed[/]"


def _figure(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.4f}" if abs(value) < 1 else f"{value:,.1f}"
