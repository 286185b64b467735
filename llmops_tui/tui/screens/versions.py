"""Versions (2): every artifact by kind, its version history with each version's own figures.

The left tree lists the registry's artifacts; the table shows the highlighted one's versions
(newest first, `working` on top) with labels, commit and the metrics of the spans linked to
each version in the selected time range and environment. `d` diffs a version with the one
before it, `D` marks one version and diffs it with the next one picked, `l` moves a label onto
the selected version after a confirmation. Every query and the label move run in workers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Header, Static, Tree

from llmops_tui.domain.scores import VersionScores
from llmops_tui.domain.versions import (
    STANDARD_LABELS,
    WORKING,
    ArtifactKind,
    ArtifactSummary,
    LabelMove,
    VersionRow,
    version_tag,
)
from llmops_tui.identity import current_user
from llmops_tui.tui.deploy_log import deployed_versions
from llmops_tui.tui.screens.base import DataScreen
from llmops_tui.tui.screens.label_confirm import LabelConfirmScreen, LabelDecision
from llmops_tui.tui.screens.label_pick import LabelPickScreen
from llmops_tui.tui.screens.version_diff import VersionDiffScreen
from llmops_tui.tui.view import View
from llmops_tui.tui.widgets.artifact_tree import ArtifactKey, ArtifactTree
from llmops_tui.tui.widgets.key_bar import KeyBar
from llmops_tui.tui.widgets.version_detail import LabelMoves, VersionDetail
from llmops_tui.tui.widgets.version_history import VersionHistory

EMPTY_REGISTRY = "No versioned artifacts yet: run `llmops versions sync` in the project."
VERSION_ACTIONS = {"diff_previous", "pick_diff", "move_label", "clear_mark"}


@dataclass
class ArtifactsLoaded(Message):
    artifacts: list[ArtifactSummary]


@dataclass
class HistoryLoaded(Message):
    request: tuple[ArtifactKey, View]
    rows: list[VersionRow]
    scores: dict[str, VersionScores]
    moves: list[LabelMove]
    """The artifact's label history, oldest first."""
    deployed: dict[str, str]
    """Per content hash, the environments that run or ran the version."""


@dataclass
class LabelPreviewed(Message):
    move: LabelMove


@dataclass
class LabelMoved(Message):
    move: LabelMove


