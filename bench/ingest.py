"""Ingest benchmark: our `Ingestor` against DuckDB's own `read_json`, side by side.

    python bench/ingest.py [--spans N] [--runs R] [--big-gb G] [--no-results]

For N spans (default 1,000,000) of generated OTel GenAI traffic (see `common.py`), each run
measures, every case in a fresh subprocess (so peak RSS is that case's own):

* flat JSONL: DuckDB `CREATE TABLE AS SELECT ... FROM read_json(columns={typed})` with the
  columns of our `spans` table (the limit), then our `Ingestor`, then re-ingesting the same
  file into the same database (a new process);
* OTLP JSON: DuckDB `read_json` + unnest of resourceSpans/scopeSpans/spans + attribute maps
  (the limit), then ours, then the re-ingest;
* for reference only: the flat limit INSERTed into the real `spans` DDL (primary key, checks).

Runs are interleaved (run 1 of every case, then run 2...) so machine drift hits all cases
alike; the input files are read once beforehand so every case sees a warm page cache.
`--big-gb G` also generates a G GB flat file and measures our ingest of it (peak RSS target
1 GB). `--spans 0` skips the main suite. Results go to stdout and to `bench/RESULTS.md`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
CODE_ENV = "LLMOPS_BENCH_CODE"
"""Set for the workers: a frozen copy of the package, so every run measures the same code
even while the working tree is being edited."""
CODE_ROOT = Path(os.environ.get(CODE_ENV, REPO))
sys.path.insert(0, str(CODE_ROOT))  # first: the snapshot wins over an editable install

from common import DATA_DIR, GENERATOR_VERSION, big_flat_file, dataset  # noqa: E402

if TYPE_CHECKING:
    import duckdb
    import polars
    import pyarrow

    from llmops_tui.store.span_load import BatchResult

P = ParamSpec("P")
T = TypeVar("T")

RESULTS = BENCH_DIR / "RESULTS.md"
MIGRATION = CODE_ROOT / "llmops_tui" / "store" / "migrations" / "0001_initial.sql"

SPEED_TARGET = 0.7
REINGEST_TARGET = 20.0
BIG_RSS_TARGET = 1_000_000_000  # bytes: "peak RSS <= 1 GB"
MB = 1_000_000

# -- the limits: DuckDB alone ---------------------------------------------------------------

# Attribute keys the limit extracts, in the order `_FLAT_SELECT` uses them.
_SPAN_KEYS = (
    "gen_ai.operation.name",
    "gen_ai.provider.name",
    "gen_ai.request.model",
    "gen_ai.response.model",
    "gen_ai.usage.input_tokens",
    "gen_ai.usage.output_tokens",
    "gen_ai.usage.cache_read.input_tokens",
    "gen_ai.usage.cache_creation.input_tokens",
    "gen_ai.usage.reasoning.output_tokens",
    "llmops.prompt.name",
    "llmops.prompt.version",
    "llmops.release",
    "deployment.environment.name",
    "service.name",
    "user.id",
    "session.id",
    "gen_ai.input.messages",
    "gen_ai.output.messages",
)
_RESOURCE_KEYS = ("llmops.release", "deployment.environment.name", "service.name")


def _paths(keys: tuple[str, ...]) -> str:
    return "[" + ", ".join(f"'$.\"{k}\"'" for k in keys) + "]"


# A stand-in for pricing: one linear rate card, as cheap as pricing can possibly be.
_COST = """
    case when coalesce(input_tokens, 0) > 0 or coalesce(output_tokens, 0) > 0 then
        (coalesce(input_tokens, 0) - coalesce(cache_read_tokens, 0)) * 2.5e-6
        + coalesce(cache_read_tokens, 0) * 1.25e-6 + coalesce(output_tokens, 0) * 1e-5
    end
"""

_CANONICAL = f"""
select
    trace_id, span_id, nullif(parent_span_id, '') as parent_span_id, name, kind,
    start_time, end_time, epoch_us(end_time - start_time) / 1000.0 as duration_ms,
    status, status_message, operation, provider, request_model, response_model,
    input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens,
    {_COST} as cost_usd,
    case when coalesce(input_tokens, 0) > 0 or coalesce(output_tokens, 0) > 0
         then 'computed' end as cost_source,
    prompt_name, prompt_version, release_id, environment, service_name, user_id, session_id,
    input_text, output_text, attributes, resource_attributes, events,
    source, now()::timestamp as ingested_at
