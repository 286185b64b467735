"""Deploys (6): what each environment runs, a canary's live analysis, every action taken.

One panel per environment (its stable release, since when, its versions, a canary beside
it); under them the analysis of a canary in progress, refreshed by a timer while the screen
is shown; then the timeline of recorded deployments with who, when and why. `e` picks the
environment the keys act on; `p` promotes (the canary to all traffic, or the upstream
environment's release here), `c` starts or resizes a canary, `r` rolls back (stops a canary,
or returns to the release the current one replaced). Each shows what will change and asks
first; `--readonly` refuses them in one line. The actions themselves are
`llmops_tui.deploy.lifecycle`'s, the same that `llmops promote|canary|rollback` run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from typing import ClassVar

from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Header, Static
from textual.worker import get_current_worker

from llmops_tui.config import ProjectConfig
from llmops_tui.deploy.config import load_deploy_config
from llmops_tui.deploy.lifecycle import Lifecycle
from llmops_tui.domain.deploy import (
    CanaryAnalysis,
    CanaryThresholds,
    DeployAction,
    Deployment,
    DeployStatus,
)
from llmops_tui.errors import LlmopsError
from llmops_tui.plugin_manager import load_plugins
from llmops_tui.store import Store
from llmops_tui.tui.deploy_plans import (
    DeployPlan,
    EnvironmentView,
    plan_action,
)
from llmops_tui.tui.screens.base import DataScreen
from llmops_tui.tui.screens.deploy_confirm import DeployConfirmScreen, DeployDecision
from llmops_tui.tui.view import Clock
from llmops_tui.tui.widgets.deploy_views import (
    CanaryChecks,
    DeployTimeline,
    EnvironmentPanel,
    canary_title,
)
from llmops_tui.tui.widgets.key_bar import KeyBar

CANARY_REFRESH_SECONDS = 15.0
HISTORY_LIMIT = 200
READONLY = "read-only (--readonly): deploys, canaries and rollbacks are disabled"
NO_ENVIRONMENTS = (
    "No environments yet: add [environments.staging] and [environments.production] to "
    "llmops.toml (each with a deploy target), then `llmops deploy staging HEAD`."
)


def environments(config: ProjectConfig | None, history: list[Deployment]) -> dict[str, str | None]:
    """The configured environments in their order, each with the one its releases come from
    (`after`), then any others the history names. A malformed `[environments]` is a one-line
    `ConfigError`, as on the command line."""
    found: dict[str, str | None] = {}
    if config is not None:
        deploy = load_deploy_config(config)
        found = {name: env.after for name, env in deploy.environments.items()}
    for deployment in reversed(history):
        found.setdefault(deployment.environment, None)
    return found


@dataclass(frozen=True, slots=True)
class Applied:
    """What the lifecycle did: the recorded row (None when the state already held) and its
    one-line account; `failed` when it refused or the target failed."""

    deployment: Deployment | None
    message: str
    failed: bool = False


def apply_plan(
    store: Store, config: ProjectConfig | None, plan: DeployPlan, decision: DeployDecision
) -> Applied:
    """Carry a confirmed plan out through the deploy lifecycle, as `llmops rollback|promote|
    canary|deploy` do (their policies apply; the reason is recorded)."""
    if config is None:
        raise LlmopsError("no llmops.toml here: the cockpit deploys only in a project")
    life = Lifecycle(store, config, load_deploy_config(config), load_plugins(config.plugins))
    env, reason = plan.environment, decision.reason
    if plan.action is DeployAction.ROLLBACK:
        result = life.rollback(env, to=plan.release_id, reason=reason)
    elif plan.action is DeployAction.PROMOTE:
        result = life.promote(env, reason=reason)
    elif plan.action is DeployAction.CANARY:
        result = life.canary(env, plan.release_id, decision.percent or 0.0, reason=reason)
    else:
        result = life.deploy(env, plan.release_id, reason=reason)
    return Applied(result.deployment, result.message)


def analyse(
    store: Store, config: ProjectConfig | None, environment: str, clock: Clock
) -> CanaryAnalysis | None:
    """The live analysis of `llmops canary status ENV`: the canary's requests against the
    stable release's since the canary started; None when no canary runs."""
    state = store.deployments.state(environment)
    since = store.deployments.canary_started(environment)
    if state.canary_release is None or state.stable_release is None or since is None:
        return None
    from llmops_tui.deploy.analysis import analyse_canary  # scipy: imported when first needed

    thresholds = (
        load_deploy_config(config).canary.thresholds if config is not None else CanaryThresholds()
    )
    return analyse_canary(
        store,
        environment=environment,
        canary_release=state.canary_release,
        baseline_release=state.stable_release,
        since=since,
        until=clock().replace(tzinfo=UTC),
        thresholds=thresholds,
    )


