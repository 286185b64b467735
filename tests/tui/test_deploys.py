"""Deploys: each environment's state, a canary's live analysis, the timeline, and p/c/r.

The history is recorded in the demo store (`tests.tui.fakes.deploy_history`) and the keys
act through the real lifecycle on `file` targets under `tmp_path`; only the canary analysis
is a stand-in (the fixture's releases carry no traffic to analyse).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Static

from llmops_tui.config import ProjectConfig
from llmops_tui.domain.deploy import CanaryAnalysis, CanaryVerdict, DeployAction, DeployStatus
from llmops_tui.errors import LlmopsError
from llmops_tui.store import Store
from llmops_tui.tui.app import LlmopsApp
from llmops_tui.tui.screens import deploys as deploys_screen
from llmops_tui.tui.screens.deploy_confirm import DeployConfirmScreen
from llmops_tui.tui.screens.deploys import NO_ENVIRONMENTS, READONLY, DeploysScreen
from llmops_tui.tui.view import Clock
from llmops_tui.tui.widgets.deploy_views import CanaryChecks, DeployTimeline, EnvironmentPanel
from tests.tui import fakes
from tests.tui.conftest import make_app
from tests.tui.test_overview import _settle


class Analyst:
    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(
        self, store: Store, config: ProjectConfig | None, environment: str, clock: Clock
    ) -> CanaryAnalysis | None:
        self.asked.append(environment)
        state = store.deployments.state(environment)
        if state.canary_release is None or state.stable_release is None:
            return None
        return fakes.canary_analysis(environment, state.canary_release, state.stable_release)


@pytest.fixture
def history(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    monkeypatch.setenv("LLMOPS_USER", "maya")
    return fakes.deploy_history(demo_store)


@pytest.fixture
def analyst(monkeypatch: pytest.MonkeyPatch) -> Analyst:
    analyst = Analyst()
    monkeypatch.setattr(deploys_screen, "analyse", analyst)
    return analyst


@pytest.fixture
def deploys_app(
    demo_store: Store, history: list[Any], analyst: Analyst, tmp_path: Path
) -> LlmopsApp:
    return make_app(demo_store, config=fakes.deploy_config(tmp_path))


async def _idle(app: LlmopsApp, pilot: Pilot[None]) -> None:
    for _ in range(3):
        await pilot.pause()
        await _settle(app)
    await pilot.pause()


async def _step(app: LlmopsApp, pilot: Pilot[None], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await _idle(app, pilot)


async def _type(app: LlmopsApp, pilot: Pilot[None], text: str) -> None:
    for char in text:
        await pilot.press({" ": "space", "-": "minus", ".": "full_stop"}.get(char, char))
    await _idle(app, pilot)


def _current(app: LlmopsApp) -> Screen[Any]:
    return app.screen


async def _open(app: LlmopsApp, pilot: Pilot[None]) -> DeploysScreen:
    await _settle(app)
    await _step(app, pilot, "6")
    screen = _current(app)
    assert isinstance(screen, DeploysScreen)
    return screen


def _panel(screen: DeploysScreen, env: str) -> str:
    return str(screen.query_one(f"#env-{env}", EnvironmentPanel).render())


def _timeline(screen: DeploysScreen) -> list[dict[str, str]]:
    table = screen.query_one("#timeline", DeployTimeline)
    return [dict(zip(table.COLUMNS, table.row(i), strict=True)) for i in range(table.row_count)]


def _notes(app: LlmopsApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def _deployed(root: Path, env: str) -> str:
    """The release the `file` target wrote for `env`."""
    return str(json.loads((root / "deploy" / f"{env}.json").read_text())["release"])


async def test_each_environment_its_canary_analysis_and_the_timeline(
    deploys_app: LlmopsApp, analyst: Analyst
) -> None:
    async with deploys_app.run_test(size=(120, 36)) as pilot:
        screen = await _open(deploys_app, pilot)
        panels = [p.border_title for p in screen.query(EnvironmentPanel)]
        assert panels == ["staging", "production"]  # llmops.toml's order
        production = _panel(screen, "production")
        assert "release  d2000000  v2.1.0" in production
        assert "since    2026-11-20 10:00" in production
        assert "versions support v3 · default v2" in production
        assert "canary   d3000000 at 10% · support v4 · default v2" in production
        staging = _panel(screen, "staging")
        assert "release  d3000000  HEAD" in staging
        assert "canary" not in staging
        assert screen.environment == "staging"
        assert screen.query_one("#env-staging", EnvironmentPanel).has_class("selected")

        assert analyst.asked == ["production"]
        assert screen.query_one("#canary").display
        title = str(screen.query_one("#canary-title", Static).render())
        assert "Canary on production: d3000000 (412 requests) vs d2000000 (3,702)" in title
        assert "score 67 · FAIL · error_rate above its limit" in title
        checks = screen.query_one("#checks", CanaryChecks)
        assert [checks.row(i)[0] for i in range(checks.row_count)] == [
            "error_rate",
            "latency_p50",
            "cost_per_request",
            "feedback",
        ]
        assert [checks.row(i)[5] for i in range(4)] == ["fail", "pass", "pass", "no data"]
        assert checks.tone(0) == (5, "alert")

        rows = _timeline(screen)
        assert len(rows) == 7
        assert rows[0] == {
            "when": "2026-11-20 10:00",
            "env": "production",
            "action": "canary 10%",
            "release": "d3000000",
            "status": "succeeded",
            "who": "maya",
            "why": "plan-specific policies",
        }
        assert str(screen.query_one("#row-detail", Static).render()) == (
            "canary 10% d3000000 (was d2000000) on production by maya at 2026-11-20 10:00 UTC, "
            "succeeded · why: plan-specific policies · wrote deploy/production.json"
        )
        assert (rows[2]["status"], rows[2]["why"]) == ("failed", "disk full")
        assert screen.query_one("#timeline", DeployTimeline).tone(2) == (4, "alert")
        assert rows[3]["who"] == "release-bot"


async def test_r_stops_a_canary_after_showing_what_changes(
    deploys_app: LlmopsApp, demo_store: Store, tmp_path: Path
) -> None:
    async with deploys_app.run_test(size=(120, 36)) as pilot:
        screen = await _open(deploys_app, pilot)
        await _step(deploys_app, pilot, "e")
        assert screen.environment == "production"
        assert screen.query_one("#env-production", EnvironmentPanel).has_class("selected")
        await _step(deploys_app, pilot, "r")
        confirm = _current(deploys_app)
        assert isinstance(confirm, DeployConfirmScreen)
        summary = str(confirm.query_one("#deploy-summary", Static).render())
        assert summary == "stop the canary d3000000 on production: d2000000 takes all traffic again"
        changes = str(confirm.query_one("#deploy-changes", Static).render())
        assert changes.split("\n") == ["  prompt/support v4 → v3"]
        await _type(deploys_app, pilot, "error rate")
        await _step(deploys_app, pilot, "enter")
        assert _current(deploys_app) is screen
        # Through the lifecycle: recorded with who and why, and the target wrote the file.
        last = demo_store.deployments.history(limit=1)[0]
        assert (last.action, last.environment, last.release_id, last.previous_release_id) == (
            DeployAction.ROLLBACK,
            "production",
            fakes.R2,
            fakes.R3,
        )
        assert (last.actor, last.reason, last.status) == (
            "maya",
            "error rate",
            DeployStatus.SUCCEEDED,
        )
        assert _deployed(tmp_path, "production") == fakes.R2
        assert any(
            f"rolled production back to release {fakes.R2}" in n for n in _notes(deploys_app)
        )
        # Reloaded: the canary is gone, the rollback heads the timeline.
        assert "canary" not in _panel(screen, "production")
        assert not screen.query_one("#canary").display
        assert (_timeline(screen)[0]["action"], _timeline(screen)[0]["why"]) == (
            "rollback",
            "error rate",
        )


async def test_r_without_a_canary_returns_to_the_release_replaced_and_esc_cancels(
    deploys_app: LlmopsApp, demo_store: Store, history: list[Any]
) -> None:
    async with deploys_app.run_test(size=(120, 36)) as pilot:
        await _open(deploys_app, pilot)
        await _step(deploys_app, pilot, "r")  # on staging: d3000000 replaced d2000000
        confirm = _current(deploys_app)
        assert isinstance(confirm, DeployConfirmScreen)
        assert confirm.plan.release_id == fakes.R2
        assert "roll staging back from d3000000 to d2000000" in str(
            confirm.query_one("#deploy-summary", Static).render()
        )
        await _step(deploys_app, pilot, "escape")
        assert isinstance(_current(deploys_app), DeploysScreen)
    assert len(demo_store.deployments.history()) == len(history)


async def test_c_asks_the_canary_share_and_refuses_a_bad_one(
    deploys_app: LlmopsApp, demo_store: Store, tmp_path: Path
) -> None:
    async with deploys_app.run_test(size=(120, 36)) as pilot:
        await _open(deploys_app, pilot)
        await _step(deploys_app, pilot, "e", "c")
        confirm = _current(deploys_app)
        assert isinstance(confirm, DeployConfirmScreen)
        share = confirm.query_one("#deploy-percent", Input)
        assert share.value == "10"  # the running canary's share
        assert share.has_focus
        share.value = "150"
        await _step(deploys_app, pilot, "enter")
        assert _current(deploys_app) is confirm  # still asking
        assert any("expected a percent between 0 and 100" in n for n in _notes(deploys_app))
        share.value = "25"
        await _step(deploys_app, pilot, "enter")
    state = demo_store.deployments.state("production")
    assert (state.stable_release, state.canary_release, state.canary_percent) == (
        fakes.R2,
        fakes.R3,
        25.0,
    )
    traffic = json.loads((tmp_path / "deploy" / "production.json").read_text())["traffic"]
    assert {t["release"]: t["percent"] for t in traffic} == {fakes.R2: 75.0, fakes.R3: 25.0}


async def test_p_promotes_the_canary_and_says_when_there_is_nothing_to_promote(
    deploys_app: LlmopsApp, demo_store: Store, tmp_path: Path
) -> None:
    async with deploys_app.run_test(size=(120, 36)) as pilot:
        screen = await _open(deploys_app, pilot)
        await _step(deploys_app, pilot, "p")  # staging: no canary, nothing upstream
        assert _current(deploys_app) is screen
        assert any("nothing to promote on staging" in n for n in _notes(deploys_app))
        await _step(deploys_app, pilot, "e", "p")
        confirm = _current(deploys_app)
        assert isinstance(confirm, DeployConfirmScreen)
        assert confirm.plan.action is DeployAction.PROMOTE
        assert "promote the canary d3000000 to all of production" in str(
            confirm.query_one("#deploy-summary", Static).render()
        )
        await _step(deploys_app, pilot, "enter")
        assert "release  d3000000  HEAD" in _panel(screen, "production")
    state = demo_store.deployments.state("production")
    assert (state.stable_release, state.canary_release) == (fakes.R3, None)
    assert _deployed(tmp_path, "production") == fakes.R3


async def test_readonly_refuses_every_action_in_one_line(
    demo_store: Store, history: list[Any], analyst: Analyst, tmp_path: Path
) -> None:
    app = make_app(demo_store, config=fakes.deploy_config(tmp_path), readonly=True)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(app, pilot)
        await _step(app, pilot, "e", "p", "c", "r")
        assert _current(app) is screen
        assert _notes(app).count(READONLY) == 3
        assert str(screen.query_one("#status", Static).render()) == READONLY
    assert len(demo_store.deployments.history()) == len(history)
    assert not (tmp_path / "deploy").exists()


async def test_a_stale_analysis_is_dropped_and_the_timer_refreshes(
    deploys_app: LlmopsApp, analyst: Analyst
) -> None:
    async with deploys_app.run_test(size=(120, 36)) as pilot:
        screen = await _open(deploys_app, pilot)
        screen._refresh_canary()  # what the timer calls
        await _idle(deploys_app, pilot)
        assert analyst.asked == ["production", "production"]
        stale = fakes.canary_analysis("production", fakes.R1, fakes.R2)  # not the canary shown
        screen.show_analysis(deploys_screen.CanaryAnalysed([stale]))
        assert not screen.query_one("#canary").display


async def test_the_real_analysis_waits_for_requests(
    demo_store: Store, history: list[Any], tmp_path: Path
) -> None:
    # The fixture's releases carry no traffic: the analysis waits for its minimum sample.
    app = make_app(demo_store, config=fakes.deploy_config(tmp_path))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(app, pilot)
        title = str(screen.query_one("#canary-title", Static).render())
        assert "Canary on production: d3000000 (0 requests) vs d2000000 (0)" in title
        assert CanaryVerdict.WAITING.value.upper() in title
        assert not screen.query_one("#checks").display


async def test_no_environments_says_how_to_add_them(demo_store: Store) -> None:
    with demo_store.writer() as cur:
        cur.execute(fakes.CLEAR_DEPLOYMENTS_SQL)
    app = make_app(demo_store)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(app, pilot)
        empty = screen.query_one("#empty", Static)
        assert empty.display
        assert str(empty.render()) == NO_ENVIRONMENTS
        await _step(app, pilot, "r")
        assert _current(app) is screen


async def test_key_6_the_palette_and_help_reach_deploys(deploys_app: LlmopsApp) -> None:
    async with deploys_app.run_test(size=(120, 36)) as pilot:
        await _settle(deploys_app)
        titles = [c.title for c in deploys_app.get_system_commands(_current(deploys_app))]
        assert "Screen: Deploys" in titles
        await _open(deploys_app, pilot)
        await _step(deploys_app, pilot, "question_mark")
        text = " ".join(str(s.render()) for s in _current(deploys_app).query("Static"))
        for description in ("Promote", "Canary", "Rollback", "Environment"):
            assert description in text


async def test_a_refused_or_failed_action_is_one_red_line_and_the_screen_reloads(
    deploys_app: LlmopsApp, demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object) -> deploys_screen.Applied:
        demo_store.deployments.record(
            fakes.deployment(
                "staging", DeployAction.ROLLBACK, fakes.R2, fakes.R3, fakes.at(20, 13),
                status=DeployStatus.FAILED,
            )
        )  # fmt: skip
        raise LlmopsError("staging: the file target failed: disk full; staging keeps d3000000")

    monkeypatch.setattr(deploys_screen, "apply_plan", refuse)
    async with deploys_app.run_test(size=(120, 36)) as pilot:
        screen = await _open(deploys_app, pilot)
        await _step(deploys_app, pilot, "r", "enter")
        assert _current(deploys_app) is screen
        [note] = [n for n in deploys_app._notifications if "disk full" in str(n.message)]
        assert note.severity == "error"
        assert (_timeline(screen)[0]["action"], _timeline(screen)[0]["status"]) == (
            "rollback",
            "failed",
        )


def test_environments_follow_the_config_then_the_history(tmp_path: Path) -> None:
    history = [fakes.deployment("qa", DeployAction.DEPLOY, fakes.R1, None, fakes.at(1))]
    assert deploys_screen.environments(fakes.deploy_config(tmp_path), history) == {
        "staging": None,
        "production": "staging",
        "qa": None,
    }
    assert deploys_screen.environments(None, []) == {}


async def test_a_failing_analysis_is_reported_once_not_on_every_tick(
    deploys_app: LlmopsApp, analyst: Analyst, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        analyst.asked.append("broken")
        raise LlmopsError("canary analysis: no spans carry llmops.release")

    monkeypatch.setattr(deploys_screen, "analyse", broken)
    async with deploys_app.run_test(size=(120, 36)) as pilot:
        screen = await _open(deploys_app, pilot)
        screen._refresh_canary()  # the timer's next tick
        await _idle(deploys_app, pilot)
        assert analyst.asked == ["broken"]
        assert _notes(deploys_app).count("canary analysis: no spans carry llmops.release") == 1
        screen.reload(live=True)  # new data: it tries again
        await _idle(deploys_app, pilot)
        assert analyst.asked == ["broken", "broken"]


async def test_a_malformed_environments_table_is_one_line_in_place(
    demo_store: Store, history: list[Any], tmp_path: Path
) -> None:
    broken = ProjectConfig(
        root=tmp_path, name="acme-support", environments={"production": {"target": 3}}
    )
    app = make_app(demo_store, config=broken)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(app, pilot)
        empty = str(screen.query_one("#empty", Static).render())
        assert "[environments.production]: target: expected a deploy target name" in empty
        assert not screen.query_one("#deploys").display
