"""The `traces` roll-up always equals an aggregate of `spans` computed here, independently.

Loads arrive in pieces the way live logs do: children before their root, more spans of a
trace already stored, a file loaded twice, costs re-priced. After each step every roll-up row
is compared with what Python computes from the stored spans themselves.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from llmops_tui.costs import StoreRates
from llmops_tui.domain.filters import parse_filter
from llmops_tui.domain.traces import TraceRow, TraceSort
from llmops_tui.ingest.pipeline import Ingestor
from llmops_tui.pricing import PriceOverride, Pricer
from llmops_tui.store import Store
from llmops_tui.store.migrate import available_migrations
from llmops_tui.store.trace_rollup import rebuild
from tests.ingest.spans import flat_span, hex_id, jsonl
from tests.store.old_stores import migrated_to

SPANS_SQL = """
select trace_id, span_id, parent_span_id, start_time, name, environment, duration_ms, status,
    request_model, response_model, input_tokens, output_tokens, cost_usd, prompt_name,
    prompt_version
from spans
"""

ROLLUP_SQL = """
select trace_id, start_time, root_span_id, name, environment,
    coalesce(root_prompt, any_prompt), duration_ms, first_start, last_start, span_count, tokens,
    cost_usd, has_error, models
from traces
"""


def expected_rollup(store: Store) -> dict[str, tuple[Any, ...]]:
    """One row per trace, computed in Python from `spans`."""
    with store.reader() as cur:
        result = cur.execute(SPANS_SQL)
        names = [d[0] for d in result.description or []]
        spans = [dict(zip(names, row, strict=True)) for row in result.fetchall()]
    by_trace: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for span in spans:
        by_trace[span["trace_id"]].append(span)
    expected = {}
    for trace_id, members in by_trace.items():
        roots = sorted(
            (s for s in members if s["parent_span_id"] is None),
            key=lambda s: (s["start_time"], s["span_id"]),
        )
        root = roots[0] if roots else None
        prompts = sorted(p for p in map(_prompt, members) if p is not None)
        costs = [s["cost_usd"] for s in members if s["cost_usd"] is not None]
        models = {s["request_model"] or s["response_model"] for s in members}
        expected[trace_id] = (
            root["start_time"] if root else min(s["start_time"] for s in members),
            root["span_id"] if root else None,
            root["name"] if root else None,
            root["environment"] if root else None,
            (_prompt(root) if root else None) or (prompts[0] if prompts else None),
            root["duration_ms"] if root else None,
            min(s["start_time"] for s in members),
            max(s["start_time"] for s in members),
            len(members),
            sum((s["input_tokens"] or 0) + (s["output_tokens"] or 0) for s in members),
            round(sum(costs), 12) if costs else None,
            any(s["status"] == "error" for s in members),
            sorted(m for m in models if m is not None),
        )
    return expected


def _prompt(span: dict[str, Any]) -> str | None:
    name, version = span["prompt_name"], span["prompt_version"]
    if name is None:
        return None
    return f"{name}@{version}" if version is not None else name


def stored_rollup(store: Store) -> dict[str, tuple[Any, ...]]:
    with store.reader() as cur:
        rows = cur.execute(ROLLUP_SQL).fetchall()
    return {
        row[0]: (*row[1:11], round(row[11], 12) if row[11] is not None else None, *row[12:])
        for row in rows
    }


def assert_rollup_is_exact(store: Store) -> None:
    assert stored_rollup(store) == expected_rollup(store)
    with store.reader() as cur:
        counts = cur.execute("select count(*), count(distinct trace_id) from traces").fetchone()
    assert counts is not None
    rows, traces = counts
    assert rows == traces, "one row per trace (the table has no key to keep it so)"


def _trace(name: str, first: int, count: int, **root: Any) -> list[dict[str, Any]]:
    """A root (span `first`) and `count - 1` children, one second apart."""
    trace = hex_id(name, 32)
    root_id = hex_id(f"span-{first}", 16)
    spans = [flat_span(first, trace=name, name=f"POST /{name}", **root)]
    for n in range(first + 1, first + count):
        spans.append(flat_span(n, trace=name, parent_span_id=root_id, trace_id=trace))
    return spans


def _ingest(store: Store, path: Path, records: list[dict[str, Any]], pricer: Pricer) -> None:
    path.write_bytes(jsonl(records))
    Ingestor(store, StoreRates(pricer)).ingest([path])


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "rollup.duckdb")


def test_the_rollup_follows_loads_in_pieces_and_ignores_duplicates(
    store: Store, tmp_path: Path
) -> None:
    pricer = Pricer()
    alpha = _trace("alpha", 0, 4)
    beta = _trace("beta", 10, 3, status={"code": "STATUS_CODE_ERROR", "message": "boom"})
    gamma = _trace("gamma", 20, 2)
    gamma[1]["attributes"] = {**gamma[1]["attributes"], "gen_ai.request.model": "o4-mini"}

    # Children first: alpha's root and beta's second child are still missing.
    _ingest(store, tmp_path / "a.jsonl", [*alpha[1:], beta[0], beta[1], gamma[0]], pricer)
    assert_rollup_is_exact(store)
    with store.reader() as cur:
        row = cur.execute(
            "select root_span_id from traces where trace_id = ?", [alpha[1]["trace_id"]]
        )
        assert row.fetchone() == (None,)  # no root yet: not listed until it arrives

    # The rest, overlapping what is stored: the root takes over, counts add up once.
    _ingest(store, tmp_path / "b.jsonl", [*alpha, *beta, *gamma], pricer)
    assert_rollup_is_exact(store)
    _ingest(store, tmp_path / "c.jsonl", [*alpha, *beta, *gamma], pricer)  # all duplicates
    assert_rollup_is_exact(store)

    # An earlier second root wins, as it would in a rebuild.
    early = flat_span(30, trace="alpha", start_time=alpha[0]["start_time"] - 10**9, name="early")
    _ingest(store, tmp_path / "d.jsonl", [early], pricer)
    assert_rollup_is_exact(store)
    with store.reader() as cur:
        row = cur.execute(
            "select name, span_count from traces where trace_id = ?", [early["trace_id"]]
        )
        assert row.fetchone() == ("early", 5)


def test_roots_starting_together_resolve_to_the_lowest_span_id(
    store: Store, tmp_path: Path
) -> None:
    """Two roots at the same instant in one load: the tie goes to the lower span id, in the
    load's merge as in a rebuild."""
    roots = [flat_span(n, trace="twin", name=f"root-{n}") for n in (40, 41, 42)]
    for root in roots:
        root["start_time"] = roots[0]["start_time"]
    _ingest(store, tmp_path / "twin.jsonl", roots, Pricer())
    assert_rollup_is_exact(store)
    lowest = min(roots, key=lambda s: s["span_id"])
    with store.reader() as cur:
        row = cur.execute(
            "select root_span_id, name from traces where trace_id = ?", [lowest["trace_id"]]
        )
        assert row.fetchone() == (lowest["span_id"], lowest["name"])


