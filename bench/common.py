"""Benchmark data: a seeded generator of realistic OTel GenAI spans, written twice.

The same span stream is written as *flat span* JSONL (one object per line, the shape in
`llmops_tui/ingest/formats/__init__.py`) and as OTLP JSON collector file-exporter lines (one
`ExportTraceServiceRequest` per line, ~100 spans each, hex ids, times as nanosecond strings,
`intValue` as strings). Traces look like a support bot's: an `invoke_agent` root, one to three
`chat` calls carrying `gen_ai.input.messages` / `gen_ai.output.messages` and sometimes an
`execute_tool` span, ~2.5 KB a span on average in the flat file.

Files are cached under `bench/.data/`, keyed by the span count and `GENERATOR_VERSION`; bump
the version whenever the output changes so stale caches are not reused.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

GENERATOR_VERSION = 1
SEED = 20_250_601
SPANS_PER_REQUEST = 100
START_NS = 1_748_736_000_000_000_000  # 2025-06-01T00:00:00Z
SPREAD_NS = 14 * 24 * 3600 * 1_000_000_000  # traffic spread over 14 days
DATA_DIR = Path(__file__).resolve().parent / ".data"

AttrValue = str | int | float | bool | list[str]

# -- the word bank --------------------------------------------------------------------------

FIRST_NAMES = (
    "Maya", "Lukas", "Priya", "Tom", "Sofia", "Hannah", "Daniel", "Grace", "Oliver", "Emma",
    "Marcus", "Aisha", "Chloe", "Ben", "Nadia", "Jamal", "Yuki", "Ella", "Noah", "Isabella",
    "Liam", "Olivia", "Ethan", "Zoe", "Samuel", "Mia", "Lucas", "Amelia", "Henry", "Leah",
)  # fmt: skip
PRODUCTS = (
    "Trailhead 2-Person Tent", "Summit 45L Backpack", "Ridgeline Rain Jacket",
    "Alpine 20F Sleeping Bag", "Basecamp Lantern", "Cedar Camp Stool", "Trail Headlamp 400",
    "Camp Mug Set", "Canyon Hiking Boots", "Polar Fleece Pullover", "Riverside Kayak Paddle",
    "Backcountry Stove", "Ultralight Sleeping Pad", "Insulated Water Bottle 1L",
)  # fmt: skip
CARRIERS = ("UPS", "FedEx", "USPS", "DHL")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
QUESTIONS = (
    "Where is my order {order}? It was supposed to arrive yesterday.",
    "Hi, can I get the tracking number for order {order}?",
    "My order {order} still says processing after 3 days. Is something wrong?",
    "When will my {product} arrive? Order {order}.",
    "How do I return a {product} I got last week?",
    "The {product} doesn't fit. Can I exchange it for a bigger size?",
    "I sent my return back 10 days ago and still no refund. What's going on?",
    "The {product} went on sale two days after I bought it. Can I get the difference?",
    "How long does standard shipping take to {city}?",
    "I was charged $49 for Plus but I thought I cancelled. Can I get that back?",
    "My {product} arrived broken. Order {order}. What now?",
    "I forgot my password and the reset email never came.",
    "How do I clean my {product}? It smells after the last trip.",
    "My {product} broke after 8 months. Is that covered by warranty?",
)
FOLLOW_UPS = (
    "Thanks! And how long does the refund take after that?",
    "Ok. Can you send me that by email too?",
    "What if it's already past that date?",
    "Does that apply to Plus members too?",
    "Can I talk to a person instead?",
    "Sorry, one more thing: is there a fee for that?",
    "And if I'm not home when it arrives?",
)
ANSWER_SENTENCES = (
    "Your order {order} shipped with {carrier} and is on its way.",
    "The tracking number is {tracking}, and it should arrive by {day}.",
    "Tracking can take up to 24 hours to update after the label is created.",
    "You can return unused items within {window} days of delivery.",
    "Go to Orders, choose Return items, pick the {product} and print the label.",
    "We ship the new size as soon as the return is scanned at the drop-off point.",
    "Refunds go back to your original payment method 5-7 business days after the return "
    "reaches our warehouse, and your bank may need a few more days to show it.",
    "Price adjustments are available within 14 days of purchase for Plus and Business members.",
    "Standard shipping takes 3-5 business days and is free on orders over $50.",
    "Expedited 2-day shipping is $14.95 if you order before 1 pm ET.",
    "Acme Plus is $49 a year and includes free standard shipping and free return labels.",
    "I'm sorry the {product} arrived like that; we'll ship a replacement free of charge.",
    "Please report it under Orders > Report a problem and attach a photo.",
    "Use Forgot password on the sign-in page; the link is valid for 30 minutes.",
    "Wash it on a gentle cycle with a technical wash, then tumble dry on low.",
    "Acme-brand gear has a 2-year warranty against defects from the delivery date.",
    "Send us a photo and your order number and we'll start a claim for your {product}.",
    "As a Plus member, your return label is free and you have 60 days to decide.",
    "If the parcel shows as delivered but isn't there, wait 48 hours and we open a claim.",
    "I've added a note to order {order} so the team can see what we discussed.",
)
ARTICLES = (
    "KB-1001 Shipping options: Standard shipping takes 3-5 business days and is free on orders "
    "over $50 (otherwise $5.95). Expedited 2-day shipping is $14.95.",
    "KB-1002 Tracking your order: You get an email with a tracking number when your order "
    "ships. Tracking can take 24 hours to update.",
    "KB-1010 Returns and exchanges: Unused items can be returned within 30 days of delivery; "
    "Plus and Business members have 60 days.",
    "KB-1011 Return labels: Return labels are free for Plus and Business members. On the Free "
    "plan a $6.95 label fee is deducted from the refund.",
    "KB-1020 Refund timelines: Refunds go back to the original payment method 5-7 business days "
    "after the return arrives at our warehouse.",
    "KB-1030 Damaged items: Report a damaged, defective or wrong item within 14 days of delivery "
    "with a photo. We ship a replacement free of charge.",
    "KB-1031 Warranty: Acme-brand gear has a 2-year warranty against defects in materials and "
    "workmanship from the delivery date.",
    "KB-1040 Acme Plus: Acme Plus costs $49 a year: free standard shipping, free return labels, "
    "60-day returns and price adjustments.",
    "KB-1050 Passwords: Use Forgot password on the sign-in page; the reset link is valid for 30 "
    "minutes.",
)
CITIES = ("Denver", "Portland", "Austin", "Boston", "Chicago", "Seattle", "Atlanta", "Phoenix")
SYSTEM_PROMPTS = {
    "v3": "You are Acme's customer support assistant. Answer briefly and accurately, using "
    "only the help-center articles provided. If the customer asks about an order, call "
    "lookup_order first. Never promise refunds outside policy. Customer: {first} ({plan}).",
    "v4": "You are the support assistant for Acme Outdoor. Be concise, friendly and exact. "
    "Quote policies from the articles below, never from memory; look orders up with "
    "lookup_order before answering about them. Escalate to a human when asked. "
    "Customer: {first}, plan {plan}.",
}
MODELS = (
    # provider, request model, response model, weight
    ("openai", "gpt-4o-mini", "gpt-4o-mini-2024-07-18", 5),
    ("openai", "gpt-4.1", "gpt-4.1-2025-04-14", 2),
    ("anthropic", "claude-sonnet-4-0", "claude-sonnet-4-20250514", 2),
    ("anthropic", "claude-haiku-4-5", "claude-haiku-4-5-20251001", 1),
)
SCOPES = {
    "openai": "opentelemetry.instrumentation.openai_v2",
    "anthropic": "opentelemetry.instrumentation.anthropic",
}
AGENT_SCOPE = "acme.support_bot"
SERVICES = (("support-bot", "prod", 6), ("support-bot", "staging", 1), ("returns-bot", "prod", 2))
SERVICE_VERSIONS = ("1.14.2", "1.15.0")
ERRORS = (("RateLimitError", "Rate limit reached for requests"), ("APITimeoutError", "timeout"))


@dataclass(slots=True)
class GenSpan:
    """One generated span, format-neutral."""

    trace_id: str
    span_id: str
    parent_span_id: str | None
    name: str
    kind: str  # "internal" | "client"
    start_ns: int
    end_ns: int
    error: tuple[str, str] | None
    attributes: dict[str, AttrValue]
    resource: int  # index into RESOURCES
    scope: str


RESOURCES: tuple[dict[str, AttrValue], ...] = tuple(
    {
        "service.name": service,
        "service.version": version,
        "deployment.environment.name": env,
        "telemetry.sdk.language": "python",
        "telemetry.sdk.name": "opentelemetry",
        "telemetry.sdk.version": "1.38.0",
    }
    for service, env, _ in SERVICES
    for version in SERVICE_VERSIONS
)


class SpanGenerator:
    """Deterministic stream of traces; the same seed always yields the same spans."""

    def __init__(self, seed: int = SEED, total_hint: int = 1_000_000) -> None:
        self.rng = random.Random(seed)
        self.clock = START_NS
        self.step_ns = max(SPREAD_NS // max(total_hint // 3, 1), 1_000_000)
        self._model_weights = [m[3] for m in MODELS]
        self._service_weights = [w for _, _, w in SERVICES for _ in SERVICE_VERSIONS]

    # small helpers -----------------------------------------------------------------------
    def _hex(self, bits: int) -> str:
        return f"{self.rng.getrandbits(bits):0{bits // 4}x}"

    def _slots(self) -> dict[str, str]:
        r = self.rng
        return {
            "order": f"A{r.randrange(100000, 999999)}",
            "product": r.choice(PRODUCTS),
            "carrier": r.choice(CARRIERS),
            "tracking": f"1Z{r.getrandbits(48):012X}",
            "day": r.choice(DAYS),
            "window": r.choice(("30", "60")),
            "city": r.choice(CITIES),
        }

    def _answer(self, slots: dict[str, str], sentences: int) -> str:
        picked = self.rng.sample(ANSWER_SENTENCES, sentences)
        return f"Hi {slots['first']}! " + " ".join(s.format(**slots) for s in picked)

    def _text_message(self, role: str, text: str) -> dict[str, Any]:
        return {"role": role, "parts": [{"type": "text", "content": text}]}

    # traces ------------------------------------------------------------------------------
    def traces(self) -> Iterator[list[GenSpan]]:
        while True:
            yield self._trace()

    def spans(self) -> Iterator[GenSpan]:
        for trace in self.traces():
            yield from trace

    def _trace(self) -> list[GenSpan]:
        r = self.rng
        self.clock += r.randrange(self.step_ns // 2, self.step_ns * 3 // 2 + 1)
        trace_id = self._hex(128)
        root_id = self._hex(64)
        resource = r.choices(range(len(RESOURCES)), self._service_weights)[0]
        provider, request_model, response_model, _ = r.choices(MODELS, self._model_weights)[0]
        version = r.choice(("v3", "v4"))
        slots = self._slots()
        slots["first"] = r.choice(FIRST_NAMES)
        plan = r.choices(("Free", "Plus", "Business"), (6, 3, 1))[0]
        user_id = f"user-{r.randrange(1, 20000):05d}"
        session_id = f"sess-{self._hex(48)}"
        common: dict[str, AttrValue] = {
            "user.id": user_id,
            "session.id": session_id,
            "llmops.prompt.name": "support-answer",
            "llmops.prompt.version": version,
        }
        system = SYSTEM_PROMPTS[version].format(first=slots["first"], plan=plan)
        articles = r.sample(ARTICLES, r.randrange(4, 8))
        question = r.choice(QUESTIONS).format(**slots)
        history: list[dict[str, Any]] = [
            self._text_message("system", system + "\n\n" + "\n".join(articles)),
            self._text_message("user", question),
        ]
        spans: list[GenSpan] = []
        t = self.clock
        calls = r.choices((1, 2, 3), (4, 4, 2))[0]
        use_tool = "{order}" in question or r.random() < 0.2
        final_answer = ""
        failed: tuple[str, str] | None = None
        for call in range(calls):
            start = t + r.randrange(2_000_000, 20_000_000)
            duration = r.randrange(400_000_000, 6_000_000_000)
            error = r.choice(ERRORS) if r.random() < 0.03 else None
            in_tokens = 350 + sum(len(str(m)) for m in history) // 4 + r.randrange(0, 60)
            cached = (in_tokens // 128) * 128 if call > 0 and r.random() < 0.7 else 0
            answer = self._answer(slots, r.randrange(3, 9))
            out_tokens = len(answer) // 4 + r.randrange(0, 20)
            attributes: dict[str, AttrValue] = {
                "gen_ai.operation.name": "chat",
                "gen_ai.provider.name": provider,
                "gen_ai.request.model": request_model,
                "gen_ai.request.temperature": 0.2,
                "gen_ai.request.max_tokens": 1024,
                "server.address": "api.openai.com" if provider == "openai" else "api.anthropic.com",
                "gen_ai.input.messages": orjson.dumps(history).decode(),
                **common,
            }
            if error is None:
                output = [{**self._text_message("assistant", answer), "finish_reason": "stop"}]
                attributes |= {
                    "gen_ai.response.model": response_model,
                    "gen_ai.response.id": f"resp_{self._hex(96)}",
                    "gen_ai.response.finish_reasons": ["stop"],
                    "gen_ai.usage.input_tokens": in_tokens,
                    "gen_ai.usage.output_tokens": out_tokens,
                    "gen_ai.usage.cache_read.input_tokens": cached,
                    "gen_ai.output.messages": orjson.dumps(output).decode(),
                }
                final_answer = answer
            else:
                attributes["error.type"] = error[0]
                failed = error
                duration //= 8
            spans.append(
                GenSpan(
                    trace_id,
                    self._hex(64),
                    root_id,
                    f"chat {request_model}",
                    "client",
                    start,
                    start + duration,
                    error,
                    attributes,
                    resource,
                    SCOPES[provider],
                )
            )
            t = start + duration
            if error is not None:
                break
            history.append(self._text_message("assistant", answer))
            if use_tool and call == 0:
                tool = self._tool_span(trace_id, root_id, t, slots, resource)
                spans.append(tool)
                t = tool.end_ns
                use_tool = False
                call_id = tool.attributes["gen_ai.tool.call.id"]
                history[-1]["parts"].append(
                    {
                        "type": "tool_call",
                        "id": call_id,
                        "name": "lookup_order",
                        "arguments": {"order_id": slots["order"]},
                    }
                )
                history.append(
                    {
                        "role": "tool",
                        "parts": [
                            {
                                "type": "tool_call_response",
                                "id": call_id,
                                "response": tool.attributes["gen_ai.tool.call.result"],
                            }
                        ],
                    }
                )
            history.append(self._text_message("user", r.choice(FOLLOW_UPS)))
        root_attributes: dict[str, AttrValue] = {
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.agent.name": "support-bot",
            "gen_ai.provider.name": provider,
            "gen_ai.request.model": request_model,
            "gen_ai.input.messages": orjson.dumps([self._text_message("user", question)]).decode(),
            **common,
        }
        if failed is None:
            output = [{**self._text_message("assistant", final_answer), "finish_reason": "stop"}]
            root_attributes["gen_ai.output.messages"] = orjson.dumps(output).decode()
        root = GenSpan(
            trace_id,
            root_id,
            None,
            "invoke_agent support-bot",
            "internal",
            self.clock,
            t + r.randrange(1_000_000, 5_000_000),
            failed,
            root_attributes,
            resource,
            AGENT_SCOPE,
        )
        return [root, *spans]

    def _tool_span(
        self, trace_id: str, parent: str, t: int, slots: dict[str, str], resource: int
    ) -> GenSpan:
        r = self.rng
        start = t + r.randrange(1_000_000, 5_000_000)
        result = {
            "order": slots["order"],
            "status": r.choice(("shipped", "processing", "delivered", "returned")),
            "carrier": slots["carrier"],
            "tracking": slots["tracking"],
            "items": [{"sku": f"SKU-{r.randrange(1000, 9999)}", "name": slots["product"]}],
            "eta": slots["day"],
        }
        return GenSpan(
            trace_id,
            self._hex(64),
            parent,
            "execute_tool lookup_order",
            "internal",
            start,
            start + r.randrange(20_000_000, 300_000_000),
            None,
            {
                "gen_ai.operation.name": "execute_tool",
                "gen_ai.tool.name": "lookup_order",
                "gen_ai.tool.type": "function",
                "gen_ai.tool.call.id": f"call_{self._hex(96)}",
                "gen_ai.tool.call.arguments": orjson.dumps({"order_id": slots["order"]}).decode(),
                "gen_ai.tool.call.result": orjson.dumps(result).decode(),
            },
            resource,
            AGENT_SCOPE,
        )


# -- encoders ---------------------------------------------------------------------------------


def flat_record(span: GenSpan) -> dict[str, Any]:
    record: dict[str, Any] = {
        "trace_id": span.trace_id,
        "span_id": span.span_id,
        "parent_span_id": span.parent_span_id,
        "name": span.name,
        "kind": span.kind,
        "start_time": span.start_ns,
        "end_time": span.end_ns,
        "status": "error" if span.error else "ok",
        "status_message": span.error[1] if span.error else None,
        "attributes": span.attributes,
        "resource": RESOURCES[span.resource],
    }
    return record


def _any_value(value: AttrValue) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, list):
        return {"arrayValue": {"values": [{"stringValue": v} for v in value]}}
    return {"stringValue": value}


def _key_values(attributes: dict[str, AttrValue]) -> list[dict[str, Any]]:
    return [{"key": k, "value": _any_value(v)} for k, v in attributes.items()]


_RESOURCE_KVS = tuple(_key_values(r) for r in RESOURCES)


def otlp_span(span: GenSpan) -> dict[str, Any]:
    status: dict[str, Any] = {"code": 2, "message": span.error[1]} if span.error else {"code": 1}
    return {
        "traceId": span.trace_id,
        "spanId": span.span_id,
        "parentSpanId": span.parent_span_id or "",
        "name": span.name,
        "kind": 3 if span.kind == "client" else 1,
        "startTimeUnixNano": str(span.start_ns),
        "endTimeUnixNano": str(span.end_ns),
        "attributes": _key_values(span.attributes),
        "status": status,
    }


def otlp_request(spans: list[GenSpan]) -> dict[str, Any]:
    """One ExportTraceServiceRequest: spans grouped by resource, then by scope (in order)."""
    grouped: dict[int, dict[str, list[dict[str, Any]]]] = {}
    for span in spans:
        grouped.setdefault(span.resource, {}).setdefault(span.scope, []).append(otlp_span(span))
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": _RESOURCE_KVS[resource]},
                "scopeSpans": [
                    {"scope": {"name": scope, "version": "0.52b0"}, "spans": scope_spans}
                    for scope, scope_spans in scopes.items()
                ],
                "schemaUrl": "https://opentelemetry.io/schemas/1.37.0",
            }
            for resource, scopes in grouped.items()
        ]
    }


# -- cached files -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Dataset:
    spans: int
    flat: Path
    otlp: Path


def dataset(spans: int, data_dir: Path = DATA_DIR) -> Dataset:
    """The flat and OTLP files for `spans` spans, generated once and cached."""
    stem = f"spans-{spans}-g{GENERATOR_VERSION}"
    ds = Dataset(spans, data_dir / f"{stem}.flat.jsonl", data_dir / f"{stem}.otlp.jsonl")
    if ds.flat.exists() and ds.otlp.exists():
        return ds
    data_dir.mkdir(parents=True, exist_ok=True)
    flat_tmp = ds.flat.with_suffix(".partial")
    otlp_tmp = ds.otlp.with_suffix(".partial")
    generator = SpanGenerator(SEED, total_hint=spans)
    stream = generator.spans()
    with flat_tmp.open("wb") as flat, otlp_tmp.open("wb") as otlp:
        done = 0
        while done < spans:
            batch = [next(stream) for _ in range(min(SPANS_PER_REQUEST, spans - done))]
            flat.write(b"".join(orjson.dumps(flat_record(s)) + b"\n" for s in batch))
            otlp.write(orjson.dumps(otlp_request(batch)) + b"\n")
            done += len(batch)
    os.replace(flat_tmp, ds.flat)
    os.replace(otlp_tmp, ds.otlp)
    return ds


def big_flat_file(gigabytes: float, data_dir: Path = DATA_DIR) -> tuple[Path, int]:
    """A flat JSONL file of at least `gigabytes` GB (10^9 bytes) and its span count."""
    target = int(gigabytes * 1e9)
    path = data_dir / f"big-{gigabytes:g}gb-g{GENERATOR_VERSION}.flat.jsonl"
    count_path = path.with_suffix(".count")
    if path.exists() and count_path.exists():
        return path, int(count_path.read_text())
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".partial")
    stream = SpanGenerator(SEED + 1, total_hint=target // 2500).spans()
    written = 0
    count = 0
    with tmp.open("wb") as out:
        while written < target:
            block = b"".join(orjson.dumps(flat_record(next(stream))) + b"\n" for _ in range(1000))
            out.write(block)
            written += len(block)
            count += 1000
    os.replace(tmp, path)
    count_path.write_text(str(count))
    return path, count


def replace_section(results: Path, start: str, end: str, section: str) -> None:
    """Put `section` (which opens with the `start` marker and closes with `end`) in place of
    the one between those markers in `results`, or append it: each benchmark rewrites only
    its own part of RESULTS.md."""
    text = results.read_text()
    if start in text:
        before, _, rest = text.partition(start)
        _, _, after = rest.partition(end)
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    results.write_text(text)
