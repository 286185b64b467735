"""Text-matching judges: `exact`, `contains` and `regex`.

All three compare with a reference found by the shared convention (`options.reference`):
a `value` literal or the case's `expected` (a `field` of it). `exact` and `contains` take
`ignore_case`; `contains` scores the share of its values found, so a partial answer shows as
partial in a numeric comparison even though it fails.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from llmops_tui.builtin_plugins.judges.options import (
    REFERENCE_OPTIONS,
    JudgeOptions,
    as_text,
    as_texts,
    excerpt,
    reference,
)
from llmops_tui.plugin_api import JudgeInput, Score


def _quoted(values: list[str], limit: int = 3) -> str:
    shown = ", ".join(repr(excerpt(v, 24)) for v in values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


class Exact:
    """Passes when the answer equals the reference (or one of a list of references)."""

    name = "exact"
    description = "the answer equals the expected text (ignore_case, strip)"
    OPTIONS = REFERENCE_OPTIONS | {"ignore_case", "strip"}

    def _options(self, raw: Mapping[str, Any]) -> tuple[JudgeOptions, bool, bool]:
        options = JudgeOptions(self.name, raw, self.OPTIONS)
        return options, options.flag("ignore_case", False), options.flag("strip", True)

    def check_options(self, raw: Mapping[str, Any]) -> None:
        options = self._options(raw)[0]
        if options.has("value"):
            as_texts(options.raw["value"], options)

    def judge(self, item: JudgeInput) -> Score:
        options, ignore_case, strip = self._options(item.options)
        wanted = as_texts(reference(item, options), options)

        def norm(text: str) -> str:
            text = text.strip() if strip else text
            return text.casefold() if ignore_case else text

        answer = norm(item.output)
        if any(norm(w) == answer for w in wanted):
            return Score(passed=True, reason="equal")
        if len(wanted) == 1:
            why = f"expected {excerpt(wanted[0])!r}, got {excerpt(item.output)!r}"
        else:
            why = f"not one of {len(wanted)} expected answers; got {excerpt(item.output)!r}"
        return Score(passed=False, reason=why)


class Contains:
    """Looks for one or several values in the answer: all of them (default), any, or none."""

    name = "contains"
    description = "the answer contains the expected values (mode all/any/none, ignore_case)"
    OPTIONS = REFERENCE_OPTIONS | {"mode", "ignore_case"}
    MODES = ("all", "any", "none")

    def _options(self, raw: Mapping[str, Any]) -> tuple[JudgeOptions, str, bool]:
        options = JudgeOptions(self.name, raw, self.OPTIONS)
        return (
            options,
            options.choice("mode", self.MODES, "all"),
            options.flag("ignore_case", False),
        )

    def check_options(self, raw: Mapping[str, Any]) -> None:
        options = self._options(raw)[0]
        if options.has("value"):
            as_texts(options.raw["value"], options)

    def judge(self, item: JudgeInput) -> Score:
        options, mode, ignore_case = self._options(item.options)
        values = as_texts(reference(item, options), options)
        haystack = item.output.casefold() if ignore_case else item.output
        found = [v for v in values if (v.casefold() if ignore_case else v) in haystack]
        missing = [v for v in values if v not in found]
        share = len(found) / len(values)
        if mode == "all":
            if missing:
                return Score(passed=False, value=share, reason=f"missing {_quoted(missing)}")
            return Score(passed=True, value=1.0, reason=f"found all {len(values)}")
        if mode == "any":
            if found:
                return Score(passed=True, value=share, reason=f"found {_quoted(found, 1)}")
            return Score(passed=False, value=0.0, reason=f"none of {_quoted(missing)} found")
        if found:
            return Score(passed=False, value=1.0 - share, reason=f"contains {_quoted(found)}")
        return Score(passed=True, value=1.0, reason=f"none of {len(values)} present")


class Regex:
    """Passes when the reference pattern matches somewhere in the answer (or all of it)."""

    name = "regex"
    description = "the answer matches a regular expression (ignore_case, multiline, full)"
    OPTIONS = REFERENCE_OPTIONS | {"ignore_case", "multiline", "full"}

    def _options(self, raw: Mapping[str, Any]) -> tuple[JudgeOptions, int, bool]:
        options = JudgeOptions(self.name, raw, self.OPTIONS)
        flags = re.IGNORECASE if options.flag("ignore_case", False) else 0
        flags |= re.MULTILINE if options.flag("multiline", False) else 0
        return options, flags, options.flag("full", False)

    def check_options(self, raw: Mapping[str, Any]) -> None:
        options, flags, _ = self._options(raw)
        if options.has("value"):
            self._compile(as_text(options.raw["value"], options), flags, options)

    def _compile(self, pattern: str, flags: int, options: JudgeOptions) -> re.Pattern[str]:
        try:
            return re.compile(pattern, flags)  # `re` caches compiled patterns
        except re.error as error:
            raise options.error(f"bad pattern {excerpt(pattern)!r}: {error}") from None

    def judge(self, item: JudgeInput) -> Score:
        options, flags, full = self._options(item.options)
        pattern = self._compile(as_text(reference(item, options), options), flags, options)
        match = pattern.fullmatch(item.output) if full else pattern.search(item.output)
        if match is None:
            return Score(passed=False, reason=f"no match for /{excerpt(pattern.pattern)}/")
        return Score(passed=True, reason=f"matched {excerpt(match.group(0))!r}")
