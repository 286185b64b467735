"""`?`: the keys of the screen underneath, and the app's own."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


def binding_rows(screen: Screen[object]) -> list[tuple[str, str]]:
    """(key, description) for every described binding of `screen` and the app."""
    rows: list[tuple[str, str]] = []
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if binding.description:
            rows.append((binding.key_display or key, binding.description))
    return rows


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close help"),
    ]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self._under = under

    def compose(self) -> ComposeResult:
        keys = "\n".join(
            f"[b $accent]{escape(key):<12}[/]{escape(description)}"
            for key, description in binding_rows(self._under)
        )
        title = getattr(self._under, "HELP_TITLE", type(self._under).__name__)
        with VerticalScroll(id="help"):
            yield Static(f"[b]{title}[/b] — keys", id="help-title")
            yield Static(keys, id="help-keys")
            if extra := getattr(self._under, "HELP_TEXT", ""):
                yield Static(extra, id="help-extra")
            yield Static("ctrl+p  command palette: screens, environment, time range, theme")

    def action_dismiss(self, result: None = None) -> None:  # type: ignore[override]
        self.dismiss(result)