class VersionsScreen(DataScreen):
    CSS_PATH = "versions.tcss"
    AUTO_FOCUS = "#history"
    HELP_TITLE = "Versions"
    HELP_TEXT = (
        "Figures are each version's own, from the spans linked to it in the time range and\n"
        "environment shown in the header; blank means no linked spans. tab moves between the\n"
        "artifact list and the history.\n"
        "d diffs the selected version with the one before it; D marks a version, D on another\n"
        "diffs the two. l moves a label (production, staging, canary or your own) onto the\n"
        "selected version after a confirmation; the move is recorded with your user name.\n"
        "deployed: ●env runs the version now, ◐env as a canary, ○env ran it before."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        *DataScreen.BINDINGS,
        Binding("d", "diff_previous", "Diff"),
        Binding("D", "pick_diff", "Diff two"),
        Binding("l", "move_label", "Label"),
        Binding("escape", "clear_mark", "Clear diff mark", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.artifact: ArtifactKey | None = None
        """The artifact whose history is on screen (or being loaded)."""
        self.marked: int | None = None
        """The version picked first with `D`."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(EMPTY_REGISTRY, id="empty", classes="muted")
        with Horizontal(id="registry"):
            yield ArtifactTree(id="artifacts")
            with Vertical(id="history-pane"):
                yield Static("", id="artifact-title", classes="section-title", markup=False)
                yield VersionHistory(id="history")
                yield VersionDetail(id="version-detail")
                yield Static("Label moves", classes="section-title")
                yield LabelMoves(id="label-moves")
                yield Static("", id="status", classes="muted", markup=False)
        yield KeyBar()

    @property
    def artifact_tree(self) -> ArtifactTree:
        return self.query_one("#artifacts", ArtifactTree)

    @property
    def history_table(self) -> VersionHistory:
        return self.query_one("#history", VersionHistory)

    def on_mount(self) -> None:
        self.query_one("#empty", Static).display = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in VERSION_ACTIONS and self.artifact is None:
            return False  # an empty registry: no version keys in the footer
        if action == "move_label" and self.cockpit.readonly:
            return None  # shown disabled: --readonly forbids every change
        return True

    # -- loading ----------------------------------------------------------------------------

    def load(self, *, live: bool) -> None:
        self.load_artifacts()

    @work(thread=True, exclusive=True, group="versions.artifacts", exit_on_error=False)
    def load_artifacts(self) -> None:
        self.post_message(ArtifactsLoaded(self.cockpit.store.versions.artifacts()))

    @on(ArtifactsLoaded)
    def show_artifacts(self, loaded: ArtifactsLoaded) -> None:
        empty = not loaded.artifacts
        self.query_one("#empty", Static).display = empty
        self.query_one("#registry", Horizontal).display = not empty
        if empty:
            self.artifact = None
            self.refresh_bindings()
            return
        keys = {(a.kind, a.name) for a in loaded.artifacts}
        wanted = self.artifact if self.artifact in keys else None
        self.artifact_tree.show(loaded.artifacts, wanted)
        self._select(self.artifact_tree.selected or wanted, force=True)

    @on(Tree.NodeHighlighted, "#artifacts")
    def _artifact_highlighted(self, event: Tree.NodeHighlighted[ArtifactKey | None]) -> None:
        if event.node.data is not None:
            self._select(event.node.data)

    @on(Tree.NodeSelected, "#artifacts")
    def _artifact_chosen(self, event: Tree.NodeSelected[ArtifactKey | None]) -> None:
        if event.node.data is not None:
            self.history_table.focus()

    def _select(self, artifact: ArtifactKey | None, *, force: bool = False) -> None:
        if artifact is None or (artifact == self.artifact and not force):
            return
        if artifact != self.artifact:
            self.marked = None
        first = self.artifact is None
        self.artifact = artifact
        if first:
            self.refresh_bindings()  # the version keys apply from now on
        self.load_history((artifact, self.cockpit.view))

    @work(thread=True, exclusive=True, group="versions.history", exit_on_error=False)
    def load_history(self, request: tuple[ArtifactKey, View]) -> None:
        (kind, name), view = request
        data_start, data_end = self.cockpit.data_range()
        since = view.window(self.cockpit.clock(), data_start, data_end).start
        store = self.cockpit.store
        env = view.environment
        rows = store.versions.history(kind, name, environment=env, since=since)
        scores = store.version_scores.by_version(kind, name, environment=env, since=since)
        moves = store.labels.history(kind=kind.value, name=name)
        deployed = deployed_versions(store, kind, name)
        self.post_message(HistoryLoaded(request, rows, scores, moves, deployed))

    @on(HistoryLoaded)
    def show_history(self, loaded: HistoryLoaded) -> None:
        if loaded.request != (self.artifact, self.cockpit.view):
            return  # another artifact or view was asked for meanwhile
        (kind, name), view = loaded.request
        committed = sum(1 for r in loaded.rows if r.version.number != WORKING)
        self.query_one("#artifact-title", Static).update(
            f"{kind.value} {name} · {committed} versions · figures for {view.describe()}"
        )
        self._show_rows(loaded.rows, loaded.scores, loaded.deployed)
        self.query_one("#label-moves", LabelMoves).show(loaded.moves)

    def _show_rows(
        self,
        rows: list[VersionRow],
        scores: Mapping[str, VersionScores],
        deployed: Mapping[str, str] | None = None,
    ) -> None:
        self.history_table.show(
            rows,
            scores,
            marked=self.marked,
            label_colour=self.app.theme_variables.get("accent"),
            deployed=deployed,
        )
        self._show_detail()
        self._show_status()

    @on(VersionHistory.RowHighlighted, "#history")
    def _show_detail(self) -> None:
        row = self.history_table.selected
        self.query_one("#version-detail", VersionDetail).show(row.version if row else None)

    def _show_status(self) -> None:
        status = self.query_one("#status", Static)
        if self.marked is not None and self.artifact is not None:
            status.update(
                f"{self.artifact[1]}@{version_tag(self.marked)} marked: "
                "press D on another version to diff them, esc to clear"
            )
        elif self.cockpit.readonly:
            status.update("read-only (--readonly): labels can't be moved")
        else:
            status.update("")

    # -- diffs ------------------------------------------------------------------------------

    def action_diff_previous(self) -> None:
        row = self.history_table.selected
        if row is None or self.artifact is None:
            return
        previous = self.history_table.previous_of(row)
        if previous is None:
            self.notify(f"{row.version.ref} is the first version: nothing before it to diff.")
            return
        self._open_diff(previous.version.number, row.version.number)

    def action_pick_diff(self) -> None:
        row = self.history_table.selected
        if row is None or self.artifact is None:
            return
        number = row.version.number
        if self.marked is None or self.marked == number:
            self.marked = None if self.marked == number else number
            self._redraw_marks()
            return
        first, self.marked = self.marked, None
        self._redraw_marks()
        old, new = sorted((first, number), key=_age)
        self._open_diff(old, new)

    def action_clear_mark(self) -> None:
        if self.marked is not None:
            self.marked = None
            self._redraw_marks()

    def _redraw_marks(self) -> None:
        self._show_rows(self.history_table.rows_shown, self.history_table.scores_shown)

    def _open_diff(self, old: int, new: int) -> None:
        if self.artifact is not None:
            kind, name = self.artifact
            self.app.push_screen(VersionDiffScreen(kind, name, old, new))

    # -- labels -----------------------------------------------------------------------------

    def action_move_label(self) -> None:
        row = self.history_table.selected
        if row is None or self.artifact is None:
            return
        if row.version.number == WORKING:
            self.notify(
                "Uncommitted edits can't carry a label: commit them and run "
                "`llmops versions sync` first.",
                severity="warning",
            )
            return
        labels = sorted({label for r in self.history_table.rows_shown for label in r.labels})
        choices = list(STANDARD_LABELS) + [
            label for label in labels if label not in STANDARD_LABELS
        ]
        where = {label: r.version.tag for r in self.history_table.rows_shown for label in r.labels}
        number = row.version.number

        def chosen(label: str | None) -> None:
            if label and self.artifact is not None:
                self.preview_label(self.artifact, label, number)

        self.app.push_screen(LabelPickScreen(row.version.ref, choices, where), chosen)

    @work(thread=True, exclusive=True, group="versions.label", exit_on_error=False)
    def preview_label(self, artifact: ArtifactKey, label: str, number: int) -> None:
        kind, name = artifact
        self.post_message(
            LabelPreviewed(self.cockpit.store.labels.preview(kind, name, label, number))
        )

    @on(LabelPreviewed)
    def confirm_label(self, previewed: LabelPreviewed) -> None:
        move = previewed.move

        def decided(decision: LabelDecision | None) -> None:
            if decision is not None:
                self.record_label(move, decision.reason)

        self.app.push_screen(LabelConfirmScreen(move), decided)

    @work(thread=True, exclusive=True, group="versions.label", exit_on_error=False)
    def record_label(self, planned: LabelMove, reason: str | None) -> None:
        assert planned.to_version is not None  # an artifact label, never a release's
        move = self.cockpit.store.labels.move(
            ArtifactKind(planned.kind),
            planned.name,
            planned.label,
            planned.to_version,
            by=current_user(),
            reason=reason,
        )
        self.post_message(LabelMoved(move))

    @on(LabelMoved)
    def label_moved(self, moved: LabelMoved) -> None:
        move = moved.move
        if move.changed:
            self.notify(move.describe().replace(" -> ", " → "))
        else:
            outcome = "reason recorded" if move.reason else "nothing moved"
            where = f"{move.name}@{version_tag(move.to_version or 0)}"
            self.notify(f"{move.label} already on {where}; {outcome}")
        self.reload(live=True)


def _age(number: int) -> float:
    """Sort key, oldest first: the working version is newer than every commit."""
    return float("inf") if number == WORKING else float(number)
