"""Versions: artifacts by kind, each version's own figures, diffs and label moves.

Figures are checked against SQL written here over `span_links` and `spans`, independently of
the store's own query; label moves are checked in the label history the store records.
"""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static

from llmops_tui.domain.versions import ArtifactKind
from llmops_tui.store import Store
from llmops_tui.tui.app import LlmopsApp
from llmops_tui.tui.screens.error import ErrorModal
from llmops_tui.tui.screens.label_confirm import LabelConfirmScreen
from llmops_tui.tui.screens.label_pick import LabelPickScreen
from llmops_tui.tui.screens.version_diff import VersionDiffScreen
from llmops_tui.tui.screens.versions import EMPTY_REGISTRY, VersionsScreen
from llmops_tui.tui.widgets.artifact_tree import ArtifactTree
from llmops_tui.tui.widgets.version_history import VersionHistory
from tests.tui.conftest import FROZEN_NOW, make_app
from tests.tui.test_overview import _settle

SUPPORT = (ArtifactKind.PROMPT, "support")

LINKED_FIGURES_SQL = """
select count(*), count(*) filter (where s.status = 'error'),
    quantile_cont(s.duration_ms, 0.95)
from span_links l
join artifact_versions v
  on v.kind = l.kind and v.name = l.name and v.content_hash = l.content_hash
join spans s on s.trace_id = l.trace_id and s.span_id = l.span_id
where l.kind = 'prompt' and l.name = 'support' and v.version = $version
  and s.start_time >= $since and ($env is null or s.environment = $env)
"""


