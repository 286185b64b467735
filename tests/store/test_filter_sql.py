"""Compiled filters against a real DuckDB: each one selects exactly the expected spans.

Ten hand-made spans are loaded once per module; every test only reads them. The hostile cases
prove that user text is bound as a value: the table keeps every row and nothing matches.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import duckdb
import pytest

from llmops_tui.domain.filters import FIELDS, NUMERIC_FIELDS, TraceFilter, parse_filter
from llmops_tui.store import Store
from llmops_tui.store.filter_sql import compile_filter, like_pattern

COLUMNS = (
    "span_id", "trace_id", "name", "kind", "status", "status_message", "operation", "provider",
    "request_model", "response_model", "input_tokens", "output_tokens", "cost_usd",
    "duration_ms", "prompt_name", "prompt_version", "release_id", "environment", "service_name",
    "user_id", "session_id", "input_text", "output_text",
)  # fmt: skip

ROWS: list[tuple[Any, ...]] = [
    ("s01", "aaaa0001", "chat gpt-4o", "client", "ok", None, "chat", "openai",
     "gpt-4o", "gpt-4o-2024-08-06", 1000, 200, 0.02,
     2500.0, "support", "3", "r1", "production", "api",
     "u123", "sess1", "How do I reset my password?", "Click 'Forgot password'."),
    ("s02", "aaaa0002", "chat claude", "client", "error", "Rate limit exceeded", "chat",
     "anthropic", "claude-sonnet-4-5", None, 300, 0, 0.005,
     800.0, "support", "v3", "r1", "production", "api",
     "u456", "sess2", "I want a refund", None),
    ("s03", "bbbb0003", "chat gpt-4o-mini", "client", "ok", None, "chat", "openai",
     "gpt-4o-mini", "gpt-4o-mini", 50, 20, 0.0001,
     150.0, "support", "4", "r2", "staging", "api",
     "u123", "sess1", "summarise this", "Summary: short"),
    ("s04", "bbbb0004", "retrieve", "internal", "ok", None, None, None,
     None, None, None, None, None,
     30.0, None, None, None, "production", "retriever",
     "u123", None, None, None),
    ("s05", "cccc0005", "100%_done", "internal", "unset", None, None, None,
     None, None, None, None, None,
     None, None, None, None, None, None,
     None, None, "progress 100%_done", None),
    ("s06", "cccc0006", "1000 tasks done", "internal", "ok", None, None, None,
     None, None, None, None, None,
     5.0, None, None, None, "production", None,
     None, None, None, None),
    ("s07", "dddd0007", "embed", "client", "ok", None, "embeddings", "openai",
     "text-embedding-3-small", None, 500, None, 0.00001,
     60.0, None, None, None, "development", "api",
     "a b", None, None, None),
    ("s08", "dddd0008", "chat gpt-4o", "client", "error", "timeout after 60s", "chat", "openai",
     "gpt-4o", "gpt-4o", 4000, 1000, 1.5,
     65_000.0, "billing", "2", "r3", "Production", "api",
     "u789", None, "Why was I charged twice?", None),
    ("s09", "eeee0009", "tool: search_web", "internal", "ok", None, "execute_tool", None,
     None, None, None, None, None,
     1200.0, None, None, None, "production", "api",
     None, None, "DROP TABLE spans", None),
    ("s10", "eeee0010", "chat o1", "client", "ok", None, "chat", "openai",
     "o1", "o1-2024-12-17", 2000, 8000, 0.5,
     30_000.0, "support", "latest", "r2", "production", "api",
     "u123", "sess3", "plan my trip", "Here is a plan"),
]  # fmt: skip
ALL = [row[0] for row in ROWS]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = Store(tmp_path_factory.mktemp("filters") / "x.duckdb")
    store.initialise()
    columns = (*COLUMNS, "start_time", "ingested_at")
    marks = ", ".join("?" for _ in columns)
    at = datetime(2026, 11, 20, 12, 0, 0)
    rows = [(r[0], r[1].ljust(32, "0"), *r[2:], at, at) for r in ROWS]
    with store.writer() as cur:
        cur.executemany(f"insert into spans ({', '.join(columns)}) values ({marks})", rows)
    with store.reader():  # keep the file open across the module's reads
        yield store


def select(store: Store, text: str) -> list[str]:
    where, params = compile_filter(parse_filter(text))
    with store.reader() as cur:
        sql = f"select span_id from spans where {where} order by span_id"
        return [row[0] for row in cur.execute(sql, params).fetchall()]


def count(store: Store) -> int:
    with store.reader() as cur:
        row = cur.execute("select count(*) from spans").fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ALL),
        # model: request or response model, case-insensitive, * wildcard, repeats ORed
        ("model:gpt-4o", ["s01", "s08"]),
        ("model:GPT-4O", ["s01", "s08"]),
        ("model:gpt-4o*", ["s01", "s03", "s08"]),
        ("model:gpt-4o-2024*", ["s01"]),
        ("model:*mini", ["s03"]),
        ("model:gpt-4o model:claude-sonnet-4-5", ["s01", "s02", "s08"]),
        ("-model:gpt-4o*", ["s02", "s04", "s05", "s06", "s07", "s09", "s10"]),
        ("provider:OpenAI", ["s01", "s03", "s07", "s08", "s10"]),
        ("status:error", ["s02", "s08"]),
        ("status:error status:unset", ["s02", "s05", "s08"]),
        ("env:production", ["s01", "s02", "s04", "s06", "s08", "s09", "s10"]),
        ("-env:production", ["s03", "s05", "s07"]),
        ("prompt:support", ["s01", "s02", "s03", "s10"]),
        ("prompt:support@3", ["s01", "s02"]),
        ("prompt:support@v3", ["s01", "s02"]),
        ("prompt:support@4", ["s03"]),
        ("prompt:support@latest", ["s10"]),
        ("prompt:support@3 prompt:billing", ["s01", "s02", "s08"]),
        ("-prompt:support", ["s04", "s05", "s06", "s07", "s08", "s09"]),
        ("release:r1", ["s01", "s02"]),
        ("release:R1", []),
        ("user:u123", ["s01", "s03", "s04", "s10"]),
        ('user:"a b"', ["s07"]),
        ("session:sess1", ["s01", "s03"]),
        ("service:retriever", ["s04"]),
        ("trace:aaaa", ["s01", "s02"]),
        ("trace:AAAA0001", ["s01"]),
        ("name:retrieve", ["s04"]),
        ("name:chat*", ["s01", "s02", "s03", "s08", "s10"]),
        ('name:"tool: *"', ["s09"]),
        ("kind:internal", ["s04", "s05", "s06", "s09"]),
        ("kind:CLIENT", ["s01", "s02", "s03", "s07", "s08", "s10"]),
        ("operation:embeddings", ["s07"]),
        # comparisons: NULL never compares true, so a negation keeps it
        ("latency>2s", ["s01", "s08", "s10"]),
        ("latency>=2500ms", ["s01", "s08", "s10"]),
        ("latency<100", ["s04", "s06", "s07"]),
        ("duration>1m", ["s08"]),
        ("latency>100ms latency<1s", ["s02", "s03"]),
        ("-latency>2s", ["s02", "s03", "s04", "s05", "s06", "s07", "s09"]),
        ("cost>0.01", ["s01", "s08", "s10"]),
        ("cost<$0.001", ["s03", "s07"]),
        ("tokens>5000", ["s10"]),
        ("tokens>=5000", ["s08", "s10"]),
        ("tokens<100", ["s03", "s04", "s05", "s06", "s09"]),
        ("input_tokens>=1000", ["s01", "s08", "s10"]),
        ("output_tokens<1", ["s02"]),
        # free text over name, input, output and status message (NULLs included)
        ("password", ["s01"]),
        ("RATE LIMIT", ["s02"]),
        ('"rate limit"', ["s02"]),
        ('"charged twice"', ["s08"]),
        ("summary", ["s03"]),
        ("-password", ["s02", "s03", "s04", "s05", "s06", "s07", "s08", "s09", "s10"]),
        ("status:error timeout", ["s08"]),
        ("model:gpt-4o* -status:error env:production", ["s01"]),
    ],
)
def test_filter_selects_exactly(store: Store, text: str, expected: list[str]) -> None:
    assert select(store, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name:100%_done", ["s05"]),
        ("100%", ["s05"]),
        ("%_done", ["s05"]),
        ("name:100*done", ["s05", "s06"]),
        ("model:gpt_4o", []),
        ("model:%", []),
        ("name:_", []),
        ('name:"tool: search_web"', ["s09"]),
        ("name:*search\\_web", []),  # unquoted, the backslash is a literal character
    ],
)
def test_percent_and_underscore_match_literally(
    store: Store, text: str, expected: list[str]
) -> None:
    assert select(store, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "'; DROP TABLE spans; --",
        'name:"x\' or 1=1 --"',
        "user:\"' or ''='\"",
        'model:"*\' or 1=1; delete from spans; --"',
        '"\') or true --"',
        "env:?",
        "trace:0 ; drop table spans",
    ],
)
def test_hostile_input_is_bound_as_a_value(store: Store, text: str) -> None:
    where, params = compile_filter(parse_filter(text))
    assert "drop" not in where.lower()
    assert "1=1" not in where
    assert where.count("?") == len(params)  # every user value is a placeholder
    assert select(store, text) == []
    assert count(store) == len(ROWS)


def test_empty_filter_is_true() -> None:
    assert compile_filter(TraceFilter()) == ("true", [])


def test_alias_qualifies_every_column(store: Store) -> None:
    text = "model:gpt-4o* -status:error tokens>0 prompt:support@3 trace:a password"
    where, params = compile_filter(parse_filter(text), alias="s")
    sql = f"select s.span_id from spans s join spans p using (trace_id, span_id) where {where}"
    with store.reader() as cur:
        assert cur.execute(sql, params).fetchall() == [("s01",)]
        # Unqualified, the same columns are ambiguous in this join, which proves the prefix.
        bare, bare_params = compile_filter(parse_filter("model:gpt-4o"))
        with pytest.raises(duckdb.BinderException):
            cur.execute(f"select 1 from spans s join spans p on true where {bare}", bare_params)


@pytest.mark.parametrize("alias", ["s.x", "s; drop table spans", '"s"', "1s"])
def test_a_bad_alias_is_refused(alias: str) -> None:
    with pytest.raises(ValueError, match="not a table alias"):
        compile_filter(parse_filter("x"), alias=alias)


def test_every_documented_field_runs(store: Store) -> None:
    for field in FIELDS:
        numeric = field in NUMERIC_FIELDS or field == "duration"
        text = f"{field}>0 -{field}<1" if numeric else f"{field}:ab -{field}:cd"
        if field == "status":
            text = "status:ok -status:error"
        select(store, text)  # raises if any field compiles to SQL DuckDB rejects


def test_like_pattern_escapes_everything_but_the_star() -> None:
    assert like_pattern(r"a*b%c_d\e") == r"a%b\%c\_d\\e"


def test_a_lone_star_means_any_value(store: Store) -> None:
    assert select(store, "model:*") == ["s01", "s02", "s03", "s07", "s08", "s10"]
    assert select(store, "-model:*") == ["s04", "s05", "s06", "s09"]
