"""`run_eval`: run a suite on a release, store every answer and verdict, resume if cut short.

The plan (`plan.py`) fixes the release's prompt, model and dataset versions, the provider and
the judges, and hashes them into `suite_hash`. Then:

- `reuse=True` returns the newest *finished* run with that hash (the gate's "run or reuse");
- a *running* run with that hash (interrupted) is resumed: cases × repetitions already
  stored are skipped;
- otherwise a new run starts.

Every case is rendered up front, its request hashed, and answers already in the response
cache are fetched in one query: a re-run of an unchanged suite makes no provider call. The
rest go to the provider from a bounded thread pool. Finished cases are written in batches,
each atomically (spans first, then cached answers, then the result rows that mark the case
done), so an interrupt loses at most the batch in flight and the next run picks up there.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from llmops_tui.config import ProjectConfig
from llmops_tui.costs import StoreRates
from llmops_tui.domain.evals import EvalRun, ProviderRequest, RunSource, RunStatus
from llmops_tui.errors import LlmopsError
from llmops_tui.evals.execute import CaseRunner, Outcome, Prepared, request_hash
from llmops_tui.evals.plan import EvalPlan, plan_eval
from llmops_tui.evals.render import render_prompt
from llmops_tui.evals.spans import ingest_time, span_batch
from llmops_tui.identity import current_user
from llmops_tui.plugin_manager import Plugins
from llmops_tui.pricing import Pricer
from llmops_tui.store import Store

BATCH_CASES = 1000
"""Cases × repetitions per write: bigger batches cost less per row, smaller ones lose less
to an interrupt."""
BATCH_SECONDS = 5.0
"""A slow provider still gets its finished cases stored this often."""


@dataclass(frozen=True, slots=True)
class RunProgress:
    run_id: str
    total: int
    """Cases × repetitions in the run."""
    done: int
    errors: int
    """Cases × repetitions with an error (provider, render or judge)."""
    failed: int
    """Cases × repetitions with a failing or errored judge."""
    cost_usd: float
    """What this invocation spent (cached answers cost nothing)."""
    cached: int


def _utcnow() -> datetime:
    return datetime.now(UTC)


def run_eval(
    store: Store,
    project: ProjectConfig,
    plugins: Plugins,
    *,
    release_ref: str,
    suite: str | None = None,
    dataset: str | None = None,
    provider: str | None = None,
    repeat: int | None = None,
    concurrency: int | None = None,
    use_cache: bool = True,
    reuse: bool = False,
    progress: Callable[[RunProgress], None] | None = None,
    now: Callable[[], datetime] = _utcnow,
) -> EvalRun:
    """Run (or reuse, or resume) the suite on the release and return the finished run.

    Raises:
        LlmopsError: before any call, when the suite, release, artifacts, provider or a
            judge type can't be resolved. Per-case failures never raise: they are stored.
    """
    with store.held():  # planning reads a dozen things: open the file once for all of them
        store.initialise()
        plan = plan_eval(
            store,
            project,
            plugins,
            release_ref=release_ref,
            suite=suite,
            dataset=dataset,
            provider=provider,
            repeat=repeat,
            concurrency=concurrency,
            now=now(),
        )
        if reuse:
            finished = store.evals.find(plan.suite_hash, status=RunStatus.FINISHED)
            if finished is not None:
                return finished
        run = store.evals.find(plan.suite_hash, status=RunStatus.RUNNING)
        if run is None:
            run = _new_run(plan, now())
            store.evals.save_run(run)
        done = store.evals.done(run.run_id)
        pending = _prepare(plan, done, store)
        cached = _cached(store, pending) if use_cache else {}
    pricer = Pricer(project.price_overrides)
    runner = CaseRunner(plan, plugins, run.run_id, pricer, cached, now=now)
    writer = _Writer(store, StoreRates(pricer), plan, run.run_id, now)
    tally = _Tally(run.run_id, len(plan.dataset.cases) * plan.repeat, len(done))
    try:
        for outcome in _outcomes(runner, pending, plan.concurrency):
            writer.add(outcome)
            tally.add(outcome, cached=bool(outcome.results and outcome.results[0].cached))
            if writer.due():
                writer.flush()
            if progress is not None:
                progress(tally.snapshot())
    except KeyboardInterrupt:
        # Keep what finished; the run stays `running`, so the same command resumes it.
        writer.flush()
        raise
    finished_at = now()
    with store.held():
        writer.flush()
        store.evals.finish_run(run.run_id, RunStatus.FINISHED, finished_at)
    finished = replace(run, status=RunStatus.FINISHED, finished_at=finished_at)
    plugins.notify("eval_run_finished", run=finished)
    return finished


def _cached(store: Store, pending: list[Prepared]) -> dict[str, dict[str, Any]]:
    """Cached answers of the pending cases, and the LLM-judge answers each one lists."""
    cached = store.evals.cached_responses(p.request_hash for p in pending if p.request_hash)
    judged = {h for answer in cached.values() for h in answer.get("judge_calls") or ()}
    cached.update(store.evals.cached_responses(judged - cached.keys()))
    return cached


def _new_run(plan: EvalPlan, started_at: datetime) -> EvalRun:
    version = plan.prompt.version
    return EvalRun(
        run_id=uuid.uuid4().hex[:12],
        source=RunSource.LLMOPS,
        status=RunStatus.RUNNING,
        started_at=started_at,
        finished_at=None,
        release_id=plan.release.release_id,
        release_ref=plan.release_ref,
        dataset=plan.dataset.name,
        dataset_version=plan.dataset.version,
        prompt=version.name,
        prompt_version=version.number,
        provider=plan.provider,
        model=plan.model,
        repeat=plan.repeat,
        suite_hash=plan.suite_hash,
        created_by=current_user(),
        label=plan.suite,
        config={
            "suite": plan.suite,
            "params": dict(plan.params),
            "options": dict(plan.options),
            "judges": [
                {"name": j.name, "type": j.type, "options": dict(j.options)} for j in plan.judges
            ],
            "commit": plan.release.commit,
            "cases": len(plan.dataset.cases),
        },
    )


def _prepare(plan: EvalPlan, done: set[tuple[str, int]], store: Store) -> list[Prepared]:
    recorded = getattr(store, "recordings", None)
    lookup = getattr(recorded, "lookup", None)
    version = plan.prompt.version
    prepared = []
    for rep in range(plan.repeat):
        for case in plan.dataset.cases:
            if (case.case_id, rep) in done:
                continue
            try:
                messages = render_prompt(version.path, plan.prompt.text, case, dict(plan.vars))
            except LlmopsError as error:
                prepared.append(Prepared(case, rep, None, None, f"render: {error}"))
                continue
            request = ProviderRequest(
                model=plan.model,
                messages=messages,
                params=plan.params,
                options=plan.options,
                prompt_name=version.name,
                prompt_version=version.number,
                case_id=case.case_id,
                repetition=rep,
                expected=case.expected,
                recorded=lookup,
            )
            prepared.append(Prepared(case, rep, request, request_hash(plan.provider, request)))
    return prepared


def _outcomes(runner: CaseRunner, pending: list[Prepared], workers: int) -> Iterator[Outcome]:
    """Outcomes as they finish, with at most `2 × workers` cases submitted at a time (a
    100k-case suite must not queue 100k futures)."""
    # Cached answers and unrenderable cases need no provider: judged here, no thread hop.
    remote = []
    for item in pending:
        if runner.needs_call(item):
            remote.append(item)
        else:
            yield runner.run(item)
    if not remote:
        return
    items = iter(remote)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="llmops-eval") as pool:
        running: set[Future[Outcome]] = set()
        try:
            for item in items:
                running.add(pool.submit(runner.run, item))
                if len(running) >= 2 * workers:
                    break
            while running:
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                # Answers first, then an interrupt raised in a worker: none is lost.
                for future in sorted(finished, key=lambda f: f.exception() is not None):
                    yield future.result()
                    following = next(items, None)
                    if following is not None:
                        running.add(pool.submit(runner.run, following))
        except BaseException:
            for future in running:
                future.cancel()
            pool.shutdown(wait=True, cancel_futures=True)
            raise


class _Writer:
    """Finished cases waiting to be stored, flushed as one atomic batch each."""

    def __init__(
        self,
        store: Store,
        rates: StoreRates,
        plan: EvalPlan,
        run_id: str,
        now: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._rates = rates
        self._release_id = plan.release.release_id
        self._run_id = run_id
        self._now = now
        self._pending: list[Outcome] = []
        self._since = time.monotonic()
        self._last_load: datetime | None = None
        self._line = 1

    def add(self, outcome: Outcome) -> None:
        self._pending.append(outcome)

    def due(self) -> bool:
        return len(self._pending) >= BATCH_CASES or (
            bool(self._pending) and time.monotonic() - self._since >= BATCH_SECONDS
        )

    def flush(self) -> None:
        batch, self._pending = self._pending, []
        self._since = time.monotonic()
        if not batch:
            return
        with self._store.held():  # three writes, one open of the file
            self._write(batch)

    def _write(self, batch: list[Outcome]) -> None:
        calls = [c for o in batch for c in o.calls]
        if calls:
            table = span_batch(
                calls, run_id=self._run_id, release_id=self._release_id, first_line=self._line
            )
            self._line += len(calls)
            self._last_load = ingest_time(self._last_load, self._now())
            self._store.spans.load(
                table, rates=self._rates, checkpoints=[], ingested_at=self._last_load
            )
        self._store.evals.cache_responses([row for o in batch for row in o.cache_rows])
        self._store.evals.add_results([r for o in batch for r in o.results])


class _Tally:
    def __init__(self, run_id: str, total: int, done: int) -> None:
        self.run_id, self.total, self.done = run_id, total, done
        self.errors = self.failed = self.cached = 0
        self.cost = 0.0

    def add(self, outcome: Outcome, *, cached: bool) -> None:
        self.done += 1
        self.errors += any(r.error for r in outcome.results)
        self.failed += outcome.failed
        self.cached += cached
        self.cost += outcome.spent_usd

    def snapshot(self) -> RunProgress:
        return RunProgress(
            self.run_id, self.total, self.done, self.errors, self.failed, self.cost, self.cached
        )


__all__ = ["RunProgress", "run_eval"]
