"""Which attribute keys feed each canonical span column, in order of preference.

Real spans mix dialects: OTel GenAI of several generations, OpenInference, OpenLLMetry
(Traceloop) legacy keys, Langfuse and our own `llmops.*` keys can all sit on one span. Each
canonical column is resolved from an ordered list of candidate keys: the first key present
wins. The lists are data, not code, so the store compiles them into one vectorised SQL
projection (DuckDB parses each attribute map once for all candidates) and tests can check
them against the spec tables in `shared/reference/formats.md`.

Span attributes are searched before resource attributes, so a span can override the
environment or service its process declares.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnType = Literal["text", "count", "usd"]


@dataclass(frozen=True, slots=True)
class Candidates:
    column: str
    keys: tuple[str, ...]
    type: ColumnType = "text"
    resource_keys: tuple[str, ...] = ()
    """Keys also looked up in the resource attributes, after the span's own."""


OWN_PROMPT_NAME = "llmops.prompt.name"
OWN_PROMPT_VERSION = "llmops.prompt.version"
OWN_RELEASE = "llmops.release"
OWN_COST = "llmops.cost.usd"
"""Our documented attributes: an app that sets them gets exact linking and reported costs."""

ENVIRONMENT_KEYS = ("deployment.environment.name", "deployment.environment", "langfuse.environment")

CANDIDATES: tuple[Candidates, ...] = (
    Candidates(
        "operation",
        (
            "gen_ai.operation.name",
            "llm.request.type",
            "openinference.span.kind",
            "traceloop.span.kind",
        ),
    ),
    Candidates("provider", ("gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system")),
    Candidates(
        "request_model",
        (
            "gen_ai.request.model",
            "llm.request.model_name",
            "llm.model_name",
            "embedding.model_name",
        ),
    ),
    Candidates(
        "response_model",
        (
            "gen_ai.response.model",
            "llm.response.model_name",
            "llm.model_name",
            "langfuse.observation.model.name",
        ),
    ),
    Candidates(
        "input_tokens",
        (
            "gen_ai.usage.input_tokens",
            "gen_ai.usage.prompt_tokens",
            "llm.token_count.prompt",
            "llm.usage.prompt_tokens",
        ),
        "count",
    ),
    Candidates(
        "output_tokens",
        (
            "gen_ai.usage.output_tokens",
            "gen_ai.usage.completion_tokens",
            "llm.token_count.completion",
            "llm.usage.completion_tokens",
        ),
        "count",
    ),
    Candidates(
        "total_tokens",
        ("gen_ai.usage.total_tokens", "llm.usage.total_tokens", "llm.token_count.total"),
        "count",
    ),
    Candidates(
        "cache_read_tokens",
        (
            "gen_ai.usage.cache_read.input_tokens",
            "gen_ai.usage.cache_read_input_tokens",
            "llm.token_count.prompt_details.cache_read",
        ),
        "count",
    ),
    Candidates(
        "cache_write_tokens",
        (
            "gen_ai.usage.cache_creation.input_tokens",
            "gen_ai.usage.cache_write.input_tokens",
            "gen_ai.usage.cache_creation_input_tokens",
            "llm.token_count.prompt_details.cache_write",
        ),
        "count",
    ),
    Candidates(
        "reasoning_tokens",
        (
            "gen_ai.usage.reasoning.output_tokens",
            "gen_ai.usage.reasoning_tokens",
            "llm.usage.reasoning_tokens",
            "llm.token_count.completion_details.reasoning",
        ),
        "count",
    ),
    Candidates("cost_usd", (OWN_COST, "gen_ai.usage.cost", "llm.cost.total"), "usd"),
    Candidates(
        "prompt_name",
        (
            OWN_PROMPT_NAME,
            "traceloop.prompt.key",
            "langfuse.observation.prompt.name",
            "prompt.id",
            "gen_ai.prompt.name",
        ),
    ),
    Candidates(
        "prompt_version",
        (
            OWN_PROMPT_VERSION,
            "llm.prompt_template.version",
            "traceloop.prompt.version",
            "langfuse.observation.prompt.version",
        ),
    ),
    Candidates("release_id", (OWN_RELEASE, "langfuse.release"), resource_keys=(OWN_RELEASE,)),
    Candidates("environment", ENVIRONMENT_KEYS, resource_keys=ENVIRONMENT_KEYS),
    Candidates("service_name", ("service.name",), resource_keys=("service.name",)),
    Candidates(
        "user_id",
        (
            "user.id",
            "enduser.id",
            "langfuse.user.id",
            "traceloop.association.properties.user_id",
            "gen_ai.user",
            "llm.user",
        ),
    ),
    Candidates(
        "session_id",
        (
            "session.id",
            "gen_ai.conversation.id",
            "langfuse.session.id",
            "traceloop.association.properties.session_id",
        ),
    ),
    Candidates(
        "input_text",
        (
            "gen_ai.input.messages",
            "gen_ai.prompt",
            "input.value",
            "traceloop.entity.input",
            "langfuse.observation.input",
            "gen_ai.tool.call.arguments",
            "input",
        ),
    ),
    Candidates(
        "output_text",
        (
            "gen_ai.output.messages",
            "gen_ai.completion",
            "output.value",
            "traceloop.entity.output",
            "langfuse.observation.output",
            "gen_ai.tool.call.result",
            "output",
        ),
    ),
    Candidates("error_type", ("error.type", "exception.type")),
)
"""Canonical column ← candidate keys, first present wins.

`total_tokens` and `error_type` are helpers: the first fills `output_tokens` when only a total
is given, the second marks a span whose status was left unset as an error.
"""

FLATTENED_MESSAGES: dict[str, tuple[tuple[str, str], ...]] = {
    "input_text": (
        # (role key pattern, content key pattern): `N` stands for the message index.
        ("llm.input_messages.N.message.role", "llm.input_messages.N.message.content"),
        ("gen_ai.prompt.N.role", "gen_ai.prompt.N.content"),
    ),
    "output_text": (
        ("llm.output_messages.N.message.role", "llm.output_messages.N.message.content"),
        ("gen_ai.completion.N.role", "gen_ai.completion.N.content"),
    ),
}
"""Dialects that flatten a message list into numbered keys (OpenInference, OpenLLMetry
legacy). When no whole-message key is present, the text is rebuilt from these as a JSON array
of `{"role", "content"}` objects."""

OPENINFERENCE_CONTENT_PART = ".message.contents.0.message_content.text"
"""OpenInference puts multi-part content under `contents.<j>`; its first text part stands in
for `message.content` when that key is absent."""


def candidates_for(column: str) -> Candidates:
    for candidate in CANDIDATES:
        if candidate.column == column:
            return candidate
    raise KeyError(column)
