"""`llmops demo`: a workspace with a month of realistic traffic, to try everything on."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from llmops_tui.cli.cockpit import open_cockpit
from llmops_tui.cli.context import CliContext, pass_context
from llmops_tui.cli.output import count
from llmops_tui.config import ProjectConfig, load_project
from llmops_tui.costs import StoreRates
from llmops_tui.demo import evals as demo_evals
from llmops_tui.demo import history
from llmops_tui.demo.traffic import TrafficSummary
from llmops_tui.demo.workspace import SAMPLE_PROJECT, build_workspace
from llmops_tui.ingest.pipeline import Ingestor
from llmops_tui.plugin_manager import load_plugins
from llmops_tui.pricing import Pricer
from llmops_tui.store import Store

DEFAULT_SPANS = 210_000


@click.command("demo")
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path),
    default=Path("llmops-demo"),
    show_default=True,
    help="Where to build the workspace (rebuilt from scratch if it is an earlier demo).",
)
@click.option("--spans", default=DEFAULT_SPANS, show_default=True, help="Spans to simulate.")
@click.option("--no-tui", is_flag=True, help="Build the workspace only; don't open the cockpit.")
@pass_context
def demo_command(ctx: CliContext, directory: Path, spans: int, no_tui: bool) -> None:
    """Build a demo workspace: the sample support-bot project and 30 days of traces
    (three environments, several models and prompt versions, and one incident)."""
    started = time.monotonic()
    end = datetime.now(UTC).replace(microsecond=0)
    workspace = build_workspace(directory, end=end, target_spans=spans)
    click.echo(
        f"wrote {count(workspace.traffic.spans)} spans in {len(workspace.traffic.files)} "
        f"OTLP files under {workspace.traces}"
    )
    project = load_project(workspace.root)
    store = Store(workspace.database)
    store.initialise()
    report = Ingestor(store, StoreRates(Pricer(project.price_overrides))).ingest([workspace.traces])
    click.echo(
        f"loaded {count(report.spans_loaded)} spans into {workspace.database} "
        f"in {time.monotonic() - started:.1f}s"
    )
    versions = history.register(store, project, workspace.traffic, now=end)
    links = versions.links
    linked = f"; {count(links.by_attribute + links.by_text)} spans linked to them" if links else ""
    click.echo(
        f"registered {len(versions.new_versions)} versions of prompts and configs from "
        f"{versions.commits} commits{linked}"
    )
    deployments = store.deployments.history(limit=1000)
    if deployments:
        click.echo(
            f"recorded {len(deployments)} deployments to staging and production, with a canary "
            "that failed its analysis and was rolled back"
        )
    t = workspace.traffic
    click.echo(
        f"incident: prompt support@{t.incident_prompt_version} on production, "
        f"{t.incident_start:%Y-%m-%d %H:%M} to {t.incident_end:%H:%M} UTC"
    )
    _demo_evals(workspace.root, store, project, t, end)
    click.echo(f"try: cd {workspace.root} && llmops stats --since 7d --by prompt")
    click.echo("     llmops eval runs; llmops gate --candidate HEAD --baseline production")
    click.echo("     llmops versions list; llmops versions diff support@v3 support@v4")
    click.echo("     llmops deployments --env production")
    if not no_tui:
        open_cockpit(workspace.database, project, readonly=False, watch=[])


def _demo_evals(
    root: Path, store: Store, project: ProjectConfig, traffic: TrafficSummary, end: datetime
) -> None:
    """The candidate commit, the `production` release label and two eval runs."""
    if not demo_evals.commit_candidate(root, SAMPLE_PROJECT, at=end - timedelta(hours=2)):
        return  # no git: no releases to evaluate
    demo_evals.label_production(store, project, traffic, now=end)
    plugins = load_plugins(project.plugins)
    result = demo_evals.run_demo_evals(store, project, plugins, now=end)
    for run, summary in result.runs:
        click.echo(
            f"eval {run.run_id}: {run.label} on {run.release_ref} ({run.prompt}@v"
            f"{run.prompt_version}): {summary.passed_all}/{summary.answers} cases passed "
            "every judge"
        )
    if result.skipped:
        click.echo(f"warning: demo evals skipped: {result.skipped}", err=True)
