"""`llmops deploy | promote | rollback | deployments`: the release lifecycle from the shell.

Thin: parse, call `llmops_tui.deploy.lifecycle`, print one line. A refused policy or a failed
target exits 1 (a check failed); an unknown environment, a bad REF or nothing to roll back
to exits 2; `--readonly` refuses every mutating command before anything is read or written.
"""

from __future__ import annotations

from dataclasses import asdict

import click

from llmops_tui.cli.context import CliContext, pass_context
from llmops_tui.cli.output import echo_json, table
from llmops_tui.config import ProjectConfig
from llmops_tui.deploy.config import DeployConfig, load_deploy_config
from llmops_tui.deploy.lifecycle import ActionResult, Lifecycle, ReadonlyError
from llmops_tui.domain.deploy import Deployment
from llmops_tui.errors import ConfigError


def project_of(ctx: CliContext) -> ProjectConfig:
    if ctx.project is None:
        raise ConfigError(
            "no llmops.toml in this folder or any parent", hint="run `llmops init` first"
        )
    return ctx.project


def refuse_readonly(ctx: CliContext, what: str) -> None:
    if ctx.readonly:
        raise ReadonlyError(f"--readonly: {what} refused; nothing was changed")


def lifecycle_of(ctx: CliContext, what: str) -> Lifecycle:
    refuse_readonly(ctx, what)
    project = project_of(ctx)
    config = load_deploy_config(project)
    return Lifecycle(ctx.store(), project, config, ctx.plugins())


def deploy_config_of(ctx: CliContext) -> DeployConfig:
    return load_deploy_config(project_of(ctx))


def report(result: ActionResult) -> None:
    click.echo(result.message)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)


def check_force(force: bool, reason: str | None) -> None:
    if force and not reason:
        raise click.UsageError("--force needs --reason: say why the policy is overridden")


@click.command("deploy")
@click.argument("environment")
@click.argument("ref")
@click.option("--force", is_flag=True, help="Override a refusing policy (needs --reason).")
@click.option("--reason", "-m", metavar="R", help="Why: recorded with the deployment.")
@pass_context
def deploy_command(
    ctx: CliContext, environment: str, ref: str, force: bool, reason: str | None
) -> None:
    """Make release REF (HEAD~1, a release id, a label) the one ENVIRONMENT runs.

    Refused (exit 1) when the gate has not passed for the release or, for an environment with
    `after = "..."`, when the release has not been deployed there first.
    """
    check_force(force, reason)
    life = lifecycle_of(ctx, f"deploy {environment}")
    report(life.deploy(environment, ref, force=force, reason=reason))


@click.command("promote")
@click.argument("environment")
@click.option("--reason", "-m", metavar="R", help="Why: recorded with the deployment.")
@pass_context
def promote_command(ctx: CliContext, environment: str, reason: str | None) -> None:
    """Give the canary in ENVIRONMENT all the traffic: it becomes the stable release."""
    report(lifecycle_of(ctx, f"promote {environment}").promote(environment, reason=reason))


@click.command("rollback")
@click.argument("environment")
@click.option(
    "--to",
    "to",
    metavar="REF",
    help="The release to go back to (default: the one "
    "the current release replaced; during a canary: end the canary).",
)
@click.option("--reason", "-m", metavar="R", help="Why: recorded with the deployment.")
@pass_context
def rollback_command(ctx: CliContext, environment: str, to: str | None, reason: str | None) -> None:
    """Go back to the previous release of ENVIRONMENT (as `kubectl rollout undo`)."""
    life = lifecycle_of(ctx, f"rollback {environment}")
    report(life.rollback(environment, to=to, reason=reason))


@click.command("deployments")
@click.option("--env", "environment", metavar="E", help="Only this environment.")
@click.option("--limit", default=50, show_default=True, help="Newest rows to show.")
@click.option("--json", "as_json", is_flag=True, help="Print the history as JSON.")
@pass_context
def deployments_command(
    ctx: CliContext, environment: str | None, limit: int, as_json: bool
) -> None:
    """The deployment history, newest first: who, when, why, and what it replaced."""
    if environment is not None and ctx.project is not None:
        deploy_config_of(ctx).environment(environment)  # an unknown one: exit 2
    store = ctx.store(readonly=True)
    rows = store.deployments.history(environment, limit=limit)
    if as_json:
        echo_json([deployment_json(d) for d in rows])
        return
    if not rows:
        click.echo("no deployments recorded")
        return
    click.echo(
        table(
            [
                "when (UTC)",
                "env",
                "action",
                "status",
                "release",
                "replaced",
                "canary",
                "by",
                "why / outcome",
            ],
            [_row(d) for d in rows],
            right={6},
        )
    )


def _row(d: Deployment) -> list[str]:
    why = d.reason or d.detail
    if d.verdict is not None:
        why = d.detail
    if d.status.value == "failed":
        why = f"FAILED: {d.detail}" + (f" ({d.reason})" if d.reason else "")
    return [
        f"{d.created_at:%Y-%m-%d %H:%M}",
        d.environment,
        d.action.value + (" (forced)" if d.forced else ""),
        d.status.value,
        d.release_id,
        d.previous_release_id or "-",
        "-" if d.canary_percent is None else f"{d.canary_percent:g}%",
        d.actor,
        why,
    ]


def deployment_json(d: Deployment) -> dict[str, object]:
    """Every field; the enums are `StrEnum`s, so they print as their values."""
    return asdict(d)


__all__ = [
    "deploy_command",
    "deployments_command",
    "lifecycle_of",
    "promote_command",
    "rollback_command",
]
