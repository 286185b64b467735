"""`llmops canary`: start or adjust a canary, watch its analysis, or run the whole plan.

    llmops canary ENV REF --percent N     start a canary (or change its share)
    llmops canary status ENV [--json]     the canary vs the stable release since it started
    llmops canary run ENV REF [--bake D]  step, bake, analyse, promote or roll back

`status` and `run` are subcommands; any other first word is an environment, so the group
rewrites `canary ENV ...` to its hidden `start` subcommand (an environment can't be called
`status` or `run`).
"""

from __future__ import annotations

from datetime import UTC, datetime

import click

from llmops_tui.cli.context import CliContext, pass_context
from llmops_tui.cli.deploy import check_force, deploy_config_of, lifecycle_of, report
from llmops_tui.cli.output import echo_json
from llmops_tui.deploy.canary_run import CanaryRunner, default_analyse
from llmops_tui.deploy.config import parse_bake
from llmops_tui.domain.canary_plan import PlanOutcome
from llmops_tui.domain.deploy import CanaryAnalysis, CanaryVerdict


class _CanaryGroup(click.Group):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["start", *args]
        return super().parse_args(ctx, args)


@click.group("canary", cls=_CanaryGroup)
def canary_group() -> None:
    """Canary releases: `canary ENV REF --percent N`, `canary status ENV`, `canary run ENV REF`.

    A canary sends N% of ENV's traffic to release REF and the rest to its stable release;
    `llmops promote ENV` gives it everything, `llmops rollback ENV` ends it.
    """


@canary_group.command("start", hidden=True)
@click.argument("environment")
@click.argument("ref")
@click.option(
    "--percent",
    required=True,
    type=click.FloatRange(0, 100, min_open=True, max_open=True),
    help="The canary's share of the traffic (more than 0, less than 100).",
)
@click.option("--force", is_flag=True, help="Override a refusing policy (needs --reason).")
@click.option("--reason", "-m", metavar="R", help="Why: recorded with the deployment.")
@pass_context
def start_command(
    ctx: CliContext,
    environment: str,
    ref: str,
    percent: float,
    force: bool,
    reason: str | None,
) -> None:
    """Send PERCENT of ENVIRONMENT's traffic to release REF."""
    check_force(force, reason)
    life = lifecycle_of(ctx, f"canary {environment}")
    report(life.canary(environment, ref, percent, force=force, reason=reason))


@canary_group.command("status")
@click.argument("environment")
@click.option("--json", "as_json", is_flag=True, help="Print the analysis as JSON.")
@pass_context
def status_command(ctx: CliContext, environment: str, as_json: bool) -> None:
    """The canary of ENVIRONMENT against its stable release since the canary started.

    Exits 1 when the analysis fails.
    """
    config = deploy_config_of(ctx)
    env = config.environment(environment)
    store = ctx.store(readonly=True)
    state = store.deployments.state(env.name)
    since = store.deployments.canary_started(env.name)
    if state.canary_release is None or state.stable_release is None or since is None:
        if as_json:
            echo_json(
                {
                    "environment": env.name,
                    "stable_release": state.stable_release,
                    "canary_release": None,
                    "analysis": None,
                }
            )
        else:
            runs = f" (stable: release {state.stable_release})" if state.stable_release else ""
            click.echo(f"{env.name}: no canary in progress{runs}")
        return
    analysis = default_analyse()(
        store,
        environment=env.name,
        canary_release=state.canary_release,
        baseline_release=state.stable_release,
        since=since,
        until=datetime.now(UTC),
        thresholds=config.canary.thresholds,
    )
    if as_json:
        echo_json(
            {
                "environment": env.name,
                "stable_release": state.stable_release,
                "canary_release": state.canary_release,
                "canary_percent": state.canary_percent,
                "analysis": analysis_json(analysis),
            }
        )
    else:
        click.echo(
            f"{env.name}: canary release {state.canary_release} on "
            f"{state.canary_percent:g}% since {since:%Y-%m-%d %H:%M} UTC, "
            f"vs stable release {state.stable_release}"
        )
        for line in analysis_lines(analysis):
            click.echo(line)
    if analysis.verdict is CanaryVerdict.FAIL:
        ctx_exit(1)


@canary_group.command("run")
@click.argument("environment")
@click.argument("ref")
@click.option("--bake", metavar="DUR", help="Wait this long after each step (default: the plan's).")
@click.option("--force", is_flag=True, help="Override a refusing policy (needs --reason).")
@click.option("--reason", "-m", metavar="R", help="Why: recorded with the canary.")
@pass_context
def run_command(
    ctx: CliContext,
    environment: str,
    ref: str,
    bake: str | None,
    force: bool,
    reason: str | None,
) -> None:
    """Follow the `[canary]` plan for release REF in ENVIRONMENT: step the traffic, bake,
    analyse, then promote (exit 0) or roll back (exit 1); a marginal step holds (exit 1).

    Run it again with the same ENVIRONMENT and REF to continue an interrupted or held plan.
    """
    check_force(force, reason)
    life = lifecycle_of(ctx, f"canary run {environment}")
    runner = CanaryRunner(
        life,
        plan=life.config.canary,
        bake=parse_bake(bake) if bake is not None else None,
        echo=click.echo,
        force=force,
        reason=reason,
    )
    result = runner.run(environment, ref)
    if result.outcome is not PlanOutcome.PROMOTED and result.analyses:  # the evidence
        for line in analysis_lines(result.analyses[-1]):
            click.echo(line)
    ctx_exit(result.exit_code)


def ctx_exit(code: int) -> None:
    if code:
        click.get_current_context().exit(code)


def analysis_lines(analysis: CanaryAnalysis) -> list[str]:
    score = "-" if analysis.score is None else f"{analysis.score:.0f}/100"
    lines = [
        f"verdict: {analysis.verdict.value} (score {score}): {analysis.reason}",
        f"requests: baseline {analysis.baseline_requests}, canary {analysis.canary_requests}",
    ]
    for check in analysis.checks:
        mark = {True: "ok  ", False: "FAIL", None: "n/a "}[check.passed]
        p = "" if check.p_value is None else f", p={check.p_value:.3g}"
        lines.append(f"  {mark} {check.metric}: {check.detail} ({check.test}{p})")
    return lines


def analysis_json(analysis: CanaryAnalysis) -> dict[str, object]:
    return {
        "verdict": analysis.verdict.value,
        "score": analysis.score,
        "reason": analysis.reason,
        "window_start": analysis.window_start,
        "window_end": analysis.window_end,
        "baseline_requests": analysis.baseline_requests,
        "canary_requests": analysis.canary_requests,
        "checks": [
            {
                "metric": c.metric,
                "baseline": c.baseline,
                "canary": c.canary,
                "test": c.test,
                "p_value": c.p_value,
                "passed": c.passed,
                "detail": c.detail,
                "weight": c.weight,
            }
            for c in analysis.checks
        ],
    }
