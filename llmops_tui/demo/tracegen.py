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
from llmops_tui.demo.providers import (
    BASE_ERROR_RATE,
    BASE_ERRORS,
    FAILURES,
    FINISH_REASONS,
    INCIDENT_ERROR_RATE,
    INCIDENT_SLOWDOWN,
    MODELS,
    TOOL_TOKENS,
    Model,
)
from llmops_tui.demo.timeline import RELEASES, SECOND_NS

_THUMBS_DOWN: Final = {"v1": 0.24, "v2": 0.18, "v3": 0.13, "v4": 0.10}
_FEEDBACK_SHARE: Final = 0.06
_USER_AGENTS: Final = tuple(
    text("user_agent.original", agent)
    for agent in (
        "AcmeWeb/5.12.0 (support-widget)",
        "AcmeWeb/5.12.0 (support-widget)",
        "AcmeiOS/3.4.1 (iPhone; iOS 18.6)",
        "AcmeAndroid/3.4.0 (Pixel 8; Android 15)",
    )
)
_HOSTS: Final = {
    "production": "support-api.acme.com",
    "staging": "support-api.staging.acme.internal",
    "development": "localhost",
}
_RETRIEVAL_ATTRIBUTES: Final = (
    text("gen_ai.operation.name", "retrieval"),
    text("gen_ai.data_source.id", "acme-help-center-2025-10"),
    integer("acme.retrieval.top_k", 5),
    text("acme.retrieval.reranker", "BAAI/bge-reranker-v2-m3"),
    integer("acme.retrieval.returned", talk.PROMPT_ARTICLES),
)
_TOOL_ATTRIBUTES: Final = (
    text("gen_ai.operation.name", "execute_tool"),
    text("gen_ai.tool.name", "lookup_order"),
    text("gen_ai.tool.type", "function"),
    text("gen_ai.tool.description", "Look up an order by id: status, carrier, tracking, delivery."),
)


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


def _ms(rng: random.Random, low: float, high: float) -> int:
    return int((low + (high - low) * rng.random()) * 1_000_000)


def _seconds(rng: random.Random, median: float, spread: float) -> int:
    return int(median * rng.lognormvariate(0.0, spread) * SECOND_NS)