from extracted
"""

_FLAT_COLUMNS = """{
    trace_id: 'VARCHAR', span_id: 'VARCHAR', parent_span_id: 'VARCHAR', name: 'VARCHAR',
    kind: 'VARCHAR', start_time: 'BIGINT', end_time: 'BIGINT', status: 'VARCHAR',
    status_message: 'VARCHAR', attributes: 'JSON', resource: 'JSON', events: 'JSON'
}"""

FLAT_LIMIT_SQL = f"""
with src as (
    select *,
        json_extract_string(attributes, {_paths(_SPAN_KEYS)}) as a,
        json_extract_string(resource, {_paths(_RESOURCE_KEYS)}) as r
    from read_json($path, format = 'newline_delimited', filename = true,
                   columns = {_FLAT_COLUMNS})
),
extracted as (
    select
        trace_id, span_id, parent_span_id, name, kind,
        make_timestamp(start_time // 1000) as start_time,
        make_timestamp(end_time // 1000) as end_time,
        status, status_message,
        a[1] as operation, a[2] as provider, a[3] as request_model, a[4] as response_model,
        a[5]::bigint as input_tokens, a[6]::bigint as output_tokens,
        a[7]::bigint as cache_read_tokens, a[8]::bigint as cache_write_tokens,
        a[9]::bigint as reasoning_tokens,
        a[10] as prompt_name, a[11] as prompt_version, coalesce(a[12], r[1]) as release_id,
        coalesce(a[13], r[2]) as environment, coalesce(a[14], r[3]) as service_name,
        a[15] as user_id, a[16] as session_id, a[17] as input_text, a[18] as output_text,
        attributes, resource as resource_attributes, events, filename as source
    from src
)
{_CANONICAL}
"""

_ANY = (
    "STRUCT(stringValue VARCHAR, intValue VARCHAR, doubleValue DOUBLE, boolValue BOOLEAN, "
    'arrayValue STRUCT("values" STRUCT(stringValue VARCHAR)[]))'
)
_KVS = f"STRUCT(key VARCHAR, value {_ANY})[]"
_OTLP_SPAN = (
    "STRUCT(traceId VARCHAR, spanId VARCHAR, parentSpanId VARCHAR, name VARCHAR, kind INTEGER, "
    f"startTimeUnixNano VARCHAR, endTimeUnixNano VARCHAR, attributes {_KVS}, "
    "status STRUCT(code INTEGER, message VARCHAR))"
)
_OTLP_TYPE = (
    f"STRUCT(resource STRUCT(attributes {_KVS}), "
    f"scopeSpans STRUCT(scope STRUCT(name VARCHAR, version VARCHAR), spans {_OTLP_SPAN}[])[])[]"
)
_KV_VALUE = (
    "coalesce(kv.value.stringValue, kv.value.intValue, kv.value.doubleValue::varchar, "
    'kv.value.boolValue::varchar, to_json(kv.value.arrayValue."values")::varchar)'
)

OTLP_LIMIT_SQL = f"""
with requests as (
    select filename, unnest(resourceSpans) as rs
    from read_json($path, format = 'newline_delimited', filename = true,
                   maximum_object_size = 268435456,
                   columns = {{resourceSpans: '{_OTLP_TYPE}'}})
),
scopes as (
    select filename, rs.resource.attributes as resource_kvs, unnest(rs.scopeSpans) as ss
    from requests
),
spans as (
    select filename, resource_kvs, ss.scope.name as scope_name, unnest(ss.spans) as s
    from scopes
),
mapped as (
    select filename, s,
        map_from_entries(list_transform(s.attributes, kv -> {{'k': kv.key, 'v': {_KV_VALUE}}}))
            as a,
        map_from_entries(list_transform(resource_kvs, kv -> {{'k': kv.key, 'v': {_KV_VALUE}}}))
            as r
    from spans
),
extracted as (
    select
        s.traceId as trace_id, s.spanId as span_id, s.parentSpanId as parent_span_id,
        s.name as name,
        case s.kind when 1 then 'internal' when 2 then 'server' when 3 then 'client'
                    when 4 then 'producer' when 5 then 'consumer' end as kind,
        make_timestamp(s.startTimeUnixNano::bigint // 1000) as start_time,
        make_timestamp(s.endTimeUnixNano::bigint // 1000) as end_time,
        case s.status.code when 1 then 'ok' when 2 then 'error' else 'unset' end as status,
        s.status.message as status_message,
        a['gen_ai.operation.name'] as operation,
        a['gen_ai.provider.name'] as provider,
        a['gen_ai.request.model'] as request_model,
        a['gen_ai.response.model'] as response_model,
        a['gen_ai.usage.input_tokens']::bigint as input_tokens,
        a['gen_ai.usage.output_tokens']::bigint as output_tokens,
        a['gen_ai.usage.cache_read.input_tokens']::bigint as cache_read_tokens,
        a['gen_ai.usage.cache_creation.input_tokens']::bigint as cache_write_tokens,
        a['gen_ai.usage.reasoning.output_tokens']::bigint as reasoning_tokens,
        a['llmops.prompt.name'] as prompt_name,
        a['llmops.prompt.version'] as prompt_version,
        coalesce(a['llmops.release'], r['llmops.release']) as release_id,
        coalesce(a['deployment.environment.name'], r['deployment.environment.name'])
            as environment,
        coalesce(a['service.name'], r['service.name']) as service_name,
        a['user.id'] as user_id,
        a['session.id'] as session_id,
        a['gen_ai.input.messages'] as input_text,
        a['gen_ai.output.messages'] as output_text,
        to_json(a) as attributes, to_json(r) as resource_attributes, null::json as events,
        filename as source
    from mapped
)
{_CANONICAL}
"""


def _spans_ddl() -> str:
    """The real `create table spans (...)` of our first migration (primary key, checks)."""
    text = MIGRATION.read_text()
    match = re.search(r"CREATE TABLE spans \(.*?\n\);", text, re.S)
    if match is None:
        raise SystemExit(f"{MIGRATION}: no CREATE TABLE spans found")
    return match.group(0)


# -- workers: one case each, in their own process -----------------------------------------------


def code_version() -> str:
    """A hash of the package's sources (no git here): results must name the code they measured."""
    import hashlib

    digest = hashlib.sha256()
    newest = 0.0
    package = CODE_ROOT / "llmops_tui"
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".sql") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
            newest = max(newest, path.stat().st_mtime)
    stamp = datetime.fromtimestamp(newest, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"llmops_tui sources sha256 {digest.hexdigest()[:12]} (newest file {stamp})"


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def _store_spans_ddl() -> tuple[str, str]:
    """Our current `spans` table (its last rebuild, ZSTD text columns included) and the
    storage format our writers attach the file with."""
    from llmops_tui.store.connection import WRITE_STORAGE_VERSION

    text = (MIGRATION.parent / "0008_compressed_text.sql").read_text()
    match = re.search(r"CREATE TABLE spans_rebuilt \(.*?\n\);", text, re.S)
    if match is None:
        raise SystemExit(f"{MIGRATION.parent}: no CREATE TABLE spans_rebuilt in 0008")
    return match.group(0).replace("spans_rebuilt", "spans"), WRITE_STORAGE_VERSION


def _duckdb_limit(
    sql: str, path: Path, db: Path, *, ddl: str | None = None, storage_version: str | None = None
) -> dict[str, Any]:
    import duckdb

    start = time.perf_counter()
    if storage_version is None:
        con = duckdb.connect(str(db))
    else:
        con = duckdb.connect()
        con.execute(f"attach '{db}' as limit_db (storage_version '{storage_version}')")
        con.execute("use limit_db")
    if ddl is None:
        con.execute(f"create table spans as {sql}", {"path": str(path)})
    else:
        con.execute(ddl)
        con.execute(f"insert into spans by name {sql}", {"path": str(path)})
    row = con.execute("select count(*) from spans").fetchone()
    con.close()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "spans": row[0] if row else 0}


def _ours(path: Path, db: Path, *, expect: int | None, reingest: bool) -> dict[str, Any]:
    import llmops_tui
    from llmops_tui.costs import StoreRates
    from llmops_tui.ingest.pipeline import Ingestor
    from llmops_tui.pricing import Pricer
    from llmops_tui.store import Store

    if not Path(llmops_tui.__file__).resolve().is_relative_to(CODE_ROOT.resolve()):
        raise SystemExit(f"imported {llmops_tui.__file__}, not the code under {CODE_ROOT}")
    start = time.perf_counter()
    store = Store(db)
    report = Ingestor(store, StoreRates(Pricer())).ingest([path])
    seconds = time.perf_counter() - start
    (file,) = report.files
    if reingest:
        if file.status != "unchanged" or report.spans_loaded:
            raise SystemExit(f"re-ingest loaded {report.spans_loaded} spans ({file.status})")
    elif file.status != "loaded" or report.rejects or report.spans_loaded != expect:
        raise SystemExit(
            f"ingest: status {file.status} ({file.error}), {report.spans_loaded} spans loaded "
            f"(expected {expect}), {report.rejects} rejects {file.first_rejects[:3]}, "
            f"{report.duplicates} duplicates"
        )
    return {"seconds": seconds, "spans": report.spans_loaded}


def worker(case: str, path: Path, db: Path, expect: int | None) -> None:
    code = code_version()
    if case == "flat-limit":
        result = _duckdb_limit(FLAT_LIMIT_SQL, path, db)
    elif case == "flat-limit-pk":
        result = _duckdb_limit(FLAT_LIMIT_SQL, path, db, ddl=_spans_ddl())
    elif case == "flat-limit-store":
        ddl, version = _store_spans_ddl()
        result = _duckdb_limit(FLAT_LIMIT_SQL, path, db, ddl=ddl, storage_version=version)
    elif case == "otlp-limit":
        result = _duckdb_limit(OTLP_LIMIT_SQL, path, db)
    elif case in ("flat-ours", "otlp-ours"):
        result = _ours(path, db, expect=expect, reingest=False)
    elif case in ("flat-reingest", "otlp-reingest"):
        result = _ours(path, db, expect=None, reingest=True)
    else:
        raise SystemExit(f"unknown case {case}")
    if expect is not None and result["spans"] != expect:
        raise SystemExit(f"{case}: {result['spans']} spans in the table, expected {expect}")
    result["peak_rss"] = _peak_rss()
    result["db_bytes"] = db.stat().st_size if db.exists() else 0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    result["code"] = code
    print(json.dumps(result))


# -- profile: where our time goes ------------------------------------------------------------


class _Timings:
    def __init__(self) -> None:
        self.each: dict[str, list[float]] = {}

    def add(self, label: str, seconds: float) -> None:
        self.each.setdefault(label, []).append(seconds)


class _TimedCursor:
    """Wraps a DuckDB cursor so each statement of `load_batch` is timed by its constant name."""

    def __init__(
        self, cur: duckdb.DuckDBPyConnection, timings: _Timings, names: dict[str, str]
    ) -> None:
        self._cur = cur
        self._timings = timings
        self._names = names
        self._last = "?"

    def execute(self, sql: str, *args: object) -> _TimedCursor:
        label = self._names.get(sql, " ".join(sql.split()[:2]))
        self._last = label
        # DuckDB finds the loader's records by a local name of the calling frame (a
        # replacement scan): this frame must hold it too.
        ingest_batch = sys._getframe(1).f_locals.get("ingest_batch")  # noqa: F841
        start = time.perf_counter()
        self._cur.execute(sql, *args)
        self._timings.add(f"sql {label}", time.perf_counter() - start)
        return self

    def _fetch(self, fetch: Callable[[], T]) -> T:
        start = time.perf_counter()
        value = fetch()
        self._timings.add(f"sql {self._last} (fetch)", time.perf_counter() - start)
        return value

    def pl(self) -> polars.DataFrame:
        return self._fetch(self._cur.pl)

    def fetchone(self) -> tuple[object, ...] | None:
        return self._fetch(self._cur.fetchone)

    def fetchall(self) -> list[tuple[object, ...]]:
        return self._fetch(self._cur.fetchall)

    def __getattr__(self, name: str) -> object:
        return getattr(self._cur, name)


def _timed(timings: _Timings, label: str, fn: Callable[P, T]) -> Callable[P, T]:
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            timings.add(label, time.perf_counter() - start)

    return wrapper


def _timed_iter(
    timings: _Timings, label: str, fn: Callable[P, Iterator[T]]
) -> Callable[P, Iterator[T]]:
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Iterator[T]:
        iterator = fn(*args, **kwargs)
        while True:
            start = time.perf_counter()
            try:
                item = next(iterator)
            except StopIteration:
                return
            finally:
                timings.add(label, time.perf_counter() - start)
            yield item

    return wrapper


def profile(kind: str, spans: int, db: Path) -> list[str]:
    """Ingest the `kind` file once, in this process, with timers around every phase.

    The package is being reworked, so the timers are attached by name wherever the current
    layout has the function (missing ones are skipped)."""
    import importlib

    import llmops_tui.ingest.pipeline as pipeline
    import llmops_tui.store as store_module
    from llmops_tui.costs import StoreRates
    from llmops_tui.pricing import Pricer

    def module(name: str) -> ModuleType | None:
        try:
            return importlib.import_module(f"llmops_tui.{name}")
        except ImportError:
            return None

    ds = dataset(spans)
    path = ds.flat if kind == "flat" else ds.otlp
    warm([path])
    timings = _Timings()
    names: dict[str, str] = {}
    for name in ("store.span_sql", "store.span_load"):
        found = module(name)
        if found is not None:
            names |= {v: k for k, v in vars(found).items() if k.endswith("_SQL")}

    span_load, spans_module = module("store.span_load"), module("store.spans")
    loader_cls = getattr(span_load, "SpanLoader", None)
    if loader_cls is not None:  # one transaction, slices added one by one
        original_init = loader_cls.__init__

        def init(
            self: object, cur: duckdb.DuckDBPyConnection, *args: object, **kwargs: object
        ) -> None:
            original_init(self, _TimedCursor(cur, timings, names), *args, **kwargs)

        loader_cls.__init__ = init
    elif hasattr(spans_module, "load_batch"):  # one transaction per batch
        original_load_batch = spans_module.load_batch

        def load_batch(
            cur: duckdb.DuckDBPyConnection, batch: pyarrow.Table, **kwargs: object
        ) -> BatchResult:
            timed = cast("duckdb.DuckDBPyConnection", _TimedCursor(cur, timings, names))
            return original_load_batch(timed, batch, **kwargs)  # type: ignore[no-any-return]

        spans_module.load_batch = load_batch
    for name in ("ingest.file_run", "ingest.pipeline"):
        owner = module(name)
        if owner is not None and hasattr(owner, "iter_line_chunks"):
            label = "python: read + split lines (iter_line_chunks)"
            owner.iter_line_chunks = _timed_iter(timings, label, owner.iter_line_chunks)
    patches = [
        ("ingest.batch", "Batch", "table", "python: Arrow table of the slice"),
        ("ingest.pipeline", "_Batch", "table", "python: Arrow table of the slice"),
        ("ingest.pipeline", "_Rows", "table", "python: Arrow table of the slice"),
        ("ingest.file_run", "FileRun", "_add_line", "python: per-line decode + convert"),
        ("ingest.batch", "Batch", "lines", "python: flat lines to Arrow, in bulk (Batch.lines)"),
        ("ingest.batch", "Batch", "encoded", "python: converted records to Arrow (Batch.encoded)"),
        ("ingest.pipeline", "_FileRun", "_add_line", "python: per-line decode + append"),
        ("store.spans", "SpanRepository", "load", "store: spans.load (one batch, whole)"),
        ("store.span_load", "SpanLoader", "insert", "store: SpanLoader.insert (whole)"),
        ("store.span_load", "SpanLoader", "commit", "store: SpanLoader.commit (whole)"),
        ("store", "Store", "_open", "store: connect + migrate"),
        ("store", "Store", "_release", "store: release (close = checkpoint)"),
        ("costs", "StoreRates", "rate_table", "pricing: rate_table (polars)"),
        ("costs", "StoreRates", "price_rows", "pricing: price_rows (python)"),
    ]
    for module_name, owner_name, attribute, label in patches:
        owner = getattr(module(module_name), owner_name, None)
        if owner is not None and hasattr(owner, attribute):
            setattr(owner, attribute, _timed(timings, label, getattr(owner, attribute)))
    _fresh(db)
    start = time.perf_counter()
    report = pipeline.Ingestor(store_module.Store(db), StoreRates(Pricer())).ingest([path])
    total = time.perf_counter() - start
    _fresh(db)
    if report.spans_loaded != spans or report.rejects:
        raise SystemExit(f"profile: {report.spans_loaded} loaded, {report.rejects} rejects")
    lines = [
        f"### Where the time goes: {kind}, {spans:,} spans, one run, {total:.1f} s in all",
        "",
        "| phase | s | share | calls | first 3 calls, s | last 3 calls, s |",
        "|---|---:|---:|---:|---|---|",
    ]
    for label, each in sorted(timings.each.items(), key=lambda kv: -sum(kv[1])):
        seconds = sum(each)
        if seconds < 0.005 * total:
            continue
        first = ", ".join(f"{x:.2f}" for x in each[:3]) if len(each) > 1 else ""
        last = ", ".join(f"{x:.2f}" for x in each[-3:]) if len(each) > 3 else ""
        lines.append(
            f"| {label} | {seconds:.2f} | {seconds / total:.0%} | {len(each)} | {first} | {last} |"
        )
    lines += [
        "",
        "Rows marked 'whole' include the `sql` and pricing rows timed inside them; "
        "phases under 0.5% of the total are left out. Code: " + code_version(),
    ]
    return lines


# -- the driver ------------------------------------------------------------------------------


@dataclass
class Case:
    key: str
    label: str
    path: Path
    spans: int
    runs: list[dict[str, Any]] = field(default_factory=list)

    def median(self, name: str) -> float:
        return statistics.median(float(r[name]) for r in self.runs)

    @property
    def seconds(self) -> float:
        return self.median("seconds")


def _busy_seconds() -> float:
    """CPU-seconds spent by the whole machine so far (all cores, everything but idle)."""
    import psutil

    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


def wait_for_quiet(max_wait: float) -> float:
    """Wait (up to `max_wait` s) until other processes use < 15% of the machine; returns the
    share last seen, so each run records how busy the machine was when it started."""
    import psutil

    deadline = time.monotonic() + max_wait
    while True:
        busy = psutil.cpu_percent(interval=2.0) / 100
        if busy < 0.15 or time.monotonic() >= deadline:
            return busy
        log(f"  waiting for a quiet machine ({busy:.0%} busy)")


def snapshot_code(target: Path) -> None:
    """Freeze the package for this run: the workers import the copy (see `CODE_ENV`)."""
    global CODE_ROOT, MIGRATION
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(
        CODE_ROOT / "llmops_tui",
        target / "llmops_tui",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    CODE_ROOT = target
    sys.path.insert(0, str(target))  # and so does an in-process `--profile`
    MIGRATION = CODE_ROOT / "llmops_tui" / "store" / "migrations" / "0001_initial.sql"


def run_worker(case: str, path: Path, db: Path, expect: int | None) -> dict[str, Any]:
    command = [sys.executable, __file__, "--worker", case, "--path", str(path), "--db", str(db)]
    if expect is not None:
        command += ["--expect", str(expect)]
    env = {**os.environ, CODE_ENV: str(CODE_ROOT)}
    busy_before, wall_before = _busy_seconds(), time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    busy, wall = _busy_seconds() - busy_before, time.perf_counter() - wall_before
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{case} failed (exit {done.returncode}): {done.stdout.strip()}")
    result = dict(json.loads(done.stdout.strip().splitlines()[-1]))
    # CPU used by *other* processes during the run, as a share of the machine's capacity.
    others = max(busy - result["cpu_seconds"], 0.0) / (wall * (os.cpu_count() or 1))
    result["others_cpu"] = others
    return result


def warm(paths: list[Path]) -> None:
    """Read the inputs once so every case starts from the same (warm) page cache."""
    for path in paths:
        with path.open("rb") as handle:
            while handle.read(64 * MB):
                pass


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _fresh(db: Path) -> Path:
    for extra in (db, db.with_name(db.name + ".wal")):
        extra.unlink(missing_ok=True)
    return db


def run_suite(spans: int, runs: int, work: Path, quiet_wait: float) -> dict[str, Case]:
    log(f"generating / reusing {spans:,} spans under {DATA_DIR} ...")
    started = time.perf_counter()
    ds = dataset(spans)
    log(f"  ready in {time.perf_counter() - started:.0f} s: {ds.flat.name}, {ds.otlp.name}")
    warm([ds.flat, ds.otlp])
    cases = {
        "flat-limit": Case("flat-limit", "flat JSONL · DuckDB read_json (limit)", ds.flat, spans),
        "flat-ours": Case("flat-ours", "flat JSONL · ours (Ingestor)", ds.flat, spans),
        "flat-reingest": Case("flat-reingest", "flat JSONL · ours, re-ingest", ds.flat, spans),
        "otlp-limit": Case(
            "otlp-limit", "OTLP JSON · DuckDB read_json + unnest (limit)", ds.otlp, spans
        ),
        "otlp-ours": Case("otlp-ours", "OTLP JSON · ours (Ingestor)", ds.otlp, spans),
        "otlp-reingest": Case("otlp-reingest", "OTLP JSON · ours, re-ingest", ds.otlp, spans),
        "flat-limit-pk": Case(
            "flat-limit-pk", "flat JSONL · DuckDB read_json → real spans DDL (PK)", ds.flat, spans
        ),
        "flat-limit-store": Case(
            "flat-limit-store",
            "flat JSONL · DuckDB read_json → our spans table and storage format (ZSTD text)",
            ds.flat,
            spans,
        ),
    }
    order = ["flat-limit", "flat-ours", "flat-reingest", "otlp-limit", "otlp-ours"]
    order += ["otlp-reingest", "flat-limit-pk", "flat-limit-store"]
    for run in range(1, runs + 1):
        for key in order:
            case = cases[key]
            reingest = key.endswith("reingest")
            ours = key.endswith(("-ours", "-reingest"))  # the re-ingest reuses our database
            db = work / (f"{key.split('-')[0]}-ours.duckdb" if ours else f"{key}.duckdb")
            if not reingest:
                _fresh(db)
                wait_for_quiet(quiet_wait)
            result = run_worker(key, case.path, db, None if reingest else spans)
            case.runs.append(result)
            log(
                f"  run {run}/{runs} {key:14s} {result['seconds']:8.2f} s  "
                f"peak RSS {result['peak_rss'] / MB:7.0f} MB  db {result['db_bytes'] / MB:6.0f} MB"
                f"  others' CPU {result['others_cpu']:.0%}"
            )
            if not key.endswith("ours"):
                _fresh(db)  # keep only our first pass, for the re-ingest that follows
    return cases


def run_big(gigabytes: float, runs: int, work: Path, quiet_wait: float) -> Case:
    log(f"generating / reusing a {gigabytes:g} GB flat file under {DATA_DIR} ...")
    started = time.perf_counter()
    path, spans = big_flat_file(gigabytes)
    log(f"  ready in {time.perf_counter() - started:.0f} s: {path.name}, {spans:,} spans")
    warm([path])
    case = Case("big-ours", f"flat JSONL {gigabytes:g} GB · ours (Ingestor)", path, spans)
    db = work / "big-ours.duckdb"
    for run in range(1, runs + 1):
        _fresh(db)
        wait_for_quiet(quiet_wait)
        result = run_worker("flat-ours", path, db, spans)
        case.runs.append(result)
        log(
            f"  run {run}/{runs} big-ours {result['seconds']:8.2f} s  "
            f"peak RSS {result['peak_rss'] / MB:7.0f} MB  db {result['db_bytes'] / MB:6.0f} MB"
            f"  others' CPU {result['others_cpu']:.0%}"
        )
        _fresh(db)
    return case


# -- reporting -------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    import duckdb
    import psutil

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "unknown"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": f"{psutil.virtual_memory().total / 2**30:.0f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load": f"{os.getloadavg()[0]:.1f}",
    }


def _mb(n: float) -> str:
    return f"{n / MB:,.0f} MB"


def _row(case: Case, size: int, ratio: str, target: str) -> str:
    seconds = case.seconds
    rate = f"{case.spans / seconds:,.0f}" if case.runs else "-"
    return (
        f"| {case.label} | {seconds:,.2f} | {rate} | {size / MB / seconds:,.1f} "
        f"| {_mb(case.median('peak_rss'))} | {_mb(case.median('db_bytes'))} | {ratio} | {target} |"
    )


def _check(ok: bool) -> str:
    return "✅" if ok else "❌"


def suite_table(cases: dict[str, Case]) -> tuple[list[str], list[str]]:
    """Markdown table rows and the per-run details."""
    lines = [
        "| case | s (median) | spans/s | MB/s | peak RSS | DB file | ratio | target |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for kind in ("flat", "otlp"):
        limit, ours, again = (cases[f"{kind}-{k}"] for k in ("limit", "ours", "reingest"))
        size = ours.path.stat().st_size
        speed = limit.seconds / ours.seconds
        first_second = ours.seconds / again.seconds
        lines.append(_row(limit, size, "1.00x", "the limit"))
        lines.append(
            _row(ours, size, f"**{speed:.2f}x**", f"≥ {SPEED_TARGET}x {_check(speed >= 0.7)}")
        )
        lines.append(
            f"| {again.label} | {again.seconds:,.3f} | - | - | {_mb(again.median('peak_rss'))} "
            f"| - | **{first_second:,.0f}x** first/second "
            f"| ≥ {REINGEST_TARGET:.0f}x {_check(first_second >= REINGEST_TARGET)} |"
        )
    pk = cases["flat-limit-pk"]
    lines.append(
        _row(pk, pk.path.stat().st_size, f"{cases['flat-limit'].seconds / pk.seconds:.2f}x", "info")
    )
    # Like for like: DuckDB alone, writing the table and format our store uses.
    same = cases["flat-limit-store"]
    lines.append(
        _row(
            same,
            same.path.stat().st_size,
            f"{same.seconds / cases['flat-ours'].seconds:.2f}x",
            "info: ours against this",
        )
    )
    details = [
        f"- {c.key}: "
        + ", ".join(
            f"{r['seconds']:.2f} s / {r['peak_rss'] / MB:.0f} MB"
            f" (others' CPU {r.get('others_cpu', 0):.0%})"
            for r in c.runs
        )
        for c in cases.values()
    ]
    for kind in ("flat", "otlp"):
        limit, ours = cases[f"{kind}-limit"], cases[f"{kind}-ours"]
        ratios = [a["seconds"] / b["seconds"] for a, b in zip(limit.runs, ours.runs, strict=True)]
        details.append(
            f"- {kind} speed ratio run by run (limit and ours back to back): "
            + ", ".join(f"{r:.2f}x" for r in ratios)
            + f"; median {statistics.median(ratios):.2f}x"
        )
        cpu = [
            a["cpu_seconds"] / b["cpu_seconds"] for a, b in zip(limit.runs, ours.runs, strict=True)
        ]
        details.append(
            f"- {kind} CPU-seconds ratio (limit/ours; less sensitive to other processes than wall "
            "time, but blind to I/O waits): "
            + ", ".join(f"{r:.2f}x" for r in cpu)
            + f"; median {statistics.median(cpu):.2f}x"
        )
    return lines, details


def big_table(case: Case) -> list[str]:
    size = case.path.stat().st_size
    rss = case.median("peak_rss")
    return [
        "| case | input | spans | s (median) | spans/s | MB/s | peak RSS | DB file | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
        f"| {case.label} | {_mb(size)} | {case.spans:,} | {case.seconds:,.1f} "
        f"| {case.spans / case.seconds:,.0f} | {size / MB / case.seconds:,.1f} | **{_mb(rss)}** "
        f"| {_mb(case.median('db_bytes'))} | peak RSS ≤ 1 GB {_check(rss <= BIG_RSS_TARGET)} |",
        "",
        "Runs: "
        + ", ".join(
            f"{r['seconds']:.1f} s / {r['peak_rss'] / MB:.0f} MB"
            f" (others' CPU {r['others_cpu']:.0%})"
            for r in case.runs
        ),
    ]


def machine_lines(info: dict[str, str], runs: int, cases: list[Case]) -> list[str]:
    codes = sorted({str(r.get("code")) for c in cases for r in c.runs})
    if len(codes) == 1:
        code = [f"- code: {codes[0]}"]
    else:
        code = [
            f"- **WARNING: the package changed during this run ({len(codes)} versions); "
            "these figures mix them and need a re-run**: " + "; ".join(codes)
        ]
    return [
        f"- machine: {info['cpu']}, {info['cores']} cores, {info['ram']} RAM, {info['os']}",
        f"- date: {info['date']}; Python {info['python']}, duckdb {info['duckdb']}; "
        f"load average before / after: {info['load']} / {os.getloadavg()[0]:.1f}",
        *code,
        f"- median of {runs} run(s), every case in a fresh process, runs interleaved, warm page "
        "cache; seconds are the ingest itself (connect → close), without interpreter start-up",
        "- shared machine: each case waits for other processes to go idle first (< 15% CPU, up "
        "to `--quiet-wait` s); 'others' CPU' below is what other processes used meanwhile",
    ]


HEADER = """# Benchmark results

Produced by `bench/ingest.py` (`make bench`); each section is rewritten by the run that
produced it. Targets (issue): at 1M spans, ours ≥ 0.7x DuckDB's own `read_json` into a typed
table of the same columns, for flat JSONL and for OTLP JSON (`read_json` + unnest); peak RSS
≤ 1 GB for a 5 GB input; re-ingesting an already-loaded file ≥ 20x faster than the first pass.

Speed ratio = limit seconds / our seconds. MB = 10^6 bytes. Peak RSS is the worker process's
`ru_maxrss`. Generated data: `bench/common.py` (seeded, cached in `bench/.data/`).

Commands:

    make bench                                    # 1M spans, 3 runs
    python bench/ingest.py --spans 100000 --runs 1   # quick check
    python bench/ingest.py --spans 0 --big-gb 5      # peak RSS on a 5 GB flat file only
"""


def save_raw(name: str, info: dict[str, str], cases: list[Case]) -> None:
    """Every run's raw figures, for later analysis (bench/.data/raw/, not committed)."""
    raw = DATA_DIR / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    data = {"machine": info, "cases": {c.key: {"path": str(c.path), "runs": c.runs} for c in cases}}
    (raw / f"{name}-{stamp}.json").write_text(json.dumps(data, indent=1))


def update_results(marker: str, body: list[str]) -> None:
    start, end = f"<!-- {marker} -->", f"<!-- /{marker} -->"
    section = "\n".join([start, *body, end])
    text = RESULTS.read_text() if RESULTS.exists() else HEADER
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spans", type=int, default=1_000_000, help="spans per file (0: skip)")
    parser.add_argument("--runs", type=int, default=3, help="runs per case (median reported)")
    parser.add_argument("--big-gb", type=float, default=0.0, help="also ingest a G GB flat file")
    parser.add_argument("--no-results", action="store_true", help="don't write RESULTS.md")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=300.0,
        help="before each case, wait up to this many seconds for other processes to go idle",
    )
    parser.add_argument(
        "--profile", choices=("flat", "otlp"), help="time the phases of our ingest (one run)"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--expect", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.path, args.db, args.expect)
        return 0

    info = machine()
    # A terminated run still removes its work folder (and subprocess.run kills its worker).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = DATA_DIR / f"work-{os.getpid()}"  # per process: concurrent runs must not collide
    work.mkdir(parents=True, exist_ok=True)
    snapshot_code(work / "code")
    if args.profile:
        try:
            print("\n".join(profile(args.profile, args.spans, work / "profile.duckdb")))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return 0
    out: Callable[[str], None] = print
    try:
        if args.spans > 0:
            cases = run_suite(args.spans, args.runs, work, args.quiet_wait)
            table, details = suite_table(cases)
            flat, otlp = cases["flat-ours"].path, cases["otlp-ours"].path
            body = [
                f"## Ingest, {args.spans:,} spans",
                "",
                *machine_lines(info, args.runs, list(cases.values())),
                f"- inputs (generator v{GENERATOR_VERSION}): flat {_mb(flat.stat().st_size)} "
                f"({flat.stat().st_size / args.spans:,.0f} B/span), OTLP "
                f"{_mb(otlp.stat().st_size)} ({otlp.stat().st_size / args.spans:,.0f} B/span)",
                "",
                *table,
                "",
                "Per run (seconds / peak RSS / CPU used by other processes meanwhile):",
                "",
                *details,
            ]
            out("\n".join(body) + "\n")
            save_raw(f"ingest-{args.spans}", info, list(cases.values()))
            if not args.no_results:
                update_results(f"bench:ingest spans={args.spans}", body)
        if args.big_gb > 0:
            free = shutil.disk_usage(DATA_DIR).free
            if free < 30e9 + args.big_gb * 1e9:
                log(f"skipping the big run: {free / 1e9:.0f} GB free")
            else:
                case = run_big(args.big_gb, args.runs, work, args.quiet_wait)
                body = [
                    f"## Peak RSS, {args.big_gb:g} GB flat JSONL",
                    "",
                    *machine_lines(info, args.runs, [case]),
                    "",
                    *big_table(case),
                ]
                out("\n".join(body) + "\n")
                save_raw(f"big-{args.big_gb:g}gb", info, [case])
                if not args.no_results:
                    update_results(f"bench:big gb={args.big_gb:g}", body)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
