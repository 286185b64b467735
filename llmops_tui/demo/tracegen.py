"""One support-chat request as the instrumented app would trace it.

A trace is `POST /v1/support/chat` (server) → `retrieve kb` → `chat <model>` (client), and
when the agent looks an order up, `chat` → `execute_tool lookup_order` → `chat` again. Token
counts follow the message text and the model's tokenizer ratio, latency follows the model's
speed, and failures carry what real SDKs report, so every metric in the cockpit has a cause
the user can find in the spans.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from llmops_tui.demo import conversation as talk
from llmops_tui.demo import otlp, phrases
from llmops_tui.demo.otlp import Json, double, integer, text, texts
from llmops_tui.demo.prompts import Template
from llmops_tui.demo.timeline import RELEASES, SECOND_NS


@dataclass(frozen=True, slots=True)
class Model:
    name: str
    response_model: str
    provider: str
    family: str
    """Which SDK calls it: openai (also vLLM's OpenAI-compatible server) or anthropic."""
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
_FINISH: Final = {
    "openai": ("stop", "tool_calls"),
    "anthropic": ("end_turn", "tool_use"),
    "vllm": ("stop", "tool_calls"),
}
_TOOL_TOKENS: Final = {"v1": 410, "v2": 410, "v3": 655, "v4": 655}
"""Tokens the tool definitions add to every request (v3 added two tools)."""

_BASE_ERROR_RATE: Final = {"openai": 0.004, "anthropic": 0.006, "vllm": 0.008}
_BASE_ERRORS: Final = {
    "openai": (("rate_limit_exceeded", 0.45), ("timeout", 0.2), ("internal_server_error", 0.35)),
    "anthropic": (("rate_limit_exceeded", 0.35), ("overloaded_error", 0.45), ("timeout", 0.2)),
    "vllm": (("timeout", 0.5), ("internal_server_error", 0.35), ("context_length_exceeded", 0.15)),
}
INCIDENT_ERROR_RATE: Final = 0.18
INCIDENT_SLOWDOWN: Final = 2.5
_ERRORS: Final[dict[tuple[str, str], tuple[str, str, int, float]]] = {
    # (family, error.type): (exception.type, message, HTTP status of the app, median seconds)
    ("openai", "rate_limit_exceeded"): ("openai.RateLimitError", "Error code: 429 - {{'error': {{'message': 'Rate limit reached for {model} in organization org-acmesupport on tokens per min (TPM): Limit 2000000, Used 1998712, Requested 1530. Please try again in 67ms.', 'type': 'tokens', 'param': None, 'code': 'rate_limit_exceeded'}}}}", 503, 2.5),  # noqa: E501
    ("openai", "timeout"): ("openai.APITimeoutError", "Request timed out.", 504, 30.0),
    ("openai", "internal_server_error"): ("openai.InternalServerError", "Error code: 500 - {{'error': {{'message': 'The server had an error while processing your request. Sorry about that!', 'type': 'server_error', 'param': None, 'code': None}}}}", 502, 1.2),  # noqa: E501
    ("anthropic", "rate_limit_exceeded"): ("anthropic.RateLimitError", "Error code: 429 - {{'type': 'error', 'error': {{'type': 'rate_limit_error', 'message': 'This request would exceed the rate limit for your organization of 800,000 input tokens per minute.'}}}}", 503, 2.0),  # noqa: E501
    ("anthropic", "overloaded_error"): ("anthropic.InternalServerError", "Error code: 529 - {{'type': 'error', 'error': {{'type': 'overloaded_error', 'message': 'Overloaded'}}}}", 502, 0.9),  # noqa: E501
    ("anthropic", "timeout"): ("anthropic.APITimeoutError", "Request timed out.", 504, 30.0),
    ("vllm", "timeout"): ("openai.APITimeoutError", "Request timed out.", 504, 30.0),
    ("vllm", "internal_server_error"): ("openai.InternalServerError", "Error code: 500 - {{'object': 'error', 'message': 'Internal Server Error', 'type': 'InternalServerError', 'param': None, 'code': 500}}", 502, 0.8),  # noqa: E501
    ("vllm", "context_length_exceeded"): ("openai.BadRequestError", "Error code: 400 - {{'object': 'error', 'message': \"This model's maximum context length is 8192 tokens. However, you requested {tokens} tokens ({prompt} in the messages, 800 in the completion). Please reduce the length of the messages or completion.\", 'type': 'BadRequestError', 'param': None, 'code': 400}}", 502, 0.06),  # noqa: E501
}
_THUMBS_DOWN: Final = {"v1": 0.24, "v2": 0.18, "v3": 0.13, "v4": 0.10}
_FEEDBACK_SHARE: Final = 0.06
_USER_AGENTS: Final = (
    "AcmeWeb/5.12.0 (support-widget)",
    "AcmeWeb/5.12.0 (support-widget)",
    "AcmeiOS/3.4.1 (iPhone; iOS 18.6)",
    "AcmeAndroid/3.4.0 (Pixel 8; Android 15)",
)
_HOSTS: Final = {
    "production": "support-api.acme.com",
    "staging": "support-api.staging.acme.internal",
    "development": "localhost",
}
_LOOKUP_DESCRIPTION: Final = "Look up an order by id: status, carrier, tracking number, delivery."


def _static(model: Model) -> list[Json]:
    attributes = [
        text("gen_ai.operation.name", "chat"),
        text("gen_ai.provider.name", model.provider),
        text("gen_ai.request.model", model.name),
    ]
    if not model.reasoning:
        attributes.append(double("gen_ai.request.temperature", 0.3))
    attributes.append(integer("gen_ai.request.max_tokens", model.max_tokens))
    attributes.append(text("server.address", model.server))
    attributes.append(integer("server.port", 8000 if model.family == "vllm" else 443))
    return attributes


_MODEL_ATTRIBUTES: Final = {name: _static(model) for name, model in MODELS.items()}
_PROMPT_ATTRIBUTES: Final = {
    version: [
        text("llmops.prompt.name", "support"),
        text("llmops.prompt.version", version),
        text("llmops.release", release),
    ]
    for version, release in RELEASES.items()
}


@dataclass(slots=True)
class _Trace:
    """What every span of the trace being built shares."""

    trace: str
    root: str
    model: Model
    version: str
    incident: bool
    system_chars: int
    spans: list[tuple[int, Json]] = field(default_factory=list)


def _ms(rng: random.Random, low: int, high: int) -> int:
    return rng.randint(low, high) * 1_000_000


def _seconds(rng: random.Random, median: float, spread: float) -> int:
    return int(median * rng.lognormvariate(0.0, spread) * SECOND_NS)


class TraceBuilder:
    def __init__(
        self, rng: random.Random, environment: str, templates: dict[str, Template]
    ) -> None:
        self.rng = rng
        self.environment = environment
        self.templates = templates
        self.host = text("server.address", _HOSTS[environment])

    def build(
        self, turn: talk.Turn, version: str, model: Model, day: date, today: str, incident: bool
    ) -> tuple[list[tuple[int, Json]], int]:
        """The trace's spans in the order they ended, with times relative to its start."""
        rng = self.rng
        conversation = turn.conversation
        system = talk.render_system(self.templates[version], turn, today)
        ctx = _Trace(otlp.trace_id(rng), otlp.span_id(rng), model, version, incident, len(system))

        start = _ms(rng, 1, 6)
        end = start + _seconds(rng, 0.11, 0.35)
        ctx.spans.append((otlp.SCOPE_APP, self._retrieval(ctx, start, end, turn)))

        messages = [talk.text_message("system", system)]
        chars = len(system) + len(turn.question)
        for question, reply in conversation.history[-1:]:
            messages += [talk.text_message("user", question), talk.text_message("assistant", reply)]
            chars += len(question) + len(reply)
        messages.append(talk.text_message("user", turn.question))
        error = self._error(model, incident)
        start = end + _ms(rng, 1, 4)
        order = talk.order_record(rng, turn, day) if turn.uses_tool and error is None else None
        if order is not None:
            call_id = self._call_id(model)
            request = {"type": "tool_call", "id": call_id, "name": "lookup_order"}
            request["arguments"] = {"order_id": conversation.order}
            output = [{"role": "assistant", "parts": [request], "finish_reason": "tool_call"}]
            start = self._chat(ctx, start, messages, chars, output, None) + _ms(rng, 1, 3)
            end = start + _seconds(rng, 0.09, 0.5)
            ctx.spans.append((otlp.SCOPE_APP, self._tool(ctx, start, end, call_id, order)))
            result = {"type": "tool_call_response", "id": call_id, "response": order}
            messages = [
                *messages,
                {"role": "assistant", "parts": [request]},
                {"role": "tool", "parts": [result]},
            ]
            chars += 160
            start = end + _ms(rng, 1, 3)
        reply = talk.answer(rng, turn, version, day, order) if error is None else ""
        output = [talk.text_message("assistant", reply) | {"finish_reason": "stop"}]
        end = self._chat(ctx, start, messages, chars, output, error) + _ms(rng, 2, 9)
        if error is None:
            conversation.history.append((turn.question, reply))
        ctx.spans.append((otlp.SCOPE_HTTP, self._root(ctx, end, turn, error)))
        return ctx.spans, end

    def _error(self, model: Model, incident: bool) -> str | None:
        rng = self.rng
        if incident and rng.random() < INCIDENT_ERROR_RATE:
            return "context_length_exceeded" if model.family == "vllm" else "rate_limit_exceeded"
        if rng.random() >= _BASE_ERROR_RATE[model.family]:
            return None
        kinds, weights = zip(*_BASE_ERRORS[model.family], strict=True)
        return rng.choices(kinds, weights)[0]

    def _call_id(self, model: Model) -> str:
        if model.family == "anthropic":
            return "toolu_01" + otlp.base62(self.rng, 22)
        if model.family == "vllm":
            return f"chatcmpl-tool-{self.rng.getrandbits(128):032x}"
        return "call_" + otlp.base62(self.rng, 24)

    def _response_id(self, model: Model) -> str:
        if model.family == "anthropic":
            return "msg_01" + otlp.base62(self.rng, 22)
        if model.family == "vllm":
            return f"chatcmpl-{self.rng.getrandbits(128):032x}"
        return "chatcmpl-" + otlp.base62(self.rng, 29)

    def _chat(
        self,
        ctx: _Trace,
        start: int,
        messages: list[dict[str, Any]],
        chars: int,
        output: list[dict[str, Any]],
        error: str | None,
    ) -> int:
        """Append the `chat` span for one LLM request; returns when it ended."""
        model, version, incident = ctx.model, ctx.version, ctx.incident
        rng = self.rng
        attributes = [*_MODEL_ATTRIBUTES[model.name], *_PROMPT_ATTRIBUTES[version]]
        input_tokens = int(chars / model.chars_per_token * rng.uniform(0.98, 1.02))
        input_tokens += _TOOL_TOKENS[version] + 4 * len(messages)
        attributes.append(text("gen_ai.input.messages", talk.json_text(messages)))
        events: list[Json] = []
        if error is not None:
            exception_type, message, _, median = _ERRORS[model.family, error]
            prompt = 7400 + rng.randrange(600)
            message = message.format(model=model.name, tokens=prompt + 800, prompt=prompt)
            end = start + _seconds(rng, median, 0.3 if median < 30 else 0.003)
            attributes.append(text("error.type", error))
            exception = [text("exception.type", exception_type), text("exception.message", message)]
            events.append({"timeUnixNano": end, "name": "exception", "attributes": exception})
            status: Json = {"message": message, "code": 2}
            response_id = ""
        else:
            response_id = self._response_id(model)
            tool_call = output[0]["finish_reason"] == "tool_call"
            content = "" if tool_call else output[0]["parts"][0]["content"]
            output_tokens = rng.randint(18, 30) if tool_call else int(len(content) / 4) + 2
            reasoning = int(rng.lognormvariate(math.log(320), 0.6)) if model.reasoning else 0
            output_tokens += reasoning
            seconds = model.first_token_s + output_tokens / model.tokens_per_s
            seconds += input_tokens / 50_000
            end = start + _seconds(rng, seconds * (INCIDENT_SLOWDOWN if incident else 1.0), 0.25)
            finish = _FINISH[model.family][1 if tool_call else 0]
            attributes += [
                text("gen_ai.response.id", response_id),
                text("gen_ai.response.model", model.response_model),
                texts("gen_ai.response.finish_reasons", [finish]),
                integer("gen_ai.usage.input_tokens", input_tokens),
                integer("gen_ai.usage.output_tokens", output_tokens),
            ]
            prefix = _TOOL_TOKENS[version] + int(ctx.system_chars / model.chars_per_token)
            if len(messages) > 3 and messages[-1]["role"] == "tool":
                prefix = input_tokens - 60  # the second call repeats the first one's prompt
            if model.family == "openai" and prefix >= 1024 and rng.random() < 0.5:
                cached = prefix - prefix % 128
                attributes.append(integer("gen_ai.usage.cache_read.input_tokens", cached))
            elif model.family == "anthropic" and prefix >= 1024:
                key = "cache_read" if rng.random() < 0.7 else "cache_creation"
                attributes.append(integer(f"gen_ai.usage.{key}.input_tokens", prefix))
            if reasoning:
                attributes.append(integer("gen_ai.usage.reasoning.output_tokens", reasoning))
            attributes.append(text("gen_ai.output.messages", talk.json_text(output)))
            if not tool_call and rng.random() < _FEEDBACK_SHARE:
                events.append(self._feedback(version, model, incident, end, response_id))
            status = otlp.STATUS_UNSET
        scope = otlp.SCOPE_ANTHROPIC if model.family == "anthropic" else otlp.SCOPE_OPENAI
        name = f"chat {model.name}"
        item = otlp.span(ctx.trace, otlp.span_id(rng), ctx.root, name, otlp.KIND_CLIENT, start, end,
                         attributes, status, events)  # fmt: skip
        ctx.spans.append((scope, item))
        return end

    def _feedback(
        self, version: str, model: Model, incident: bool, at: int, response_id: str
    ) -> Json:
        rng = self.rng
        down = _THUMBS_DOWN[version] + (0.25 if incident else 0.0)
        down += 0.15 if model.name == "acme-experimental-7b" else 0.0
        thumbs_up = rng.random() >= down
        attributes = [
            text("gen_ai.evaluation.name", "user_feedback"),
            double("gen_ai.evaluation.score.value", 1.0 if thumbs_up else 0.0),
            text("gen_ai.evaluation.score.label", "thumbs_up" if thumbs_up else "thumbs_down"),
            text("gen_ai.response.id", response_id),
        ]
        if not thumbs_up and rng.random() < 0.5:
            comment = rng.choice(phrases.FEEDBACK_COMMENTS)
            attributes.append(text("gen_ai.evaluation.explanation", comment))
        return {"timeUnixNano": at, "name": "gen_ai.evaluation.result", "attributes": attributes}

    def _retrieval(self, ctx: _Trace, start: int, end: int, turn: talk.Turn) -> Json:
        documents = [{"id": key, "score": score} for key, score in turn.documents]
        attributes = [
            text("gen_ai.operation.name", "retrieval"),
            text("gen_ai.data_source.id", "acme-help-center-2025-10"),
            text("gen_ai.retrieval.query.text", turn.question),
            text("gen_ai.retrieval.documents", talk.json_text(documents)),
            integer("acme.retrieval.top_k", 5),
            text("acme.retrieval.reranker", "BAAI/bge-reranker-v2-m3"),
            integer("acme.retrieval.returned", talk.PROMPT_ARTICLES),
        ]
        return otlp.span(ctx.trace, otlp.span_id(self.rng), ctx.root, "retrieve kb",
                         otlp.KIND_INTERNAL, start, end, attributes)  # fmt: skip

    def _tool(self, ctx: _Trace, start: int, end: int, call_id: str, order: dict[str, Any]) -> Json:
        attributes = [
            text("gen_ai.operation.name", "execute_tool"),
            text("gen_ai.tool.name", "lookup_order"),
            text("gen_ai.tool.type", "function"),
            text("gen_ai.tool.description", _LOOKUP_DESCRIPTION),
            text("gen_ai.tool.call.id", call_id),
            text("gen_ai.tool.call.arguments", talk.json_text({"order_id": order["order_id"]})),
            text("gen_ai.tool.call.result", talk.json_text(order)),
        ]
        return otlp.span(ctx.trace, otlp.span_id(self.rng), ctx.root, "execute_tool lookup_order",
                         otlp.KIND_INTERNAL, start, end, attributes)  # fmt: skip

    def _root(self, ctx: _Trace, end: int, turn: talk.Turn, error: str | None) -> Json:
        conversation = turn.conversation
        code = 200 if error is None else _ERRORS[ctx.model.family, error][2]
        attributes = [
            text("http.request.method", "POST"),
            text("http.route", "/v1/support/chat"),
            text("url.path", "/v1/support/chat"),
            text("url.scheme", "https"),
            self.host,
            text("network.protocol.version", "1.1"),
            text("user_agent.original", self.rng.choice(_USER_AGENTS)),
            integer("http.response.status_code", code),
            text("user.id", conversation.customer.user_id),
            text("session.id", conversation.session_id),
            text("acme.plan", conversation.customer.plan),
            text("acme.support.category", conversation.category),
            integer("acme.conversation.turn", conversation.turn),
        ]
        status = otlp.STATUS_UNSET
        if error is not None:
            attributes.append(text("error.type", str(code)))
            status = {"message": f"LLM call failed: {error}", "code": 2}
        return otlp.span(ctx.trace, ctx.root, "", "POST /v1/support/chat", otlp.KIND_SERVER, 0, end,
                         attributes, status)  # fmt: skip
