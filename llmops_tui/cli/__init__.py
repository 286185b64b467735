"""`llmops`: every capability as a command, so it runs in CI as well as in the cockpit.

Commands are thin: parse, call, print (or `--json`). A user mistake arrives as an
`LlmopsError` and is printed as one line with exit code 2; a traceback appears only for a
bug, and only with `--debug`. Textual is never imported here, so the CLI starts fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from llmops_tui import __version__
from llmops_tui.cli.canary import canary_group
from llmops_tui.cli.cockpit import open_cockpit
from llmops_tui.cli.context import CliContext
from llmops_tui.cli.demo import demo_command
from llmops_tui.cli.deploy import (
    deploy_command,
    deployments_command,
    promote_command,
    rollback_command,
)
from llmops_tui.cli.evals import eval_group
from llmops_tui.cli.gate import gate_command
from llmops_tui.cli.ingest import ingest_command
from llmops_tui.cli.init import init_command
from llmops_tui.cli.plugins import plugins_command
from llmops_tui.cli.reprice import reprice_command
from llmops_tui.cli.stats import stats_command
from llmops_tui.cli.versions import versions_group
from llmops_tui.cli.watch import watch_command
from llmops_tui.errors import LlmopsError


class _Cli(click.Group):
    """The one boundary where user errors become one line and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LlmopsError as error:
            _fail(error)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except BrokenPipeError:
            raise  # the reader went away (`llmops … | head`): click exits quietly
        except Exception as error:
            debug = isinstance(ctx.obj, CliContext) and ctx.obj.debug
            if debug:
                raise
            click.echo(
                f"internal error: {type(error).__name__}: {error} "
                "(a bug: run again with --debug for the traceback and report it)",
                err=True,
            )
            sys.exit(70)


def _fail(error: LlmopsError) -> None:
    click.echo(f"error: {error}", err=True)
    if error.hint:
        click.echo(f"hint: {error.hint}", err=True)
    sys.exit(error.exit_code)


@click.group(
    cls=_Cli, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.option(
    "--db",
    "db_option",
    metavar="PATH",
    help="Database file (default: $LLMOPS_DB, else <project>/.llmops/llmops.duckdb).",
)
@click.option(
    "--readonly",
    is_flag=True,
    help="No mutating action: in the cockpit, and mutating commands (deploy, rollback) refuse.",
)
@click.option(
    "--watch",
    "watch",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="PATH",
    help="Load these files or folders live while the cockpit is open (repeatable).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.version_option(__version__, prog_name="llmops")
@click.pass_context
def cli(
    ctx: click.Context,
    db_option: str | None,
    readonly: bool,
    watch: tuple[Path, ...],
    debug: bool,
) -> None:
    """A local-first LLMOps cockpit: traces, costs and releases in one DuckDB file.

    Without a command, opens the cockpit on the project's database.
    """
    ctx.obj = CliContext(db_option=db_option, debug=debug, readonly=readonly)
    if ctx.invoked_subcommand is None:
        try:
            context: CliContext = ctx.obj
            open_cockpit(context.db_path(), context.project, readonly=readonly, watch=list(watch))
        except LlmopsError as error:
            _fail(error)


cli.add_command(init_command)
cli.add_command(ingest_command)
cli.add_command(stats_command)
cli.add_command(reprice_command)
cli.add_command(demo_command)
cli.add_command(watch_command)
cli.add_command(versions_group)
cli.add_command(plugins_command)
cli.add_command(eval_group)
cli.add_command(gate_command)
cli.add_command(deploy_command)
cli.add_command(canary_group)
cli.add_command(promote_command)
cli.add_command(rollback_command)
cli.add_command(deployments_command)


def main() -> None:
    cli(prog_name="llmops")
