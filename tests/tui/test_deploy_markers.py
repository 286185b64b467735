"""Deploy markers: under the Overview's trends at the deploy times, and on deployed versions."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.content import Content

from llmops_tui.domain.deploy import DeployAction, DeployStatus
from llmops_tui.domain.overview import Window
from llmops_tui.domain.versions import ArtifactKind
from llmops_tui.store import Store
from llmops_tui.tui.deploy_log import version_marks
from llmops_tui.tui.screens.versions import VersionsScreen
from llmops_tui.tui.widgets.health import HealthPanel, marker_row
from llmops_tui.tui.widgets.version_history import VersionHistory
from tests.tui import fakes
from tests.tui.conftest import make_app
from tests.tui.test_overview import _settle
from tests.tui.test_versions import _idle, _step

DAY = Window(datetime(2026, 11, 19, 12), datetime(2026, 11, 20, 12))


def _plain(markup: str) -> str:
    return Content.from_markup(markup).plain


def test_a_marker_sits_in_the_column_of_its_time_and_a_rollback_wins() -> None:
    records = [
        fakes.deployment("p", DeployAction.DEPLOY, fakes.R1, None, fakes.at(19, 13)),
        fakes.deployment("p", DeployAction.CANARY, fakes.R2, fakes.R1, fakes.at(20, 6)),
        fakes.deployment("p", DeployAction.ROLLBACK, fakes.R1, fakes.R2, fakes.at(20, 7)),
        fakes.deployment("p", DeployAction.PROMOTE, fakes.R2, fakes.R1, fakes.at(20, 7)),
        fakes.deployment(
            "p",
            DeployAction.DEPLOY,
            fakes.R3,
            fakes.R1,
            fakes.at(20, 11),
            status=DeployStatus.FAILED,
        ),
        fakes.deployment("p", DeployAction.DEPLOY, fakes.R3, fakes.R1, fakes.at(18, 11)),
    ]
    # 14 columns over 24 h: 13:00 → column 0, 06:00 next day → 10, 07:00 → 11, 11:00 → 13.
    assert _plain(marker_row(records, DAY)) == "▲·········◐▼·✗"
    assert "[$error]▼[/]" in marker_row(records, DAY)  # rollbacks in the error colour


def test_version_marks_say_where_each_version_runs_or_ran(demo_store: Store) -> None:
    fakes.deploy_history(demo_store)
    log = demo_store.deployments
    states = [log.state("staging"), log.state("production")]
    marks = version_marks(
        ArtifactKind.PROMPT, "support", log.history(), states, demo_store.releases.get
    )
    by_version = {
        demo_store.versions.version(ArtifactKind.PROMPT, "support", n).content_hash: n
        for n in (1, 2, 3, 4)
    }
    assert {by_version[h]: m for h, m in marks.items()} == {
        4: "●staging ◐production",
        3: "●production ○staging",
        2: "○production ○staging",
    }


async def test_overview_trends_carry_the_deploys_of_the_window(demo_store: Store) -> None:
    fakes.deploy_history(demo_store)
    app = make_app(demo_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app)
        await pilot.pause()
        panels = {p.border_title: p for p in app.screen.query(HealthPanel)}
        production = str(panels["production"].render()).splitlines()[-1]
        staging = str(panels["staging"].render()).splitlines()[-1]
        # Last 24h to 2026-11-20 12:00: production's canary at 10:00 (its failed one at 09:00
        # the day before is outside), staging's deploy at 15:00 the day before.
        assert production.split() == ["deploys", "1", "············◐·"]
        assert staging.split() == ["deploys", "1", "·▲············"]


async def test_versions_history_marks_the_deployed_versions(demo_store: Store) -> None:
    fakes.deploy_history(demo_store)
    app = make_app(demo_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app)
        await _step(app, pilot, "2")
        await _idle(app, pilot)
        screen = app.screen
        assert isinstance(screen, VersionsScreen)
        table = screen.query_one("#history", VersionHistory)
        labels = [str(c.label) for c in table.columns.values()]
        assert labels[:3] == ["version", "labels", "deployed"]
        cells = {
            table.get_row_at(i)[0].plain: table.get_row_at(i)[2] for i in range(table.row_count)
        }
        assert {tag: cell.plain for tag, cell in cells.items()} == {
            "v4": "●staging ◐production",
            "v3": "●production ○staging",
            "v2": "○production ○staging",
            "v1": "",
        }
        assert all(isinstance(cell, Text) for cell in cells.values())
