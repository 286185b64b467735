"""The cockpit's shell: screens by number key, the command palette, help, one error path.

The app only composes screens, installs global bindings and routes errors (STYLE rule 2);
every query runs in a screen's thread worker. New data (an in-process `--watch`, or another
process such as `llmops watch` writing the same file, noticed by a cheap poll) bumps
`generation`; the active screen refreshes in place and the others when they resume.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import Worker, WorkerState, get_current_worker

from llmops_tui.config import ProjectConfig
from llmops_tui.costs import StoreRates
from llmops_tui.domain.overview import TimeRange
from llmops_tui.errors import LlmopsError
from llmops_tui.ingest.pipeline import IngestReport
from llmops_tui.ingest.watch import Watcher
from llmops_tui.pricing import PriceOverride, Pricer
from llmops_tui.store import Store
from llmops_tui.tui.messages import DataChanged, TraceFetched, ViewChanged
from llmops_tui.tui.screens.deploys import DeploysScreen
from llmops_tui.tui.screens.error import ErrorModal
from llmops_tui.tui.screens.evals import EvalsScreen
from llmops_tui.tui.screens.help import HelpScreen
from llmops_tui.tui.screens.overview import OverviewScreen
from llmops_tui.tui.screens.trace_detail import TraceScreen
from llmops_tui.tui.screens.traces import TracesScreen
from llmops_tui.tui.screens.versions import VersionsScreen
from llmops_tui.tui.screens.welcome import WelcomeScreen
from llmops_tui.tui.view import Clock, View, utc_now

POLL_SECONDS = 3.0
SCREENS_BY_KEY = {
    "1": ("overview", "Overview"),
    "2": ("versions", "Versions"),
    "3": ("traces", "Traces"),
    "4": ("evals", "Evals"),
    "6": ("deploys", "Deploys"),
}
"""DESIGN §7 numbering; keys of screens later releases build do nothing yet."""


class LlmopsApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "llmops"
    MODES: ClassVar[dict[str, type[Screen[None]]]] = {  # type: ignore[assignment]
        "overview": OverviewScreen,
        "versions": VersionsScreen,
        "traces": TracesScreen,
        "evals": EvalsScreen,
        "deploys": DeploysScreen,
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(key, f"show_screen('{mode}')", label, key_display=key)
            for key, (mode, label) in SCREENS_BY_KEY.items()
        ),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(
        self,
        store: Store,
        *,
        project: str,
        readonly: bool = False,
        watch: list[Path] | None = None,
        clock: Clock = utc_now,
        poll: bool = True,
        price_overrides: Mapping[str, PriceOverride] | None = None,
        config: ProjectConfig | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.config = config
        self.readonly = readonly
        self.clock = clock
        self.generation = 0
        self._view = View()
        self._project = project
        self._watch = watch or []
        self._poll = poll
        self._stop = threading.Event()
        self._last_count: int | None = None
        self._price_overrides = dict(price_overrides or {})
        self._data_range: tuple[int, tuple[datetime | None, datetime | None]] | None = None
        self._data_range_lock = threading.Lock()
        self._trace_screen: TraceScreen | None = None
        self.environments: list[str] = []
        """Environments seen by the last Overview load, offered in the command palette."""

    @property
    def view(self) -> View:
        return self._view

    def on_mount(self) -> None:
        self.title = f"llmops · {self._project}"
        self._describe()
        if not self.store.exists() and not self._watch:
            self.push_screen(WelcomeScreen(self.store.path.name))
            return
        self.switch_mode("overview")
        if self._watch:
            self.run_watcher()
        if self._poll:
            self.poll_for_changes()  # the baseline the next polls compare with
            self.set_interval(POLL_SECONDS, self.poll_for_changes)

    def on_unmount(self) -> None:
        self._stop.set()

    def _describe(self) -> None:
        self.sub_title = f"{self.store.path.name} · {self._view.describe()}"

    # -- view state -------------------------------------------------------------------------

    def set_view(self, view: View) -> None:
        self._view = view
        self._describe()
        self.screen.post_message(ViewChanged(view))

    def action_show_screen(self, mode: str) -> None:
        if self.store.exists() or self._watch:
            self.switch_mode(mode)

    def data_range(self) -> tuple[datetime | None, datetime | None]:
        """The stored data's first and last start time, read once per generation of data
        (called from screen workers: every page and refresh needs it for the time window)."""
        with self._data_range_lock:
            cached = self._data_range
            if cached is None or cached[0] != self.generation:
                cached = (self.generation, self.store.overview.data_range())
                self._data_range = cached
            return cached[1]

    def open_trace(self, trace_id: str, start: datetime | None) -> None:
        """Fetch a trace, then show it in the one TraceScreen (built once, kept installed)."""
        self.fetch_trace(trace_id, start)

    @work(thread=True, exclusive=True, group="app.trace", exit_on_error=False)
    def fetch_trace(self, trace_id: str, start: datetime | None) -> None:
        detail = self.store.traces.detail(trace_id, around=start)
        if not get_current_worker().is_cancelled:
            self.post_message(TraceFetched(detail, start))

    @on(TraceFetched)
    def _show_trace(self, fetched: TraceFetched) -> None:
        if self._trace_screen is None:
            self._trace_screen = TraceScreen()
            self.install_screen(self._trace_screen, "trace")
        if self.screen is self._trace_screen:
            self.pop_screen()
        self._trace_screen.open(fetched.detail.trace_id, fetched.start, fetched.detail)
        self.push_screen("trace")

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
        else:
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for key, (mode, label) in SCREENS_BY_KEY.items():
            yield SystemCommand(f"Screen: {label}", f"Show {label} ({key})", self._go(mode))
        for time_range in TimeRange:
            yield SystemCommand(
                f"Time range: {time_range.value}",
                f"Show the last {time_range.value}" if time_range.span else "Show all data",
                self._range(time_range),
            )
        yield SystemCommand("Environment: all", "Show every environment", self._environment(None))
        for name in self.environments:
            yield SystemCommand(
                f"Environment: {name}", f"Show only {name}", self._environment(name)
            )

    def _go(self, mode: str) -> Callable[[], None]:
        return lambda: self.action_show_screen(mode)

    def _range(self, time_range: TimeRange) -> Callable[[], None]:
        return lambda: self.set_view(self._view.with_range(time_range))

    def _environment(self, name: str | None) -> Callable[[], None]:
        return lambda: self.set_view(self._view.with_environment(name))

    # -- live data --------------------------------------------------------------------------

    def announce_data(self, spans: int) -> None:
        self.generation += 1
        if self.screen.is_mounted:
            self.screen.post_message(DataChanged(spans))

    @work(thread=True, exclusive=True, group="app.poll", exit_on_error=False)
    def poll_for_changes(self) -> None:
        if not self.store.exists():
            return
        count = self.store.spans.count()
        if self._last_count is not None and count != self._last_count:
            self.call_from_thread(self.announce_data, count - self._last_count)
        self._last_count = count

    def run_watcher(self) -> None:
        """Load the `--watch` paths live on a daemon thread.

        Not a Textual worker: it never finishes on its own, and the app's shutdown must not
        wait for it. It stops when the app unmounts (the stop event) or with the process.
        """
        rates = StoreRates(Pricer(self._price_overrides))
        watcher = Watcher.for_store(self.store, rates, self._watch)

        def announce(report: IngestReport) -> None:
            if not self._stop.is_set():
                self.call_from_thread(self.announce_data, report.spans_loaded)

        def follow() -> None:
            try:
                watcher.run(self._stop, on_batch=announce)
            except Exception as error:  # a bug: show it, the cockpit keeps running
                if not self._stop.is_set():
                    self.call_from_thread(self.push_screen, ErrorModal(error))

        threading.Thread(target=follow, name="llmops-watch", daemon=True).start()

    # -- the one error path -----------------------------------------------------------------

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.report_error(event.worker.error)

    def report_error(self, error: BaseException) -> None:
        """A user's error in one line, a bug in a modal; the app keeps running. Screens
        forward their workers' failures here (`CockpitScreen`)."""
        if isinstance(error, LlmopsError):
            self.notify(str(error), title="error", severity="error", timeout=8)
        else:
            self.push_screen(ErrorModal(error))
