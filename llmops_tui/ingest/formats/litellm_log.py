"""LiteLLM `StandardLoggingPayload` lines (`kwargs["standard_logging_object"]`) to flat spans.

LiteLLM proxies and SDK callbacks log one payload per call, already normalised to OpenAI-style
usage for every provider, with its own cost (`response_cost`), user and prompt metadata. Each
line becomes one synthesised span like the other request logs (`request_logs.py`, which
re-exports `spans_from_litellm` as the public entry point). The payload gained fields over
LiteLLM's versions (`call_id`, `cost_breakdown`, `status_fields`...), so every field except
`id` and `startTime` is optional, and cached or reasoning counts are read from whichever usage
object the version wrote.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from llmops_tui.ingest.dialects import OWN_COST, OWN_PROMPT_NAME, OWN_PROMPT_VERSION
from llmops_tui.ingest.formats import RecordError
from llmops_tui.ingest.formats import genai_attributes as genai
from llmops_tui.ingest.formats import genai_messages as msgs
from llmops_tui.ingest.formats.common import (
    JsonObject,
    count_at,
    get_amount,
    get_dict,
    get_str,
    id_or_uuid,
    time_to_ns,
)
from llmops_tui.ingest.formats.genai_attributes import Failure, Span

_OPERATIONS = {
    "completion": "chat",
    "responses": "chat",
    "anthropic_messages": "chat",
    "text_completion": "text_completion",
    "embedding": "embeddings",
    "generate_content": "generate_content",
}
"""`call_type` (without the async `a` prefix) -> `gen_ai.operation.name`; others kept as is."""

_PROVIDERS = {
    "azure": "azure.ai.openai",
    "azure_ai": "azure.ai.inference",
    "bedrock": "aws.bedrock",
    "vertex_ai": "gcp.vertex_ai",
    "gemini": "gcp.gemini",
    "mistral": "mistral_ai",
    "xai": "x_ai",
    "watsonx": "ibm.watsonx.ai",
}
"""LiteLLM provider names that differ from OTel's `gen_ai.provider.name` values."""


def spans_from_litellm(obj: JsonObject) -> list[Span]:
    """One span from a LiteLLM `StandardLoggingPayload` line.

    Fields come and go across LiteLLM versions, so only `id` and `startTime` are required.
    `prompt_tokens` is taken as inclusive of cache tokens (LiteLLM reports OpenAI-style
    usage for every provider); cache and reasoning counts come from the first usage object
    found: `hidden_params.usage_object`, `metadata.usage_object`, then `response.usage`.

    Raises:
        RecordError: a missing `id` or `startTime`, or a wrongly typed field.
    """
    record_id = get_str(obj, "id", field="id", required=True) or ""
    if obj.get("startTime") is None:
        raise RecordError("startTime: missing")
    # Epoch seconds in current versions; some loggers serialise datetimes as ISO text.
    start = time_to_ns(obj["startTime"], field="startTime")
    end = None if obj.get("endTime") is None else time_to_ns(obj["endTime"], field="endTime")
    metadata = get_dict(obj, "metadata", field="metadata")
    attrs = _litellm_identity(obj)
    params = get_dict(obj, "model_parameters", field="model_parameters")
    attrs.update(genai.request_attributes({**params, "model": None}, where="model_parameters."))
    attrs.update(_litellm_usage(obj, metadata))
    attrs.update(_litellm_messages(obj, attrs["gen_ai.operation.name"]))
    for key in ("requester_metadata", "spend_logs_metadata"):
        attrs.update(genai.metadata_attributes(get_dict(metadata, key, field=f"metadata.{key}")))
    attrs.update(_litellm_people(obj, metadata))
    cost = get_amount(obj, "response_cost", field="response_cost")
    if cost is not None:
        attrs[OWN_COST] = cost
    if obj.get("stream") is True and obj.get("completionStartTime") is not None:
        first = time_to_ns(obj["completionStartTime"], field="completionStartTime")
        if first >= start:
            attrs["gen_ai.response.time_to_first_chunk"] = (first - start) / 1e9
    trace_id = id_or_uuid(obj.get("trace_id"))
    failure = _litellm_failure(obj)
    return [
        genai.synthesised_span(
            attrs, key=record_id, trace_id=trace_id, start=start, end=end, failure=failure
        )
    ]


