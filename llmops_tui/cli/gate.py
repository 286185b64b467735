"""`llmops gate`: the CI step between a prompt change and a deploy.

Exit codes: 0 the candidate passed every `[gate]` rule, 1 it failed one, 2 the gate could not
run (a bad ref, a malformed `[gate]`, no project). Reports are written before the exit, so a
failing gate still leaves its JUnit and Markdown for CI to upload.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from llmops_tui.cli.compare import comparison_text
from llmops_tui.cli.context import CliContext, pass_context
from llmops_tui.cli.output import echo_json
from llmops_tui.domain.comparison import GateResult
from llmops_tui.errors import ConfigError, LlmopsError

if TYPE_CHECKING:
    pass

_FILE = click.Path(dir_okay=False, writable=True, path_type=Path)


@click.command("gate")
@click.option("--candidate", required=True, metavar="REF", help="Release under test (HEAD...).")
@click.option(
    "--baseline", required=True, metavar="LABEL", help="What it must match (production...)."
)
@click.option("--suite", metavar="S", help="Suite to run (default: [gate] suite).")
@click.option("--junit", type=_FILE, metavar="F", help="Write JUnit XML here.")
@click.option("--markdown", type=_FILE, metavar="F", help="Write a Markdown summary here.")
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as JSON.")
@pass_context
def gate_command(
    ctx: CliContext,
    candidate: str,
    baseline: str,
    suite: str | None,
    junit: Path | None,
    markdown: Path | None,
    as_json: bool,
) -> None:
    """Run (or reuse) both evals, compare them and apply the [gate] rules.

    Exits 0 when the candidate passes, 1 when a rule fails, 2 when the gate can't run.
    """
    # Lazy: scipy (the statistics) and the plugins cost a second at start-up.
    from llmops_tui.evals.gate import run_gate
    from llmops_tui.evals.reports import gate_dict, junit_xml, markdown_summary

    project = ctx.project
    if project is None:
        raise ConfigError(
            "no llmops.toml in this folder or any parent: the gate reads its rules from [gate]",
            hint="run `llmops init`",
        )
    store = ctx.store()
    result = run_gate(
        store,
        project,
        ctx.plugins(),
        candidate_ref=candidate,
        baseline_ref=baseline,
        suite=suite,
    )
    if junit is not None:
        rows = store.evals.results(result.comparison.candidate.run_id)
        _write(junit, junit_xml(result, rows))
    if markdown is not None:
        _write(markdown, markdown_summary(result))
    if as_json:
        echo_json(gate_dict(result))
    else:
        click.echo(gate_text(result))
    sys.exit(0 if result.passed else 1)


def gate_text(result: GateResult) -> str:
    verdict = "PASSED" if result.passed else "FAILED"
    failed = sum(not check.passed for check in result.checks)
    lines = [f"gate {verdict}: {len(result.checks) - failed} of {len(result.checks)} rules pass"]
    width = max((len(check.rule) for check in result.checks), default=0)
    lines += [
        f"  {'ok  ' if check.passed else 'FAIL'}  {check.rule.ljust(width)}  {check.detail}"
        for check in result.checks
    ]
    return "\n".join([*lines, "", comparison_text(result.comparison, cases=5)])


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise LlmopsError(f"{path}: cannot write: {error.strerror or error}") from None
