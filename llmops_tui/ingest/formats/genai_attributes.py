"""The synthesised span of a request-log record and its OTel GenAI attributes.

The request-log adapters (`request_logs.py`, `litellm_log.py`) know *where* a record keeps its
model, usage and metadata; this module knows what OTel calls them (semconv v1.41 names) and
how a call that was never traced becomes one flat span: a root CLIENT span named
`"{operation} {model}"` whose span id derives from the provider's response id, so ingesting
the same log twice stores each call once.
"""

from __future__ import annotations

from typing import Any

from llmops_tui.ingest.dialects import OWN_PROMPT_NAME, OWN_PROMPT_VERSION, OWN_RELEASE
from llmops_tui.ingest.formats import RecordError
from llmops_tui.ingest.formats.common import JsonObject, derived_id, dumps, get_str
from llmops_tui.ingest.formats.genai_messages import Messages

Span = dict[str, Any]
Failure = tuple[str, str | None]
"""(status message, `error.type`) of a failed call."""

_METADATA_KEYS: dict[str, tuple[str, ...]] = {
    "user.id": ("user_id", "user", "userId", "end_user", "end_user_id"),
    "session.id": ("session_id", "session", "sessionId", "conversation_id", "thread_id"),
    "deployment.environment.name": ("environment", "env", "deployment_environment"),
    OWN_PROMPT_NAME: ("prompt_name", "prompt", "prompt_id"),
    OWN_PROMPT_VERSION: ("prompt_version",),
    OWN_RELEASE: ("release", "release_id"),
}
"""Attribute <- metadata keys logging wrappers commonly use, first present wins."""

_REQUEST_PARAMS = {
    "max_tokens": "gen_ai.request.max_tokens",
    "max_completion_tokens": "gen_ai.request.max_tokens",
    "max_output_tokens": "gen_ai.request.max_tokens",
    "temperature": "gen_ai.request.temperature",
    "top_p": "gen_ai.request.top_p",
    "top_k": "gen_ai.request.top_k",
    "frequency_penalty": "gen_ai.request.frequency_penalty",
    "presence_penalty": "gen_ai.request.presence_penalty",
    "seed": "gen_ai.request.seed",
    "n": "gen_ai.request.choice.count",
    "stream": "gen_ai.request.stream",
}


# ---------------------------------------------------------------- scalar attributes


def request_attributes(request: JsonObject, *, where: str = "request.") -> JsonObject:
    """`gen_ai.request.*` from request parameters (OpenAI, Anthropic and LiteLLM share names)."""
    attrs: JsonObject = {}
    model = get_str(request, "model", field=where + "model")
    if model:
        attrs["gen_ai.request.model"] = model
    for key, attribute in _REQUEST_PARAMS.items():
        value = request.get(key)
        if isinstance(value, int | float) and attribute not in attrs:
            attrs[attribute] = value
    stop = request.get("stop", request.get("stop_sequences"))
    stop = [stop] if isinstance(stop, str) else stop
    if isinstance(stop, list) and stop and all(isinstance(item, str) for item in stop):
        attrs["gen_ai.request.stop_sequences"] = stop
    return attrs


def metadata_attributes(metadata: JsonObject) -> JsonObject:
    """user / session / environment / prompt / release attributes from a metadata object."""
    attrs: JsonObject = {}
    for attribute, keys in _METADATA_KEYS.items():
        for key in keys:
            text = label(metadata.get(key))
            if text is not None:
                attrs[attribute] = text
                break
    return attrs


def label(value: object) -> str | None:
    """A metadata value usable as a label: a non-empty string, or an integer as text."""
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return None
    return str(value)


def usage_attributes(
    *,
    input_tokens: int | None,
    output_tokens: int | None,
    cache_read: int | None,
    cache_write: int | None,
    reasoning: int | None,
) -> JsonObject:
    """`gen_ai.usage.*`; counts must already be OTel-inclusive (input includes cache)."""
    named = {
        "gen_ai.usage.input_tokens": input_tokens,
        "gen_ai.usage.output_tokens": output_tokens,
        "gen_ai.usage.cache_read.input_tokens": cache_read,
        "gen_ai.usage.cache_creation.input_tokens": cache_write,
        "gen_ai.usage.reasoning.output_tokens": reasoning,
    }
    return {key: value for key, value in named.items() if value is not None}


def message_attributes(
    inputs: Messages, outputs: Messages, finish_reasons: list[str]
) -> JsonObject:
    """`gen_ai.input.messages` / `gen_ai.output.messages` as JSON text, plus finish reasons."""
    attrs: JsonObject = {}
    if inputs:
        attrs["gen_ai.input.messages"] = dumps(inputs)
    if outputs:
        attrs["gen_ai.output.messages"] = dumps(outputs)
    if finish_reasons:
        attrs["gen_ai.response.finish_reasons"] = finish_reasons
    return attrs


def synthesised_span(
    attrs: JsonObject,
    *,
    key: str,
    trace_id: str | None,
    start: int,
    end: int | None,
    failure: Failure | None,
) -> Span:
    """A root flat span for one logged call.

    Args:
        attrs: its attributes; must hold `gen_ai.operation.name`.
        key: the call's identity (the provider's response id): the span id is
            `derived_id(key, length=16)`, and without `trace_id` the trace id is
            `derived_id("trace", key, length=32)`, one trace per call.
        trace_id: the log's own trace id, already normalised, or None.
        start: start time, epoch ns.
        end: end time, epoch ns, or None when unknown.
        failure: (message, error type) of a failed call, or None when it succeeded.
    """
    if failure is not None and failure[1] is not None:
        attrs.setdefault("error.type", failure[1])
    operation = attrs["gen_ai.operation.name"]
    model = attrs.get("gen_ai.request.model") or attrs.get("gen_ai.response.model")
    span: Span = {
        "trace_id": trace_id or derived_id("trace", key, length=32),
        "span_id": derived_id(key, length=16),
        "parent_span_id": None,
        "name": f"{operation} {model}" if model else operation,
        "kind": "client",
        "start_time": start,
        # The call returned, so it is known to have succeeded: "ok", not OTel's default unset.
        "status": "ok" if failure is None else "error",
        "status_message": None if failure is None else failure[0],
        "attributes": attrs,
        "resource": {},
        "events": [],
    }
    if end is not None:
        if end < start:
            raise RecordError("end_time: before the start time")
        span["end_time"] = end
    return span
