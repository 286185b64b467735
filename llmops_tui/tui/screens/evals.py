"""Evals (4): runs by release and dataset; a candidate against a baseline, judge by judge.

The top table lists the eval runs, made here or imported, grouped by release and dataset. Two
of them are compared: by default the newest run of the `production` release (the baseline)
and the newest other run (the candidate); `b` marks another baseline, enter compares the run
under the cursor with it, `s` swaps the two. The comparison is `llmops eval compare`'s: per
judge the two pass rates or means, the delta with its confidence interval, the p-value and
its Holm adjustment across judges, and a verdict; then every case that moved, with the two
outputs of the highlighted one side by side. `g` applies the `[gate]` rules to the pair.
Every store read and every statistic runs in a worker; a result for a pair no longer on
screen is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Header, Static
from textual.worker import get_current_worker

from llmops_tui.config import CONFIG_NAME, ProjectConfig
from llmops_tui.domain.comparison import Comparison, GateResult, RunTotals
from llmops_tui.domain.evals import EvalRun, RunStatus
from llmops_tui.errors import LlmopsError
from llmops_tui.evals.gate_config import GateConfig, parse_gate_config
from llmops_tui.formatting import ms, percent, usd
from llmops_tui.store import Store
from llmops_tui.tui.screens.base import DataScreen
from llmops_tui.tui.screens.gate_verdict import GateVerdictScreen
from llmops_tui.tui.widgets.eval_compare import CaseTable, JudgeTable, OutputPair
from llmops_tui.tui.widgets.eval_runs import EvalRunTable, release_name
from llmops_tui.tui.widgets.key_bar import KeyBar

EMPTY_RUNS = (
    "No eval runs yet: `llmops eval run --release HEAD --dataset D` makes one, "
    "`llmops ingest` imports promptfoo, inspect-ai and OpenAI Evals results."
)
RUN_LIMIT = 200
PRODUCTION = "production"
Pair = tuple[str, str]
"""(baseline run id, candidate run id)."""


def gate_settings(config: ProjectConfig | None) -> GateConfig:
    """`[gate]` of `llmops.toml`, validated (the defaults without a project)."""
    if config is None:
        return GateConfig()
    return parse_gate_config(config.gate, f"{config.root / CONFIG_NAME}: [gate]")


def compare_pair(
    store: Store, config: ProjectConfig | None, baseline: str, candidate: str
) -> Comparison:
    """`llmops eval compare BASE CAND`'s comparison, at the gate's alpha."""
    from llmops_tui.evals.compare import compare_runs  # scipy: imported when first needed

    return compare_runs(store, baseline, candidate, alpha=gate_settings(config).alpha)


def gate_pair(
    store: Store, config: ProjectConfig | None, baseline: str, candidate: str
) -> GateResult:
    """The `[gate]` rules applied to two stored runs, as `llmops gate` applies them (nothing
    is run or recorded)."""
    from llmops_tui.evals.gate import gate_runs  # scipy: imported when first needed

    return gate_runs(store, gate_settings(config), baseline, candidate)


def default_pair(runs: Sequence[EvalRun], production: str | None) -> Pair | None:
    """The newest run of the production release against the newest other run (of the same
    dataset when there is one); without a production run, the newest two."""
    usable = [r for r in runs if r.status is not RunStatus.FAILED]  # newest first
    if len(usable) < 2:
        return None
    base = next((r for r in usable if production and r.release_id == production), None)
    others = [r for r in usable if r is not base]
    if base is None:
        candidate = usable[0]
        same = [r for r in usable[1:] if r.dataset == candidate.dataset]
        return ((same or usable[1:])[0].run_id, candidate.run_id)
    same = [r for r in others if r.dataset == base.dataset and r.release_id != base.release_id]
    return (base.run_id, (same or others)[0].run_id)


@dataclass
class RunsLoaded(Message):
    runs: list[EvalRun]
    totals: dict[str, RunTotals]
    production: str | None
    """The release the `production` label points at, if any."""


@dataclass
class ComparisonLoaded(Message):
    pair: Pair
    comparison: Comparison | None
    error: str | None = None
    """Why the pair can't be compared (runs that share no cases, a run deleted meanwhile)."""


@dataclass
class GateLoaded(Message):
    pair: Pair
    result: GateResult


