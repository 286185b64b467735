"""Shown when there is no database yet: how to get data in."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Header, Static

from llmops_tui.tui.widgets.key_bar import KeyBar

TEXT = """\
[b]No traces yet[/b] ({name} doesn't exist).

Load the logs your LLM app writes:

  [b]llmops ingest PATH...[/b]        files or folders: OTLP JSON/protobuf, OpenAI,
                                Anthropic and LiteLLM logs, console exporter
  [b]llmops watch PATH...[/b]         keep loading them as they grow
  [b]llmops --watch PATH[/b]          open this cockpit and load them live

or try everything on a month of simulated traffic:

  [b]llmops demo[/b]
"""


class WelcomeScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = []
    DEFAULT_CSS = """
    WelcomeScreen #welcome { width: 80; border: round $accent; padding: 1 2; }
    """

    def __init__(self, database_name: str) -> None:
        super().__init__()
        self._name = database_name

    def compose(self) -> ComposeResult:
        yield Header()
        with Middle(), Center():
            yield Static(TEXT.format(name=self._name), id="welcome")
        yield KeyBar()
