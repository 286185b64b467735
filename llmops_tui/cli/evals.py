"""`llmops eval`: run a suite on a release, list runs, show one.

`eval run` prints a progress line on a terminal (cases done, errors, running cost) and a
per-judge summary at the end; `--json` prints the run and its summary instead. A run is not a
gate: it exits 0 however many cases fail (`llmops gate` applies the rules).
"""

from __future__ import annotations

import sys
import time
from typing import Any

import click

from llmops_tui.cli.compare import compare_command
from llmops_tui.cli.context import CliContext, pass_context
from llmops_tui.cli.output import count, echo_json, ms, percent, table, usd
from llmops_tui.config import ProjectConfig
from llmops_tui.domain.evals import EvalRun
from llmops_tui.errors import ConfigError
from llmops_tui.evals.runner import RunProgress, run_eval
from llmops_tui.evals.summary import RunSummary, failing, summarize
from llmops_tui.versions.refs import resolve_release


@click.group("eval")
def eval_group() -> None:
    """Run eval suites (`[evals.suites.*]` in llmops.toml) and read their results."""


def _project(ctx: CliContext) -> ProjectConfig:
    if ctx.project is None:
        raise ConfigError(
            "no llmops.toml in this folder or any parent", hint="run `llmops init` first"
        )
    return ctx.project


@eval_group.command("run")
@click.option(
    "--release",
    "release_ref",
    default="HEAD",
    show_default=True,
    metavar="REF",
    help="Release to evaluate: a label, release id, git ref or `working`.",
)
@click.option("--suite", help="Suite in llmops.toml (default: the only one, or the dataset's).")
@click.option("--dataset", metavar="D[@V]", help="Dataset (and version) instead of the suite's.")
@click.option("--provider", help="Provider instead of the suite's or the model's.")
@click.option("--repeat", type=click.IntRange(min=1), help="Answers per case.")
@click.option("--concurrency", type=click.IntRange(min=1), help="Provider calls in flight.")
@click.option("--no-cache", is_flag=True, help="Call the provider even for cached answers.")
@click.option("--json", "as_json", is_flag=True, help="Print the run and its summary as JSON.")
@pass_context
def run_command(
    ctx: CliContext,
    release_ref: str,
    suite: str | None,
    dataset: str | None,
    provider: str | None,
    repeat: int | None,
    concurrency: int | None,
    no_cache: bool,
    as_json: bool,
) -> None:
    """Run a suite on a release; an interrupted run resumes when run again."""
    project = _project(ctx)
    plugins = ctx.plugins()
    store = ctx.store()
    show = _ProgressLine() if sys.stderr.isatty() and not as_json else None
    try:
        run = run_eval(
            store,
            project,
            plugins,
            release_ref=release_ref,
            suite=suite,
            dataset=dataset,
            provider=provider,
            repeat=repeat,
            concurrency=concurrency,
            use_cache=not no_cache,
            progress=show,
        )
    finally:
        if show is not None:
            show.close()
    for warning in plugins.warnings:
        if "eval_run_finished" in warning:
            click.echo(f"warning: {warning}", err=True)
    summary = summarize(store.evals.results(run.run_id))
    if as_json:
        echo_json({"run": _run_json(run), "summary": summary.as_dict()})
        return
    _print_run(run, summary)


@eval_group.command("runs")
@click.option("--release", "release_ref", metavar="REF", help="Only runs of this release.")
@click.option("--dataset", help="Only runs on this dataset.")
@click.option("--limit", default=50, show_default=True, help="Newest runs to list.")
@click.option("--json", "as_json", is_flag=True, help="Print the runs as JSON.")
@pass_context
def runs_command(
    ctx: CliContext, release_ref: str | None, dataset: str | None, limit: int, as_json: bool
) -> None:
    """Eval runs, newest first (made here or imported)."""
    store = ctx.store()
    release_id = None
    if release_ref is not None:
        release_id = resolve_release(store, _project(ctx), release_ref).release_id
    runs = store.evals.runs(release_id=release_id, dataset=dataset, limit=limit)
    if as_json:
        echo_json([_run_json(r) for r in runs])
        return
    if not runs:
        click.echo("no eval runs yet (`llmops eval run` makes one)")
        return
    rows = [
        [
            r.run_id,
            f"{r.started_at:%Y-%m-%d %H:%M}",
            r.status.value,
            r.release_ref or "-",
            (r.release_id or "-")[:12],
            f"{r.dataset or '-'}" + (f"@v{r.dataset_version}" if r.dataset_version else ""),
            f"{r.prompt}@v{r.prompt_version}" if r.prompt else "-",
            r.provider or "-",
            r.model or "-",
            r.source.value,
        ]
        for r in runs
    ]
    headers = ["run", "started", "status", "ref", "release", "dataset", "prompt", "provider"]
    click.echo(table([*headers, "model", "source"], rows, right=set()))


