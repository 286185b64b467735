"""Overview: per-environment health, rankings, errors; keys change the view."""

from __future__ import annotations

import time
from typing import Any

import pytest
from textual.widgets import DataTable

from llmops_tui.domain.metrics import StatsGrouping
from llmops_tui.store import Store
from llmops_tui.tui.app import LlmopsApp
from llmops_tui.tui.screens.help import HelpScreen
from llmops_tui.tui.screens.overview import OverviewScreen
from llmops_tui.tui.screens.trace_detail import TraceScreen
from llmops_tui.tui.widgets.health import HealthPanel
from tests.tui.conftest import FROZEN_NOW


async def _settle(app: LlmopsApp) -> None:
    """Wait until the screens' queries are done and their results shown."""
    for _ in range(3):
        await app.workers.wait_for_complete()
        await app.animator.wait_until_complete()


async def test_overview_shows_each_environment_with_the_store_figures(
    app: LlmopsApp, demo_store: Store
) -> None:
    from datetime import timedelta

    expected = {
        r.group: r
        for r in demo_store.metrics.stats(
            since=FROZEN_NOW - timedelta(days=1),
            until=FROZEN_NOW,
            environment=None,
            grouping=StatsGrouping.ENV,
        )
    }
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app)
        await pilot.pause()
        assert isinstance(app.screen, OverviewScreen)
        panels = {p.border_title: str(p.render()) for p in app.screen.query(HealthPanel)}
        assert set(panels) == set(expected)
        for env, row in expected.items():
            assert f"{row.requests:,}" in panels[env]
        assert "last 24h" in app.sub_title
        models = app.screen.query_one("#models", DataTable)
        assert models.row_count > 0


async def test_time_range_and_environment_keys(app: LlmopsApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app)
        await pilot.press("t")
        await _settle(app)
        await pilot.pause()
        assert app.view.time_range.value == "7d"
        assert "last 7d" in app.sub_title
        await pilot.press("v")
        await _settle(app)
        await pilot.pause()
        chosen = app.view.environment
        assert chosen == app.environments[0]
        titles = [p.border_title for p in app.screen.query(HealthPanel)]
        assert titles == [chosen]


async def test_enter_on_a_recent_error_opens_its_trace(app: LlmopsApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("t", "t")  # 30 days: the demo's errors are in range
        await _settle(app)
        await pilot.pause()
        errors = app.screen.query_one("#errors", DataTable)
        assert errors.row_count > 0
        errors.focus()
        await pilot.press("enter")
        await _settle(app)
        await pilot.pause()
        assert isinstance(app.screen, TraceScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, OverviewScreen)


async def test_help_lists_the_screen_keys(app: LlmopsApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = " ".join(str(s.render()) for s in app.screen.query("Static"))
        assert "Time range" in text
        assert "Environment" in text
        await pilot.press("escape")
        assert isinstance(app.screen, OverviewScreen)


async def test_number_keys_switch_screens_and_unknown_ones_do_nothing(app: LlmopsApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app)
        await pilot.press("3")
        await pilot.pause()
        assert type(app.screen).__name__ == "TracesScreen"
        await pilot.press("5")
        await pilot.pause()
        assert type(app.screen).__name__ == "TracesScreen"
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, OverviewScreen)


async def test_leaving_while_the_overview_loads_stops_it_and_coming_back_reloads(
    app: LlmopsApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    health = app.store.overview.health

    def slow_health(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.3)  # a big store: still loading when the user switches screens
        return health(*args, **kwargs)

    monkeypatch.setattr(app.store.overview, "health", slow_health)
    async with app.run_test(size=(120, 36)) as pilot:
        overview = app.screen
        assert isinstance(overview, OverviewScreen)
        await pilot.press("t", "3")
        assert _loaded(overview) is None  # abandoned: it will load again when shown
        await _settle(app)
        await pilot.press("1")
        await _settle(app)
        await pilot.pause()
        assert overview.query(HealthPanel)
        assert _loaded(overview) == (app.view, app.generation)
        assert app.screen is overview


def _loaded(screen: OverviewScreen) -> object:
    """What the screen last loaded (a call, so the type checker doesn't carry a narrowing)."""
    return screen._loaded