class EvalsScreen(DataScreen):
    CSS_PATH = "evals.tcss"
    AUTO_FOCUS = "#runs"
    HELP_TITLE = "Evals"
    HELP_TEXT = (
        "B marks the baseline run and C the candidate; a case passes when every judge passes\n"
        "it (pass is the share of such cases). Pass/fail judges are compared by\n"
        "McNemar's test on the paired cases, numeric ones by a paired bootstrap CI and the\n"
        "Wilcoxon signed-rank test; p (Holm) is adjusted across the judges. ▼ marks a case\n"
        "that regressed, ▲ one that improved; tab moves on to the judges and the cases; the\n"
        "highlighted case's two outputs show side by side. g applies the \\[gate] rules of\n"
        "llmops.toml to the pair."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        *DataScreen.BINDINGS,
        Binding("b", "mark_baseline", "Baseline"),
        Binding("s", "swap_pair", "Swap"),
        Binding("g", "show_gate", "Gate verdict"),
    ]
    empty_note = getters.query_one("#empty", Static)
    evals_pane = getters.query_one("#evals", Vertical)
    run_table = getters.query_one("#runs", EvalRunTable)
    pair_title = getters.query_one("#pair", Static)
    totals_line = getters.query_one("#totals", Static)
    judge_table = getters.query_one("#judges", JudgeTable)
    case_table = getters.query_one("#cases", CaseTable)
    outputs = getters.query_one("#outputs", OutputPair)
    status_line = getters.query_one("#status", Static)

    def __init__(self) -> None:
        super().__init__()
        self.pair: Pair | None = None
        """The runs compared (or being compared)."""
        self.baseline: str | None = None
        """Marked with `b`; the pair's baseline once compared."""
        self.comparison: Comparison | None = None
        self._compared: Pair | None = None
        """The pair last compared (or found not comparable): a reload doesn't redo it."""
        self._runs: list[EvalRun] = []
        self._totals: dict[str, RunTotals] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(EMPTY_RUNS, id="empty", classes="muted")
        with Vertical(id="evals"):
            yield Static("Runs by release and dataset", classes="section-title")
            yield EvalRunTable(id="runs")
            yield Static("", id="pair", classes="section-title", markup=False)
            yield Static("", id="totals", classes="muted", markup=False)
            yield JudgeTable(id="judges")
            with Horizontal(id="cases-pane"):
                yield CaseTable(id="cases")
                yield OutputPair(id="outputs")
            yield Static("", id="status", classes="muted", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.empty_note.display = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Eval runs are not traffic: no time range, no environment.
        return action not in ("cycle_range", "cycle_environment")

    # -- loading ----------------------------------------------------------------------------

    def load(self, *, live: bool) -> None:
        self.load_runs()

    @work(thread=True, exclusive=True, group="evals.runs", exit_on_error=False)
    def load_runs(self) -> None:
        store = self.cockpit.store
        runs = store.evals.runs(limit=RUN_LIMIT)
        totals = store.eval_summaries.totals([r.run_id for r in runs])
        production = store.labels.release_for(PRODUCTION) if store.exists() else None
        if not get_current_worker().is_cancelled:
            self.post_message(RunsLoaded(runs, totals, production))

    @on(RunsLoaded)
    def show_runs(self, loaded: RunsLoaded) -> None:
        empty = not loaded.runs
        self.empty_note.display = empty
        self.evals_pane.display = not empty
        ids = {r.run_id for r in loaded.runs}
        if self.pair is None or not set(self.pair) <= ids:
            self.pair = default_pair(loaded.runs, loaded.production)
            self.baseline = self.pair[0] if self.pair else None
            self.comparison = None
        self._runs, self._totals = loaded.runs, loaded.totals
        self._redraw_runs()
        if self.pair is not None and self.pair != self._compared:
            self._compare(self.pair)
        elif self.pair is None:
            self._show_comparison(None)

    def _redraw_runs(self) -> None:
        self.run_table.show(
            self._runs,
            self._totals,
            baseline=self.baseline,
            candidate=self.pair[1] if self.pair else None,
        )
        self._show_status()

    def _compare(self, pair: Pair) -> None:
        self.pair, self._compared = pair, pair
        self.pair_title.update(f"comparing {pair[1][:8]} with baseline {pair[0][:8]}…")
        self.load_comparison(pair)

    @work(thread=True, exclusive=True, group="evals.compare", exit_on_error=False)
    def load_comparison(self, pair: Pair) -> None:
        try:
            loaded = ComparisonLoaded(
                pair, compare_pair(self.cockpit.store, self.cockpit.config, *pair)
            )
        except LlmopsError as error:  # a user's error: one line, and the screen stays
            loaded = ComparisonLoaded(pair, None, str(error))
        if not get_current_worker().is_cancelled:
            self.post_message(loaded)

    @on(ComparisonLoaded)
    def comparison_loaded(self, loaded: ComparisonLoaded) -> None:
        if loaded.pair != self.pair:
            return  # another pair was asked for meanwhile
        self.comparison = loaded.comparison
        self._show_comparison(loaded.comparison)
        if loaded.error is not None:
            self.pair_title.update(f"can't compare {loaded.pair[1][:8]} with {loaded.pair[0][:8]}")
            self.totals_line.update(loaded.error)
            self.notify(loaded.error, title="error", severity="error", markup=False)

    def _show_comparison(self, comparison: Comparison | None) -> None:
        title = self.pair_title
        totals = self.totals_line
        self.judge_table.show(comparison)
        self.case_table.show(comparison)
        self._show_case()
        if comparison is None:
            title.update("Pick two runs: b marks the baseline, enter compares a run with it.")
            totals.update("")
            return
        base, cand = comparison.baseline, comparison.candidate
        paired = comparison.judges[0].pairs if comparison.judges else 0
        title.update(
            f"baseline {base.run_id[:8]} ({release_name(base)}) vs candidate "
            f"{cand.run_id[:8]} ({release_name(cand)}) · {paired:,} paired cases · "
            f"α {comparison.alpha:g}"
        )
        totals.update(_totals_line(comparison))

    @on(CaseTable.Highlighted, "#cases")
    def _show_case(self) -> None:
        comparison = self.comparison
        labels = ("baseline", "candidate")
        if comparison is not None:
            labels = (
                f"baseline {comparison.baseline.run_id[:8]}",
                f"candidate {comparison.candidate.run_id[:8]}",
            )
        self.outputs.show(self.case_table.selected, labels)

    def _show_status(self) -> None:
        status = self.status_line
        if self.baseline and (not self.pair or self.pair[0] != self.baseline):
            status.update(f"baseline {self.baseline[:8]} marked: enter on a run compares it")
        else:
            status.update("")

    # -- picking the pair -------------------------------------------------------------------

    def action_mark_baseline(self) -> None:
        run = self.run_table.selected
        if run is None:
            return
        self.baseline = run.run_id
        if self.pair is not None and self.pair[1] != run.run_id:
            self._compare((run.run_id, self.pair[1]))
        self._redraw_runs()

    @on(EvalRunTable.Selected, "#runs")
    def _candidate_chosen(self) -> None:
        run = self.run_table.selected
        if run is None:
            return
        if self.baseline is None:
            self.notify("Mark a baseline first: b on the run to compare against.")
            return
        if run.run_id == self.baseline:
            self.notify("That run is the baseline: pick another one to compare with it.")
            return
        self._compare((self.baseline, run.run_id))
        self._redraw_runs()

    def action_swap_pair(self) -> None:
        if self.pair is not None:
            self.baseline = self.pair[1]
            self._compare((self.pair[1], self.pair[0]))
            self._redraw_runs()

    # -- the gate ---------------------------------------------------------------------------

    def action_show_gate(self) -> None:
        if self.pair is None:
            self.notify("Compare two runs first: the gate judges a candidate against a baseline.")
            return
        self.load_gate(self.pair)

    @work(thread=True, exclusive=True, group="evals.gate", exit_on_error=False)
    def load_gate(self, pair: Pair) -> None:
        result = gate_pair(self.cockpit.store, self.cockpit.config, *pair)
        if not get_current_worker().is_cancelled:
            self.post_message(GateLoaded(pair, result))

    @on(GateLoaded)
    def gate_loaded(self, loaded: GateLoaded) -> None:
        if loaded.pair == self.pair and self.is_current:
            self.app.push_screen(GateVerdictScreen(loaded.result))


def _totals_line(comparison: Comparison) -> str:
    b, c = comparison.baseline_totals, comparison.candidate_totals
    regressed = sum(1 for change in comparison.changes if change.regressed)
    improved = len(comparison.changes) - regressed
    parts = [
        f"pass {percent(b.pass_rate)} → {percent(c.pass_rate)}",
        f"cost {usd(b.cost_usd)} → {usd(c.cost_usd)}",
        f"p50 {ms(b.latency_p50_ms)} → {ms(c.latency_p50_ms)}",
        f"{regressed} regressed, {improved} improved",
    ]
    unpaired = comparison.only_in_baseline + comparison.only_in_candidate
    if unpaired:
        parts.append(f"{unpaired} unpaired cases left out")
    return " · ".join(parts)
