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
        ref = f"  {escape(_ref(stable.ref))}" if stable and stable.ref else ""
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
    """Every recorded action, newest first; `describe` tells the highlighted one in full."""

    COLUMNS = ("when", "env", "action", "release", "status", "who", "why")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(self.COLUMNS, id=id)
        self.deployments: list[Deployment] = []

    def show(self, deployments: Sequence[Deployment]) -> None:
        self.deployments = list(deployments)
        rows, tones = [], []
        for d in self.deployments:
            rows.append(
                (
                    f"{d.created_at:%Y-%m-%d %H:%M}",
                    d.environment,
                    _action(d),
                    d.release_id[:8],
                    d.status.value,
                    d.actor,
                    _why(d).replace("\n", " "),
                )
            )
            failed = d.status is DeployStatus.FAILED
            tone = ACTION_TONES.get(d.action)
            tones.append((4, "alert") if failed else (2, tone) if tone else None)
        self.set_rows(rows, tones=tones)

    def describe(self) -> str:
        """The highlighted action in one or two lines: what, by whom, why, and the outcome."""
        if not self.deployments or not 0 <= self.cursor_row < len(self.deployments):
            return ""
        d = self.deployments[self.cursor_row]
        was = f" (was {d.previous_release_id[:8]})" if d.previous_release_id else ""
        why = f" · why: {d.reason}" if d.reason else ""
        forced = " · policy overridden (--force)" if d.forced else ""
        return (
            f"{_action(d)} {d.release_id[:8]}{was} on {d.environment} by {d.actor} at "
            f"{d.created_at:%Y-%m-%d %H:%M} UTC, {d.status.value}{why}{forced} · {d.detail}"
        )


def _action(d: Deployment) -> str:
    if d.verdict is not None:
        return f"{d.action.value} {d.verdict.value}"
    if d.action is DeployAction.CANARY and d.canary_percent is not None:
        return f"canary {d.canary_percent:g}%"
    return d.action.value


def _why(d: Deployment) -> str:
    why = d.reason or d.detail
    return f"forced: {why}" if d.forced else why


def _ref(ref: str) -> str:
    """A ref as typed (`v2.1.0`, `HEAD`), a commit hash cut to 7 like git's."""
    hexadecimal = len(ref) >= 12 and all(c in "0123456789abcdef" for c in ref)
    return ref[:7] if hexadecimal else ref[:24]


def _short(release_id: str | None) -> str:
    return release_id[:8] if release_id else "[$text-muted]nothing deployed[/]"


def _figure(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.4f}" if abs(value) < 1 else f"{value:,.1f}"
