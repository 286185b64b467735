"""Request/response logs (OpenAI, Anthropic, LiteLLM), one JSON object a line, to flat spans.

Many apps never set up tracing: they log what the SDK returned, perhaps with the request and a
timestamp. Each such record becomes ONE span carrying synthesised OTel GenAI attributes
(`genai_attributes.py`; messages converted by `genai_messages.py`), so the store resolves it
exactly like an instrumented span. What this module settles is what differs between the logs:

- tokens: OTel (>= 1.40) input *includes* cache reads and writes. OpenAI and LiteLLM already
  count that way; Anthropic's `input_tokens` excludes both, so they are added back here.
- ids: these logs have no span ids. The span id derives from the provider's response id (or,
  for a failed call, from the whole record), so ingesting a log twice stores each call once.
  A trace id the log carries is kept when it is hex or a UUID, so calls line up with an app's
  own traces; otherwise each call is its own trace.
- time: a bare Anthropic message has none, and OpenAI's `created` has only whole seconds, so
  a wrapper's own timing wins when present.

A record is a bare response object, or a wrapper `{"request", "response" | "error",
"start_time", "end_time", "created", "latency_ms" | "duration_ms", "metadata", "trace_id",
"cost_usd"}` around one. LiteLLM payloads live in `litellm_log.py`, re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import orjson

from llmops_tui.ingest.dialects import OWN_COST
from llmops_tui.ingest.formats import RecordError
from llmops_tui.ingest.formats import genai_attributes as genai
from llmops_tui.ingest.formats import genai_messages as msgs
from llmops_tui.ingest.formats.common import (
    JsonObject,
    count_at,
    dumps,
    epoch_to_ns,
    fail,
    get_amount,
    get_dict,
    get_list,
    get_str,
    id_or_uuid,
    time_to_ns,
)
from llmops_tui.ingest.formats.genai_attributes import Failure, Span
from llmops_tui.ingest.formats.genai_messages import is_anthropic_response, is_openai_response
from llmops_tui.ingest.formats.litellm_log import spans_from_litellm

__all__ = [
    "classify_request_log",
    "spans_from_anthropic",
    "spans_from_litellm",
    "spans_from_openai",
]

_LITELLM_KEYS = ("startTime", "response_cost", "custom_llm_provider", "model_parameters")
_OPENAI_USAGE = {
    # object -> (input, output, input details, output details) keys of its `usage`
    "chat.completion": (
        "prompt_tokens",
        "completion_tokens",
        "prompt_tokens_details",
        "completion_tokens_details",
    ),
    "response": ("input_tokens", "output_tokens", "input_tokens_details", "output_tokens_details"),
}


def classify_request_log(obj: JsonObject) -> str | None:
    """`"openai"`, `"anthropic"` or `"litellm"` for a request-log record, else None."""
    if "call_type" in obj and any(key in obj for key in _LITELLM_KEYS):
        return "litellm"
    for candidate in (obj, obj.get("response")):
        if isinstance(candidate, dict):
            if is_openai_response(candidate):
                return "openai"
            if is_anthropic_response(candidate) or candidate.get("type") == "error":
                return "anthropic"
    request, response = obj.get("request"), obj.get("response")
    failed = obj.get("error") is not None or (
        isinstance(response, dict) and response.get("error") is not None
    )
    if isinstance(request, dict) and failed:
        if obj.get("provider") in ("openai", "anthropic"):
            return str(obj["provider"])
        model = request.get("model")
        if isinstance(model, str):
            return "anthropic" if model.startswith("claude") else "openai"
    return None


# ---------------------------------------------------------------- OpenAI and Anthropic


def spans_from_openai(obj: JsonObject) -> list[Span]:
    """One span from an OpenAI Chat Completions or Responses API log record.

    Raises:
        RecordError: no response and no error, a missing response id, no usable time, or a
            wrongly typed field (the message names it).
    """
    ex = _exchange(obj, is_openai_response, 'an OpenAI "chat.completion" or "response" object')
    attrs: JsonObject = {"gen_ai.provider.name": "openai", "gen_ai.operation.name": "chat"}
    attrs.update(genai.request_attributes(ex.request))
    if "input" in ex.request:
        inputs = msgs.responses_input(ex.request)
    else:
        inputs = msgs.chat_messages(get_list(ex.request, "messages", field="request.messages"))
    outputs: msgs.Messages = []
    reasons: list[str] = []
    if ex.response:
        attrs.update(_openai_usage(ex.response, where=ex.where))
        if ex.response.get("object") == "response":
            outputs, reasons = msgs.responses_output(ex.response, where=ex.where)
        else:
            outputs, reasons = msgs.chat_output(ex.response, where=ex.where)
        for key in ("service_tier", "system_fingerprint"):
            if isinstance(ex.response.get(key), str):
                attrs[f"openai.response.{key}"] = ex.response[key]
    attrs.update(genai.message_attributes(inputs, outputs, reasons))
    return [_exchange_span(ex, attrs)]


def spans_from_anthropic(obj: JsonObject) -> list[Span]:
    """One span from an Anthropic Messages log record.

    A bare Message carries no timestamp, so it must come wrapped with `start_time` (or
    `created`, or `end_time` plus `latency_ms`).

    Raises:
        RecordError: no response and no error, a missing message id, no usable time, or a
            wrongly typed field (the message names it).
    """
    ex = _exchange(obj, is_anthropic_response, 'an Anthropic "message" object')
    attrs: JsonObject = {"gen_ai.provider.name": "anthropic", "gen_ai.operation.name": "chat"}
    attrs.update(genai.request_attributes(ex.request))
    system = msgs.anthropic_system(ex.request.get("system"))
    if system:
        attrs["gen_ai.system_instructions"] = dumps(system)
    # Also a leading system message, so input_text holds the system prompt as OpenAI's does.
    inputs = [{"role": "system", "parts": system}] if system else []
    messages = get_list(ex.request, "messages", field="request.messages")
    inputs += msgs.anthropic_messages(messages)
    outputs: msgs.Messages = []
    reasons: list[str] = []
    if ex.response:
        attrs.update(_anthropic_usage(ex.response, where=ex.where))
        outputs, reasons = msgs.anthropic_output(ex.response, where=ex.where)
    attrs.update(genai.message_attributes(inputs, outputs, reasons))
    return [_exchange_span(ex, attrs)]


def _openai_usage(response: JsonObject, *, where: str) -> JsonObject:
    input_key, output_key, input_details, output_details = _OPENAI_USAGE[response["object"]]
    usage = get_dict(response, "usage", field=where + "usage")
    at = where + "usage."
    return genai.usage_attributes(
        input_tokens=count_at(usage, input_key, where=at),
        output_tokens=count_at(usage, output_key, where=at),
        cache_read=count_at(usage, f"{input_details}.cached_tokens", where=at),
        cache_write=count_at(usage, f"{input_details}.cache_write_tokens", where=at),
        reasoning=count_at(usage, f"{output_details}.reasoning_tokens", where=at),
    )


def _anthropic_usage(response: JsonObject, *, where: str) -> JsonObject:
    usage = get_dict(response, "usage", field=where + "usage")
    at = where + "usage."
    uncached = count_at(usage, "input_tokens", where=at)
    read = count_at(usage, "cache_read_input_tokens", where=at)
    write = count_at(usage, "cache_creation_input_tokens", where=at)
    if write is None:
        # Some responses give only the per-TTL breakdown of cache writes.
        ttls = [
            count_at(usage, f"cache_creation.ephemeral_{ttl}_input_tokens", where=at)
            for ttl in ("5m", "1h")
        ]
        write = None if ttls == [None, None] else sum(n or 0 for n in ttls)
    return genai.usage_attributes(
        # Anthropic's input_tokens excludes cache reads and writes; OTel's includes both.
        input_tokens=None if uncached is None else uncached + (read or 0) + (write or 0),
        output_tokens=count_at(usage, "output_tokens", where=at),
        cache_read=read,
        cache_write=write,
        reasoning=count_at(usage, "output_tokens_details.thinking_tokens", where=at),
    )


@dataclass(frozen=True, slots=True)
class _Exchange:
    """A record split into its parts; `wrapper` and `request` are `{}` for a bare response."""

    wrapper: JsonObject
    request: JsonObject
    response: JsonObject
    """`{}` when the call failed before a response."""
    failure: Failure | None
    where: str
    """How error messages name the response: `""` when bare, `"response."` when wrapped."""


def _exchange(obj: JsonObject, is_response: Callable[[JsonObject], bool], what: str) -> _Exchange:
    if is_response(obj):
        return _Exchange({}, {}, obj, _status_failure(obj), "")
    request = get_dict(obj, "request", field="request")
    response = get_dict(obj, "response", field="response")
    if obj.get("error") is not None:
        return _Exchange(obj, request, {}, _failure(obj["error"], field="error"), "response.")
    if response.get("error") is not None and not is_response(response):
        failure = _failure(response["error"], field="response.error")
        return _Exchange(obj, request, {}, failure, "response.")
    if not response:
        raise RecordError("response: missing (expected a response object or an error)")
    if not is_response(response):
        raise fail("response", what, response)
    return _Exchange(obj, request, response, _status_failure(response), "response.")


def _status_failure(response: JsonObject) -> Failure | None:
    # A Responses API object reports its own failure: `status: "failed"` plus `error`.
    if response.get("status") == "failed":
        return _failure(response.get("error") or "the response failed", field="error")
    return None


def _failure(value: object, *, field: str) -> Failure:
    if isinstance(value, str):
        return value, None
    if not isinstance(value, dict):
        raise fail(field, "an error object or message", value)
    message, kind = value.get("message"), value.get("type") or value.get("code")
    text = message if isinstance(message, str) and message else orjson.dumps(value).decode()
    return text, None if kind is None else str(kind)


def _exchange_span(ex: _Exchange, attrs: JsonObject) -> Span:
    response_id = None
    if ex.response:
        response_id = get_str(ex.response, "id", field=ex.where + "id", required=True)
        attrs["gen_ai.response.id"] = response_id
        model = get_str(ex.response, "model", field=ex.where + "model")
        if model:
            attrs["gen_ai.response.model"] = model
    metadata = get_dict(ex.wrapper, "metadata", field="metadata")
    attrs.update(
        genai.metadata_attributes(get_dict(ex.request, "metadata", field="request.metadata"))
    )
    attrs.update(genai.metadata_attributes(metadata))
    user = genai.label(ex.request.get("user"))
    if user is not None:
        attrs.setdefault("user.id", user)
    cost = get_amount(ex.wrapper, "cost_usd", field="cost_usd")
    cost = get_amount(ex.wrapper, "cost", field="cost") if cost is None else cost
    if cost is not None:
        attrs[OWN_COST] = cost
    start, end = _exchange_times(ex)
    return genai.synthesised_span(
        attrs,
        key=response_id or "record:" + _canonical(ex.wrapper or ex.response),
        trace_id=id_or_uuid(ex.wrapper.get("trace_id")) or id_or_uuid(metadata.get("trace_id")),
        start=start,
        end=end,
        failure=ex.failure,
    )


def _canonical(value: object) -> str:
    # Sorted keys, so a record without a response id still maps to one span id.
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def _exchange_times(ex: _Exchange) -> tuple[int, int | None]:
    w = ex.wrapper
    start = time_to_ns(w["start_time"], field="start_time") if w.get("start_time") else None
    end = time_to_ns(w["end_time"], field="end_time") if w.get("end_time") else None
    latency = get_amount(w, "latency_ms", field="latency_ms")
    latency = get_amount(w, "duration_ms", field="duration_ms") if latency is None else latency
    latency_ns = None if latency is None else round(latency * 1_000_000)
    if start is None and end is not None and latency_ns is not None:
        start = end - latency_ns
    if start is None and w.get("created") is not None:
        start = time_to_ns(w["created"], field="created")
    for key in ("created", "created_at"):
        if start is None and ex.response.get(key) is not None:
            start = epoch_to_ns(ex.response[key], field=ex.where + key)
    if start is None:
        raise RecordError("start_time: missing (give start_time, or end_time with latency_ms)")
    if end is None and latency_ns is not None:
        end = start + latency_ns
    return start, end
