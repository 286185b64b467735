"""The Traces filter language: what a user types after `/`, parsed into typed terms.

Parsing is pure (no SQL, no I/O) so the filter bar can check the text as it is typed and show
an error inline while the previous filter stays in force; `store/filter_sql.py` then compiles
the parsed terms into a parameterised expression, so user text only ever reaches DuckDB as a
bound value, never as SQL.

The language::

    model:gpt-4o status:error env:production prompt:support@3 latency>2s cost>0.01 "free text"

- Terms are separated by whitespace and ANDed.
- `field:value` matches a text field. Repeating a field ORs its values:
  `model:gpt-4o model:claude-sonnet-4-5` is either model.
- `field>value`, `field<value`, `field>=value`, `field<=value` compare a numeric field
  (latency/duration, cost, tokens, input_tokens, output_tokens); `latency:2s` is an error.
- `-term` negates a term (`-env:staging`, `-"rate limit"`); spans where the field is empty
  count as not matching, so they are kept.
- Values may be double-quoted with backslash escapes: `user:"a b"`, `name:"say \\"hi\\""`.
- Any other word, or a quoted string, is free text: a case-insensitive substring of the span
  name, input, output or status message. Quote text that looks like a field (`"a:b"`).
- `*` is a wildcard in `model` and `name`, which match case-insensitively; provider, kind,
  operation and env ignore case too; ids (user, session, release, service, prompt) are exact.
- `prompt:support@3` also matches a stored version `v3`; `prompt:support` is any version.
- `trace:` takes a hex prefix of the trace id. Durations take ms, s or m (a bare number is ms);
  cost is USD (`cost>$0.01` works too).
- Limits: 500 characters, 30 terms; numbers finite and at most 1e12 (1e6 for cost).
- Time is not part of the language: the screen has its own time range.

A problem raises `FilterError` with the 0-based offset of the offending character.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Final, TypeAlias, TypeVar

from llmops_tui.errors import LlmopsError

MAX_LENGTH: Final = 500
MAX_TERMS: Final = 30
MAX_NUMBER: Final = 1e12
"""The largest token count or latency (in ms) a comparison accepts."""
MAX_COST: Final = 1e6

FIELDS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "model": "request or response model; * is a wildcard (model:gpt-4o*)",
        "provider": "provider, e.g. openai or anthropic",
        "status": "span status: ok, error or unset",
        "env": "deployment environment, e.g. production",
        "prompt": "prompt name, or name@version (support@3 also matches v3)",
        "release": "release id",
        "user": "end-user id",
        "session": "session id",
        "service": "service name",
        "trace": "trace id prefix, hex (trace:4bf92f)",
        "name": "span name; * is a wildcard (name:retrieve*)",
        "kind": "span kind: client, server, internal, producer or consumer",
        "operation": "GenAI operation, e.g. chat or embeddings",
        "latency": "span duration, compared: latency>2s (ms, s or m; a bare number is ms)",
        "duration": "same as latency",
        "cost": "cost in USD, compared: cost>0.01",
        "tokens": "input + output tokens, compared: tokens>1000",
        "input_tokens": "input tokens (cache reads included), compared: input_tokens>5000",
        "output_tokens": "output tokens (reasoning included), compared: output_tokens<10",
    }
)
"""Every field with a one-line description, in the order the help shows them."""

ALIASES: Final[Mapping[str, str]] = MappingProxyType({"duration": "latency"})
NUMERIC_FIELDS: Final = frozenset({"latency", "cost", "tokens", "input_tokens", "output_tokens"})
WILDCARD_FIELDS: Final = frozenset({"model", "name"})
STATUSES: Final = ("ok", "error", "unset")

_FIELD_OP = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(>=|<=|:|>|<)")
_FIELD_EQUALS = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=")
_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_DURATION = re.compile(rf"({_NUMBER})(ms|s|m)?", re.IGNORECASE)
_COST = re.compile(rf"\$?({_NUMBER})")
_COUNT = re.compile(rf"({_NUMBER})")
_TO_MS: Final = {"ms": 1.0, "s": 1000.0, "m": 60_000.0}
_HEX = re.compile(r"[0-9a-fA-F]{1,32}")
_VERSION = re.compile(r"[vV]?(\d+(?:\.\d+)*)")
_T = TypeVar("_T")


class FilterError(LlmopsError):
    """The filter text can't be used; `position` is the 0-based offset of the problem."""

    def __init__(self, message: str, position: int, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.position = position


class Comparison(StrEnum):
    GT = ">"
    GE = ">="
    LT = "<"
    LE = "<="


@dataclass(frozen=True, slots=True)
class MatchTerm:
    """`field:value` on a text field; the values of a repeated field are ORed."""

    field: str
    values: tuple[str, ...]
    negated: bool = False


@dataclass(frozen=True, slots=True)
class PromptRef:
    """`name` or `name@version`; a version typed as `v3` is kept as `3`."""

    name: str
    version: str | None = None

    @property
    def stored_versions(self) -> tuple[str, ...]:
        """The spellings a span may carry for `version`: `3` is stored as `3` or `v3`."""
        if self.version is None:
            return ()
        if _VERSION.fullmatch(self.version) and self.version[0].isdigit():
            return (self.version, "v" + self.version)
        return (self.version,)


@dataclass(frozen=True, slots=True)
class PromptTerm:
    """`prompt:name[@version]`; repeated prompts are ORed."""

    refs: tuple[PromptRef, ...]
    negated: bool = False


@dataclass(frozen=True, slots=True)
class CompareTerm:
    """`field>value` on a numeric field; latency is in ms, cost in USD."""

    field: str
    op: Comparison
    value: float
    negated: bool = False


@dataclass(frozen=True, slots=True)
class TextTerm:
    """Free text: a case-insensitive substring of name, input, output or status message."""

    text: str
    negated: bool = False


Term: TypeAlias = MatchTerm | PromptTerm | CompareTerm | TextTerm


@dataclass(frozen=True, slots=True)
class TraceFilter:
    """The parsed filter: its terms are ANDed; no terms matches every span."""

    terms: tuple[Term, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.terms


def parse_filter(text: str) -> TraceFilter:
    """Parse the filter bar's text; raises `FilterError` for anything it can't use."""
    if len(text) > MAX_LENGTH:
        message = f"filter too long: {len(text)} characters, at most {MAX_LENGTH}"
        raise FilterError(message, MAX_LENGTH)
    for i, ch in enumerate(text):
        if unicodedata.category(ch) == "Cc" and not ch.isspace():
            raise FilterError(f"unexpected control character at {i}", i)
    terms: list[Term] = []
    groups: dict[tuple[str, bool], int] = {}
    count, pos = 0, 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return TraceFilter(tuple(terms))
        count += 1
        if count > MAX_TERMS:
            raise FilterError(f"too many terms at {pos}: at most {MAX_TERMS}", pos)
        term, pos = _term(text, pos)
        if term is not None:
            _add(terms, groups, term)


def _add(terms: list[Term], groups: dict[tuple[str, bool], int], term: Term) -> None:
    """Append `term`, or fold it into an earlier term on the same field (values ORed)."""
    if isinstance(term, MatchTerm | PromptTerm):
        key = (term.field if isinstance(term, MatchTerm) else "prompt", term.negated)
        if key in groups:
            old = terms[groups[key]]
            if isinstance(old, MatchTerm) and isinstance(term, MatchTerm):
                merged: Term = replace(old, values=_unique(old.values + term.values))
            elif isinstance(old, PromptTerm) and isinstance(term, PromptTerm):
                merged = replace(old, refs=_unique(old.refs + term.refs))
            else:  # pragma: no cover - keys separate the two kinds
                raise AssertionError(key)
            terms[groups[key]] = merged
            return
        groups[key] = len(terms)
    terms.append(term)


def _term(text: str, start: int) -> tuple[Term | None, int]:
    """One term starting at `start` (not whitespace); None for empty quotes."""
    pos, negated = start, False
    after = text[pos + 1 : pos + 2]
    if text[pos] == "-" and after and after != "-" and not after.isspace():  # `--` is text
        pos, negated = pos + 1, True
    if text[pos] == '"':
        quoted, end = _quoted(text, pos)
        return (TextTerm(quoted, negated) if quoted else None), end
    match = _FIELD_OP.match(text, pos)
    if match is None:
        word, end = _bare(text, pos)
        equals = _FIELD_EQUALS.match(word)
        if equals and equals.group(1).lower() in FIELDS:
            at = pos + len(equals.group(1))
            message = f"unexpected '=' at {at} (use ':' for text, or >, <, >=, <= for numbers)"
            raise FilterError(f"{equals.group(1).lower()}: {message}", at)
        return TextTerm(word, negated), end
    name, op, at = match.group(1).lower(), match.group(2), match.end()
    if name not in FIELDS:
        raise _unknown_field(match.group(1), pos)
    if at >= len(text) or text[at].isspace():
        raise FilterError(f"{name}: missing value at {at}", at)
    value, end = _quoted(text, at) if text[at] == '"' else _bare(text, at)
    if not value:
        raise FilterError(f"{name}: empty value at {at}", at)
    return _field_term(name, ALIASES.get(name, name), op, value, negated, at), end


def _field_term(name: str, field: str, op: str, value: str, negated: bool, at: int) -> Term:
    if field in NUMERIC_FIELDS:
        if op == ":":
            example = {"latency": "2s", "cost": "0.01"}.get(field, "1000")
            message = f"{name}: compare with >, <, >= or <= (e.g. {name}>{example}), not ':'"
            raise FilterError(message, at - 1)
        return CompareTerm(field, Comparison(op), _number(name, field, value, at), negated)
    if op != ":":
        message = f"{name}: '{op}' compares numbers only; use {name}:value"
        raise FilterError(message, at - len(op))
    if "*" in value and field not in WILDCARD_FIELDS:
        raise FilterError(f"{name}: wildcards (*) work only in model and name", at)
    if field == "prompt":
        return PromptTerm((_prompt(value, at),), negated)
    if field == "status":
        if value.lower() not in STATUSES:
            raise FilterError(f"status: expected ok, error or unset, got {_show(value)}", at)
        value = value.lower()
    if field == "trace":
        if not _HEX.fullmatch(value):
            message = f"trace: expected a hex trace id prefix (up to 32 digits), got {_show(value)}"
            raise FilterError(message, at)
        value = value.lower()
    return MatchTerm(field, (value,), negated)


def _number(name: str, field: str, value: str, at: int) -> float:
    if field == "latency":
        match, expected = _DURATION.fullmatch(value), "a duration like 250ms, 2s or 1.5m"
    elif field == "cost":
        match, expected = _COST.fullmatch(value), "an amount in USD like 0.01"
    else:
        match, expected = _COUNT.fullmatch(value), "a number of tokens like 1000"
    if match is None:
        raise FilterError(f"{name}: expected {expected}, got {_show(value)}", at)
    number = float(match.group(1))
    if field == "latency":
        number *= _TO_MS[(match.group(2) or "ms").lower()]
    limit = MAX_COST if field == "cost" else MAX_NUMBER
    if not math.isfinite(number) or number > limit:
        raise FilterError(f"{name}: number too large (at most {limit:,.0f})", at)
    return number


def _prompt(value: str, at: int) -> PromptRef:
    if "@" not in value:
        return PromptRef(value)
    prompt, _, version = value.rpartition("@")
    if not prompt or not version:
        raise FilterError(f"prompt: expected name or name@version, got {_show(value)}", at)
    numeric = _VERSION.fullmatch(version)
    return PromptRef(prompt, numeric.group(1) if numeric else version)


def _quoted(text: str, start: int) -> tuple[str, int]:
    """The string opened by the quote at `start`, unescaped, and the offset after it."""
    chars: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            chars.append(text[i + 1])
            i += 2
        elif ch == '"':
            if i + 1 < len(text) and not text[i + 1].isspace():
                raise FilterError(f"expected a space after the closing quote at {i + 1}", i + 1)
            return "".join(chars), i + 1
        else:
            chars.append(ch)
            i += 1
    raise FilterError(f"unbalanced quote at {start}", start, hint='close it with " or write \\"')


def _bare(text: str, start: int) -> tuple[str, int]:
    """An unquoted word: everything up to the next whitespace."""
    i = start
    while i < len(text) and not text[i].isspace():
        if text[i] == '"':
            raise FilterError(f"unexpected quote at {i}", i, hint='quote the whole value: "a b"')
        i += 1
    return text[start:i], i


def _unknown_field(name: str, pos: int) -> FilterError:
    close = difflib.get_close_matches(name.lower(), list(FIELDS), n=1)
    suggestion = f" (did you mean {close[0]!r}?)" if close else ""
    hint = f"fields: {', '.join(FIELDS)}; quote text that contains ':', '<' or '>'"
    return FilterError(f"unknown field {name!r} at {pos}{suggestion}", pos, hint=hint)


def _show(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:37] + "...")


def _unique(items: tuple[_T, ...]) -> tuple[_T, ...]:
    return tuple(dict.fromkeys(items))
