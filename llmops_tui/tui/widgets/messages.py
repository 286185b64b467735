"""Chat messages as people read them, whatever dialect stored them.

Spans carry messages as OTel GenAI `parts` lists, OpenAI-style `content` strings or lists,
rebuilt `{role, content}` lists (OpenInference, OpenLLMetry), or plain text. A role header
followed by the text reads better than indented JSON; anything unrecognised is shown as
pretty JSON, and non-JSON as it is.
"""

from __future__ import annotations

import json
from typing import Any


def render_messages(text: str) -> str:
    try:
        value = json.loads(text)
    except ValueError:
        return text
    if isinstance(value, dict) and isinstance(value.get("messages"), list):
        value = value["messages"]
    if isinstance(value, list) and value and all(_is_message(m) for m in value):
        return "\n\n".join(_message(m) for m in value)
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, ensure_ascii=False)


def _is_message(item: Any) -> bool:
    return isinstance(item, dict) and "role" in item


def _message(message: dict[str, Any]) -> str:
    role = str(message.get("role", "?"))
    body = _content(message.get("parts", message.get("content")))
    calls = [_tool_call(c) for c in message.get("tool_calls") or [] if isinstance(c, dict)]
    return "\n".join([f"[{role}]", *([body] if body else []), *calls])


def _content(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(p for p in (_part(part) for part in content) if p)
    return json.dumps(content, ensure_ascii=False)


def _part(part: Any) -> str:
    if isinstance(part, str):
        return part
    if not isinstance(part, dict):
        return json.dumps(part, ensure_ascii=False)
    kind = part.get("type")
    if kind in ("tool_call", "function_call", "tool_use"):
        return _tool_call(part)
    if kind in ("tool_call_response", "tool_result"):
        return f"← {_content(part.get('response', part.get('content')))}"
    for key in ("content", "text"):
        if isinstance(part.get(key), str):
            return str(part[key])
    return json.dumps(part, ensure_ascii=False)


def _tool_call(call: dict[str, Any]) -> str:
    nested = call.get("function")
    function: dict[str, Any] = nested if isinstance(nested, dict) else call
    name = function.get("name", "?")
    arguments = function.get("arguments", function.get("input", ""))
    if not isinstance(arguments, str):
        arguments = json.dumps(arguments, ensure_ascii=False)
    return f"→ {name}({arguments})"
