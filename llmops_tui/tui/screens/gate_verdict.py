"""`g` on Evals: the gate's verdict for the compared pair, one line per rule.

The rules are the `[gate]` table of `llmops.toml`, applied to the comparison on screen, as
`llmops gate` applies them in CI: the same checks, the same one-line details.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Static

from llmops_tui.domain.comparison import GateResult

PASSED, FAILED = "✓", "✗"


def check_lines(result: GateResult) -> list[str]:
    """Each rule as markup: the mark in the success or error colour, the rule, its detail."""
    width = max((len(c.rule) for c in result.checks), default=0)
    return [
        f"[{'$success' if c.passed else '$error'}]{PASSED if c.passed else FAILED}[/] "
        f"[b]{escape(c.rule):<{width}}[/b]  {escape(c.detail)}"
        for c in result.checks
    ]


class GateVerdictScreen(ModalScreen[None]):
    CSS_PATH = "gate_verdict.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,g", "close", "Close"),
    ]

    def __init__(self, result: GateResult) -> None:
        super().__init__()
        self.result = result

    def compose(self) -> ComposeResult:
        result = self.result
        comparison = result.comparison
        verdict = "[$success]PASSED[/]" if result.passed else "[$error]FAILED[/]"
        failed = sum(1 for c in result.checks if not c.passed)
        with VerticalScroll(id="gate"):
            yield Static(f"[b]Gate[/b] {verdict}", id="gate-title")
            yield Static(
                f"candidate {escape(_run(comparison.candidate.run_id, result.candidate_release))}"
                f"\nbaseline  {escape(_run(comparison.baseline.run_id, result.baseline_release))}",
                id="gate-pair",
                classes="muted",
            )
            yield Static(
                "\n".join(check_lines(result)) or escape("no rules in [gate]"), id="gate-checks"
            )
            yield Static(
                f"{len(result.checks) - failed} of {len(result.checks)} rules passed · "
                "`llmops gate` applies the same rules in CI",
                id="gate-summary",
                classes="muted",
            )

    def action_close(self) -> None:
        self.dismiss()


def _run(run_id: str, release: str | None) -> str:
    return f"run {run_id[:8]} · release {release[:8] if release else '-'}"
