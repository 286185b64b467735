"""Provider chat messages -> the OTel GenAI message JSON (semconv v1.41 shapes).

Messages are converted to `{"role", "parts": [{"type": ...}], "finish_reason"?}` rather than
copied in the provider's shape, so `input_text` / `output_text` look the same whichever format
a span came from, and later code (prompt linking by system-message hash) reads one shape.

Conversion is lenient about content: a part type OTel doesn't name is kept as a "generic
part" with its own `type`, never dropped. Only a message that isn't an object is an error.
"""

from __future__ import annotations

from typing import Any

import orjson

from llmops_tui.ingest.formats.common import JsonObject, fail, get_dict, get_list, get_str

Messages = list[JsonObject]


FINISH_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "max_output_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_call",
    "tool_calls": "tool_call",
    "function_call": "tool_call",
    "refusal": "content_filter",
}
"""Provider stop reasons -> the OTel output-message enum (`stop|length|content_filter|
tool_call|error`). `gen_ai.response.finish_reasons` keeps the provider's own words."""


def is_openai_response(obj: JsonObject) -> bool:
    """A Chat Completions or Responses API response object."""
    return obj.get("object") in ("chat.completion", "response")


def is_anthropic_response(obj: JsonObject) -> bool:
    """An Anthropic Messages response object."""
    return obj.get("type") == "message"


# ---------------------------------------------------------------- OpenAI Chat Completions


def text_message(role: str, text: str) -> JsonObject:
    return {"role": role, "parts": [{"type": "text", "content": text}]}


def chat_messages(messages: list[Any], *, where: str = "request.messages") -> Messages:
    """OTel input messages from Chat Completions `messages` (also LiteLLM's)."""
    converted: Messages = []
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            raise fail(f"{where}[{i}]", "a message object", message)
        role = _role(message.get("role"))
        if role in ("tool", "function"):
            response = _joined_text(message.get("content"))
            call = {"type": "tool_call_response", "id": message.get("tool_call_id")}
            entry: JsonObject = {"role": "tool", "parts": [{**call, "response": response}]}
        else:
            parts = openai_parts(message.get("content"))
            parts += [_chat_tool_call(call) for call in message.get("tool_calls") or []]
            entry = {"role": role, "parts": parts}
        if isinstance(message.get("name"), str):
            entry["name"] = message["name"]
        converted.append(entry)
    return converted


def _role(value: object) -> str:
    # OpenAI's newer "developer" role is its old "system" role under another name.
    role = str(value) if value else "user"
    return "system" if role == "developer" else role


def chat_output(response: JsonObject, *, where: str) -> tuple[Messages, list[str]]:
    """OTel output messages and raw finish reasons from a `chat.completion` object."""
    outputs: Messages = []
    reasons: list[str] = []
    for i, choice in enumerate(get_list(response, "choices", field=where + "choices")):
        if not isinstance(choice, dict):
            raise fail(f"{where}choices[{i}]", "an object", choice)
        message = get_dict(choice, "message", field=f"{where}choices[{i}].message")
        parts: list[JsonObject] = []
        if isinstance(message.get("reasoning_content"), str):  # LiteLLM, DeepSeek
            parts.append({"type": "reasoning", "content": message["reasoning_content"]})
        parts += openai_parts(message.get("content"))
        if isinstance(message.get("refusal"), str):
            parts.append({"type": "refusal", "content": message["refusal"]})
        parts += [_chat_tool_call(call) for call in message.get("tool_calls") or []]
        output: JsonObject = {"role": message.get("role") or "assistant", "parts": parts}
        reason = get_str(choice, "finish_reason", field=f"{where}choices[{i}].finish_reason")
        if reason:
            reasons.append(reason)
            output["finish_reason"] = FINISH_REASONS.get(reason, reason)
        outputs.append(output)
    return outputs, reasons


def _chat_tool_call(call: object) -> JsonObject:
    function = call.get("function") if isinstance(call, dict) else None
    if not isinstance(call, dict) or not isinstance(function, dict):
        return {"type": "tool_call", "arguments": call}
    return {
        "type": "tool_call",
        "id": call.get("id"),
        "name": function.get("name"),
        "arguments": _parsed(function.get("arguments")),
    }


def openai_parts(content: object) -> list[JsonObject]:
    """OTel parts from OpenAI message content (a string, or a list of typed parts)."""
    if content is None or content == "":
        return []
    parts: list[JsonObject] = []
    for item in content if isinstance(content, list) else [content]:
        if isinstance(item, str):
            parts.append({"type": "text", "content": item})
        elif not isinstance(item, dict):
            parts.append({"type": "generic", "content": item})
        elif item.get("type") in ("text", "input_text", "output_text"):
            parts.append({"type": "text", "content": item.get("text", "")})
        elif item.get("type") in ("image_url", "input_image"):
            url = item.get("image_url")
            url = url.get("url") if isinstance(url, dict) else url
            parts.append({"type": "uri", "modality": "image", "uri": url})
        else:
            parts.append(dict(item))
    return parts


def _parsed(value: object) -> object:
    # OTel carries tool arguments as structured values; providers send JSON text.
    if isinstance(value, str):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


def _joined_text(content: object) -> object:
    if isinstance(content, list) and all(
        isinstance(item, dict) and isinstance(item.get("text"), str) for item in content
    ):
        return "".join(item["text"] for item in content)
    return content


# ---------------------------------------------------------------- OpenAI Responses API