def _litellm_identity(obj: JsonObject) -> JsonObject:
    call_type = get_str(obj, "call_type", field="call_type") or "completion"
    # The async variants are the same call with an "a" in front (`acompletion`).
    plain = call_type[1:] if call_type[1:] in _OPERATIONS else call_type
    attrs: JsonObject = {
        "gen_ai.operation.name": _OPERATIONS.get(plain, plain),
        "litellm.call_type": call_type,
    }
    provider = get_str(obj, "custom_llm_provider", field="custom_llm_provider")
    if provider:
        attrs["gen_ai.provider.name"] = _PROVIDERS.get(provider, provider)
    model = get_str(obj, "model", field="model")
    if model:
        attrs["gen_ai.request.model"] = model
    response = obj.get("response")
    if isinstance(response, dict):
        for key, attribute in (("id", "gen_ai.response.id"), ("model", "gen_ai.response.model")):
            value = get_str(response, key, field=f"response.{key}")
            if value:
                attrs[attribute] = value
    for key in ("model_group", "cache_hit"):
        if isinstance(obj.get(key), str | bool):
            attrs[f"litellm.{key}"] = obj[key]
    host = urlsplit(obj["api_base"]).hostname if isinstance(obj.get("api_base"), str) else None
    if host:
        attrs["server.address"] = host
    return attrs


def _litellm_usage(obj: JsonObject, metadata: JsonObject) -> JsonObject:
    response = obj.get("response")
    usage: JsonObject = {}
    at = "usage_object."
    for source, key, where in (
        (get_dict(obj, "hidden_params", field="hidden_params"), "usage_object", "hidden_params."),
        (metadata, "usage_object", "metadata."),
        (response if isinstance(response, dict) else {}, "usage", "response."),
    ):
        usage, at = get_dict(source, key, field=where + key), f"{where}{key}."
        if usage:
            break
    read = count_at(usage, "prompt_tokens_details.cached_tokens", where=at)
    read = count_at(usage, "cache_read_input_tokens", where=at) if read is None else read
    write = count_at(usage, "cache_creation_input_tokens", where=at)
    if write is None:
        write = count_at(usage, "prompt_tokens_details.cache_creation_tokens", where=at)
    input_tokens = count_at(obj, "prompt_tokens")
    output_tokens = count_at(obj, "completion_tokens")
    return genai.usage_attributes(
        input_tokens=count_at(usage, "prompt_tokens", where=at)
        if input_tokens is None
        else input_tokens,
        output_tokens=count_at(usage, "completion_tokens", where=at)
        if output_tokens is None
        else output_tokens,
        cache_read=read,
        cache_write=write,
        reasoning=count_at(usage, "completion_tokens_details.reasoning_tokens", where=at),
    )


def _litellm_messages(obj: JsonObject, operation: str) -> JsonObject:
    messages = obj.get("messages")
    inputs: msgs.Messages = []
    if isinstance(messages, str) and messages:
        inputs = [msgs.text_message("user", messages)]
    elif isinstance(messages, list) and all(isinstance(item, str) for item in messages):
        # Embedding and text-completion calls log their input strings here.
        inputs = [msgs.text_message("user", item) for item in messages]
    elif isinstance(messages, list):
        anthropic = obj.get("call_type") in ("anthropic_messages", "aanthropic_messages")
        convert = msgs.anthropic_messages if anthropic else msgs.chat_messages
        inputs = convert(messages, where="messages")
    response = obj.get("response")
    outputs: msgs.Messages = []
    reasons: list[str] = []
    if isinstance(response, str) and response:
        outputs = [msgs.text_message("assistant", response)]
    elif isinstance(response, dict) and operation != "embeddings":
        if "choices" in response:
            outputs, reasons = msgs.chat_output(response, where="response.")
        elif msgs.is_openai_response(response):
            outputs, reasons = msgs.responses_output(response, where="response.")
        elif msgs.is_anthropic_response(response):
            outputs, reasons = msgs.anthropic_output(response, where="response.")
    return genai.message_attributes(inputs, outputs, reasons)


def _litellm_people(obj: JsonObject, metadata: JsonObject) -> JsonObject:
    attrs: JsonObject = {}
    # The app's end user is who the call served; the virtual key's owner is a fallback.
    for source, key in (
        (obj, "end_user"),
        (metadata, "user_api_key_end_user_id"),
        (metadata, "user_api_key_user_id"),
    ):
        user = genai.label(source.get(key))
        if user is not None:
            attrs["user.id"] = user
            break
    field = "metadata.prompt_management_metadata"
    prompt = get_dict(metadata, "prompt_management_metadata", field=field)
    for key, attribute in (("prompt_id", OWN_PROMPT_NAME), ("prompt_version", OWN_PROMPT_VERSION)):
        value = genai.label(prompt.get(key))
        if value is not None:
            attrs[attribute] = value
    return attrs


def _litellm_failure(obj: JsonObject) -> Failure | None:
    if obj.get("status") != "failure":
        return None
    info = get_dict(obj, "error_information", field="error_information")
    message = get_str(obj, "error_str", field="error_str") or get_str(
        info, "error_message", field="error_information.error_message"
    )
    kind = info.get("error_class") or info.get("error_code")
    return message or "the call failed", None if kind is None else str(kind)