async def _step(app: LlmopsApp, pilot: Pilot[None], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await _idle(app, pilot)


async def _idle(app: LlmopsApp, pilot: Pilot[None]) -> None:
    """Until the messages a key or a cursor move posted have run, and the workers they
    started have finished and been shown (a worker may start only after a message)."""
    for _ in range(4):  # the artifact list, then the history: two workers in a chain
        await pilot.pause()
        await _settle(app)
    await pilot.pause()


async def _open_versions(
    app: LlmopsApp, pilot: Pilot[None], *, month: bool = True
) -> VersionsScreen:
    await _settle(app)
    if month:
        await _step(app, pilot, "t", "t")  # 30 days: every support version had traffic
    await _step(app, pilot, "2")
    screen = _current(app)
    assert isinstance(screen, VersionsScreen)
    return screen


def _rows(screen: VersionsScreen) -> dict[str, dict[str, str]]:
    """The history table as {version: {column: text}}."""
    table = screen.query_one("#history", VersionHistory)
    labels = [str(column.label) for column in table.columns.values()]
    rows = {}
    for index in range(table.row_count):
        cells = dict(zip(labels, (str(c) for c in table.get_row_at(index)), strict=True))
        rows[cells["version"].lstrip("◆")] = cells
    return rows


def _linked(store: Store, version: int, *, days: int, env: str | None = None) -> tuple[int, ...]:
    params = {"version": version, "since": FROZEN_NOW - timedelta(days=days), "env": env}
    with store.reader() as cur:
        row = cur.execute(LINKED_FIGURES_SQL, params).fetchone()
    assert row is not None
    return tuple(row)


def _current(app: LlmopsApp) -> Screen[Any]:
    """The screen on top (a function, so that type narrowing doesn't outlive a key press)."""
    return app.screen


def _marked(screen: VersionsScreen) -> int | None:
    return screen.marked


def _plain(widget: Static) -> str:
    """What a Static shows, as text (a diff is a rich Table or Text, not a string)."""
    console = Console(width=116, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


async def _select_version(
    app: LlmopsApp, pilot: Pilot[None], screen: VersionsScreen, tag: str
) -> None:
    table = screen.query_one("#history", VersionHistory)
    table.focus()
    target = [r.version.tag for r in table.rows_shown].index(tag)
    table.move_cursor(row=target)
    await _idle(app, pilot)
    selected = table.selected
    assert selected is not None
    assert selected.version.tag == tag


async def test_artifacts_by_kind_and_the_history_with_labels_and_linked_figures(
    app: LlmopsApp, demo_store: Store
) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open_versions(app, pilot)
        tree = screen.query_one("#artifacts", ArtifactTree)
        kinds = {
            str(branch.label): [str(leaf.label) for leaf in branch.children]
            for branch in tree.root.children
        }
        assert list(kinds) == ["prompts", "models", "retrieval", "datasets"]
        assert [leaf.split()[0] for leaf in kinds["prompts"]] == ["support", "triage"]
        assert [leaf.split()[0] for leaf in kinds["models"]] == ["default"]
        assert [leaf.split()[0] for leaf in kinds["retrieval"]] == ["kb"]
        assert [leaf.split()[0] for leaf in kinds["datasets"]] == ["support_regression"]
        assert tree.selected == SUPPORT

        rows = _rows(screen)
        assert list(rows) == ["v4", "v3", "v2", "v1"]
        assert rows["v4"]["labels"].split() == ["canary", "production", "staging"]
        assert rows["v3"]["labels"].split() == ["baseline"]
        assert "judge" not in rows["v4"]  # the demo has user votes, no judge: no empty column
        assert rows["v4"]["feedback"].endswith(")")
        assert len(rows["v4"]["commit"]) == 7
        assert rows["v4"]["author"] == "Maya Okafor"
        assert rows["v4"]["message"].startswith("support: plan-specific policies")
        for tag in rows:
            requests, errors, p95 = _linked(demo_store, int(tag[1:]), days=30)
            assert requests > 0
            assert rows[tag]["requests"] == f"{requests:,}"
            assert rows[tag]["errors"] == f"{errors / requests * 100:.1f}%"
            assert rows[tag]["p95"] == f"{p95:,.0f}ms"
        title = str(screen.query_one("#artifact-title", Static).render())
        assert "prompt support · 4 versions" in title
        assert "last 30d" in title
        moves = str(screen.query_one("#label-moves", Static).render())
        assert "production   v3 → v4   release-bot" in moves


async def test_versions_without_linked_spans_show_blanks_not_zeros(app: LlmopsApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open_versions(app, pilot, month=False)  # last 24h: only v4 serves
        rows = _rows(screen)
        assert rows["v4"]["requests"] not in ("", "0")
        for tag in ("v3", "v2", "v1"):
            assert rows[tag]["requests"] == rows[tag]["p95"] == rows[tag]["errors"] == ""
            assert rows[tag]["cost/req"] == ""
        tree = screen.query_one("#artifacts", ArtifactTree)  # a model config links no spans
        tree.focus()
        tree.move_cursor(tree.get_node_at_line(4))  # models > default
        await _idle(app, pilot)
        assert screen.artifact == (ArtifactKind.MODEL, "default")
        rows = _rows(screen)
        assert list(rows) == ["v2", "v1"]
        assert rows["v2"]["labels"] == "production"
        assert all(row["requests"] == "" for row in rows.values())


async def test_the_environment_key_narrows_the_figures(app: LlmopsApp, demo_store: Store) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open_versions(app, pilot)
        await _step(app, pilot, "v")
        env = app.view.environment
        assert env is not None
        rows = _rows(screen)
        requests, _, _ = _linked(demo_store, 3, days=30, env=env)
        assert rows["v3"]["requests"] == (f"{requests:,}" if requests else "")
        assert env in str(screen.query_one("#artifact-title", Static).render())


async def test_d_diffs_the_selected_version_with_the_previous_one(app: LlmopsApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open_versions(app, pilot)
        await _step(app, pilot, "d")  # on v4
        diff = _current(app)
        assert isinstance(diff, VersionDiffScreen)
        assert (diff.old, diff.new) == (3, 4)
        title = str(diff.query_one("#diff-title", Static).render())
        assert "prompt support: v3 → v4 · side by side" in title
        body = diff.query_one("#diff-body", Static)
        side = _plain(body)
        assert "support@v3" in side
        assert "support@v4" in side
        assert "Plan-specific policies" in side  # only in v4
        await _step(app, pilot, "u")
        unified = _plain(body)
        assert "+++ support@v4" in unified
        assert "+## Plan-specific policies" in unified
        await _step(app, pilot, "escape")
        assert _current(app) is screen
        await _select_version(app, pilot, screen, "v1")
        await _step(app, pilot, "d")
        assert _current(app) is screen  # nothing before v1


async def test_D_marks_one_version_then_diffs_it_with_another(app: LlmopsApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open_versions(app, pilot)
        await _select_version(app, pilot, screen, "v4")
        await _step(app, pilot, "D")
        assert _marked(screen) == 4
        assert "◆v4" in screen.query_one("#history", VersionHistory).get_row_at(0)[0].plain
        assert "support@v4 marked" in str(screen.query_one("#status", Static).render())
        await _step(app, pilot, "escape")  # clears the mark
        assert _marked(screen) is None
        await _step(app, pilot, "D")
        await _select_version(app, pilot, screen, "v2")
        await _step(app, pilot, "D")
        diff = _current(app)
        assert isinstance(diff, VersionDiffScreen)
        assert (diff.old, diff.new) == (2, 4)  # older on the left, whichever was marked first
        assert "v2 → v4" in str(diff.query_one("#diff-title", Static).render())
        await _step(app, pilot, "escape")
        assert _marked(screen) is None


async def test_l_moves_a_label_after_a_confirmation_and_records_who_and_why(
    demo_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLMOPS_USER", "maya")
    # The store the cockpit really uses: read-only connections, a write in between.
    cockpit_store = Store(demo_store.path, shared_reads=True, linger=0.5)
    app = make_app(cockpit_store)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open_versions(app, pilot)
        await _select_version(app, pilot, screen, "v3")
        await _step(app, pilot, "l")
        pick = _current(app)
        assert isinstance(pick, LabelPickScreen)
        options = pick.query_one("#labels", OptionList)
        offered = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert offered == ["production", "staging", "canary", "baseline"]
        await _step(app, pilot, "enter")  # production
        confirm = _current(app)
        assert isinstance(confirm, LabelConfirmScreen)
        assert "production: support v4 → v3" in str(
            confirm.query_one("#label-move", Static).render()
        )
        for key in "rollback drill":
            await pilot.press("space" if key == " " else key)
        await _step(app, pilot, "enter")
        assert _current(app) is screen
        rows = _rows(screen)
        assert rows["v3"]["labels"].split() == ["baseline", "production"]
        assert "production" not in rows["v4"]["labels"]
        assert "v4 → v3   maya  rollback drill" in str(
            screen.query_one("#label-moves", Static).render()
        )
    # Read back through the cockpit's store: one process holds one kind of connection to a file.
    assert cockpit_store.labels.of_artifact(*SUPPORT)["production"] == 3
    last = cockpit_store.labels.history(kind="prompt", name="support", label="production")[-1]
    assert (last.from_version, last.to_version, last.moved_by, last.reason) == (
        4,
        3,
        "maya",
        "rollback drill",
    )


async def test_a_custom_label_can_be_typed_and_cancelling_moves_nothing(
    app: LlmopsApp, demo_store: Store
) -> None:
    before = demo_store.labels.history(kind="prompt", name="support")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open_versions(app, pilot)
        await _step(app, pilot, "l")
        assert isinstance(_current(app), LabelPickScreen)
        _current(app).query_one("#custom-label", Input).focus()
        for key in "qa-gate":
            await pilot.press("minus" if key == "-" else key)
        await _step(app, pilot, "enter")
        confirm = _current(app)
        assert isinstance(confirm, LabelConfirmScreen)
        assert "qa-gate: support new → v4" in str(confirm.query_one("#label-move", Static).render())
        await _step(app, pilot, "escape")
        assert _current(app) is screen
        await _step(app, pilot, "l")
        await _step(app, pilot, "escape")  # cancel the pick too
        assert _current(app) is screen
        await _step(app, pilot, "l")
        box = _current(app).query_one("#custom-label", Input)
        box.focus()
        box.value = "a@b"
        await _step(app, pilot, "enter")  # not a label name: one line through the error path
        assert _current(app) is screen
        assert any("not a valid label name" in n.message for n in app._notifications)
    assert demo_store.labels.history(kind="prompt", name="support") == before
    assert "qa-gate" not in demo_store.labels.of_artifact(*SUPPORT)


async def test_a_screen_worker_failure_reaches_the_app_error_path(app: LlmopsApp) -> None:
    # Worker.StateChanged does not bubble: the screens forward failures to the app.
    async with app.run_test(size=(120, 36)) as pilot:
        await _open_versions(app, pilot)
        app.push_screen(VersionDiffScreen(ArtifactKind.PROMPT, "support", 98, 99))
        await _idle(app, pilot)
        assert isinstance(_current(app), ErrorModal)  # a bug: details, and the app lives on
        assert "support@v98" in _plain(_current(app).query("Static").first(Static))


async def test_l_is_disabled_under_readonly(demo_store: Store) -> None:
    app = make_app(Store(demo_store.path, readonly=True), readonly=True)
    before = demo_store.labels.of_artifact(*SUPPORT)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open_versions(app, pilot)
        assert screen.check_action("move_label", ()) is None
        await _step(app, pilot, "l")
        assert _current(app) is screen
        assert "read-only" in str(screen.query_one("#status", Static).render())
    assert demo_store.labels.of_artifact(*SUPPORT) == before


async def test_new_data_refreshes_the_screen_in_place(app: LlmopsApp, demo_store: Store) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open_versions(app, pilot)
        await _select_version(app, pilot, screen, "v2")
        demo_store.labels.move(*SUPPORT, "staging", 2, by="another-process")
        app.announce_data(1)
        await _idle(app, pilot)
        assert "staging" in _rows(screen)["v2"]["labels"]
        selected = screen.query_one("#history", VersionHistory).selected
        assert selected is not None
        assert selected.version.tag == "v2"  # the cursor stayed


async def test_an_empty_registry_says_how_to_fill_it(demo_build: object, tmp_path: Path) -> None:
    store = Store(tmp_path / "traces-only.duckdb")
    store.initialise()  # a database with no artifacts synced
    app = make_app(store)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open_versions(app, pilot, month=False)
        empty = screen.query_one("#empty", Static)
        assert empty.display
        assert str(empty.render()) == EMPTY_REGISTRY
        assert "llmops versions sync" in EMPTY_REGISTRY
        assert not screen.query_one("#registry").display
        assert screen.check_action("diff_previous", ()) is False  # no version keys to press
        await _step(app, pilot, "d", "l")
        assert _current(app) is screen


async def test_key_2_and_the_command_palette_reach_versions(app: LlmopsApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app)
        titles = [c.title for c in app.get_system_commands(_current(app))]
        assert "Screen: Versions" in titles
        await _step(app, pilot, "2")
        assert isinstance(_current(app), VersionsScreen)
        await _step(app, pilot, "question_mark")
        text = " ".join(str(s.render()) for s in _current(app).query("Static"))
        for description in ("Diff", "Diff two", "Label", "Time range", "Environment"):
            assert description in text
        assert "Versions" in text