@eval_group.command("show")
@click.argument("run_id", metavar="RUN")
@click.option("--json", "as_json", is_flag=True, help="Print the run, summary and failures.")
@pass_context
def show_command(ctx: CliContext, run_id: str, as_json: bool) -> None:
    """A run's per-judge summary and its failing cases (RUN: an id or a prefix of it)."""
    store = ctx.store(readonly=True)
    run = store.evals.get(run_id)
    results = store.evals.results(run.run_id)
    summary = summarize(results)
    failures = failing(results)
    if as_json:
        echo_json({"run": _run_json(run), "summary": summary.as_dict(), "failing": failures})
        return
    _print_run(run, summary)
    if failures:
        click.echo("\nfailing:")
        for f in failures:
            why = f["error"] or f["reason"] or "failed"
            mark = " (required)" if f["required"] else ""
            click.echo(f"  {f['case_id']}#{f['repetition']} {f['judge']}{mark}: {why}"[:160])


def _print_run(run: EvalRun, summary: RunSummary) -> None:
    prompt = f"{run.prompt}@v{run.prompt_version}" if run.prompt else "-"
    click.echo(
        f"run {run.run_id} ({run.status.value}): {run.label or run.dataset} on "
        f"{run.release_ref or '-'} (release {run.release_id or '-'}), {prompt}, "
        f"{run.provider}/{run.model}, x{run.repeat}"
    )
    rows = [
        [
            j.judge,
            percent(j.pass_rate),
            f"{j.passed}/{j.rows}",
            count(j.errors),
            usd(j.judge_cost_usd),
            ms(j.latency_p50_ms),
        ]
        for j in summary.judges
    ]
    headers = ["judge", "pass rate", "passed", "errors", "judge cost", "p50 latency"]
    click.echo(table(headers, rows, right={1, 2, 3, 4, 5}))
    cached = f", {count(summary.cached)} cached" if summary.cached else ""
    click.echo(
        f"{count(summary.answers)} answers, {count(summary.passed_all)} passed every judge, "
        f"{count(summary.errors)} with errors{cached}; answers cost {usd(summary.cost_usd)}, "
        f"judges {usd(summary.judge_cost_usd)}"
    )


def _run_json(run: EvalRun) -> dict[str, Any]:
    return {
        "run_id": run.run_id,
        "source": run.source.value,
        "status": run.status.value,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "release_id": run.release_id,
        "release_ref": run.release_ref,
        "suite": run.label,
        "dataset": run.dataset,
        "dataset_version": run.dataset_version,
        "prompt": run.prompt,
        "prompt_version": run.prompt_version,
        "provider": run.provider,
        "model": run.model,
        "repeat": run.repeat,
        "suite_hash": run.suite_hash,
        "created_by": run.created_by,
    }


class _ProgressLine:
    """One self-rewriting stderr line: cases done, errors, running cost."""

    def __init__(self) -> None:
        self._shown = False
        self._last = 0.0

    def __call__(self, p: RunProgress) -> None:
        now = time.monotonic()
        if p.done < p.total and now - self._last < 0.1:
            return  # a cached run reports thousands of cases a second
        self._last = now
        width = 24
        filled = int(width * p.done / p.total) if p.total else width
        bar = "#" * filled + "-" * (width - filled)
        cached = f", {count(p.cached)} cached" if p.cached else ""
        click.echo(
            f"\r[{bar}] {count(p.done)}/{count(p.total)} cases, {count(p.errors)} errors, "
            f"{usd(p.cost_usd)} spent{cached}  ",
            nl=False,
            err=True,
        )
        self._shown = True

    def close(self) -> None:
        if self._shown:
            click.echo("", err=True)


__all__ = ["eval_group"]


eval_group.add_command(compare_command)
