"""`l`, first step: which label to move onto the selected version."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option


class LabelPickScreen(ModalScreen[str | None]):
    """Dismissed with the label picked (or typed), or None when cancelled."""

    CSS_PATH = "label_pick.tcss"
    AUTO_FOCUS = "#labels"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, ref: str, labels: list[str], where: Mapping[str, str]) -> None:
        """`labels` are offered in order; `where` says which version each one is on now."""
        super().__init__()
        self._ref = ref
        self._labels = labels
        self._where = where

    def compose(self) -> ComposeResult:
        with Vertical(id="label-pick"):
            yield Static(f"Move which label onto [b]{self._ref}[/b]?", id="label-pick-title")
            yield OptionList(
                *(Option(self._option(label), id=label) for label in self._labels), id="labels"
            )
            yield Input(placeholder="or type a custom label, then enter", id="custom-label")

    def _option(self, label: str) -> Text:
        text = Text(f"{label:<14}")
        where = self._where.get(label)
        text.append(f"now on {where}" if where else "not set yet", style="dim")
        return text

    @on(OptionList.OptionSelected, "#labels")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    @on(Input.Submitted, "#custom-label")
    def _typed(self, event: Input.Submitted) -> None:
        label = event.value.strip()
        if label:
            self.dismiss(label)

    def action_cancel(self) -> None:
        self.dismiss(None)
