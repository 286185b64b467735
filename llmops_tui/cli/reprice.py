"""`llmops reprice`: recompute stored costs after prices or overrides changed."""

from __future__ import annotations

from dataclasses import asdict

import click

from llmops_tui.cli.context import CliContext, pass_context
from llmops_tui.cli.output import count, echo_json, usd


@click.command("reprice")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_context
def reprice_command(ctx: CliContext, as_json: bool) -> None:
    """Recompute every cost not reported by the traces themselves.

    Use it after upgrading llmops-tui (newer genai-prices data) or editing
    [pricing.models] overrides in llmops.toml.
    """
    result = ctx.store().spans.reprice(ctx.rates())
    if as_json:
        echo_json(asdict(result))
        return
    click.echo(
        f"{count(result.computed)} spans priced, {count(result.unpriced)} unpriced "
        f"(no known price), {count(result.reported)} keep their reported cost; "
        f"total {usd(result.total_usd)}"
    )
