"""The option conventions every built-in judge follows, written once.

A judge's options come from its table in `llmops.toml` (`[evals.judges.<name>]`), so they are
user input: every one is checked, an unknown name is refused with a did-you-mean, and every
problem is one `JudgeError` line naming the judge type and the option.

Judges that compare the answer with something (`exact`, `contains`, `regex`, `numeric`,
`similarity`, `json_schema`) find that something the same way (`reference`):

- `value = <literal>` in the options compares with that literal, for every case;
- otherwise the case's `expected`; when it is a mapping of named expectations,
  `field = "must_include"` (a dotted path: `field = "order.tracking"`) picks one member.

A case without the expectation is a `JudgeError` naming the case and the field, never a
silent pass.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from llmops_tui.plugin_api import Judge, JudgeError, JudgeInput

REFERENCE_OPTIONS = frozenset({"value", "field"})
"""The options of the comparison convention, accepted by every comparing judge."""

_MISSING = object()


@runtime_checkable
class CheckedJudge(Judge, Protocol):
    """A judge that can check its options before any case runs (every built-in can): a
    runner calls `check_options` once per suite judge, so a typo in `llmops.toml` stops the
    run at the start instead of erroring on every case."""

    def check_options(self, options: Mapping[str, Any]) -> None:
        """Raise `JudgeError` (one line, naming the option) when `options` are unusable."""
        ...


def excerpt(text: object, limit: int = 40) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis, for reasons and
    error messages (which are shown in a table cell and must stay one line)."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class NotExpected(Exception):
    """The case expects nothing of this judge and the judge says `if_missing = "pass"`."""


class JudgeOptions:
    """A judge's options, checked against the names it accepts.

    Each getter validates the type of one option and returns it with its default; a wrong
    type raises `JudgeError("<judge>: option 'x': expected ..., got ...")`.
    """

    def __init__(self, judge: str, options: Mapping[str, Any], allowed: Iterable[str]) -> None:
        self.judge = judge
        self.raw = options
        names = sorted(allowed)
        if "field" in names:
            # Judges that read the case's expectation may be told what a case without one
            # means: `if_missing = "pass"` (nothing to check) or "error" (the default).
            names = sorted([*names, "if_missing"])
        for key in options:
            if key not in names:
                close = difflib.get_close_matches(str(key), names, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                known = ", ".join(names) or "none"
                raise JudgeError(f"{judge}: unknown option {key!r}{hint}; options: {known}")

    def error(self, message: str) -> JudgeError:
        return JudgeError(f"{self.judge}: {message}")

    def _bad(self, name: str, expected: str, value: object) -> JudgeError:
        return self.error(f"option {name!r}: expected {expected}, got {excerpt(repr(value))}")

    def has(self, name: str) -> bool:
        return name in self.raw

    def flag(self, name: str, default: bool) -> bool:
        value = self.raw.get(name, default)
        if not isinstance(value, bool):
            raise self._bad(name, "true or false", value)
        return value

    def text(self, name: str, default: str | None = None, *, required: bool = False) -> str:
        value = self.raw.get(name, _MISSING)
        if value is _MISSING:
            if required or default is None:
                raise self.error(f"option {name!r} is required")
            return default
        if not isinstance(value, str) or not value:
            raise self._bad(name, "a non-empty string", value)
        return value

    def optional_text(self, name: str) -> str | None:
        return self.text(name) if name in self.raw else None

    def number(
        self, name: str, default: float | None = None, *, minimum: float | None = None
    ) -> float | None:
        value = self.raw.get(name, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._bad(name, "a number", value)
        if minimum is not None and value < minimum:
            raise self._bad(name, f"a number >= {minimum:g}", value)
        return float(value)

    def choice(self, name: str, choices: Sequence[str], default: str) -> str:
        value = self.raw.get(name, default)
        if value not in choices:
            raise self._bad(name, " or ".join(repr(c) for c in choices), value)
        return str(value)

    def strings(self, name: str, default: Sequence[str] = ()) -> tuple[str, ...]:
        """A string or a list of strings (a single string is a list of one)."""
        value = self.raw.get(name, default)
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise self._bad(name, "a string or a list of strings", value)
        return tuple(value)


def reference(item: JudgeInput, options: JudgeOptions) -> Any:
    """What a comparing judge compares the answer with: the `value` option, else the case's
    `expected` (or its member named by the `field` option, a dotted path)."""
    if options.has("value"):
        if options.has("field"):
            raise options.error("options 'value' and 'field' exclude each other")
        return options.raw["value"]
    case = item.case
    field = options.optional_text("field")
    missing = options.choice("if_missing", ("error", "pass"), "error")

    def absent(message: str) -> Exception:
        return NotExpected(message) if missing == "pass" else options.error(message)

    if field is None:
        if case.expected is None:
            raise absent(
                f"case {case.case_id!r} has no expected value "
                "(give the judge a `value` or the case an `expected`)"
            )
        return case.expected
    current: Any = case.expected
    for part in field.split("."):
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            raise absent(f"case {case.case_id!r} has no expected field {field!r}")
    if current is None:
        raise absent(f"case {case.case_id!r}: expected field {field!r} is empty")
    return current


def as_texts(value: Any, options: JudgeOptions) -> tuple[str, ...]:
    """A reference that must be text: a string, a number, or a list of them."""
    items = value if isinstance(value, list | tuple) else [value]
    texts = []
    for one in items:
        if isinstance(one, str):
            texts.append(one)
        elif isinstance(one, int | float) and not isinstance(one, bool):
            texts.append(str(one))
        else:
            raise options.error(_not_text(value, options))
    if not texts:
        raise options.error(f"{_source(options)} is an empty list")
    return tuple(texts)


def as_text(value: Any, options: JudgeOptions) -> str:
    """A reference that must be a single string (or a number, compared as written)."""
    if isinstance(value, list | tuple):
        raise options.error(f"expected one string to compare with, got a list of {len(value)}")
    return as_texts(value, options)[0]


def _source(options: JudgeOptions) -> str:
    return "option 'value'" if options.has("value") else "expected"


def _not_text(value: object, options: JudgeOptions) -> str:
    if isinstance(value, Mapping) and not options.has("value"):
        keys = ", ".join(str(k) for k in list(value)[:5])
        return f'expected is a mapping ({keys}): pick a member with `field = "..."`'
    return (
        f"{_source(options)}: expected a string, a number or a list of them, "
        f"got {excerpt(repr(value))}"
    )
