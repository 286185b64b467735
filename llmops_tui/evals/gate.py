"""`llmops gate`: run (or reuse) the baseline's and the candidate's evals, compare them, apply
the `[gate]` rules and record the verdict for deploy policies.

    run_gate(store, project, plugins, *, candidate_ref, baseline_ref, suite=None,
             run=None, now=None) -> GateResult                 runs, compares, records
    gate_runs(store, config, baseline_run_id, candidate_run_id) -> GateResult
                                                               two stored runs, no side effect

Both refs resolve to releases first (`HEAD`, a branch, a release id, or a release label such
as `production`), so a typo fails in one line before any model is called. The runner is
injectable (`run=`): tests hand in fake runs; the default is `evals.runner.run_eval`, imported
lazily so the CLI starts fast, and called with `reuse=True` so a finished run of the same
suite on the same release is not paid for twice.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, cast

from llmops_tui.config import ProjectConfig
from llmops_tui.domain.comparison import GateResult
from llmops_tui.domain.evals import EvalRun
from llmops_tui.evals.compare import compare_runs
from llmops_tui.evals.gate_config import GateConfig, parse_gate_config
from llmops_tui.evals.rules import apply_rules
from llmops_tui.identity import current_user
from llmops_tui.versions.refs import resolve_release

if TYPE_CHECKING:
    from llmops_tui.plugin_manager import Plugins
    from llmops_tui.store import Store


class EvalRunner(Protocol):
    """What `run_gate` needs of `evals.runner.run_eval`."""

    def __call__(
        self,
        store: Store,
        project: ProjectConfig,
        plugins: Plugins,
        /,
        *,
        release_ref: str,
        suite: str | None = ...,
        reuse: bool = ...,
    ) -> EvalRun: ...


def run_gate(
    store: Store,
    project: ProjectConfig,
    plugins: Plugins,
    *,
    candidate_ref: str,
    baseline_ref: str,
    suite: str | None = None,
    run: EvalRunner | None = None,
    now: Callable[[], datetime] | None = None,
) -> GateResult:
    """Gate `candidate_ref` against `baseline_ref` and record the verdict.

    Args:
        store: the project's store (written: runs, results, the gate verdict).
        project: its config; `[gate]` holds the rules.
        plugins: providers and judges for the runner.
        candidate_ref: the release under test (`HEAD`, a branch, a release id).
        baseline_ref: what it must not be worse than (usually the `production` label).
        suite: overrides `[gate] suite`.
        run: the eval runner (default `run_eval`).
        now: the clock for the recorded verdict.

    Raises:
        ConfigError: `[gate]` is malformed.
        UnknownRefError: a ref names no release.
    """
    where = f"{project.root / 'llmops.toml'}: [gate]"
    config = parse_gate_config(project.gate, where)
    candidate_release = resolve_release(store, project, candidate_ref)
    baseline_release = resolve_release(store, project, baseline_ref)
    runner = run if run is not None else _default_runner()
    chosen = suite or config.suite
    baseline = runner(store, project, plugins, release_ref=baseline_ref, suite=chosen, reuse=True)
    candidate = runner(store, project, plugins, release_ref=candidate_ref, suite=chosen, reuse=True)
    result = gate_runs(
        store,
        config,
        baseline.run_id,
        candidate.run_id,
        baseline_release=baseline_release.release_id,
        candidate_release=candidate_release.release_id,
    )
    at = now() if now is not None else datetime.now(UTC)
    store.gates.record(result, created_at=at, created_by=current_user())
    return result


def gate_runs(
    store: Store,
    config: GateConfig,
    baseline_run_id: str,
    candidate_run_id: str,
    *,
    baseline_release: str | None = None,
    candidate_release: str | None = None,
) -> GateResult:
    """The verdict on two stored runs, without running anything or recording it (what the
    Evals screen's `g` shows). Releases default to the runs' own.

    Raises:
        UnknownRunError: a run id names no run, or more than one.
    """
    comparison = compare_runs(store, baseline_run_id, candidate_run_id, alpha=config.alpha)
    checks = apply_rules(comparison, config, store.evals.results(comparison.candidate.run_id))
    return GateResult(
        passed=all(check.passed for check in checks),
        checks=checks,
        comparison=comparison,
        candidate_release=candidate_release or comparison.candidate.release_id,
        baseline_release=baseline_release or comparison.baseline.release_id,
    )


def _default_runner() -> EvalRunner:
    # Lazy (the runner pulls in providers and judges) and by name, as the runner lands from a
    # parallel branch; `EvalRunner` states the signature it must keep.
    runner: Any = importlib.import_module("llmops_tui.evals.runner").run_eval
    return cast(EvalRunner, runner)
