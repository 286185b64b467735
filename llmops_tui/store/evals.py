"""Eval runs and their results, made here or imported.

    store.evals.save_run(run) -> None                     insert, or update status/finish
    store.evals.add_results(results) -> int               rows new to the store (dupes ignored)
    store.evals.import_run(run, results) -> int           run + results in one transaction
    store.evals.finish_run(run_id, status, finished_at) -> None
    store.evals.get(run_id_or_prefix) -> EvalRun          UnknownRunError when none or ambiguous
    store.evals.find(suite_hash, *, status=None) -> EvalRun | None    newest with that hash
    store.evals.runs(*, release_id=None, dataset=None, limit=100) -> list[EvalRun]  newest first
    store.evals.results(run_id) -> pl.DataFrame           one row per case × repetition × judge
    store.evals.done(run_id) -> set[tuple[str, int]]      (case_id, repetition) already stored
    store.evals.cached_responses(hashes) -> dict[str, dict]
    store.evals.cache_responses(rows) -> None             (request_hash, provider, response)

Results are written in batches inside one transaction each; `on conflict do nothing` on the
natural key makes a resumed run or a re-imported file add nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import duckdb
import orjson
import polars as pl
import pyarrow as pa

from llmops_tui.domain.evals import EvalResult, EvalRun, RunSource, RunStatus
from llmops_tui.errors import LlmopsError

if TYPE_CHECKING:
    from llmops_tui.store import Store

MIN_PREFIX = 4


class UnknownRunError(LlmopsError):
    """An eval run id (or prefix) names no run, or more than one."""


RUN_COLUMNS = """
run_id, source, status, started_at, finished_at, release_id, release_ref, dataset,
dataset_version, prompt, prompt_version, provider, model, repeat, suite_hash, created_by,
label, source_path, config
"""

UPSERT_RUN_SQL = f"""
insert into eval_runs ({RUN_COLUMNS})
values ($run_id, $source, $status, $started_at, $finished_at, $release_id, $release_ref,
        $dataset, $dataset_version, $prompt, $prompt_version, $provider, $model, $repeat,
        $suite_hash, $created_by, $label, $source_path, $config)
on conflict (run_id) do update set status = excluded.status, finished_at = excluded.finished_at
"""

FINISH_RUN_SQL = """
update eval_runs set status = $status, finished_at = $finished_at where run_id = $run_id
"""

FIND_RUN_SQL = f"""
select {RUN_COLUMNS} from eval_runs where starts_with(run_id, $prefix) order by run_id limit 2
"""

RUN_BY_HASH_SQL = f"""
select {RUN_COLUMNS} from eval_runs
where suite_hash = $hash and ($status is null or status = $status)
order by started_at desc limit 1
"""

RUNS_SQL = f"""
select {RUN_COLUMNS} from eval_runs
where ($release_id is null or release_id = $release_id)
  and ($dataset is null or dataset = $dataset)
order by started_at desc, run_id
limit $limit
"""

RESULT_COLUMNS = (
    "run_id",
    "case_id",
    "repetition",
    "judge",
    "passed",
    "score",
    "reason",
    "error",
    "output",
    "input",
    "expected",
    "latency_ms",
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "judge_cost_usd",
    "cached",
    "trace_id",
    "span_id",
    "required",
    "tags",
    "created_at",
)

INSERT_RESULTS_SQL = f"""
insert into eval_results ({", ".join(RESULT_COLUMNS)})
select {", ".join(RESULT_COLUMNS[:9])}, input::JSON, expected::JSON,
       {", ".join(RESULT_COLUMNS[11:])}
from new_results
on conflict do nothing
"""

RESULTS_SQL = """
select run_id, case_id, repetition, judge, passed, score, reason, error, output,
       input::VARCHAR as input, expected::VARCHAR as expected, latency_ms, input_tokens,
       output_tokens, cost_usd, judge_cost_usd, cached, trace_id, span_id, required, tags
