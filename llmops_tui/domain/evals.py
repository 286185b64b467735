"""The eval vocabulary shared by the runner, the judges, the importers and the screens.

A *run* evaluates one release (or an imported tool's run) on one dataset: each *case* of the
dataset is rendered with the prompt version, sent to a provider `repeat` times, and each answer
is scored by every judge of the suite. An `EvalResult` is one case × repetition × judge: the
grain of `eval_results`, which is also what promptfoo (test × prompt × provider) and inspect-ai
(sample × epoch × scorer) give when imported. The answer (output, latency, tokens, cost) repeats
on each judge's row of a case so that every row stands on its own in users' SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class RunStatus(StrEnum):
    RUNNING = "running"
    """Started and not finished: a re-run with the same settings resumes it."""
    FINISHED = "finished"
    FAILED = "failed"
    """Stopped by an error that is not one case's (a missing prompt, a provider not found)."""


class RunSource(StrEnum):
    LLMOPS = "llmops"
    PROMPTFOO = "promptfoo"
    INSPECT_AI = "inspect-ai"
    OPENAI_EVALS = "openai-evals"


@dataclass(frozen=True, slots=True)
class EvalCase:
    """One row of a dataset."""

    case_id: str
    vars: Mapping[str, Any]
    """The prompt template's variables."""
    expected: Any = None
    """What judges compare against (a string, a number, or a mapping of named expectations)."""
    tags: tuple[str, ...] = ()
    required: bool = False
    """A gate fails when a required case fails, whatever the pass rate."""
    data: Mapping[str, Any] = field(default_factory=dict)
    """The whole row as written, for judges that read other fields."""


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: str
    """`system`, `user`, `assistant` or `tool`."""
    content: str


@dataclass(frozen=True, slots=True)
class ProviderRequest:
    """One model call. `options` are the provider's settings from `llmops.toml` or the model
    artifact (`base_url`, `api_key_env`, `timeout`...); `params` are generation parameters
    (`temperature`, `max_tokens`...). Everything a provider needs is here, so one provider
    object serves every run and every thread."""

    model: str
    messages: tuple[ChatMessage, ...]
    params: Mapping[str, Any] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)
    prompt_name: str | None = None
    prompt_version: int | None = None
    case_id: str | None = None
    """Set for eval calls: `scripted` keys its deterministic answers on it."""
    repetition: int = 0
    expected: Any = None
    """The case's expectation. Real providers ignore it; `scripted` uses it to write answers
    that pass or fail the suite's judges at the quality it is configured with."""
    recorded: Callable[[ProviderRequest], ProviderResponse | None] | None = field(
        default=None, compare=False, repr=False
    )
    """Set by the runner: looks up a recorded production answer to the same input in the
    store (what `replay` serves). Not part of the request's identity or its cache key."""


@dataclass(frozen=True, slots=True)
class ProviderResponse:
    text: str
    latency_ms: float
    model: str | None = None
    """The model that answered, when the provider says (`gpt-4o-mini-2024-07-18`)."""
    input_tokens: int | None = None
    """Inclusive of cached tokens, as OTel GenAI ≥ 1.40 counts them."""
    output_tokens: int | None = None
    cache_read_tokens: int | None = None
    cache_write_tokens: int | None = None
    reasoning_tokens: int | None = None
    cost_usd: float | None = None
    """Reported by the provider; None lets llmops price the usage (and stay unpriced when it
    has no price for the model)."""
    raw: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Score:
    """One judge's verdict on one answer."""

    passed: bool
    value: float | None = None
    """0..1 for most judges; a judge's own scale when it says so. None for pure pass/fail."""
    reason: str | None = None
    judge_input_tokens: int | None = None
    judge_output_tokens: int | None = None
    judge_cost_usd: float | None = None
    """What an LLM judge spent to reach the verdict."""


Complete = Callable[[str, ProviderRequest], ProviderResponse]
"""Calls a registered provider by name: how `llm_rubric` reaches its judge model."""


@dataclass(frozen=True, slots=True)
class JudgeInput:
    """Everything a judge sees. `options` are the judge's settings in the suite."""

    case: EvalCase
    output: str
    options: Mapping[str, Any]
    response: ProviderResponse | None = None
    """None for imported results, where only the output is known."""
    complete: Complete | None = None


@dataclass(frozen=True, slots=True)
class JudgeSpec:
    """A judge as a suite declares it: its name in the results, the registered judge type
    that computes it, and that type's options."""

    name: str
    type: str
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EvalRun:
    run_id: str
    source: RunSource
    status: RunStatus
    started_at: datetime
    finished_at: datetime | None
    release_id: str | None
    release_ref: str | None
    """What the user typed (`HEAD`, `production`), kept for reports."""
    dataset: str | None
    dataset_version: int | None
    prompt: str | None
    prompt_version: int | None
    provider: str | None
    model: str | None
    repeat: int
    suite_hash: str | None
    """Hash of everything that decides the results (release, dataset content, provider,
    model, params, judges, repeat): a run with the same hash can be reused or resumed."""
    created_by: str | None
    label: str | None = None
    """A short name for imported runs (promptfoo's description, inspect-ai's task)."""
    source_path: str | None = None
    config: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EvalResult:
    run_id: str
    case_id: str
    repetition: int
    judge: str
    passed: bool | None
    """None when the case errored before it could be judged."""
    score: float | None = None
    reason: str | None = None
    error: str | None = None
    """Why the provider call or the judge failed; the row then counts as failed."""
    output: str | None = None
    input: Mapping[str, Any] | None = None
    expected: Any = None
    latency_ms: float | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    cost_usd: float | None = None
    judge_cost_usd: float | None = None
    cached: bool = False
    """The answer came from the response cache: it cost nothing this time."""
    trace_id: str | None = None
    span_id: str | None = None
    required: bool = False
    tags: tuple[str, ...] = ()
