"""`l`, second step: what moves from where, and an optional reason for the label history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from llmops_tui.domain.versions import LabelMove, version_tag


@dataclass(frozen=True, slots=True)
class LabelDecision:
    """The user confirmed the move; `reason` goes into the label history."""

    reason: str | None


class LabelConfirmScreen(ModalScreen[LabelDecision | None]):
    """Dismissed with the decision, or None when cancelled."""

    CSS_PATH = "label_confirm.tcss"
    AUTO_FOCUS = "#reason"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, move: LabelMove) -> None:
        super().__init__()
        self.move = move

    def compose(self) -> ComposeResult:
        move = self.move
        if move.changed:
            what = escape(move.describe().replace(" -> ", " → "))
            note = "Traffic that follows this label will use the new version."
        else:
            what = f"{escape(move.label)} is already on {escape(move.name)}@" + version_tag(
                move.to_version or 0
            )
            note = "Nothing moves; a reason is still recorded in the label history."
        with Vertical(id="label-confirm"):
            yield Static("Move label", id="label-confirm-title", classes="section-title")
            yield Static(f"[b]{what}[/b]", id="label-move")
            yield Static(note, classes="muted")
            yield Input(placeholder="reason (optional, kept in the label history)", id="reason")
            with Horizontal(id="label-buttons"):
                yield Button("Move", id="confirm", variant="primary")
                yield Button("Cancel", id="cancel")

    @on(Input.Submitted, "#reason")
    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        self.dismiss(LabelDecision(reason or None))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