class TraceBuilder:
    def __init__(
        self, rng: random.Random, environment: str, templates: dict[str, Template]
    ) -> None:
        self.rng = rng
        self.environment = environment
        self.templates = templates
        self.http = [
            text("http.request.method", "POST"),
            text("http.route", "/v1/support/chat"),
            text("url.path", "/v1/support/chat"),
            text("url.scheme", "https"),
            text("server.address", _HOSTS[environment]),
            text("network.protocol.version", "1.1"),
        ]

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
            arguments = {"order_id": conversation.order}
            request = {
                "type": "tool_call",
                "id": call_id,
                "name": "lookup_order",
                "arguments": arguments,
            }
            output = [{"role": "assistant", "parts": [request], "finish_reason": "tool_call"}]
            start = self._chat(ctx, start, messages, chars, output, None) + _ms(rng, 1, 3)
            end = start + _seconds(rng, 0.09, 0.5)
            found = talk.json_text(order)
            tool = self._tool(ctx, start, end, call_id, talk.json_text(arguments), found)
            ctx.spans.append((otlp.SCOPE_APP, tool))
            result = {"type": "tool_call_response", "id": call_id, "response": order}
            messages = [
                *messages,
                {"role": "assistant", "parts": [request]},
                {"role": "tool", "parts": [result]},
            ]
            chars += len(found) + 40  # the tool call and its result, as the model sees them
            start = end + _ms(rng, 1, 3)
            error = self._error(model, incident)
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
        if rng.random() >= BASE_ERROR_RATE[model.family]:
            return None
        kinds, weights = BASE_ERRORS[model.family]
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
        input_tokens += TOOL_TOKENS[version] + 4 * len(messages)
        attributes.append(text("gen_ai.input.messages", talk.json_text(messages)))
        events: list[Json] = []
        if error is not None:
            failure = FAILURES[model.family, error]
            prompt = 7400 + rng.randrange(600)
            message = failure.message.format(model=model.name, tokens=prompt + 800, prompt=prompt)
            spread = 0.3 if failure.median_s < 30 else 0.003  # a timeout is a timeout
            end = start + _seconds(rng, failure.median_s, spread)
            attributes.append(text("error.type", error))
            exception = [
                text("exception.type", failure.exception_type),
                text("exception.message", message),
            ]
            events.append({"timeUnixNano": end, "name": "exception", "attributes": exception})
            status: Json = {"message": message, "code": 2}
            response_id = ""
        else:
            response_id = self._response_id(model)
            tool_call = output[0]["finish_reason"] == "tool_call"
            content = "" if tool_call else output[0]["parts"][0]["content"]
            output_tokens = 18 + int(12 * rng.random()) if tool_call else int(len(content) / 4) + 2
            reasoning = int(rng.lognormvariate(math.log(320), 0.6)) if model.reasoning else 0
            output_tokens += reasoning
            seconds = model.first_token_s + output_tokens / model.tokens_per_s
            seconds += input_tokens / 50_000
            end = start + _seconds(rng, seconds * (INCIDENT_SLOWDOWN if incident else 1.0), 0.25)
            finish = FINISH_REASONS[model.family][1 if tool_call else 0]
            attributes += [
                text("gen_ai.response.id", response_id),
                text("gen_ai.response.model", model.response_model),
                texts("gen_ai.response.finish_reasons", [finish]),
                integer("gen_ai.usage.input_tokens", input_tokens),
                integer("gen_ai.usage.output_tokens", output_tokens),
            ]
            prefix = TOOL_TOKENS[version] + int(ctx.system_chars / model.chars_per_token)
            if len(messages) > 3 and messages[-1]["role"] == "tool":
                prefix = input_tokens - 60  # the second call repeats the first one's prompt
            prefix = min(prefix, input_tokens - 8)  # cached tokens are part of the input
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
        item = otlp.span(
            ctx.trace,
            otlp.span_id(rng),
            ctx.root,
            name,
            otlp.KIND_CLIENT,
            start,
            end,
            attributes,
            status,
            events,
        )
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
            *_RETRIEVAL_ATTRIBUTES,
            text("gen_ai.retrieval.query.text", turn.question),
            text("gen_ai.retrieval.documents", talk.json_text(documents)),
        ]
        return otlp.span(
            ctx.trace,
            otlp.span_id(self.rng),
            ctx.root,
            "retrieve kb",
            otlp.KIND_INTERNAL,
            start,
            end,
            attributes,
        )

    def _tool(
        self, ctx: _Trace, start: int, end: int, call_id: str, arguments: str, found: str
    ) -> Json:
        attributes = [
            *_TOOL_ATTRIBUTES,
            text("gen_ai.tool.call.id", call_id),
            text("gen_ai.tool.call.arguments", arguments),
            text("gen_ai.tool.call.result", found),
        ]
        return otlp.span(
            ctx.trace,
            otlp.span_id(self.rng),
            ctx.root,
            "execute_tool lookup_order",
            otlp.KIND_INTERNAL,
            start,
            end,
            attributes,
        )

    def _root(self, ctx: _Trace, end: int, turn: talk.Turn, error: str | None) -> Json:
        conversation = turn.conversation
        code = 200 if error is None else FAILURES[ctx.model.family, error].http_status
        attributes = [
            *self.http,
            self.rng.choice(_USER_AGENTS),
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
        return otlp.span(
            ctx.trace,
            ctx.root,
            "",
            "POST /v1/support/chat",
            otlp.KIND_SERVER,
            0,
            end,
            attributes,
            status,
        )
