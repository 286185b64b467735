"""`p`, `c`, `r` on Deploys: what will change, then confirm (a canary also asks its share).

The dialog lists the artifact versions that differ between the release leaving and the one
arriving, so a rollback reads `prompt/support v4 → v3`, not two release hashes. The reason
typed here goes into the deployment history (who, when, why).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import getters, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from llmops_tui.domain.deploy import DeployAction
from llmops_tui.tui.deploy_plans import DeployPlan

MAX_CHANGES = 8
VERBS = {
    DeployAction.ROLLBACK: "Roll back",
    DeployAction.PROMOTE: "Promote",
    DeployAction.DEPLOY: "Deploy",
    DeployAction.CANARY: "Start canary",
}


@dataclass(frozen=True, slots=True)
class DeployDecision:
    """The user confirmed; `percent` is a canary's share of traffic."""

    reason: str | None
    percent: float | None = None


class DeployConfirmScreen(ModalScreen[DeployDecision | None]):
    """Dismissed with the decision, or None when cancelled."""

    CSS_PATH = "deploy_confirm.tcss"
    AUTO_FOCUS = "#deploy-percent, #deploy-reason"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
    ]
    reason_box = getters.query_one("#deploy-reason", Input)

    def __init__(self, plan: DeployPlan) -> None:
        super().__init__()
        self.plan = plan

    def compose(self) -> ComposeResult:
        plan = self.plan
        changes = [escape(line) for line in plan.changes[:MAX_CHANGES]]
        if len(plan.changes) > MAX_CHANGES:
            changes.append(f"… and {len(plan.changes) - MAX_CHANGES} more")
        verb = VERBS.get(plan.action, plan.action.value.title())
        with Vertical(id="deploy-confirm", classes=plan.action.value):
            yield Static(f"{verb} · {escape(plan.environment)}", classes="section-title")
            yield Static(f"[b]{escape(plan.summary)}[/b]", id="deploy-summary")
            yield Static(
                "\n".join(f"  {line}" for line in changes) or "  same artifact versions",
                id="deploy-changes",
            )
            if plan.action is DeployAction.CANARY:
                yield Static(
                    "Share of the traffic for the canary, in percent",
                    id="deploy-percent-label",
                    classes="muted",
                )
                yield Input(
                    f"{plan.percent or 10:g}",
                    placeholder="share of traffic, percent",
                    id="deploy-percent",
                )
            yield Input(placeholder="reason (optional, kept in the history)", id="deploy-reason")
            with Horizontal(id="deploy-buttons"):
                yield Button(
                    verb,
                    id="confirm",
                    variant="error" if plan.action is DeployAction.ROLLBACK else "primary",
                )
                yield Button("Cancel", id="cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        percent = None
        if self.plan.action is DeployAction.CANARY:
            text = self.query_one("#deploy-percent", Input).value.strip().rstrip("%")
            try:
                percent = float(text)
            except ValueError:
                percent = -1.0
            if not 0 < percent < 100:
                self.notify(
                    f"canary share: expected a percent between 0 and 100, got {text!r}",
                    severity="error",
                )
                return
        reason = self.reason_box.value.strip()
        self.dismiss(DeployDecision(reason or None, percent))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