def test_repricing_updates_trace_costs(store: Store, tmp_path: Path) -> None:
    _ingest(store, tmp_path / "a.jsonl", [*_trace("alpha", 0, 3), *_trace("beta", 5, 2)], Pricer())
    before = stored_rollup(store)
    override = PriceOverride(input_per_mtok=Decimal(100), output_per_mtok=Decimal(200))
    overrides = {"gpt-4o-mini": override, "gpt-4o-mini-2024-07-18": override}
    store.spans.reprice(StoreRates(Pricer(overrides)))
    assert_rollup_is_exact(store)
    assert stored_rollup(store) != before


def test_rebuild_and_the_migration_backfill_agree_with_the_spans(
    store: Store, tmp_path: Path
) -> None:
    _ingest(store, tmp_path / "a.jsonl", [*_trace("alpha", 0, 3), *_trace("beta", 5, 2)], Pricer())
    with store.writer() as cur:
        cur.execute("delete from traces")
        rebuild(cur)
    assert_rollup_is_exact(store)
    with store.writer() as cur:  # replay the migration's backfill on the stored spans
        cur.execute("delete from traces")
        backfill = next(m.sql for m in available_migrations() if m.name == "trace_rollup")
        cur.execute(backfill[backfill.index("INSERT INTO traces") :])
    assert_rollup_is_exact(store)


def test_a_file_without_the_rollup_lists_the_same_pages(store: Store, tmp_path: Path) -> None:
    """A read-only cockpit on a file of an older schema reads spans instead, same result."""
    records = [r for n in range(8) for r in _trace(f"t{n}", n * 10, 1 + n % 3)]
    records[3]["attributes"] = {**records[3]["attributes"], "gen_ai.request.model": "o4-mini"}
    _ingest(store, tmp_path / "a.jsonl", records, Pricer())

    def pages() -> list[list[TraceRow]]:
        traces = Store(store.path, readonly=True).traces
        window = partial(
            traces.page, start=datetime(2025, 12, 31), end=datetime(2026, 1, 2), environment=None
        )
        first = window(match=None, limit=3)
        second = window(match=None, limit=3, after=first[-1].key)
        back = window(match=None, limit=3, before=second[0].key)
        matched = window(match=parse_filter("model:o4-mini"))
        by_duration = window(match=None, sort=TraceSort.DURATION)
        return [first, second, back, matched, by_duration]

    with_rollup = pages()
    assert with_rollup[2] == with_rollup[0]
    assert len(with_rollup[3]) == 1
    with store.writer() as cur:
        cur.execute("drop table traces")
    assert pages() == with_rollup


def test_migration_0009_drops_the_traces_key_and_keeps_the_rollup(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    conn = migrated_to(path, 8)
    conn.execute(
        "insert into spans (trace_id, span_id, start_time, status, ingested_at, name) "
        "select 't' || (i % 3), 's' || i, timestamp '2026-01-01' + to_seconds(i), 'ok', "
        "timestamp '2026-01-02', 'span ' || i from range(10) r(i)"
    )
    rebuild(conn)
    constraints = "select constraint_type from duckdb_constraints() where table_name = 'traces'"
    assert ("PRIMARY KEY",) in conn.execute(constraints).fetchall()
    before = conn.execute("select * from traces order by trace_id").fetchall()
    conn.close()

    old = Store(path)
    old.initialise()
    with old.reader() as cur:
        assert ("PRIMARY KEY",) not in cur.execute(constraints).fetchall()
        assert cur.execute("select * from traces order by trace_id").fetchall() == before
    # Loads keep merging into the rebuilt table, one row per trace.
    _ingest(old, tmp_path / "more.jsonl", _trace("alpha", 0, 3), Pricer())
    assert_rollup_is_exact(old)
