"""What customers ask and what the assistant answers, turn by turn.

Kept apart from span timing and tokens so the dialogue can change without touching the
OTLP encoding. Each simulated user has a plan and a name; follow-up turns reuse the
conversation's session, category and order, so the Traces screen shows real threads.
"""

from __future__ import annotations

import itertools
import random
from collections import deque
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Final

import orjson

from llmops_tui.demo import kb, phrases
from llmops_tui.demo.otlp import base62
from llmops_tui.demo.prompts import Template
from llmops_tui.demo.timeline import MINUTE_NS

_POOL_SIZE: Final = {"production": 4000, "staging": 12, "development": 5}
_FOLLOW_UP_SHARE: Final = 0.35
_FOLLOW_UP_WINDOW_NS: Final = 12 * MINUTE_NS
_MAX_TURNS: Final = 4
_PLAN_CUMULATIVE: Final = tuple(itertools.accumulate(phrases.PLAN_WEIGHTS))
_CATEGORY_CUMULATIVE: Final = tuple(itertools.accumulate(phrases.CATEGORY_WEIGHTS))
_CARRIERS: Final = ("UPS", "USPS", "FedEx")
PROMPT_ARTICLES: Final = 2
"""Articles the reranker keeps for `{{kb_articles}}` (`reranker.top_n` in retrieval/kb.yaml)."""


@dataclass(frozen=True, slots=True)
class Customer:
    user_id: str
    name: str
    plan: str

    @property
    def first(self) -> str:
        return self.name.split(" ", 1)[0]


@dataclass(slots=True)
class Conversation:
    customer: Customer
    session_id: str
    category: str
    order: str
    product: str
    last_ns: int
    turn: int = 0
    closed: bool = False
    history: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class Turn:
    """One user message and everything the app needs to answer it."""

    conversation: Conversation
    question: str
    reply: str
    """The answer's template (slots filled by `answer`)."""
    documents: list[tuple[str, float]]
    """Retrieved (article id, score), best first; the reranker's top two go into the prompt."""
    uses_tool: bool


class Sessions:
    """The users of one environment and their open conversations."""

    def __init__(self, rng: random.Random, environment: str) -> None:
        self.rng = rng
        self.environment = environment
        self.customers = [self._customer(i) for i in range(_POOL_SIZE[environment])]
        self.open: deque[Conversation] = deque(maxlen=24)

    def _customer(self, index: int) -> Customer:
        rng = self.rng
        if self.environment == "production":
            name = f"{rng.choice(phrases.FIRST_NAMES)} {rng.choice(phrases.LAST_NAMES)}"
            plan = rng.choices(phrases.PLANS, cum_weights=_PLAN_CUMULATIVE)[0]
            return Customer(f"usr_{rng.getrandbits(40):010x}", name, plan)
        plan = phrases.PLANS[index % 3]
        label = "QA" if self.environment == "staging" else "Dev"
        return Customer(f"{label.lower()}_{index + 1:02d}", f"{label} Tester{index + 1}", plan)

    def next_turn(self, t_ns: int) -> Turn:
        rng = self.rng
        conversation = None
        if rng.random() < _FOLLOW_UP_SHARE:
            for candidate in reversed(self.open):
                recent = t_ns - candidate.last_ns < _FOLLOW_UP_WINDOW_NS
                if recent and candidate.turn < _MAX_TURNS and not candidate.closed:
                    conversation = candidate
                    break
        if conversation is None:
            # Heavy users come back: the square skews picks toward the start of the pool.
            customer = self.customers[int(len(self.customers) * rng.random() ** 2)]
            conversation = Conversation(
                customer=customer,
                session_id=f"{rng.getrandbits(128):032x}",
                category=rng.choices(phrases.CATEGORIES, cum_weights=_CATEGORY_CUMULATIVE)[0],
                order=f"A{rng.randrange(3_000_000, 8_000_000)}",
                product=rng.choice(phrases.PRODUCTS),
                last_ns=t_ns,
            )
            self.open.append(conversation)
        conversation.turn += 1
        conversation.last_ns = t_ns
        uses_tool = False
        if conversation.turn == 1:
            template, reply = rng.choice(phrases.QUESTIONS[conversation.category])
            if "{garment}" in template:
                conversation.product = rng.choice(phrases.GARMENTS)
                template = template.replace("{garment}", "{product}")
            question = template.format(order=conversation.order, product=conversation.product)
            share = phrases.TOOL_SHARE.get(conversation.category, 0.0)
            uses_tool = "{order}" in template and rng.random() < share
        else:
            question, reply = rng.choice(phrases.FOLLOW_UPS)
            conversation.closed = question == phrases.GOODBYE
        documents = _retrieve(rng, conversation.category)
        return Turn(conversation, question, reply, documents, uses_tool)


