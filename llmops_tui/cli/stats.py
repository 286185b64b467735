"""`llmops stats`: system, quality and cost metrics of model calls."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

import click

from llmops_tui.cli.context import CliContext, pass_context
from llmops_tui.cli.output import count, echo_json, ms, percent, table, usd
from llmops_tui.domain.metrics import StatsGrouping, StatsRow, StatsWindow
from llmops_tui.domain.timewindow import parse_duration


@click.command("stats")
@click.option("--since", default="24h", show_default=True, help="Window: 30m, 24h, 7d, all.")
@click.option("--env", "environment", help="Only this environment (deployment.environment).")
@click.option(
    "--by",
    "grouping",
    type=click.Choice([g.value for g in StatsGrouping if g is not StatsGrouping.NONE]),
    help="One row per model, prompt version, environment or day.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
@pass_context
def stats_command(
    ctx: CliContext, since: str, environment: str | None, grouping: str | None, as_json: bool
) -> None:
    """Requests, latency percentiles, error rate, throughput, tokens, cost and feedback.

    Counts model calls: spans that name a model or report token usage.
    """
    now = datetime.now(UTC).replace(tzinfo=None)
    back = parse_duration(since)
    window = StatsWindow(
        since=now - back if back is not None else None,
        until=now,
        environment=environment,
        grouping=StatsGrouping(grouping) if grouping else StatsGrouping.NONE,
    )
    store = ctx.store(readonly=True)
    rows = store.metrics.stats(
        since=window.since, until=window.until, environment=environment, grouping=window.grouping
    )
    minutes = window.minutes(rows)
    if as_json:
        echo_json(
            {
                "since": window.since,
                "until": window.until,
                "environment": environment,
                "by": window.grouping.value,
                "rows": [
                    {
                        **asdict(r),
                        "error_rate": r.error_rate,
                        "requests_per_minute": r.requests / minutes,
                    }
                    for r in rows
                ],
            }
        )
        return
    if not rows:
        total, newest = store.metrics.span_count()
        hint = f"; newest span {newest:%Y-%m-%d %H:%M} UTC (try --since all)" if newest else ""
        click.echo(f"no model calls in this window ({count(total)} spans stored{hint})")
        return
    click.echo(_render(rows, window, minutes))


def _render(rows: list[StatsRow], window: StatsWindow, minutes: float) -> str:
    has_feedback = any(r.feedback_count for r in rows)
    headers = [
        "",
        "requests",
        "p50",
        "p95",
        "p99",
        "errors",
        "req/min",
        "tokens in/out",
        "cached",
        "cost",
        "unpriced",
    ]
    if has_feedback:
        headers.append("feedback")
    body = []
    for r in rows:
        cells = [
            r.group if window.grouping is not StatsGrouping.NONE else "all",
            count(r.requests),
            ms(r.p50_ms),
            ms(r.p95_ms),
            ms(r.p99_ms),
            percent(r.error_rate),
            f"{r.requests / minutes:,.2f}",
            f"{count(r.input_tokens)}/{count(r.output_tokens)}",
            count(r.cached_tokens),
            usd(r.cost_usd),
            count(r.unpriced),
        ]
        if has_feedback:
            mean = f" avg {r.feedback_mean:.2f}" if r.feedback_mean is not None else ""
            cells.append(f"{count(r.feedback_count)}{mean}" if r.feedback_count else "-")
        body.append(cells)
    scope = "all time" if window.since is None else f"since {window.since:%Y-%m-%d %H:%M} UTC"
    env = f", environment {window.environment}" if window.environment else ""
    return f"model calls {scope}{env}\n" + table(headers, body, right=set(range(1, len(headers))))
