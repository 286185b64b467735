"""The `numeric` judge: the number in the answer, within a tolerance of the expected one.

Answers are prose ("The refund is $1,234.50."), so the judge extracts the numbers first:
thousands separators are dropped, and digits glued to letters and more digits (an order id
like `A4821937`, a tracking number) are not numbers. With several numbers in the answer,
`pick` says which one is the answer: the `last` (default, where models state results), the
`first`, or `only` (fail when there is more than one).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from llmops_tui.builtin_plugins.judges.options import (
    REFERENCE_OPTIONS,
    JudgeOptions,
    excerpt,
    reference,
)
from llmops_tui.plugin_api import JudgeInput, Score

NUMBER = re.compile(
    r"(?<![\w.])[-+]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?"
    r"(?!\w*\d)"
)


def numbers_in(text: str) -> list[float]:
    """Every number written in `text`, in order."""
    return [float(m.group(0).replace(",", "")) for m in NUMBER.finditer(text)]


def _fmt(number: float) -> str:
    return f"{number:g}" if abs(number) < 1e15 else repr(number)


class Numeric:
    """Passes when the answer's number is within `abs_tol` or `rel_tol` of the reference."""

    name = "numeric"
    description = "the number in the answer is within abs_tol/rel_tol of the expected one"
    OPTIONS = REFERENCE_OPTIONS | {"abs_tol", "rel_tol", "pick"}

    def _options(self, raw: Mapping[str, Any]) -> tuple[JudgeOptions, float, float, str]:
        options = JudgeOptions(self.name, raw, self.OPTIONS)
        abs_tol = options.number("abs_tol", 0.0, minimum=0) or 0.0
        rel_tol = options.number("rel_tol", 0.0, minimum=0) or 0.0
        return options, abs_tol, rel_tol, options.choice("pick", ("last", "first", "only"), "last")

    def check_options(self, raw: Mapping[str, Any]) -> None:
        options, *_ = self._options(raw)
        if options.has("value"):
            self._expected(options.raw["value"], options)

    def _expected(self, value: Any, options: JudgeOptions) -> float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            found = numbers_in(value)
            if len(found) == 1:
                return found[0]
        raise options.error(f"expected a number to compare with, got {excerpt(repr(value))}")

    def judge(self, item: JudgeInput) -> Score:
        options, abs_tol, rel_tol, pick = self._options(item.options)
        expected = self._expected(reference(item, options), options)
        bounds = [_fmt(abs_tol)] if abs_tol else []
        bounds += [f"{rel_tol * 100:g}%"] if rel_tol else []
        wanted = f"expected {_fmt(expected)}" + (f" ± {' or '.join(bounds)}" if bounds else "")
        found = numbers_in(item.output)
        if not found:
            return Score(passed=False, value=0.0, reason=f"no number in the answer; {wanted}")
        if pick == "only" and len(found) > 1:
            return Score(passed=False, value=0.0, reason=f"{len(found)} numbers in the answer")
        got = found[0] if pick == "first" else found[-1]
        error = abs(got - expected)
        closeness = 1.0 if error == 0 else max(0.0, 1.0 - error / max(abs(expected), 1e-12))
        passed = math.isclose(got, expected, rel_tol=rel_tol, abs_tol=abs_tol)
        return Score(passed=passed, value=closeness, reason=f"got {_fmt(got)}, {wanted}")
