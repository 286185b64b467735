"""Compile a parsed Traces filter (`domain/filters.py`) into a parameterised SQL condition.

The parser has already checked every value; this module only decides how each field reads the
`spans` table. Safety rests on two rules (STYLE rule 5): the SQL text is assembled only from
the fixed fragments below, whose column names pass through `ident()`, and every user value
travels as a positional `?` parameter. A hostile filter such as `'; DROP TABLE spans; --` is
therefore only a string DuckDB looks for.

How fields match:

- model and name: `ilike` with `*` as the wildcard; `%`, `_` and `\\` in the user's value are
  escaped so they match literally;
- provider, kind, operation and env: case-insensitive equality; status, ids and names: exact;
- trace: a prefix of trace_id; prompt: prompt_name, plus the stored spellings of the version
  (`3` or `v3`);
- free text: a case-insensitive substring of name, input_text, output_text or status_message;
- comparisons: duration_ms, cost_usd, input_tokens, output_tokens, and for `tokens` the sum
  coalesce(input_tokens, 0) + coalesce(output_tokens, 0); spans with no value never compare true;
- a negated term is `not coalesce(<term>, false)`: a span whose field is NULL does not match the
  term, so the negation keeps it.

The caller puts the expression in its `where` clause and passes the parameters in order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, assert_never

from llmops_tui.domain.filters import (
    CompareTerm,
    Comparison,
    MatchTerm,
    PromptRef,
    PromptTerm,
    Term,
    TextTerm,
    TraceFilter,
)
from llmops_tui.domain.spans import SPAN_COLUMNS
from llmops_tui.store.sql import ident

EMPTY_FILTER_SQL: Final = "true"
NEGATED_SQL: Final = "not coalesce({term}, false)"
LIKE_SQL: Final = "{col} ilike ? escape '\\'"
FOLDED_EQUALS_SQL: Final = "lower({col}) = lower(?)"
EQUALS_SQL: Final = "{col} = ?"
PREFIX_SQL: Final = "starts_with({col}, ?)"
CONTAINS_SQL: Final = "contains(lower({col}), lower(?))"
TOKENS_SQL: Final = "(coalesce({input_tokens}, 0) + coalesce({output_tokens}, 0))"
PROMPT_NAME_SQL: Final = "{prompt_name} = ?"
PROMPT_VERSION_SQL: Final = "({prompt_name} = ? and {prompt_version} in ({versions}))"

MATCH_COLUMNS: Final[Mapping[str, tuple[str, tuple[str, ...]]]] = MappingProxyType(
    {
        "model": (LIKE_SQL, ("request_model", "response_model")),
        "name": (LIKE_SQL, ("name",)),
        "provider": (FOLDED_EQUALS_SQL, ("provider",)),
        "kind": (FOLDED_EQUALS_SQL, ("kind",)),
        "operation": (FOLDED_EQUALS_SQL, ("operation",)),
        "env": (FOLDED_EQUALS_SQL, ("environment",)),
        "status": (EQUALS_SQL, ("status",)),
        "release": (EQUALS_SQL, ("release_id",)),
        "user": (EQUALS_SQL, ("user_id",)),
        "session": (EQUALS_SQL, ("session_id",)),
        "service": (EQUALS_SQL, ("service_name",)),
        "trace": (PREFIX_SQL, ("trace_id",)),
    }
)
"""The whitelist for `field:value`: how each text field compares, and the columns it reads."""

NUMERIC_EXPRESSIONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "latency": "{duration_ms}",
        "cost": "{cost_usd}",
        "tokens": TOKENS_SQL,
        "input_tokens": "{input_tokens}",
        "output_tokens": "{output_tokens}",
    }
)
"""The whitelist for comparisons: the expression each numeric field compares."""

FREE_TEXT_COLUMNS: Final = ("name", "input_text", "output_text", "status_message")

OPERATORS: Final[Mapping[Comparison, str]] = MappingProxyType(
    {Comparison.GT: ">", Comparison.GE: ">=", Comparison.LT: "<", Comparison.LE: "<="}
)

_ALIAS = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _Columns(dict[str, str]):
    """Format-map for the fragments: `{column}` becomes the whitelisted, quoted column name."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self._prefix = prefix

    def __missing__(self, column: str) -> str:
        return self._prefix + ident(column, SPAN_COLUMNS)


def compile_filter(f: TraceFilter, *, alias: str = "") -> tuple[str, list[object]]:
    """The condition for `where` and its positional parameters; `"true"` for an empty filter.

    Args:
        f: a parsed filter (`parse_filter`).
        alias: the table alias of `spans` in the caller's query (`s` for `from spans s`).

    Returns:
        `(sql, params)`: a boolean expression with `?` placeholders, and their values in order.
    """
    if alias and not _ALIAS.fullmatch(alias):
        raise ValueError(f"not a table alias: {alias!r}")
    if f.is_empty:
        return EMPTY_FILTER_SQL, []
    columns = _Columns(f'"{alias}".' if alias else "")
    parts: list[str] = []
    params: list[object] = []
    for term in f.terms:
        sql, values = _term(term, columns)
        parts.append(NEGATED_SQL.format(term=sql) if term.negated else sql)
        params.extend(values)
    return " and ".join(parts), params


def _term(term: Term, columns: _Columns) -> tuple[str, list[object]]:
    if isinstance(term, MatchTerm):
        fragment, names = MATCH_COLUMNS[term.field]
        is_like = fragment == LIKE_SQL
        values = [like_pattern(v) if is_like else v for v in term.values]
        return _any(fragment, names, values, columns)
    if isinstance(term, PromptTerm):
        return _either([_prompt(ref, columns) for ref in term.refs])
    if isinstance(term, CompareTerm):
        expression = NUMERIC_EXPRESSIONS[term.field].format_map(columns)
        return f"{expression} {OPERATORS[term.op]} ?", [term.value]
    if isinstance(term, TextTerm):
        return _any(CONTAINS_SQL, FREE_TEXT_COLUMNS, [term.text], columns)
    assert_never(term)


def _any(
    fragment: str, names: tuple[str, ...], values: list[str], columns: _Columns
) -> tuple[str, list[object]]:
    """`fragment` for every value on every column, ORed."""
    return _either(
        [(fragment.format(col=columns[name]), [value]) for value in values for name in names]
    )


def _prompt(ref: PromptRef, columns: _Columns) -> tuple[str, list[object]]:
    versions = ref.stored_versions
    if not versions:
        return PROMPT_NAME_SQL.format_map(columns), [ref.name]
    sql = PROMPT_VERSION_SQL.format(
        prompt_name=columns["prompt_name"],
        prompt_version=columns["prompt_version"],
        versions=", ".join("?" for _ in versions),
    )
    return sql, [ref.name, *versions]


def _either(alternatives: list[tuple[str, list[object]]]) -> tuple[str, list[object]]:
    """OR the alternatives, in parentheses when there is more than one."""
    params = [value for _, values in alternatives for value in values]
    if len(alternatives) == 1:
        return alternatives[0][0], params
    return "(" + " or ".join(sql for sql, _ in alternatives) + ")", params


def like_pattern(value: str) -> str:
    """A user's value as an `ilike ... escape '\\'` pattern: `*` is the only wildcard."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%")