from eval_results where run_id = $run_id
order by case_id, repetition, judge
"""

DONE_SQL = """
select distinct case_id, repetition from eval_results where run_id = $run_id
"""

CACHED_SQL = """
select c.request_hash, c.response::VARCHAR from eval_response_cache c
semi join wanted_hashes w on w.request_hash = c.request_hash
"""
"""A registered frame of hashes, not `in (select unnest($list))`: binding a 1,000-item
list parameter took ~2 s."""

CACHE_INSERT_SQL = """
insert into eval_response_cache
select request_hash, provider, response::JSON, created_at from new_cache
on conflict do nothing
"""

COUNT_RESULTS_SQL = "select count(*) from eval_results"

_RESULT_SCHEMA: dict[str, Any] = {
    "run_id": pl.String,
    "case_id": pl.String,
    "repetition": pl.Int32,
    "judge": pl.String,
    "passed": pl.Boolean,
    "score": pl.Float64,
    "reason": pl.String,
    "error": pl.String,
    "output": pl.String,
    "input": pl.String,
    "expected": pl.String,
    "latency_ms": pl.Float64,
    "input_tokens": pl.Int64,
    "output_tokens": pl.Int64,
    "cost_usd": pl.Float64,
    "judge_cost_usd": pl.Float64,
    "cached": pl.Boolean,
    "trace_id": pl.String,
    "span_id": pl.String,
    "required": pl.Boolean,
    "tags": pl.List(pl.String),
    "created_at": pl.Datetime("us"),
}


_ARROW: dict[str, pa.DataType] = {
    name: {
        pl.String: pa.string(),
        pl.Int32: pa.int32(),
        pl.Int64: pa.int64(),
        pl.Float64: pa.float64(),
        pl.Boolean: pa.bool_(),
    }.get(dtype, pa.string())
    for name, dtype in _RESULT_SCHEMA.items()
}
_ARROW["tags"] = pa.list_(pa.string())
_ARROW["created_at"] = pa.timestamp("us")


class EvalRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    def save_run(self, run: EvalRun) -> None:
        with self._store.writer() as cur:
            cur.execute(UPSERT_RUN_SQL, _run_params(run))

    def finish_run(self, run_id: str, status: RunStatus, finished_at: datetime) -> None:
        with self._store.writer() as cur:
            cur.execute(
                FINISH_RUN_SQL,
                {"run_id": run_id, "status": status.value, "finished_at": finished_at},
            )

    def add_results(self, results: Sequence[EvalResult]) -> int:
        if not results:
            return 0
        with self._store.writer() as cur:
            return self._insert_results(cur, results, transaction=True)

    def import_run(self, run: EvalRun, results: Sequence[EvalResult]) -> int:
        """Store an imported run and its results atomically; a run already imported (same
        `run_id`) adds only results it lacks."""
        with self._store.writer() as cur:
            cur.execute("begin transaction")
            try:
                cur.execute(UPSERT_RUN_SQL, _run_params(run))
                added = self._insert_results(cur, results, transaction=False)
                cur.execute("commit")
            except BaseException:
                cur.execute("rollback")
                raise
        return added

    def get(self, run_id: str) -> EvalRun:
        if len(run_id) < MIN_PREFIX:
            raise UnknownRunError(f"run id {run_id!r} is too short: give {MIN_PREFIX}+ characters")
        if not self._store.exists():
            raise UnknownRunError(f"unknown eval run {run_id!r}: no database yet")
        with self._store.reader() as cur:
            rows = cur.execute(FIND_RUN_SQL, {"prefix": run_id}).fetchall()
        if not rows:
            raise UnknownRunError(
                f"unknown eval run {run_id!r}", hint="`llmops eval runs` lists them"
            )
        if len(rows) > 1 and rows[0][0] != run_id:
            raise UnknownRunError(f"eval run {run_id!r} is ambiguous: give more characters")
        return _run(rows[0])

    def find(self, suite_hash: str, *, status: RunStatus | None = None) -> EvalRun | None:
        if not self._store.exists():
            return None
        with self._store.reader() as cur:
            row = cur.execute(
                RUN_BY_HASH_SQL,
                {"hash": suite_hash, "status": status.value if status else None},
            ).fetchone()
        return _run(row) if row else None

    def runs(
        self, *, release_id: str | None = None, dataset: str | None = None, limit: int = 100
    ) -> list[EvalRun]:
        if not self._store.exists():
            return []
        with self._store.reader() as cur:
            rows = cur.execute(
                RUNS_SQL, {"release_id": release_id, "dataset": dataset, "limit": limit}
            ).fetchall()
        return [_run(row) for row in rows]

    def results(self, run_id: str) -> pl.DataFrame:
        with self._store.reader() as cur:
            return cur.execute(RESULTS_SQL, {"run_id": run_id}).pl()

    def done(self, run_id: str) -> set[tuple[str, int]]:
        with self._store.reader() as cur:
            return {(c, r) for c, r in cur.execute(DONE_SQL, {"run_id": run_id}).fetchall()}

    def cached_responses(self, hashes: Iterable[str]) -> dict[str, dict[str, Any]]:
        wanted = list(hashes)
        if not wanted or not self._store.exists():
            return {}
        frame = pl.DataFrame({"request_hash": wanted}, schema={"request_hash": pl.String})
        with self._store.reader() as cur:
            cur.register("wanted_hashes", frame)
            try:
                rows = cur.execute(CACHED_SQL).fetchall()
            finally:
                cur.unregister("wanted_hashes")
        return {digest: orjson.loads(text) for digest, text in rows}

    def cache_responses(self, rows: Sequence[tuple[str, str, Mapping[str, Any]]]) -> None:
        if not rows:
            return
        now = datetime.now(UTC)
        frame = pl.DataFrame(
            {
                "request_hash": [r[0] for r in rows],
                "provider": [r[1] for r in rows],
                "response": [orjson.dumps(r[2]).decode() for r in rows],
                "created_at": [now.replace(tzinfo=None)] * len(rows),
            },
            schema={
                "request_hash": pl.String,
                "provider": pl.String,
                "response": pl.String,
                "created_at": pl.Datetime("us"),
            },
        )
        with self._store.writer() as cur:
            cur.register("new_cache", frame)
            try:
                cur.execute(CACHE_INSERT_SQL)
            finally:
                cur.unregister("new_cache")

    def _insert_results(
        self,
        cur: duckdb.DuckDBPyConnection,
        results: Sequence[EvalResult],
        *,
        transaction: bool,
    ) -> int:
        frame = _results_frame(results)
        before = cur.execute(COUNT_RESULTS_SQL).fetchone()
        cur.register("new_results", frame)
        try:
            if transaction:
                cur.execute("begin transaction")
            try:
                cur.execute(INSERT_RESULTS_SQL)
                if transaction:
                    cur.execute("commit")
            except BaseException:
                if transaction:
                    cur.execute("rollback")
                raise
        finally:
            cur.unregister("new_results")
        after = cur.execute(COUNT_RESULTS_SQL).fetchone()
        return int(after[0] if after else 0) - int(before[0] if before else 0)


def _json(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value, default=str).decode()


def _results_frame(results: Sequence[EvalResult]) -> pl.DataFrame:
    now = datetime.now(UTC).replace(tzinfo=None)
    columns: dict[str, list[Any]] = {name: [] for name in _RESULT_SCHEMA}
    as_json = {"input", "expected"}
    for r in results:
        for name, values in columns.items():
            if name == "created_at":
                values.append(now)
            elif name in as_json:
                values.append(_json(getattr(r, name)))
            elif name == "tags":
                values.append(list(r.tags))
            else:
                values.append(getattr(r, name))
    # Through Arrow: polars builds a list column from Python lists element by element
    # (~0.5 s for 5,000 rows); Arrow does it in C.
    table = pa.table({name: pa.array(values, _ARROW[name]) for name, values in columns.items()})
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


def _run_params(run: EvalRun) -> dict[str, Any]:
    return {
        "run_id": run.run_id,
        "source": run.source.value,
        "status": run.status.value,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "release_id": run.release_id,
        "release_ref": run.release_ref,
        "dataset": run.dataset,
        "dataset_version": run.dataset_version,
        "prompt": run.prompt,
        "prompt_version": run.prompt_version,
        "provider": run.provider,
        "model": run.model,
        "repeat": run.repeat,
        "suite_hash": run.suite_hash,
        "created_by": run.created_by,
        "label": run.label,
        "source_path": run.source_path,
        "config": _json(dict(run.config)),
    }


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _run(row: tuple[Any, ...]) -> EvalRun:
    (
        run_id,
        source,
        status,
        started_at,
        finished_at,
        release_id,
        release_ref,
        dataset,
        dataset_version,
        prompt,
        prompt_version,
        provider,
        model,
        repeat,
        suite_hash,
        created_by,
        label,
        source_path,
        config,
    ) = row
    return EvalRun(
        run_id=run_id,
        source=RunSource(source),
        status=RunStatus(status),
        started_at=_utc(started_at),
        finished_at=_utc(finished_at) if finished_at else None,
        release_id=release_id,
        release_ref=release_ref,
        dataset=dataset,
        dataset_version=dataset_version,
        prompt=prompt,
        prompt_version=prompt_version,
        provider=provider,
        model=model,
        repeat=repeat,
        suite_hash=suite_hash,
        created_by=created_by,
        label=label,
        source_path=source_path,
        config=orjson.loads(config) if config else {},
    )