@dataclass
class DeploysLoaded(Message):
    environments: list[EnvironmentView]
    history: list[Deployment]
    problem: str | None = None
    """Why no environment can be shown: `[environments]` of llmops.toml is malformed."""


@dataclass
class CanaryAnalysed(Message):
    analyses: list[CanaryAnalysis]


@dataclass
class PlanReady(Message):
    plan: DeployPlan


@dataclass
class DeployApplied(Message):
    applied: Applied


class DeploysScreen(DataScreen):
    CSS_PATH = "deploys.tcss"
    AUTO_FOCUS = "#timeline"
    HELP_TITLE = "Deploys"
    HELP_TEXT = (
        "The highlighted panel is the environment p, c and r act on; e picks another.\n"
        "p promotes a canary to all traffic (without one: deploys the upstream environment's\n"
        "release); c starts a canary or changes its share; r stops a canary or rolls back to\n"
        "the release the current one replaced. Each shows the versions that change and asks\n"
        "first. A canary's analysis compares its requests with the stable release's in the\n"
        f"same window and refreshes every {CANARY_REFRESH_SECONDS:g} s."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        *DataScreen.BINDINGS,
        Binding("e", "next_environment", "Environment"),
        Binding("p", "promote_release", "Promote"),
        Binding("c", "canary_release", "Canary"),
        Binding("r", "rollback_release", "Rollback"),
    ]
    empty_note = getters.query_one("#empty", Static)
    deploys_pane = getters.query_one("#deploys", Vertical)
    environment_row = getters.query_one("#environments", Horizontal)
    canary_pane = getters.query_one("#canary", Vertical)
    canary_heading = getters.query_one("#canary-title", Static)
    canary_checks = getters.query_one("#checks", CanaryChecks)
    timeline = getters.query_one("#timeline", DeployTimeline)
    row_detail = getters.query_one("#row-detail", Static)
    status_line = getters.query_one("#status", Static)

    def __init__(self) -> None:
        super().__init__()
        self.environment: str | None = None
        """The environment the keys act on."""
        self.views: dict[str, EnvironmentView] = {}
        self.history: list[Deployment] = []
        self._analysis_failed = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(NO_ENVIRONMENTS, id="empty", classes="muted", markup=False)
        with Vertical(id="deploys"):
            yield Horizontal(id="environments")
            with Vertical(id="canary"):
                yield Static("", id="canary-title")
                yield CanaryChecks(id="checks")
            yield Static("Timeline", classes="section-title")
            yield DeployTimeline(id="timeline")
            yield Static("", id="row-detail", markup=False)
            yield Static("", id="status", classes="muted", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.empty_note.display = False
        self.canary_pane.display = False
        self.set_interval(CANARY_REFRESH_SECONDS, self._refresh_canary)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Deployments are not windowed: e picks the environment here.
        return action not in ("cycle_range", "cycle_environment")

    # -- loading ----------------------------------------------------------------------------

    def load(self, *, live: bool) -> None:
        self._analysis_failed = False
        self.load_deploys()

    @work(thread=True, exclusive=True, group="deploys.load", exit_on_error=False)
    def load_deploys(self) -> None:
        store = self.cockpit.store
        log = store.deployments
        history = log.history(limit=HISTORY_LIMIT)
        try:
            sources = environments(self.cockpit.config, history)
        except LlmopsError as error:  # the config's one line, where the panels would be
            self.post_message(DeploysLoaded([], history, str(error)))
            return
        views = []
        for name in sources:
            state = log.state(name)
            stable = store.releases.get(state.stable_release) if state.stable_release else None
            canary = store.releases.get(state.canary_release) if state.canary_release else None
            last = next((d for d in history if d.environment == name), None)
            views.append(EnvironmentView(state, stable, canary, sources[name], last))
        if not get_current_worker().is_cancelled:
            self.post_message(DeploysLoaded(views, history))

    @on(DeploysLoaded)
    def show_deploys(self, loaded: DeploysLoaded) -> None:
        self.views = {v.name: v for v in loaded.environments}
        self.history = loaded.history
        empty = not self.views
        self.empty_note.update(loaded.problem or NO_ENVIRONMENTS)
        self.empty_note.display = empty
        self.deploys_pane.display = not empty
        if self.environment not in self.views:
            wanted = self.cockpit.view.environment
            self.environment = wanted if wanted in self.views else next(iter(self.views), None)
        self._show_panels()
        self.timeline.show(loaded.history)
        self._show_row_detail()
        self._show_status()
        if not any(v.state.canary_release for v in self.views.values()):
            self.canary_pane.display = False
        else:
            self._refresh_canary()

    def _show_panels(self) -> None:
        row = self.environment_row
        panels = {p.id: p for p in row.query(EnvironmentPanel)}
        for panel_id, panel in panels.items():
            if panel_id not in {f"env-{name}" for name in self.views}:
                panel.remove()
        for name, view in self.views.items():
            panel = panels.get(f"env-{name}") or EnvironmentPanel(id=f"env-{name}")
            if not panel.is_attached:
                row.mount(panel)
            panel.show(view, selected=name == self.environment)

    @on(DeployTimeline.Highlighted, "#timeline")
    def _show_row_detail(self) -> None:
        timeline = self.timeline
        self.row_detail.update(timeline.describe())

    def _show_status(self) -> None:
        status = self.status_line
        if self.cockpit.readonly:
            status.update(READONLY)
        elif self.environment:
            status.update(f"p, c and r act on {self.environment}; e picks another environment")

    def _refresh_canary(self) -> None:
        canaries = [n for n, v in self.views.items() if v.state.canary_release]
        if canaries and self.is_current and not self._analysis_failed:
            self.load_analysis(canaries)

    @work(thread=True, exclusive=True, group="deploys.canary", exit_on_error=False)
    def load_analysis(self, environments: list[str]) -> None:
        cockpit = self.cockpit
        try:
            found = [analyse(cockpit.store, cockpit.config, e, cockpit.clock) for e in environments]
        except Exception:
            # Reported once through the error path; the timer stops asking until a reload,
            # rather than raising the same error every few seconds.
            self._analysis_failed = True
            raise
        analyses = [a for a in found if a is not None]
        if not get_current_worker().is_cancelled:
            self.post_message(CanaryAnalysed(analyses))

    @on(CanaryAnalysed)
    def show_analysis(self, analysed: CanaryAnalysed) -> None:
        current = [
            a for a in analysed.analyses
            if (view := self.views.get(a.environment)) is not None
            and view.state.canary_release == a.canary_release
        ]  # fmt: skip
        self.canary_pane.display = bool(current)
        if not current:
            return  # the canary ended meanwhile
        shown = next((a for a in current if a.environment == self.environment), current[0])
        self.canary_heading.update(canary_title(shown))
        checks = self.canary_checks
        checks.show(shown.checks)
        checks.display = bool(shown.checks)  # waiting for requests: the title says why

    # -- actions ----------------------------------------------------------------------------

    def action_next_environment(self) -> None:
        names = list(self.views)
        if names:
            at = names.index(self.environment) if self.environment in names else -1
            self.environment = names[(at + 1) % len(names)]
            self._show_panels()
            self._show_status()
            self._refresh_canary()

    def action_promote_release(self) -> None:
        self._plan(DeployAction.PROMOTE)

    def action_canary_release(self) -> None:
        self._plan(DeployAction.CANARY)

    def action_rollback_release(self) -> None:
        self._plan(DeployAction.ROLLBACK)

    def _plan(self, action: DeployAction) -> None:
        if self.cockpit.readonly:
            self.notify(READONLY, severity="warning")
            return
        if self.environment is None or self.environment not in self.views:
            self.notify("No environment to act on: configure environments in llmops.toml.")
            return
        self.plan_deploy(action, self.environment, dict(self.views), list(self.history))

    @work(thread=True, exclusive=True, group="deploys.action", exit_on_error=False)
    def plan_deploy(
        self,
        action: DeployAction,
        environment: str,
        views: dict[str, EnvironmentView],
        history: list[Deployment],
    ) -> None:
        releases = self.cockpit.store.releases
        plan = plan_action(
            action, views[environment], views=views, history=history, release=releases.get
        )
        self.post_message(PlanReady(plan))

    @on(PlanReady)
    def confirm_plan(self, ready: PlanReady) -> None:
        plan = ready.plan

        def decided(decision: DeployDecision | None) -> None:
            if decision is not None:
                self.apply_deploy(plan, decision)

        self.app.push_screen(DeployConfirmScreen(plan), decided)

    @work(thread=True, exclusive=True, group="deploys.action", exit_on_error=False)
    def apply_deploy(self, plan: DeployPlan, decision: DeployDecision) -> None:
        cockpit = self.cockpit
        try:
            applied = apply_plan(cockpit.store, cockpit.config, plan, decision)
        except LlmopsError as error:  # refused, or the target failed (and that is recorded)
            applied = Applied(None, str(error), failed=True)
        self.post_message(DeployApplied(applied))

    @on(DeployApplied)
    def deploy_applied(self, event: DeployApplied) -> None:
        applied = event.applied
        failed = applied.failed or (
            applied.deployment is not None and applied.deployment.status is DeployStatus.FAILED
        )
        self.notify(applied.message, severity="error" if failed else "information", markup=False)
        self.reload(live=True)
