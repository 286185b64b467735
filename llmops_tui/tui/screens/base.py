"""What the cockpit's screens share: the one error path for their workers; and for data
screens the time-range and environment keys and staleness checks."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from llmops_tui.domain.overview import TimeRange
from llmops_tui.tui.context import Cockpit, cockpit
from llmops_tui.tui.messages import DataChanged, ViewChanged
from llmops_tui.tui.view import View

RANGES = list(TimeRange)


class CockpitScreen(Screen[None]):
    """A screen of the cockpit. `Worker.StateChanged` does not bubble, so the app never hears
    of a screen's workers: a failed one is handed to the app's one error path from here."""

    @property
    def cockpit(self) -> Cockpit:
        return cockpit(self.app)

    @on(Worker.StateChanged)
    def _worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.cockpit.report_error(event.worker.error)


class DataScreen(CockpitScreen):
    """A screen that loads from the store and reloads when the view or the data change."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "cycle_range", "Time range"),
        Binding("v", "cycle_environment", "Environment"),
        Binding("R", "reload", "Reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._loaded: tuple[View, int] | None = None
        self._query_threads: set[int] = set()

    def on_screen_resume(self) -> None:
        if self._loaded != (self.cockpit.view, self.cockpit.generation):
            self.reload()

    @on(ViewChanged)
    def _view_changed(self) -> None:
        self.reload()

    @on(DataChanged)
    def _data_changed(self) -> None:
        self.reload(live=True)

    def reload(self, *, live: bool = False) -> None:
        """Start this screen's workers; `live` keeps the cursor and the page in place."""
        self._loaded = (self.cockpit.view, self.cockpit.generation)
        self.load(live=live)

    def load(self, *, live: bool) -> None:
        raise NotImplementedError

    @contextmanager
    def querying(self) -> Iterator[None]:
        """Wrap a worker's store calls, so `abandon` can stop them."""
        thread = threading.get_ident()
        self._query_threads.add(thread)
        try:
            yield
        finally:
            self._query_threads.discard(thread)

    def abandon(self, group: str) -> None:
        """Cancel this screen's workers of `group` and stop the queries they are running: a
        thread can't be killed, and a stale query over millions of spans would otherwise keep
        competing with the one the user now waits for."""
        self.workers.cancel_group(self, group)
        self.cockpit.store.interrupt(list(self._query_threads))

    def action_reload(self) -> None:
        self.reload(live=True)

    def action_cycle_range(self) -> None:
        view = self.cockpit.view
        following = RANGES[(RANGES.index(view.time_range) + 1) % len(RANGES)]
        self._set_view(view.with_range(following))

    def action_cycle_environment(self) -> None:
        view = self.cockpit.view
        choices: list[str | None] = [None, *self.cockpit.environments]
        position = choices.index(view.environment) if view.environment in choices else 0
        self._set_view(view.with_environment(choices[(position + 1) % len(choices)]))

    def _set_view(self, view: View) -> None:
        self.cockpit.set_view(view)