_OWN_ARTICLES: Final = {
    category: tuple(key for key, (cat, _, _) in kb.ARTICLES.items() if cat == category)
    for category in phrases.CATEGORIES
}
_OTHER_ARTICLES: Final = {
    category: tuple(key for key in kb.ARTICLES if key not in own)
    for category, own in _OWN_ARTICLES.items()
}


def _retrieve(rng: random.Random, category: str) -> list[tuple[str, float]]:
    """Five candidates: the category's own articles first (in random order), then near misses."""
    own = list(_OWN_ARTICLES[category])
    rng.shuffle(own)
    others = rng.sample(_OTHER_ARTICLES[category], 5 - len(own))
    score = 0.78 + 0.12 * rng.random()
    documents = []
    for key in own + others:
        documents.append((key, round(score, 4)))
        score -= 0.04 + 0.08 * rng.random()
    return documents


def kb_block(documents: list[tuple[str, float]]) -> str:
    lines = []
    for key, _ in documents[:PROMPT_ARTICLES]:
        _, title, body = kb.ARTICLES[key]
        lines.append(f"[{key}] {title}: {body}")
    return "\n".join(lines)


def render_system(template: Template, turn: Turn, today: str) -> str:
    customer = turn.conversation.customer
    values = {
        "customer_name": customer.name,
        "plan": customer.plan,
        "today": today,
        "kb_articles": kb_block(turn.documents),
    }
    return template.render(values)


def order_record(rng: random.Random, turn: Turn, day: date) -> dict[str, Any]:
    """What the `lookup_order` tool returns for the conversation's order."""
    conversation = turn.conversation
    carrier = rng.choice(_CARRIERS)
    if carrier == "UPS":
        tracking = f"1Z{base62(rng, 6).upper()}03{rng.randrange(10**9, 10**10)}"
    elif carrier == "USPS":
        tracking = f"9400{rng.randrange(10**17, 10**18)}"
    else:
        tracking = str(rng.randrange(10**11, 10**12))
    eta = day + timedelta(days=rng.randint(1, 4))
    return {
        "order_id": conversation.order,
        "status": rng.choice(("shipped", "in_transit", "in_transit", "out_for_delivery")),
        "carrier": carrier,
        "tracking_number": tracking,
        "estimated_delivery": eta.isoformat(),
        "items": [conversation.product],
        "total_usd": round(rng.uniform(19, 420), 2),
    }


def answer(
    rng: random.Random, turn: Turn, version: str, day: date, order: dict[str, Any] | None
) -> str:
    """The assistant's reply, in the style of the prompt version that produced it."""
    conversation = turn.conversation
    customer = conversation.customer
    if conversation.turn > 1:
        return turn.reply.format(first=customer.first)
    category = conversation.category
    plan_aware = version == "v4"
    window = 60 if plan_aware and customer.plan != "Free" else 30
    label_note = "A $6.95 label fee is deducted from the refund."
    if plan_aware and customer.plan != "Free":
        label_note = "The return label is free."
    slots = {
        "first": customer.first,
        "order": conversation.order,
        "product": conversation.product,
        "window": window,
        "label_note": label_note,
        "carrier": "the carrier",
        "tracking": "on your order page",
        "eta": "the date shown in tracking",
        "late_note": "Unfortunately 40 days is past that, but a human agent can review it if the"
        " item is faulty.",
    }
    if window > 40:
        slots["late_note"] = "You're still within it: start the return under Orders > Return items."
    if order is not None:
        eta = date.fromisoformat(order["estimated_delivery"])
        slots.update(carrier=order["carrier"], tracking=order["tracking_number"])
        slots["eta"] = f"{eta:%A}, {eta:%B} {eta.day}"
    if category == "order_status" and order is None:
        body = phrases.ORDER_STATUS_NO_LOOKUP
    else:
        body = turn.reply.format(**slots)
        if order is not None and category != "order_status":
            body = f"I found order {conversation.order} ({conversation.product}). {body}"
    if plan_aware and category == "returns":
        # v4 states the actual deadline (the question may say how long ago it arrived).
        elapsed = 40 if "{late_note}" in turn.reply else rng.randint(3, 20)
        if elapsed < window:
            deadline = day + timedelta(days=window - elapsed)
            body += f" You can return it until {deadline:%B} {deadline.day}."
    parts = [rng.choice(phrases.OPENERS[version]).format(first=customer.first), body]
    if plan_aware and customer.plan == "Business" and category in phrases.BUSINESS_NOTE_CATEGORIES:
        parts.append(phrases.BUSINESS_NOTE)
    if version in ("v3", "v4"):
        parts.append(f" [{turn.documents[0][0]}]")
    parts.append(rng.choice(phrases.CLOSERS[version]))
    return "".join(parts)


def text_message(role: str, content: str) -> dict[str, Any]:
    return {"role": role, "parts": [{"type": "text", "content": content}]}


def json_text(value: object) -> str:
    """JSON as a string attribute value, the way instrumentations record structured content."""
    return orjson.dumps(value).decode()
