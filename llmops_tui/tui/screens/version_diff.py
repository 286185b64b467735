"""Two versions of an artifact side by side (or as a unified diff), changed words highlighted.

The diff is the one `llmops versions diff` prints (`llmops_tui.versions.diff`); this screen
reads the two texts and lays the diff out in a worker, and scrolls the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.console import RenderableType
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Header, Static

from llmops_tui.domain.versions import ArtifactKind, version_tag
from llmops_tui.tui.screens.base import CockpitScreen
from llmops_tui.tui.widgets.key_bar import KeyBar
from llmops_tui.versions import diff


@dataclass
class DiffBuilt(Message):
    side_by_side: bool
    body: RenderableType


class VersionDiffScreen(CockpitScreen):
    CSS_PATH = "version_diff.tcss"
    AUTO_FOCUS = "#diff"
    HELP_TITLE = "Version diff"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace", "close", "Back"),
        Binding("u", "toggle_layout", "Unified / side by side"),
    ]

    def __init__(self, kind: ArtifactKind, name: str, old: int, new: int) -> None:
        super().__init__()
        self.kind, self.artifact_name, self.old, self.new = kind, name, old, new
        self.side_by_side = True

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._title(), id="diff-title", classes="section-title")
        with VerticalScroll(id="diff"):
            yield Static("loading…", id="diff-body")
        yield KeyBar()

    def on_mount(self) -> None:
        self.build_diff(self.side_by_side)

    def _title(self) -> str:
        layout = "side by side" if self.side_by_side else "unified"
        versions = f"{version_tag(self.old)} → {version_tag(self.new)}"
        return f"{self.kind.value} {self.artifact_name}: {versions} · {layout}"

    @work(thread=True, exclusive=True, group="versions.diff", exit_on_error=False)
    def build_diff(self, side_by_side: bool) -> None:
        """Read both texts and lay the diff out here: difflib over a long dataset is slow."""
        old, new = self.cockpit.store.versions.texts(
            self.kind, self.artifact_name, self.old, self.new
        )
        names = {"old_name": old.version.ref, "new_name": new.version.ref}
        body: RenderableType
        if old.text == new.text:
            body = f"{old.version.ref} and {new.version.ref} have the same content."
        elif side_by_side:
            body = diff.side_by_side(old.text, new.text, **names)
        else:
            body = diff.unified(old.text, new.text, **names)
        self.post_message(DiffBuilt(side_by_side, body))

    @on(DiffBuilt)
    def show_diff(self, built: DiffBuilt) -> None:
        if built.side_by_side != self.side_by_side:
            return  # toggled again while this one was being built
        self.query_one("#diff-title", Static).update(self._title())
        self.query_one("#diff-body", Static).update(built.body)

    def action_toggle_layout(self) -> None:
        self.side_by_side = not self.side_by_side
        self.build_diff(self.side_by_side)

    def action_close(self) -> None:
        self.dismiss()
