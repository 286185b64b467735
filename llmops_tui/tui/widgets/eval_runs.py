"""Eval runs grouped by release and dataset, newest group first, with each run's figures.

Within a group the runs are newest first and the release and dataset are written once, on
the group's first row. The first column marks the pair being compared: `B` the baseline,
`C` the candidate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from textual.binding import Binding, BindingType

from llmops_tui.domain.comparison import RunTotals
from llmops_tui.domain.evals import EvalRun, RunStatus
from llmops_tui.formatting import count, percent, usd
from llmops_tui.tui.widgets.row_table import RowTable

COLUMNS = ("", "release", "dataset", "run", "source", "started", "cases", "pass", "cost", "status")


def release_name(run: EvalRun) -> str:
    """How a run's release reads: the ref typed, then the release id's prefix."""
    if run.release_id is None:
        return run.label or "-"
    ref = f"{run.release_ref} " if run.release_ref else ""
    return f"{ref}{run.release_id[:8]}"


def dataset_name(run: EvalRun) -> str:
    if run.dataset is None:
        return "-"
    return f"{run.dataset}@v{run.dataset_version}" if run.dataset_version else run.dataset


def grouped(runs: Sequence[EvalRun]) -> list[EvalRun]:
    """Runs by (release, dataset) group, groups in the order of their newest run."""
    order: dict[tuple[str, str], int] = {}
    for run in runs:
        order.setdefault((release_name(run), dataset_name(run)), len(order))
    return sorted(
        runs,
        key=lambda r: (order[(release_name(r), dataset_name(r))], -r.started_at.timestamp()),
    )


class EvalRunTable(RowTable):
    """The screen assigns runs and their totals; `selected` is the run under the cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_row", "Compare with baseline"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(COLUMNS, id=id)
        self.runs: list[EvalRun] = []

    def show(
        self,
        runs: Sequence[EvalRun],
        totals: Mapping[str, RunTotals],
        *,
        baseline: str | None,
        candidate: str | None,
    ) -> None:
        keep = self.selected.run_id if self.selected else None
        self.runs = grouped(runs)
        rows, tones = [], []
        previous: tuple[str, str] | None = None
        for run in self.runs:
            group = (release_name(run), dataset_name(run))
            mark = "B" if run.run_id == baseline else "C" if run.run_id == candidate else ""
            rows.append(
                (
                    mark,
                    group[0] if group != previous else "",
                    group[1] if group != previous else "",
                    *_figures(run, totals.get(run.run_id)),
                )
            )
            previous = group
            failed = run.status is RunStatus.FAILED
            tones.append((9, "alert") if failed else (0, "accent") if mark else None)
        self.set_rows(rows, tones=tones)
        ids = [r.run_id for r in self.runs]
        if keep in ids:
            self.move_cursor(row=ids.index(keep))

    @property
    def selected(self) -> EvalRun | None:
        if not self.runs or not 0 <= self.cursor_row < len(self.runs):
            return None
        return self.runs[self.cursor_row]

    def select_run(self, run_id: str) -> None:
        ids = [r.run_id for r in self.runs]
        if run_id in ids:
            self.move_cursor(row=ids.index(run_id))


def _figures(run: EvalRun, totals: RunTotals | None) -> tuple[str, ...]:
    return (
        run.run_id[:8],
        run.source.value,
        f"{run.started_at:%Y-%m-%d %H:%M}",
        count(totals.cases) if totals else "",
        percent(totals.pass_rate) if totals else "",
        usd(totals.cost_usd) if totals else "",
        run.status.value,
    )
