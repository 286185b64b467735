"""A bug's details, shown instead of taking the app down."""

from __future__ import annotations

import traceback
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class ErrorModal(ModalScreen[None]):
    DEFAULT_CSS = """
    ErrorModal { align: center middle; }
    ErrorModal > VerticalScroll {
        width: 90%; max-height: 80%; border: round $error; background: $panel; padding: 1 2;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter", "close", "Close")]

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self._error = error

    def compose(self) -> ComposeResult:
        details = "".join(traceback.format_exception(self._error))
        with VerticalScroll():
            yield Static(
                f"[b]Something went wrong:[/b] {type(self._error).__name__}: {self._error}"
            )
            yield Static("This is a bug in llmops-tui; the details below help us fix it.\n")
            yield Static(details, markup=False)

    def action_close(self) -> None:
        self.dismiss()