def responses_input(request: JsonObject) -> Messages:
    """OTel input messages from a Responses API request: `instructions` plus `input` items."""
    converted: Messages = []
    instructions = request.get("instructions")
    if isinstance(instructions, str) and instructions:
        converted.append(text_message("system", instructions))
    items = request.get("input")
    if isinstance(items, str):
        return [*converted, text_message("user", items)]
    if not isinstance(items, list):
        raise fail("request.input", "a string or a list of input items", items)
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise fail(f"request.input[{i}]", "an input item object", item)
        if "role" in item:
            converted.append(
                {"role": _role(item["role"]), "parts": openai_parts(item.get("content"))}
            )
        elif item.get("type") == "function_call_output":
            call = {"type": "tool_call_response", "id": item.get("call_id")}
            converted.append({"role": "tool", "parts": [{**call, "response": item.get("output")}]})
        else:
            converted.append({"role": "assistant", "parts": _responses_item_parts(item)})
    return converted


def responses_output(response: JsonObject, *, where: str) -> tuple[Messages, list[str]]:
    """One OTel output message from a `response` object's `output` items.

    The Responses API has no finish reason, so one is derived from `status` in OTel's terms.
    """
    parts: list[JsonObject] = []
    for i, item in enumerate(get_list(response, "output", field=where + "output")):
        if not isinstance(item, dict):
            raise fail(f"{where}output[{i}]", "an output item object", item)
        parts += _responses_item_parts(item)
    status = response.get("status")
    if status == "incomplete":
        details = get_dict(response, "incomplete_details", field=where + "incomplete_details")
        reason = str(details.get("reason") or "incomplete")
    elif status == "failed":
        reason = "error"
    else:
        reason = "tool_call" if any(part["type"] == "tool_call" for part in parts) else "stop"
    reason = FINISH_REASONS.get(reason, reason)
    return [{"role": "assistant", "parts": parts, "finish_reason": reason}], [reason]


def _responses_item_parts(item: JsonObject) -> list[JsonObject]:
    kind = item.get("type")
    if kind == "message":
        return openai_parts(item.get("content"))
    if kind == "function_call":
        call = {"type": "tool_call", "id": item.get("call_id"), "name": item.get("name")}
        return [{**call, "arguments": _parsed(item.get("arguments"))}]
    if kind == "reasoning":
        summary = item.get("summary")
        texts = [s.get("text") for s in summary or [] if isinstance(s, dict)]
        text = "\n".join(t for t in texts if isinstance(t, str))
        return [{"type": "reasoning", "content": text}] if text else []
    return [dict(item)]


# ---------------------------------------------------------------- Anthropic Messages


def anthropic_system(system: object) -> list[JsonObject]:
    """OTel parts of Anthropic's separate `system` prompt (a string or text blocks)."""
    if system is None or system == "":
        return []
    if isinstance(system, str):
        return [{"type": "text", "content": system}]
    if isinstance(system, list):
        return anthropic_parts(system)
    raise fail("request.system", "a string or a list of text blocks", system)


def anthropic_messages(messages: list[Any], *, where: str = "request.messages") -> Messages:
    converted: Messages = []
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            raise fail(f"{where}[{i}]", "a message object", message)
        content = message.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        if not isinstance(blocks, list):
            raise fail(f"{where}[{i}].content", "a string or a list of blocks", content)
        converted.append({"role": message.get("role") or "user", "parts": anthropic_parts(blocks)})
    return converted


def anthropic_output(response: JsonObject, *, where: str) -> tuple[Messages, list[str]]:
    """One OTel output message and the raw stop reason from an Anthropic `message`."""
    stop = get_str(response, "stop_reason", field=where + "stop_reason")
    content = get_list(response, "content", field=where + "content")
    output: JsonObject = {"role": "assistant", "parts": anthropic_parts(content)}
    if stop:
        output["finish_reason"] = FINISH_REASONS.get(stop, stop)
    return [output], [stop] if stop else []


def anthropic_parts(blocks: list[Any]) -> list[JsonObject]:
    parts: list[JsonObject] = []
    for block in blocks:
        kind = block.get("type") if isinstance(block, dict) else None
        if not isinstance(block, dict):
            parts.append({"type": "generic", "content": block})
        elif kind == "text":
            parts.append({"type": "text", "content": block.get("text", "")})
        elif kind == "thinking":
            parts.append({"type": "reasoning", "content": block.get("thinking", "")})
        elif kind == "tool_use":
            call = {"type": "tool_call", "id": block.get("id"), "name": block.get("name")}
            parts.append({**call, "arguments": block.get("input")})
        elif kind == "tool_result":
            result = {"type": "tool_call_response", "id": block.get("tool_use_id")}
            parts.append({**result, "response": _joined_text(block.get("content"))})
        elif kind in ("image", "document") and isinstance(block.get("source"), dict):
            parts.append(_anthropic_media(str(kind), block["source"]))
        else:
            parts.append(dict(block))
    return parts


def _anthropic_media(kind: str, source: JsonObject) -> JsonObject:
    modality = "image" if kind == "image" else "document"
    if source.get("type") == "base64":
        blob = {"type": "blob", "modality": modality, "mime_type": source.get("media_type")}
        return {**blob, "content": source.get("data")}
    if source.get("type") == "url":
        return {"type": "uri", "modality": modality, "uri": source.get("url")}
    return {"type": kind, "source": source}
