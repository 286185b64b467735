"""Budget judges: `length` of the answer, `latency` and `cost` of the call that produced it.

These judge the answer's shape and price rather than its content. `latency` and `cost` read
`item.response`, which imported results don't have: judging them there is a `JudgeError`,
and so is a response without a cost (an unpriced model), because passing a cost budget
nobody measured would hide exactly what the budget is for. `length` can take its maximum
per case from the case's `expected` (`field = "max_words"`), as a dataset often records it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from llmops_tui.builtin_plugins.judges.options import JudgeOptions, reference
from llmops_tui.plugin_api import JudgeInput, ProviderResponse, Score


def _response(item: JudgeInput, options: JudgeOptions) -> ProviderResponse:
    if item.response is None:
        raise options.error(
            f"case {item.case.case_id!r} has no model response to measure (an imported result)"
        )
    return item.response


class Length:
    """Passes when the answer's length in characters or words is within `min`..`max`."""

    name = "length"
    description = "the answer has min..max characters or words (max may come from expected)"
    OPTIONS = frozenset({"min", "max", "unit", "field"})

    def _options(self, raw: Mapping[str, Any]) -> tuple[JudgeOptions, float | None, str]:
        options = JudgeOptions(self.name, raw, self.OPTIONS)
        low = options.number("min", None, minimum=0)
        high = options.number("max", None, minimum=0)
        unit = options.choice("unit", ("chars", "words"), "chars")
        if options.has("max") and options.has("field"):
            raise options.error("options 'max' and 'field' exclude each other")
        if low is None and high is None and not options.has("field"):
            raise options.error("set 'min', 'max' or 'field' (the expected member with the max)")
        if low is not None and high is not None and low > high:
            raise options.error(f"'min' ({low:g}) is above 'max' ({high:g})")
        return options, low, unit

    def check_options(self, raw: Mapping[str, Any]) -> None:
        self._options(raw)

    def judge(self, item: JudgeInput) -> Score:
        options, low, unit = self._options(item.options)
        high = options.number("max", None)
        if options.has("field"):
            limit = reference(item, options)
            if isinstance(limit, bool) or not isinstance(limit, int | float):
                raise options.error(f"case {item.case.case_id!r}: the max must be a number")
            high = float(limit)
        size = len(item.output.split()) if unit == "words" else len(item.output)
        noun = "words" if unit == "words" else "characters"
        if low is not None and size < low:
            return Score(passed=False, reason=f"{size} {noun}, under min {low:g}")
        if high is not None and size > high:
            return Score(passed=False, reason=f"{size} {noun}, over max {high:g}")
        if low is not None and high is not None:
            bounds = f"within {low:g}..{high:g}"
        else:
            bounds = f"at least {low:g}" if low is not None else f"at most {high:g}"
        return Score(passed=True, reason=f"{size} {noun}, {bounds}")


class Latency:
    """Passes when the model answered within `max_ms` milliseconds."""

    name = "latency"
    description = "the model answered within max_ms milliseconds"
    OPTIONS = frozenset({"max_ms"})

    def _budget(self, raw: Mapping[str, Any]) -> tuple[JudgeOptions, float]:
        options = JudgeOptions(self.name, raw, self.OPTIONS)
        if not options.has("max_ms"):
            raise options.error("option 'max_ms' is required")
        return options, options.number("max_ms", minimum=0) or 0.0

    def check_options(self, raw: Mapping[str, Any]) -> None:
        self._budget(raw)

    def judge(self, item: JudgeInput) -> Score:
        options, budget = self._budget(item.options)
        took = _response(item, options).latency_ms
        if took > budget:
            return Score(passed=False, reason=f"{took:.0f} ms, over budget {budget:g} ms")
        return Score(passed=True, reason=f"{took:.0f} ms, within {budget:g} ms")


class Cost:
    """Passes when the call cost at most `max_usd`; a call without a cost can't be judged."""

    name = "cost"
    description = "the model call cost at most max_usd (an unpriced call is an error)"
    OPTIONS = frozenset({"max_usd"})

    def _budget(self, raw: Mapping[str, Any]) -> tuple[JudgeOptions, float]:
        options = JudgeOptions(self.name, raw, self.OPTIONS)
        if not options.has("max_usd"):
            raise options.error("option 'max_usd' is required")
        return options, options.number("max_usd", minimum=0) or 0.0

    def check_options(self, raw: Mapping[str, Any]) -> None:
        self._budget(raw)

    def judge(self, item: JudgeInput) -> Score:
        options, budget = self._budget(item.options)
        response = _response(item, options)
        if response.cost_usd is None:
            model = f" (model {response.model!r})" if response.model else ""
            raise options.error(
                f"case {item.case.case_id!r}: the answer has no cost{model}; "
                "price the model in [pricing.models] to budget it"
            )
        spent = response.cost_usd
        if spent > budget:
            return Score(passed=False, reason=f"${spent:.6g}, over budget ${budget:g}")
        return Score(passed=True, reason=f"${spent:.6g}, within ${budget:g}")
