"""One line of figures per eval run, for the Evals screen's list of runs.

    store.eval_summaries.totals(run_ids) -> dict[str, RunTotals]

A run stores one row per case × repetition × judge, and every judge's row of a call carries
the same provider cost and latency: the call is counted once (`per_call`), the judges' own
costs are added on top. A row whose call or judge failed counts as failed (`passed` is null),
as the comparison does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from llmops_tui.domain.comparison import RunTotals

if TYPE_CHECKING:
    from llmops_tui.store import Store

RUN_TOTALS_SQL = """
with rows as (
    select * from eval_results where run_id in (select unnest($runs::VARCHAR[]))
),
per_call as (
    select run_id, case_id, repetition, max(cost_usd) as cost, sum(judge_cost_usd) as judged,
        max(latency_ms) as latency
    from rows group by run_id, case_id, repetition
),
calls as (
    select run_id, sum(cost) as cost, sum(judged) as judged,
        quantile_cont(latency, 0.5) as p50, quantile_cont(latency, 0.95) as p95
    from per_call group by run_id
)
select r.run_id, count(distinct r.case_id), count(*),
    avg(case when coalesce(r.passed, false) then 1.0 else 0.0 end),
    count(*) filter (where r.error is not null),
    any_value(c.cost), any_value(c.judged), any_value(c.p50), any_value(c.p95)
from rows r join calls c using (run_id)
group by r.run_id
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
