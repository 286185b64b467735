"""Overview (1): health per environment against the previous period, rankings, errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Header, Static

from llmops_tui.domain.deploy import Deployment
from llmops_tui.domain.overview import EnvironmentHealth, RankedItem, RecentError, Window
from llmops_tui.formatting import count, usd
from llmops_tui.tui.deploy_log import markers
from llmops_tui.tui.screens.base import DataScreen
from llmops_tui.tui.view import View
from llmops_tui.tui.widgets.cells import plain
from llmops_tui.tui.widgets.health import HealthPanel
from llmops_tui.tui.widgets.key_bar import KeyBar

TOP = 5


@dataclass
class OverviewLoaded(Message):
    view: View
    window: Window
    health: list[EnvironmentHealth]
    models: list[RankedItem]
    prompts: list[RankedItem]
    errors: list[RecentError]
    deploys: list[Deployment]
    """Deployments in the window, drawn as markers under the health trends."""


class OverviewScreen(DataScreen):
    CSS_PATH = "overview.tcss"
    AUTO_FOCUS = "#errors"
    HELP_TITLE = "Overview"
    HELP_TEXT = (
        "Each metric is compared with the previous period of the same length; a red change is\n"
        "a change for the worse. Trends cover the selected time range."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        *DataScreen.BINDINGS,
        Binding("enter", "open_error", "Open trace", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="overview"):
            yield Static("", id="window", classes="muted")
            yield Horizontal(id="health")
            with Horizontal(id="rankings"):
                with Vertical():
                    yield Static("Top models by cost", classes="section-title")
                    yield DataTable(id="models", cursor_type="none", zebra_stripes=True)
                with Vertical():
                    yield Static("Top prompt versions by cost", classes="section-title")
                    yield DataTable(id="prompts", cursor_type="none", zebra_stripes=True)
                with Vertical():
                    yield Static("Most errors", classes="section-title")
                    yield DataTable(id="failing", cursor_type="none", zebra_stripes=True)
            yield Static("Recent errors", classes="section-title")
            yield DataTable(id="errors", cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    def on_mount(self) -> None:
        for table_id in ("models", "prompts"):
            self.query_one(f"#{table_id}", DataTable).add_columns("name", "calls", "cost")
        self.query_one("#failing", DataTable).add_columns("model or prompt", "errors", "rate")
        self.query_one("#errors", DataTable).add_columns("time", "env", "span", "model", "error")

    def load(self, *, live: bool) -> None:
        self.abandon("overview.load")
        self.load_overview(self.cockpit.view)

    def on_screen_suspend(self) -> None:
        """Another screen is shown: stop loading, and load afresh when this one is back."""
        if any(
            w.node is self and w.group == "overview.load" and w.is_running for w in self.workers
        ):
            self.abandon("overview.load")
            self._loaded = None

    @work(thread=True, exclusive=True, group="overview.load", exit_on_error=False)
    def load_overview(self, view: View) -> None:
        store = self.cockpit.store
        data_start, data_end = self.cockpit.data_range()
        window = view.window(self.cockpit.clock(), data_start, data_end)
        env = view.environment
        with self.querying():
            loaded = OverviewLoaded(
                view=view,
                window=window,
                health=store.overview.health(window, environment=env),
                models=store.overview.ranking(window, by="model", environment=env),
                prompts=store.overview.ranking(window, by="prompt", environment=env),
                errors=store.overview.recent_errors(window, environment=env),
                deploys=markers(store, window.start, window.end),
            )
        self.post_message(loaded)

    @on(OverviewLoaded)
    def show_overview(self, loaded: OverviewLoaded) -> None:
        if loaded.view != self.cockpit.view:
            return  # a newer request is on its way
        if loaded.view.environment is None:
            self.cockpit.environments = [h.environment for h in loaded.health]
        window = loaded.window
        self.query_one("#window", Static).update(
            f"{window.start:%Y-%m-%d %H:%M} → {window.end:%Y-%m-%d %H:%M} UTC, "
            f"compared with the {window.days:.3g} days before"
            if loaded.health
            else "No model calls in this time range: press t for a longer one."
        )
        self._show_health(loaded.health, window, loaded.deploys)
        self._show_ranking("#models", loaded.models)
        self._show_ranking("#prompts", loaded.prompts)
        self._show_failing(loaded.models + loaded.prompts)
        self._show_errors(loaded.errors)

    def _show_health(
        self, health: list[EnvironmentHealth], window: Window, deploys: list[Deployment]
    ) -> None:
        row = self.query_one("#health", Horizontal)
        row.set_class(len(health) == 1, "single")  # one environment: the whole width
        panels: dict[str | None, HealthPanel] = {p.id: p for p in row.query(HealthPanel)}
        wanted = {f"env-{h.environment}" for h in health}
        for panel_id, panel in panels.items():
            if panel_id not in wanted:
                panel.remove()
        minutes = max((window.end - window.start).total_seconds() / 60, 1.0)
        for item in health:
            panel_id = f"env-{item.environment}"
            panel = panels.get(panel_id) or HealthPanel(id=panel_id)
            if not panel.is_attached:
                row.mount(panel)
            own = [d for d in deploys if d.environment == item.environment]
            panel.show(item, days=window.days, minutes=minutes, window=window, markers=own)

    def _show_ranking(self, selector: str, items: list[RankedItem]) -> None:
        table = self.query_one(selector, DataTable)
        table.clear()
        ranked = sorted(items, key=lambda i: (-(i.cost_usd or 0), i.name))[:TOP]
        for item in ranked:
            table.add_row(
                plain(item.name[:24]), plain(count(item.requests)), plain(usd(item.cost_usd))
            )

    def _show_failing(self, items: list[RankedItem]) -> None:
        table = self.query_one("#failing", DataTable)
        table.clear()
        failing = sorted((i for i in items if i.errors), key=lambda i: (-i.errors, i.name))[:TOP]
        for item in failing:
            rate = f"{item.errors / item.requests * 100:.1f}%" if item.requests else "-"
            table.add_row(plain(item.name[:24]), plain(count(item.errors)), plain(rate))

    def _show_errors(self, errors: list[RecentError]) -> None:
        table = self.query_one("#errors", DataTable)
        table.clear()
        for error in errors:
            table.add_row(
                plain(f"{error.start_time:%m-%d %H:%M:%S}"),
                plain(error.environment or "-"),
                plain((error.name or "-")[:28]),
                plain(error.model or "-"),
                plain((error.message or "").replace("\n", " ")[:60]),
                key=f"{error.trace_id}|{error.start_time.isoformat()}",
            )

    @on(DataTable.RowSelected, "#errors")
    def _error_selected(self, event: DataTable.RowSelected) -> None:
        self._open(event.row_key.value)

    def action_open_error(self) -> None:
        table = self.query_one("#errors", DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            self._open(key)

    def _open(self, key: str | None) -> None:
        if key:
            trace_id, started = key.split("|", 1)
            self.cockpit.open_trace(trace_id, datetime.fromisoformat(started))
