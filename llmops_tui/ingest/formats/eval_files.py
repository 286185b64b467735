"""What the eval importers share: their output, their errors, times, models and usage.

An eval file is read whole and becomes one or more `EvalImport`s (a run and its results), or
fails as a whole with one line naming where. Unlike a trace file, nothing is skipped: a run
missing the case that broke would report a pass rate the tool never measured, and compare and
gate would trust it. The importers never touch the store (an import-linter contract); the
ingest pipeline hands their output to `store.evals.import_run`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from llmops_tui.domain.evals import EvalResult, EvalRun
from llmops_tui.ingest.formats import RecordError
from llmops_tui.ingest.formats.common import JsonObject, fail, get_count, iso_to_ns

_NS_PER_US = 1000


class EvalFileError(RecordError):
    """An eval file can't be imported; `line` is set for line-framed files (OpenAI Evals)."""

    def __init__(self, reason: str, *, line: int | None = None) -> None:
        super().__init__(reason)
        self.line = line


@dataclass(frozen=True, slots=True)
class EvalImport:
    """One run as a tool recorded it, ready for `store.evals.import_run`."""

    run: EvalRun
    results: list[EvalResult]


def parse_time(value: object, *, field: str) -> datetime:
    """An aware UTC datetime from ISO-8601 text; a time without an offset is taken as UTC."""
    ns = iso_to_ns(value, field=field)
    return datetime.fromtimestamp(ns // 10**9, tz=UTC).replace(
        microsecond=(ns % 10**9) // _NS_PER_US
    )


def optional_time(obj: JsonObject, key: str, *, field: str) -> datetime | None:
    value = obj.get(key)
    return None if value in (None, "") else parse_time(value, field=field)


def split_model(model: str | None, *, separator: str) -> tuple[str | None, str | None]:
    """(provider, model) from `openai/gpt-4o-mini` (inspect) or `openai:chat:gpt-4o` (promptfoo).

    The provider is the first segment and the model the last, so promptfoo's API-kind middle
    segment (`chat`) is dropped. An id with no separator names a model of unknown provider;
    a URL-like id (`file://provider.py`) names a provider script, kept whole as the model.
    """
    if not model:
        return None, None
    head, sep, rest = model.partition(separator)
    if not sep or not rest:
        return None, model
    if rest.startswith("//"):
        return head, model
    return head, rest.rsplit(separator, 1)[-1]


def number(value: object, *, field: str) -> float | None:
    """A JSON number (not a boolean) as float; None for null."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(field, "a number", value)
    return float(value)


def flag(value: object, *, field: str) -> bool | None:
    if value is None:
        return None
    if not isinstance(value, bool):
        raise fail(field, "true or false", value)
    return value


def require_dict(value: object, *, field: str) -> JsonObject:
    if not isinstance(value, dict):
        raise fail(field, "an object", value)
    return value


def inclusive_usage(
    usages: list[tuple[JsonObject, str]],
) -> tuple[int | None, int | None, float | None]:
    """(input, output, cost) summed over inspect-ai `ModelUsage` objects.

    inspect's `input_tokens` *excludes* cache reads and writes (its docstring says so), while
    llmops counts input inclusively as OTel GenAI >= 1.40 does: the cache counts are added
    back, exactly as the trace ingest does for Anthropic. Cost is None unless some usage
    reports `total_cost` (an unpriced answer is not a free one).
    """
    inputs: list[int] = []
    outputs: list[int] = []
    costs: list[float] = []
    for usage, where in usages:
        base = get_count(usage, "input_tokens", field=f"{where}.input_tokens")
        read = get_count(usage, "input_tokens_cache_read", field=f"{where}.input_tokens_cache_read")
        write = get_count(
            usage, "input_tokens_cache_write", field=f"{where}.input_tokens_cache_write"
        )
        if base is not None:
            inputs.append(base + (read or 0) + (write or 0))
        out = get_count(usage, "output_tokens", field=f"{where}.output_tokens")
        if out is not None:
            outputs.append(out)
        cost = number(usage.get("total_cost"), field=f"{where}.total_cost")
        if cost is not None:
            costs.append(cost)
    return (
        sum(inputs) if inputs else None,
        sum(outputs) if outputs else None,
        sum(costs) if costs else None,
    )


class Repetitions:
    """Numbers the answers a run holds for one case: 0 for the first, 1 for the next...

    promptfoo's `--repeat` and OpenAI Evals' several samples per case both give one case more
    than one answer; numbering them keeps every row under the store's natural key.
    """

    def __init__(self) -> None:
        self._seen: Counter[tuple[str, ...]] = Counter()

    def next(self, *key: str) -> int:
        index = self._seen[key]
        self._seen[key] += 1
        return index

    def most_for(self, run_id: str) -> int:
        """The most answers any case of `run_id` has: the run's `repeat`."""
        return max((n for key, n in self._seen.items() if key[0] == run_id), default=1)


def text_of(content: Any) -> str | None:
    """Message content as text: a string, or the text parts of a content list."""
    if content is None:
        return None
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [
            part.get("text") if isinstance(part, dict) else part
            for part in content
            if isinstance(part, str) or (isinstance(part, dict) and part.get("type") == "text")
        ]
        return "".join(p for p in parts if isinstance(p, str))
    return str(content)
