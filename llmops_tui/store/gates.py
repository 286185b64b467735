"""Gate verdicts, kept so that deploy policies can ask "did the gate pass for this release?".

store.gates.record(result, *, created_at, created_by) -> GateRecord
store.gates.latest(candidate_release_id) -> GateRecord | None     newest verdict for it
store.gates.history(limit=50) -> list[GateRecord]                 newest first
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson

from llmops_tui.domain.comparison import GateCheck, GateRecord, GateResult

if TYPE_CHECKING:
    from llmops_tui.store import Store

INSERT_GATE_SQL = """
insert into gate_results values (
    $gate_id, $candidate_release_id, $baseline_release_id, $candidate_run_id, $baseline_run_id,
    $passed, $checks, $created_at, $created_by
)
on conflict do nothing
"""

GATE_COLUMNS = """
gate_id, candidate_release_id, baseline_release_id, candidate_run_id, baseline_run_id, passed,
checks::VARCHAR, created_at, created_by
"""

LATEST_GATE_SQL = f"""
select {GATE_COLUMNS} from gate_results where candidate_release_id = $release_id
order by created_at desc limit 1
"""

GATE_HISTORY_SQL = f"""
select {GATE_COLUMNS} from gate_results order by created_at desc limit $limit
"""


class GateRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    def record(
        self, result: GateResult, *, created_at: datetime, created_by: str | None
    ) -> GateRecord:
        checks = [{"rule": c.rule, "passed": c.passed, "detail": c.detail} for c in result.checks]
        candidate_run = result.comparison.candidate.run_id
        baseline_run = result.comparison.baseline.run_id
        at = created_at.astimezone(UTC).replace(tzinfo=None)
        gate_id = hashlib.sha256(
            f"{candidate_run}\0{baseline_run}\0{at.isoformat()}".encode()
        ).hexdigest()[:16]
        params: dict[str, Any] = {
            "gate_id": gate_id,
            "candidate_release_id": result.candidate_release,
            "baseline_release_id": result.baseline_release,
            "candidate_run_id": candidate_run,
            "baseline_run_id": baseline_run,
            "passed": result.passed,
            "checks": orjson.dumps(checks).decode(),
            "created_at": at,
            "created_by": created_by,
        }
        with self._store.writer() as cur:
            cur.execute(INSERT_GATE_SQL, params)
        return GateRecord(
            gate_id=gate_id,
            candidate_release=result.candidate_release,
            baseline_release=result.baseline_release,
            candidate_run=candidate_run,
            baseline_run=baseline_run,
            passed=result.passed,
            checks=result.checks,
            created_at=at.replace(tzinfo=UTC),
            created_by=created_by,
        )

    def latest(self, candidate_release_id: str) -> GateRecord | None:
        if not self._store.exists():
            return None
        with self._store.reader() as cur:
            row = cur.execute(LATEST_GATE_SQL, {"release_id": candidate_release_id}).fetchone()
        return _record(row) if row else None

    def history(self, limit: int = 50) -> list[GateRecord]:
        if not self._store.exists():
            return []
        with self._store.reader() as cur:
            rows = cur.execute(GATE_HISTORY_SQL, {"limit": limit}).fetchall()
        return [_record(row) for row in rows]


def _record(row: tuple[Any, ...]) -> GateRecord:
    gate_id, candidate, baseline, cand_run, base_run, passed, checks, created_at, created_by = row
    return GateRecord(
        gate_id=gate_id,
        candidate_release=candidate,
        baseline_release=baseline,
        candidate_run=cand_run,
        baseline_run=base_run,
        passed=passed,
        checks=tuple(GateCheck(**check) for check in orjson.loads(checks)),
        created_at=created_at.replace(tzinfo=UTC),
        created_by=created_by,
    )
