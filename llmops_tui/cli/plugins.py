"""`llmops plugins`: what is loaded, from where, with which hooks and what it registered.

Skipped plugins are listed too, with the reason, so "why isn't my judge there?" has its
answer in one place (the warning is also printed once to stderr).
"""

from __future__ import annotations

from dataclasses import asdict

import click

from llmops_tui.cli.context import CliContext, pass_context
from llmops_tui.cli.output import echo_json, table


@click.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print the plugins as JSON.")
@pass_context
def plugins_command(ctx: CliContext, as_json: bool) -> None:
    """List loaded plugins: name, version, source, hooks and what each registered.

    Sources, in discovery order: builtin, entry point (installed distributions in the
    `llmops_tui` group), llmops.toml (`plugins = [...]`). LLMOPS_LOAD_PLUGINS=a,b loads only
    those entry points and modules; LLMOPS_TRACE_PLUGINS=1 traces every hook call.
    """
    plugins = ctx.plugins()
    if as_json:
        echo_json(
            {
                "plugins": [
                    {**asdict(info), "hooks": list(info.hooks), "registered": list(info.registered)}
                    for info in plugins.infos
                ],
                "providers": plugins.providers.names(),
                "judges": plugins.judges.names(),
                "deploy_targets": plugins.deploy_targets.names(),
                "warnings": plugins.warnings,
            }
        )
        return
    rows = [
        [
            info.name,
            info.version or "-",
            info.source,
            ", ".join(info.hooks) or "-",
            "skipped" if info.error else ", ".join(info.registered) or "-",
        ]
        for info in plugins.infos
    ]
    click.echo(table(["name", "version", "source", "hooks", "registered"], rows, right=set()))
