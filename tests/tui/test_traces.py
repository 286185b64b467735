"""Traces: keyset pages, the filter bar, sorting, opening, copying and exporting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Static

from llmops_tui.costs import StoreRates
from llmops_tui.ingest.pipeline import Ingestor
from llmops_tui.pricing import Pricer
from llmops_tui.store import Store
from llmops_tui.tui.app import LlmopsApp
from llmops_tui.tui.screens.trace_detail import TraceScreen
from llmops_tui.tui.screens.traces import PAGE_SIZE, TracesScreen
from llmops_tui.tui.widgets.row_table import RowTable
from tests.tui.test_overview import _settle


async def _open_traces(app: LlmopsApp, pilot: object, *, month: bool = True) -> TracesScreen:
    press = pilot.press  # type: ignore[attr-defined]
    if month:
        await press("t", "t")  # 30 days: the whole demo
    await press("3")
    await _settle(app)
    await pilot.pause()  # type: ignore[attr-defined]
    screen = app.screen
    assert isinstance(screen, TracesScreen)
    return screen


def _ids(screen: TracesScreen) -> list[str]:
    return [row.trace_id for row in screen._rows]


async def test_pages_move_forward_and_back_by_keyset(app: LlmopsApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open_traces(app, pilot)
        first = _ids(screen)
        assert len(first) == PAGE_SIZE
        starts = [r.start_time for r in screen._rows]
        assert starts == sorted(starts, reverse=True)
        await pilot.press("n")
        await _settle(app)
        await pilot.pause()
        second = _ids(screen)
        assert len(second) == PAGE_SIZE
        assert not set(first) & set(second)
        assert screen._rows[0].start_time <= starts[-1]
        assert "page 2" in str(screen.query_one("#status", Static).render())
        await pilot.press("p")
        await _settle(app)
        await pilot.pause()
        assert _ids(screen) == first


async def test_filter_selects_matching_traces_and_shows_errors_inline(
    app: LlmopsApp, demo_store: Store
) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open_traces(app, pilot)
        await pilot.press("slash", *"status:error env:production", "enter")
        await _settle(app)
        await pilot.pause()
        assert screen._rows
        assert {r.status for r in screen._rows} == {"error"}
        assert {r.environment for r in screen._rows} == {"production"}
        matched = _ids(screen)

        await pilot.press("slash", "ctrl+a", *"modle:gpt-4o", "enter")
        await pilot.pause()
        error = screen.query_one("#filter-error", Static)
        assert error.display
        assert "unknown field 'modle'" in str(error.render())
        assert _ids(screen) == matched  # a bad filter changes nothing


@pytest.mark.parametrize(
    "hostile",
    ["'; DROP TABLE spans; --", 'name:"unbalanced', "latency>1e999", "cost>99999999999999"],
)
async def test_hostile_filters_change_nothing(
    app: LlmopsApp, demo_store: Store, hostile: str
) -> None:
    before = demo_store.spans.count()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open_traces(app, pilot)
        await pilot.press("slash", *hostile, "enter")
        await _settle(app)
        await pilot.pause()
        error = screen.query_one("#filter-error", Static)
        if error.display:
            assert "\n" in str(error.render())  # message, then a caret under the position
        else:
            assert screen._rows == []  # the free text matched nothing
    assert demo_store.spans.count() == before


async def test_sort_and_reverse(app: LlmopsApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open_traces(app, pilot)
        await pilot.press("s")
        await _settle(app)
        await pilot.pause()
        durations = [r.duration_ms or 0 for r in screen._rows]
        assert durations == sorted(durations, reverse=True)
        await pilot.press("r")
        await _settle(app)
        await pilot.pause()
        durations = [r.duration_ms or 0 for r in screen._rows]
        assert durations == sorted(durations)


async def test_enter_opens_the_trace_with_its_span_tree_and_messages(app: LlmopsApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open_traces(app, pilot)
        chosen = screen._rows[0]
        await pilot.press("enter")
        await _settle(app)
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, TraceScreen)
        spans = detail.query_one("#spans", RowTable)
        assert spans.row_count == chosen.spans
        llm_row = next(i for i, s in enumerate(detail._order) if s.input_text)
        spans.move_cursor(row=llm_row)
        await pilot.pause()
        messages = str(detail.query_one("#messages", Static).render())
        assert "── input ──" in messages
        assert "system" in messages
        summary = str(detail.query_one("#summary", Static).render())
        assert "tokens in" in summary
        assert "cost $" in summary
        await pilot.press("y")
        assert app.clipboard == chosen.trace_id
        await pilot.press("escape")
        assert app.screen is screen


async def test_y_copies_and_e_exports_reingestable_jsonl(
    app: LlmopsApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open_traces(app, pilot)
        await pilot.press("slash", *"model:o4-mini", "enter")
        await _settle(app)
        await pilot.pause()
        await pilot.press("y")
        assert app.clipboard == screen._rows[0].trace_id
        await pilot.press("e")
        await _settle(app)
        await pilot.pause()
    (exported,) = tmp_path.glob("llmops-traces-*.jsonl")
    records = [json.loads(line) for line in exported.read_text().splitlines()]
    traces = {r["trace_id"] for r in records}
    assert traces
    assert any(r["attributes"].get("gen_ai.request.model") == "o4-mini" for r in records)
    fresh = Store(tmp_path / "fresh.duckdb")
    report = Ingestor(fresh, StoreRates(Pricer())).ingest([exported])
    assert report.rejects == 0
    assert report.spans_loaded == len(records)


async def test_cursor_keys_pick_the_row_that_enter_opens(app: LlmopsApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open_traces(app, pilot)
        await pilot.press("down", "down", "down", "up")
        assert screen.selected_row() == screen._rows[2]
        await pilot.press("end")
        assert screen.selected_row() == screen._rows[-1]
        await pilot.press("home", "pagedown")
        assert screen.selected_row() not in (None, screen._rows[0])
        chosen = screen.selected_row()
        assert chosen is not None
        await pilot.press("enter")
        await _settle(app)
        await pilot.pause()
        assert isinstance(app.screen, TraceScreen)
        assert app.screen.trace_id == chosen.trace_id
        await pilot.press("escape")
        await pilot.click("#traces", offset=(5, 2))  # the second row: the cursor moves there
        assert screen.selected_row() == screen._rows[1]
