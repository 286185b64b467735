"""`llmops --watch`: files loaded while the cockpit is open appear without losing the view."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from llmops_tui.store import Store
from llmops_tui.tui.screens.traces import TracesScreen
from tests.ingest.spans import flat_span, jsonl
from tests.tui.conftest import FROZEN_NOW, make_app
from tests.tui.test_overview import _settle


async def test_watched_files_refresh_the_open_screen_and_keep_the_filter(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    start = int((FROZEN_NOW.timestamp() - 3600) * 1e9)

    def span(n: int) -> dict[str, object]:
        return flat_span(n, start_time=start + n * 10**9, end_time=start + n * 10**9 + 5 * 10**8)

    (logs / "app.jsonl").write_bytes(jsonl([span(n) for n in range(3)]))
    app = make_app(Store(tmp_path / "live.duckdb"), watch=[logs])
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("3")
        screen = app.screen
        assert isinstance(screen, TracesScreen)
        deadline = time.monotonic() + 20
        while len(screen._rows) < 3 and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        assert len(screen._rows) == 3
        await pilot.press("slash", *"user:u4", "enter")
        await _settle(app)
        await pilot.pause()
        assert screen._rows == []

        with (logs / "app.jsonl").open("ab") as handle:
            handle.write(jsonl([span(n) for n in range(3, 8)]))
        deadline = time.monotonic() + 20
        while not screen._rows and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        assert [r.trace_id for r in screen._rows] == [span(4)["trace_id"]]
        assert screen.filter_text == "user:u4"
        assert app.generation > 0


async def test_data_written_by_another_writer_is_noticed_by_the_poll(tmp_path: Path) -> None:
    from llmops_tui.costs import StoreRates
    from llmops_tui.ingest.pipeline import Ingestor
    from llmops_tui.pricing import Pricer
    from llmops_tui.tui.app import LlmopsApp

    db = tmp_path / "shared.duckdb"
    start = int((FROZEN_NOW.timestamp() - 600) * 1e9)
    first = tmp_path / "first.jsonl"
    first.write_bytes(jsonl([flat_span(1, start_time=start, end_time=start + 10**9)]))
    writer = Ingestor(Store(db), StoreRates(Pricer()))
    writer.ingest([first])

    app = LlmopsApp(Store(db), project="p", clock=lambda: FROZEN_NOW, poll=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("3")
        screen = app.screen
        assert isinstance(screen, TracesScreen)
        await _settle(app)
        await pilot.pause()
        assert len(screen._rows) == 1
        second = tmp_path / "second.jsonl"
        second.write_bytes(
            jsonl([flat_span(2, start_time=start + 10**9, end_time=start + 2 * 10**9)])
        )
        writer.ingest([second])
        deadline = time.monotonic() + 15
        while len(screen._rows) < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        assert len(screen._rows) == 2
