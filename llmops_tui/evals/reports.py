"""What CI reads from a gate: JUnit XML for test reporters, Markdown for a job summary or a PR
comment, and plain dicts for `--json`.

    junit_xml(result, candidate_rows) -> str
    markdown_summary(result, *, regressions=5, width=160) -> str
    comparison_markdown(comparison, *, regressions=5, width=160) -> str
    comparison_dict(comparison) -> dict       gate_dict(result) -> dict

JUnit follows the schema Jenkins, GitLab, GitHub test reporters and `dorny/test-reporter`
read (`testsuites > testsuite > testcase > failure|error`): one testsuite per judge with a
testcase per case (its repetitions folded: an error if any repetition errored, a failure if
any failed, carrying the reason and an excerpt of the output), and a `gate` testsuite with a
testcase per rule. Everything is built with `xml.etree`, so text is always escaped.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import asdict
from typing import Any

import polars as pl

from llmops_tui.domain.comparison import (
    Comparison,
    GateCheck,
    GateResult,
    JudgeComparison,
    ScoreKind,
)
from llmops_tui.evals.cases import ok_column
from llmops_tui.formatting import ms, percent, usd

EXCERPT = 500
"""Characters of output kept in a JUnit failure."""


def junit_xml(result: GateResult, candidate_rows: pl.DataFrame, *, excerpt: int = EXCERPT) -> str:
    """The gate as JUnit XML: a testcase per case × judge, plus one per gate rule."""
    root = ET.Element("testsuites", name="llmops gate")
    # The candidate run's start, not "now": the same verdict gives the same file.
    started = result.comparison.candidate.started_at.replace(tzinfo=None, microsecond=0)
    stamp = started.isoformat()
    gate = _suite(root, "gate", stamp)
    for check in result.checks:
        case = ET.SubElement(gate, "testcase", classname="gate", name=check.rule, time="0")
        if not check.passed:
            ET.SubElement(case, "failure", message=check.detail, type="gate").text = check.detail
        else:
            ET.SubElement(case, "system-out").text = check.detail
    folded = (
        candidate_rows.with_columns(ok=ok_column())
        .sort("judge", "case_id", "repetition")
        .group_by("judge", "case_id", maintain_order=True)
        .agg(
            reps=pl.len(),
            failed=(~pl.col("ok")).sum(),
            error=pl.col("error").drop_nulls().first(),
            reason=pl.col("reason").filter(~pl.col("ok")).drop_nulls().first(),
            output=pl.coalesce(pl.col("output").filter(~pl.col("ok")), pl.col("output")).first(),
            latency=pl.col("latency_ms").mean(),
        )
    )
    for judge in folded["judge"].unique(maintain_order=True).to_list():
        suite = _suite(root, f"judge.{judge}", stamp)
        for row in folded.filter(pl.col("judge") == judge).iter_rows(named=True):
            seconds = (row["latency"] or 0.0) / 1000
            case = ET.SubElement(suite, "testcase", classname=f"judge.{judge}")
            case.set("name", row["case_id"])
            case.set("time", f"{seconds:.3f}")
            text = _truncate(row["output"] or "", excerpt)
            if row["error"] is not None:
                ET.SubElement(case, "error", message=row["error"], type="error").text = text
            elif row["failed"]:
                share = f"{row['failed']}/{row['reps']} repetitions failed"
                message = f"{share}: {row['reason']}" if row["reason"] else share
                ET.SubElement(case, "failure", message=message, type="judge").text = text
    _count(root)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _suite(root: ET.Element, name: str, timestamp: str) -> ET.Element:
    return ET.SubElement(root, "testsuite", name=name, timestamp=timestamp)


def _count(root: ET.Element) -> None:
    """Fill tests/failures/errors/skipped/time on every suite and on the root."""
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    seconds = 0.0
    for suite in root.iter("testsuite"):
        cases = suite.findall("testcase")
        counts = {
            "tests": len(cases),
            "failures": sum(c.find("failure") is not None for c in cases),
            "errors": sum(c.find("error") is not None for c in cases),
            "skipped": 0,
        }
        time = sum(float(c.get("time", "0")) for c in cases)
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("time", f"{time:.3f}")
        seconds += time
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{seconds:.3f}")


def markdown_summary(result: GateResult, *, regressions: int = 5, width: int = 160) -> str:
    """The gate for `$GITHUB_STEP_SUMMARY` or a PR comment: verdict, judges, rules, totals
    and the top regressions with both outputs side by side."""
    c = result.comparison
    icon, word = ("✅", "passed") if result.passed else ("❌", "failed")
    failed = [check.rule for check in result.checks if not check.passed]
    because = f": {', '.join(f'`{rule}`' for rule in failed)}" if failed else ""
    lines = [
        f"## {icon} llmops gate {word}{because}",
        "",
        f"Candidate `{_ref(c.candidate.release_ref, result.candidate_release)}` "
        f"vs baseline `{_ref(c.baseline.release_ref, result.baseline_release)}`.",
        "",
        "### Gate rules",
        "",
        "| rule | result | detail |",
        "|---|---|---|",
        *(_rule_row(check) for check in result.checks),
        "",
    ]
    return "\n".join(lines) + "\n" + comparison_markdown(c, regressions=regressions, width=width)


def _rule_row(check: GateCheck) -> str:
    mark = "✅ pass" if check.passed else "❌ fail"
    return f"| `{check.rule}` | {mark} | {_cell(check.detail)} |"


def _ref(text: str | None, release: str | None) -> str:
    return text or (release[:12] if release else "?")


def comparison_markdown(c: Comparison, *, regressions: int = 5, width: int = 160) -> str:
    """Per-judge table, totals and top regressions of a comparison, in Markdown."""
    level = f"{(1 - c.alpha) * 100:g}%"
    pairs = max((j.pairs for j in c.judges), default=0)
    left_out = c.only_in_baseline + c.only_in_candidate
    lines = [
        "### Judges",
        "",
        f"{pairs} paired cases (runs `{c.baseline.run_id[:12]}` → `{c.candidate.run_id[:12]}`)"
        + (f", {left_out} left out (in one run only)" if left_out else "")
        + f"; p-values Holm-corrected across {len(c.judges)} judges at α = {c.alpha:g}.",
        "",
        f"| judge | baseline | candidate | delta | {level} CI | p (Holm) | MDE | verdict |",
        "|---|---:|---:|---:|---|---:|---:|---|",
        *(_judge_row(j) for j in c.judges),
        "",
        "### Totals",
        "",
        "| | baseline | candidate |",
        "|---|---:|---:|",
    ]
    b, k = c.baseline_totals, c.candidate_totals
    lines += [
        f"| pass rate | {percent(b.pass_rate)} | {percent(k.pass_rate)} |",
        f"| errors | {b.errors} | {k.errors} |",
        f"| cost per case | {usd(b.cost_per_case)} | {usd(k.cost_per_case)} |",
        f"| latency p50 | {ms(b.latency_p50_ms)} | {ms(k.latency_p50_ms)} |",
        f"| latency p95 | {ms(b.latency_p95_ms)} | {ms(k.latency_p95_ms)} |",
        "",
    ]
    worst = [ch for ch in c.changes if ch.regressed][:regressions]
    if worst:
        total = sum(ch.regressed for ch in c.changes)
        lines += [f"### Top regressions ({len(worst)} of {total})", ""]
        lines += ["| case | judge | baseline | candidate |", "|---|---|---|---|"]
        for ch in worst:
            base = f"**{_value(ch.baseline_value)}** {_cell(ch.baseline_output, width)}"
            cand = f"**{_value(ch.candidate_value)}** {_cell(ch.candidate_output, width)}"
            if ch.candidate_reason:
                cand += f"<br>_{_cell(ch.candidate_reason, width)}_"
            flag = " (required)" if ch.required else ""
            lines.append(f"| `{ch.case_id}`{flag} | {ch.judge} | {base} | {cand} |")
        lines.append("")
    return "\n".join(lines)


def _judge_row(j: JudgeComparison) -> str:
    if j.kind is ScoreKind.PASS_FAIL:
        base, cand, delta = percent(j.baseline), percent(j.candidate), f"{j.delta * 100:+.1f} pts"
        ci = _ci(j, scale=100, unit=" pts")
        mde = f"{j.mde * 100:.1f} pts" if j.mde is not None else "-"
    else:
        base, cand, delta = f"{j.baseline:.3f}", f"{j.candidate:.3f}", f"{j.delta:+.3f}"
        ci = _ci(j, scale=1, unit="")
        mde = f"{j.mde:.3f}" if j.mde is not None else "-"
    p = f"{j.p_adjusted:.3g}" if j.p_adjusted is not None else "-"
    return f"| {j.judge} | {base} | {cand} | {delta} | {ci} | {p} | {mde} | {j.verdict.value} |"


def _ci(j: JudgeComparison, *, scale: float, unit: str) -> str:
    if j.ci_low is None or j.ci_high is None:
        return "-"
    digits = 1 if scale == 100 else 3
    return f"[{j.ci_low * scale:+.{digits}f}, {j.ci_high * scale:+.{digits}f}]{unit}"


def _value(value: float) -> str:
    return f"{value:.2f}" if value not in (0.0, 1.0) else ("pass" if value else "fail")


def _truncate(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _cell(text: str | None, width: int = 400) -> str:
    """One Markdown table cell: HTML and pipes escaped, newlines as <br>, truncated."""
    if not text:
        return "_(none)_"
    flat = _truncate(text.strip(), width)
    html = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return html.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def comparison_dict(c: Comparison) -> dict[str, Any]:
    """`llmops eval compare --json`: every field of the comparison."""
    return asdict(c)


def gate_dict(result: GateResult) -> dict[str, Any]:
    """`llmops gate --json`: the verdict, each rule, and the comparison."""
    return asdict(result)
