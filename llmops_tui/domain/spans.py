"""What a stored span is: the column contract users' own SQL relies on."""

from __future__ import annotations

from enum import StrEnum


class SpanStatus(StrEnum):
    OK = "ok"
    ERROR = "error"
    UNSET = "unset"


class CostSource(StrEnum):
    REPORTED = "reported"
    """The trace carried its own cost (LiteLLM `response_cost`, `llm.cost.total`...)."""
    COMPUTED = "computed"
    """Priced by llmops from the token counts (genai-prices, or a `[pricing]` override)."""
    UNPRICED = "unpriced"
    """Tokens were used but no price is known: cost is NULL, never $0."""


SPAN_COLUMNS: tuple[str, ...] = (
    "trace_id",
    "span_id",
    "parent_span_id",
    "name",
    "kind",
    "start_time",
    "end_time",
    "duration_ms",
    "status",
    "status_message",
    "operation",
    "provider",
    "request_model",
    "response_model",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "reasoning_tokens",
    "cost_usd",
    "cost_source",
    "prompt_name",
    "prompt_version",
    "release_id",
    "environment",
    "service_name",
    "user_id",
    "session_id",
    "input_text",
    "output_text",
    "attributes",
    "resource_attributes",
    "events",
    "source",
    "ingested_at",
)
"""Every column of `spans`, in table order (DESIGN §3 plus resource attributes and events)."""
