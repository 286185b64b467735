"""One SVG snapshot per screen state, on the fixed demo database with a frozen clock.

Review changes with `pytest tests/snapshots --snapshot-update` only after reading the report.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from llmops_tui.store import Store
from llmops_tui.tui.screens import deploys as deploys_screen
from llmops_tui.tui.screens import evals as evals_screen
from tests.tui import fakes
from tests.tui.conftest import make_app
from tests.tui.test_overview import _settle

SIZE = (120, 36)
Snap = Callable[..., bool]


def _keys(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run(pilot: Pilot[Any]) -> None:
        await _settle(pilot.app)  # type: ignore[arg-type]
        for key in keys:
            await pilot.press(key)
            await _settle(pilot.app)  # type: ignore[arg-type]
            await pilot.pause()
        await _settle(pilot.app)  # type: ignore[arg-type]
        for box in pilot.app.screen.query(Input):
            box.cursor_blink = False  # a blinking cursor would be caught on or off at random
        await pilot.pause()
        # A DataTable sizes its columns for new rows when idle: on a busy machine the capture
        # could come first and show every column at its header's width.
        for _ in range(50):
            if not any(t._require_update_dimensions for t in pilot.app.screen.query(DataTable)):
                break
            await pilot.pause()

    return run


STATES = {
    "overview_24h": (),
    "overview_30d_production": ("t", "t", "v"),
    "help": ("question_mark",),
    "versions_30d": ("t", "t", "2"),
    "version_diff": ("t", "t", "2", "d"),
    "label_confirm": ("t", "t", "2", "down", "l", "enter"),
    "traces_30d": ("t", "t", "3"),
    "traces_filtered": ("t", "t", "3", "slash", *"status:error prompt:support@v4", "enter"),
    "traces_filter_error": ("t", "t", "3", "slash", *"latency:fast", "enter"),
    "trace_detail": ("t", "t", "3", "enter", "down", "down"),
}


@pytest.mark.parametrize("state", list(STATES))
def test_screen(snap_compare: Snap, demo_store: Store, state: str) -> None:
    assert snap_compare(make_app(demo_store), terminal_size=SIZE, run_before=_keys(*STATES[state]))


def test_welcome_without_a_database(snap_compare: Snap, tmp_path: Path) -> None:
    assert snap_compare(
        make_app(Store(tmp_path / "nothing-yet.duckdb", readonly=True)),
        terminal_size=SIZE,
        run_before=_keys(),
    )


EVAL_STATES = {
    "evals_compare": ("4",),
    "evals_gate": ("4", "g"),
}


@pytest.mark.parametrize("state", list(EVAL_STATES))
def test_evals_screen(
    snap_compare: Snap, demo_store: Store, monkeypatch: pytest.MonkeyPatch, state: str
) -> None:
    fakes.add_eval_runs(demo_store)
    monkeypatch.setattr(
        evals_screen,
        "compare_pair",
        lambda store, config, b, c: fakes.comparison(store.evals.get(b), store.evals.get(c)),
    )
    monkeypatch.setattr(
        evals_screen,
        "gate_pair",
        lambda store, config, b, c: fakes.gate_result(
            fakes.comparison(store.evals.get(b), store.evals.get(c))
        ),
    )
    assert snap_compare(
        make_app(demo_store), terminal_size=SIZE, run_before=_keys(*EVAL_STATES[state])
    )


DEPLOY_STATES = {
    "deploys_canary": ("6", "e"),
    "deploys_rollback_confirm": ("6", "e", "r"),
}


@pytest.mark.parametrize("state", list(DEPLOY_STATES))
def test_deploys_screen(
    snap_compare: Snap,
    demo_store: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    state: str,
) -> None:
    fakes.deploy_history(demo_store)
    monkeypatch.setattr(
        deploys_screen,
        "analyse",
        lambda store, config, env, clock: fakes.canary_analysis(env, fakes.R3, fakes.R2),
    )
    app = make_app(demo_store, config=fakes.deploy_config(tmp_path))
    assert snap_compare(app, terminal_size=SIZE, run_before=_keys(*DEPLOY_STATES[state]))
