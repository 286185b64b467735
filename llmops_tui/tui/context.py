"""What screens need from the app, as a Protocol so screens don't import the app module."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from datetime import datetime

    from textual.app import App

    from llmops_tui.config import ProjectConfig
    from llmops_tui.store import Store
    from llmops_tui.tui.view import Clock, View


class Cockpit(Protocol):
    store: Store
    readonly: bool
    clock: Clock
    generation: int
    """Bumped whenever new data arrives; screens compare it to what they last loaded."""
    environments: list[str]
    config: ProjectConfig | None
    """The project's `llmops.toml` (gate rules, environments), when the cockpit has one."""

    @property
    def view(self) -> View: ...

    def set_view(self, view: View) -> None: ...

    def data_range(self) -> tuple[datetime | None, datetime | None]: ...

    def open_trace(self, trace_id: str, start: datetime | None) -> None: ...

    def report_error(self, error: BaseException) -> None: ...


def cockpit(app: App[None]) -> Cockpit:
    return cast("Cockpit", app)
