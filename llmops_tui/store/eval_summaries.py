"""One line of figures per eval run, for the Evals screen's list of runs.

    store.eval_summaries.totals(run_ids) -> dict[str, RunTotals]

The figures are the comparison's (`llmops_tui.evals.cases.run_totals`), computed in one query
for many runs: an answer (case × repetition) passes when every judge passed it without an
error, promptfoo's sense of a passing test; the answer's cost and latency repeat on each
judge's row, so they count once per answer, and the judges' own costs are added on top.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from llmops_tui.domain.comparison import RunTotals

if TYPE_CHECKING:
    from llmops_tui.store import Store

RUN_TOTALS_SQL = """
with answers as (
    select run_id, case_id, repetition, count(*) as results,
        bool_and(coalesce(passed, false) and error is null) as ok,
        bool_or(error is not null) as errored,
        max(cost_usd) as cost, sum(judge_cost_usd) as judged, max(latency_ms) as latency
    from eval_results
    where run_id in (select unnest($runs::VARCHAR[]))
    group by run_id, case_id, repetition
)
select run_id, count(distinct case_id), sum(results),
    avg(case when ok then 1.0 else 0.0 end),
    count(*) filter (where errored),
    sum(cost), sum(judged),
    quantile_cont(latency, 0.5), quantile_cont(latency, 0.95)
from answers
group by run_id
"""


class EvalSummaryRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    def totals(self, run_ids: Sequence[str]) -> dict[str, RunTotals]:
        """Figures of each run that has results; runs without any are left out."""
        if not run_ids or not self._store.exists():
            return {}
        with self._store.reader() as cur:
            rows = cur.execute(RUN_TOTALS_SQL, {"runs": list(run_ids)}).fetchall()
        totals = {}
        for run_id, cases, results, pass_rate, errors, cost, judged, p50, p95 in rows:
            priced = None if cost is None and judged is None else (cost or 0.0) + (judged or 0.0)
            totals[run_id] = RunTotals(
                cases=int(cases),
                results=int(results),
                pass_rate=float(pass_rate) if pass_rate is not None else None,
                errors=int(errors),
                cost_usd=priced,
                cost_per_case=priced / cases if priced is not None and cases else None,
                latency_p50_ms=float(p50) if p50 is not None else None,
                latency_p95_ms=float(p95) if p95 is not None else None,
            )
        return totals
