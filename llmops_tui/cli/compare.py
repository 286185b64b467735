"""`llmops eval compare BASE CAND`: two eval runs case by case, judge by judge.

The command is standalone (`compare_command`) so the `eval` group can add it; the text
printers here are shared with `llmops gate`.
"""

from __future__ import annotations

import click

from llmops_tui.cli.context import CliContext, pass_context
from llmops_tui.cli.output import echo_json, ms, percent, table, usd
from llmops_tui.domain.comparison import (
    CaseChange,
    Comparison,
    JudgeComparison,
    RunTotals,
    ScoreKind,
)

OUTPUT_WIDTH = 60
"""Characters of each output shown side by side in the terminal."""


@click.command("compare")
@click.argument("baseline", metavar="BASE")
@click.argument("candidate", metavar="CAND")
@click.option(
    "--alpha",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.05,
    show_default=True,
    help="Significance level (Holm-corrected across judges).",
)
@click.option(
    "--cases",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="Per-case changes to list (regressions first).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the whole comparison as JSON.")
@pass_context
def compare_command(
    ctx: CliContext, baseline: str, candidate: str, alpha: float, cases: int, as_json: bool
) -> None:
    """Compare eval run CAND with BASE (run ids or unique prefixes).

    Pairs the cases both runs have; pass/fail judges by McNemar, numeric scores by a paired
    bootstrap CI and Wilcoxon, Holm-corrected across judges, with effect sizes, the minimum
    detectable effect and the A/A noise floor when a release was run twice.
    """
    # Lazy: scipy costs a second at start-up, and every other command would pay it.
    from llmops_tui.evals.compare import compare_runs
    from llmops_tui.evals.reports import comparison_dict

    comparison = compare_runs(ctx.store(readonly=True), baseline, candidate, alpha=alpha)
    if as_json:
        echo_json(comparison_dict(comparison))
        return
    click.echo(comparison_text(comparison, cases=cases))


def comparison_text(c: Comparison, *, cases: int = 10) -> str:
    """Runs, the per-judge table, totals and the top per-case changes, for a terminal."""
    pairs = max((j.pairs for j in c.judges), default=0)
    lines = [
        f"baseline   {_run_line(c, baseline=True)}",
        f"candidate  {_run_line(c, baseline=False)}",
        f"{pairs} paired cases ({c.only_in_baseline} only in baseline, "
        f"{c.only_in_candidate} only in candidate); alpha {c.alpha:g}, "
        f"Holm-corrected across {len(c.judges)} judges",
        "",
        table(_judge_headers(c.alpha), [_judge_row(j) for j in c.judges], right=_NUMBERS),
        "",
        table(
            ["", "pass rate", "errors", "cost/case", "p50", "p95"],
            [
                _totals_row("baseline", c.baseline_totals),
                _totals_row("candidate", c.candidate_totals),
            ],
            right={1, 2, 3, 4, 5},
        ),
    ]
    shown = c.changes[:cases]
    if shown:
        regressed = sum(ch.regressed for ch in c.changes)
        lines += [
            "",
            f"changes: {regressed} regressed, {len(c.changes) - regressed} improved "
            f"(showing {len(shown)})",
            table(
                ["", "case", "judge", "base", "cand", "baseline output", "candidate output"],
                [_change_row(ch) for ch in shown],
                right=set(),
            ),
        ]
    return "\n".join(lines)


_NUMBERS = {2, 3, 4, 6, 7, 8, 9, 10}


def _judge_headers(alpha: float) -> list[str]:
    ci = f"{(1 - alpha) * 100:g}% CI"
    return [
        "judge",
        "kind",
        "base",
        "cand",
        "delta",
        ci,
        "p",
        "p holm",
        "effect",
        "MDE",
        "A/A",
        "verdict",
    ]


def _totals_row(name: str, t: RunTotals) -> list[str]:
    return [
        name,
        percent(t.pass_rate),
        str(t.errors),
        usd(t.cost_per_case),
        ms(t.latency_p50_ms),
        ms(t.latency_p95_ms),
    ]


def _run_line(c: Comparison, *, baseline: bool) -> str:
    run = c.baseline if baseline else c.candidate
    totals = c.baseline_totals if baseline else c.candidate_totals
    ref = run.release_ref or (run.release_id or "-")[:12]
    return f"{run.run_id[:12]}  {ref}  {run.dataset or run.label or '-'}  {totals.cases} cases"


def _judge_row(j: JudgeComparison) -> list[str]:
    rate = j.kind is ScoreKind.PASS_FAIL

    def num(value: float | None, *, signed: bool = False) -> str:
        if value is None:
            return "-"
        if rate:
            return f"{value * 100:+.1f}" if signed else f"{value * 100:.1f}%"
        return f"{value:+.3f}" if signed else f"{value:.3f}"

    ci = (
        f"[{num(j.ci_low, signed=True)}, {num(j.ci_high, signed=True)}]"
        if j.ci_low is not None
        else "-"
    )
    return [
        j.judge,
        "pass/fail" if rate else "numeric",
        num(j.baseline),
        num(j.candidate),
        num(j.delta, signed=True),
        ci,
        f"{j.p_value:.3g}" if j.p_value is not None else "-",
        f"{j.p_adjusted:.3g}" if j.p_adjusted is not None else "-",
        f"{j.effect_size:+.2f}" if j.effect_size is not None else "-",
        num(j.mde).rstrip("%") if j.mde is not None else "-",
        num(j.noise_floor).rstrip("%") if j.noise_floor is not None else "-",
        j.verdict.value,
    ]


def _change_row(ch: CaseChange) -> list[str]:
    return [
        "▼" if ch.regressed else "▲",
        ch.case_id + (" (required)" if ch.required else ""),
        ch.judge,
        f"{ch.baseline_value:.2f}",
        f"{ch.candidate_value:.2f}",
        _flat(ch.baseline_output),
        _flat(ch.candidate_output),
    ]


def _flat(text: str | None) -> str:
    if text is None:
        return "-"
    flat = " ".join(text.split())
    return flat if len(flat) <= OUTPUT_WIDTH else flat[: OUTPUT_WIDTH - 1] + "…"
