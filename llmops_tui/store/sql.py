"""The one way a dynamic identifier enters SQL: through a whitelist."""

from __future__ import annotations

from collections.abc import Iterable

from llmops_tui.errors import LlmopsError


def ident(name: str, allowed: Iterable[str]) -> str:
    """Return `name` double-quoted if it is one of `allowed`, else refuse it."""
    allowed_set = set(allowed)
    if name not in allowed_set:
        choices = ", ".join(sorted(allowed_set))
        raise LlmopsError(f"unknown column {name!r}: expected one of {choices}")
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """Quote a constant that is compiled into SQL text (JSON paths built from our own data)."""
    return "'" + value.replace("'", "''") + "'"
