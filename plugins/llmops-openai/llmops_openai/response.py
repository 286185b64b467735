"""A Chat Completions response body -> `ProviderResponse`, and error bodies -> one line.

Usage follows OpenAI's counting, which is also llmops's (OTel ≥ 1.40): `prompt_tokens`
includes cached tokens (`prompt_tokens_details.cached_tokens` is the cache read) and
`completion_tokens` includes reasoning (`completion_tokens_details.reasoning_tokens`). Cost
is taken only when the server reports it (a LiteLLM proxy's `x-litellm-response-cost`
header, OpenRouter's `usage.cost`); otherwise it stays None and llmops prices the usage.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from llmops_tui.plugin_api import ProviderError, ProviderResponse

COST_HEADER = "x-litellm-response-cost"
EXCERPT = 120


def parse(response: httpx.Response, *, latency_ms: float, attempts: int) -> ProviderResponse:
    """The answer in a 2xx response.

    Raises:
        ProviderError: the body is not JSON, or has no `choices[0].message` (not retryable:
            the same server would answer the same way).
    """
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ProviderError(
            f"openai: response is not JSON (HTTP {response.status_code}): "
            f"{_excerpt(response.text)}",
            status=response.status_code,
        ) from None
    if not isinstance(body, Mapping):
        raise ProviderError(f"openai: response is not a JSON object: {_excerpt(response.text)}")
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], Mapping):
        raise ProviderError(
            f"openai: response has no choices (keys: {', '.join(sorted(body)) or 'none'})"
        )
    message = choices[0].get("message")
    if not isinstance(message, Mapping):
        raise ProviderError("openai: response choices[0] has no message")
    content = message.get("content")
    if content is not None and not isinstance(content, str):
        raise ProviderError(
            f"openai: choices[0].message.content: expected a string, got {content!r}"
        )
    found = body.get("usage")
    usage: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    raw: dict[str, Any] = {
        "id": body.get("id"),
        "finish_reason": choices[0].get("finish_reason"),
        "attempts": attempts,
    }
    if message.get("tool_calls"):
        raw["tool_calls"] = message["tool_calls"]
    return ProviderResponse(
        text=content or message.get("refusal") or "",
        latency_ms=latency_ms,
        model=body.get("model") if isinstance(body.get("model"), str) else None,
        input_tokens=_int(usage.get("prompt_tokens")),
        output_tokens=_int(usage.get("completion_tokens")),
        cache_read_tokens=_int(_nested(usage, "prompt_tokens_details", "cached_tokens")),
        reasoning_tokens=_int(_nested(usage, "completion_tokens_details", "reasoning_tokens")),
        cost_usd=_cost(response, usage),
        raw=raw,
    )


def error_message(response: httpx.Response) -> str:
    """The server's own words from an error body (`{"error": {"message": ...}}`), else an
    excerpt of the body."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _excerpt(response.text) or response.reason_phrase
    error = body.get("error") if isinstance(body, Mapping) else None
    if isinstance(error, Mapping) and isinstance(error.get("message"), str):
        return _excerpt(error["message"])
    if isinstance(error, str):
        return _excerpt(error)
    return _excerpt(response.text)


def _cost(response: httpx.Response, usage: Mapping[str, Any]) -> float | None:
    for value in (response.headers.get(COST_HEADER), usage.get("cost")):
        if value is None or isinstance(value, bool):
            continue
        try:
            return float(value)
        except (TypeError, ValueError):
            continue
    return None


def _nested(data: Mapping[str, Any], key: str, inner: str) -> Any:
    value = data.get(key)
    return value.get(inner) if isinstance(value, Mapping) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"
