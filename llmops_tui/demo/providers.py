"""The models the support app calls, and how each of them fails.

Kept as data so the traffic's cost and latency mix can be read (and changed) in one place:
speeds and tokenizer ratios drive latency and token counts; the failure catalogue holds the
exception types and messages the OpenAI and Anthropic SDKs actually raise, so an error span
in the demo looks like one from production.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Model:
    name: str
    response_model: str
    """The dated snapshot the provider reports back (`gen_ai.response.model`)."""
    provider: str
    family: str
    """Which SDK calls it: openai (also for vLLM's OpenAI-compatible server) or anthropic."""
    server: str
    first_token_s: float
    tokens_per_s: float
    chars_per_token: float
    reasoning: bool = False
    max_tokens: int = 800


MODELS: Final = {
    m.name: m
    for m in (
        Model("gpt-4o", "gpt-4o-2024-08-06", "openai", "openai", "api.openai.com", 0.45, 85, 4.0),
        Model("gpt-4o-mini", "gpt-4o-mini-2024-07-18", "openai", "openai", "api.openai.com", 0.35,
              110, 4.0),
        Model("claude-sonnet-4-5", "claude-sonnet-4-5-20250929", "anthropic", "anthropic",
              "api.anthropic.com", 0.9, 70, 3.6),
        Model("o4-mini", "o4-mini-2025-04-16", "openai", "openai", "api.openai.com", 0.5, 140, 4.0,
              reasoning=True, max_tokens=4000),
        Model("acme-ft-support-v2", "acme-ft-support-v2", "vllm", "vllm",
              "vllm.ml.acme.internal", 0.12, 160, 3.8),
        Model("acme-experimental-7b", "acme-experimental-7b", "vllm", "vllm",
              "vllm-research.ml.acme.internal", 0.1, 190, 3.7),
    )
}  # fmt: skip
FINISH_REASONS: Final = {
    # family: (answered, called a tool), as each API spells them
    "openai": ("stop", "tool_calls"),
    "anthropic": ("end_turn", "tool_use"),
    "vllm": ("stop", "tool_calls"),
}
TOOL_TOKENS: Final = {"v1": 410, "v2": 410, "v3": 655, "v4": 655}
"""Tokens the tool definitions add to every request (the v3 release added two tools)."""


@dataclass(frozen=True, slots=True)
class Failure:
    exception_type: str
    message: str
    """`str.format` template: `{model}`, `{tokens}`, `{prompt}`."""
    http_status: int
    """What the app answers its own client with when this failure reaches it."""
    median_s: float
    """Time until the SDK gives up (rate limits include its retries)."""


BASE_ERROR_RATE: Final = {"openai": 0.004, "anthropic": 0.006, "vllm": 0.008}
BASE_ERRORS: Final = {
    "openai": (("rate_limit_exceeded", "timeout", "internal_server_error"), (0.45, 0.2, 0.35)),
    "anthropic": (("rate_limit_exceeded", "overloaded_error", "timeout"), (0.35, 0.45, 0.2)),
    "vllm": (("timeout", "internal_server_error", "context_length_exceeded"), (0.5, 0.35, 0.15)),
}
"""Per family: the `error.type`s of everyday failures and their relative weights."""
INCIDENT_ERROR_RATE: Final = 0.18
"""Share of LLM calls that fail on the incident version during the incident window."""
INCIDENT_SLOWDOWN: Final = 2.5
FAILURES: Final[dict[tuple[str, str], Failure]] = {
    ("openai", "rate_limit_exceeded"): Failure(
        "openai.RateLimitError",
        "Error code: 429 - {{'error': {{'message': 'Rate limit reached for {model} in"
        " organization org-acmesupport on tokens per min (TPM): Limit 2000000, Used 1998712,"
        " Requested 1530. Please try again in 67ms.', 'type': 'tokens', 'param': None, 'code':"
        " 'rate_limit_exceeded'}}}}",
        503,
        2.5,
    ),
    ("openai", "timeout"): Failure("openai.APITimeoutError", "Request timed out.", 504, 30.0),
    ("openai", "internal_server_error"): Failure(
        "openai.InternalServerError",
        "Error code: 500 - {{'error': {{'message': 'The server had an error while processing"
        " your request. Sorry about that!', 'type': 'server_error', 'param': None, 'code':"
        " None}}}}",
        502,
        1.2,
    ),
    ("anthropic", "rate_limit_exceeded"): Failure(
        "anthropic.RateLimitError",
        "Error code: 429 - {{'type': 'error', 'error': {{'type': 'rate_limit_error', 'message':"
        " 'This request would exceed the rate limit for your organization of 800,000 input"
        " tokens per minute.'}}}}",
        503,
        2.0,
    ),
    ("anthropic", "overloaded_error"): Failure(
        "anthropic.InternalServerError",
        "Error code: 529 - {{'type': 'error', 'error': {{'type': 'overloaded_error', 'message':"
        " 'Overloaded'}}}}",
        502,
        0.9,
    ),
    ("anthropic", "timeout"): Failure("anthropic.APITimeoutError", "Request timed out.", 504, 30.0),
    ("vllm", "timeout"): Failure("openai.APITimeoutError", "Request timed out.", 504, 30.0),
    ("vllm", "internal_server_error"): Failure(
        "openai.InternalServerError",
        "Error code: 500 - {{'object': 'error', 'message': 'Internal Server Error', 'type':"
        " 'InternalServerError', 'param': None, 'code': 500}}",
        502,
        0.8,
    ),
    ("vllm", "context_length_exceeded"): Failure(
        "openai.BadRequestError",
        "Error code: 400 - {{'object': 'error', 'message': \"This model's maximum context length"
        " is 8192 tokens. However, you requested {tokens} tokens ({prompt} in the messages, 800"
        " in the completion). Please reduce the length of the messages or completion.\", 'type':"
        " 'BadRequestError', 'param': None, 'code': 400}}",
        502,
        0.06,
    ),
}
