"""Stand-ins for the built-in `scripted` provider and judge types the demo suite names, so
the demo's eval setup is tested without them (they are written in parallel)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from llmops_tui.plugin_api import JudgeInput, ProviderRequest, ProviderResponse, Score, hookimpl


def _draw(*parts: object) -> float:
    digest = hashlib.sha256("\0".join(map(str, parts)).encode()).hexdigest()
    return int(digest[:8], 16) / 0xFFFFFFFF


class Scripted:
    """Good answers (every expected phrase and citation) with probability `quality` of the
    prompt version; a case's difficulty is shared across versions, as in real suites."""

    name = "scripted"
    description = "deterministic answers"

    def complete(self, request: ProviderRequest) -> ProviderResponse:
        quality: dict[str, float] = request.options.get("quality", {})
        key = f"{request.prompt_name}@v{request.prompt_version}"
        q = quality.get(key, quality.get("default", 0.85))
        expected: dict[str, Any] = request.expected if isinstance(request.expected, dict) else {}
        if not request.messages:  # an LLM judge's question
            return ProviderResponse(text="0.9", latency_ms=50, input_tokens=50, output_tokens=2)
        good = _draw(request.case_id) < q
        words = [*expected.get("must_include", []), *expected.get("cites", [])] if good else []
        text = "Thanks for asking. " + " ".join(words)
        prompt = sum(len(m.content) for m in request.messages) // 4
        return ProviderResponse(
            text=text,
            latency_ms=float(request.options.get("latency_ms", 900)),
            model=request.model,
            input_tokens=prompt,
            output_tokens=len(text) // 4,
        )


class Contains:
    name = "contains"
    description = "every phrase of expected[field]"

    def judge(self, item: JudgeInput) -> Score:
        wanted = (item.case.expected or {}).get(item.options["field"], [])
        return Score(passed=all(w in item.output for w in wanted))


class Length:
    name = "length"
    description = "at most max words"

    def judge(self, item: JudgeInput) -> Score:
        return Score(passed=len(item.output.split()) <= item.options["max"])


class Latency:
    name = "latency"
    description = "answered within max_ms"

    def judge(self, item: JudgeInput) -> Score:
        assert item.response is not None
        return Score(passed=item.response.latency_ms <= item.options["max_ms"])


class Cost:
    name = "cost"
    description = "cost within max_usd (tokens as a stand-in)"

    def judge(self, item: JudgeInput) -> Score:
        return Score(passed=True)


class Rubric:
    name = "llm_rubric"
    description = "asks the judge provider"

    def judge(self, item: JudgeInput) -> Score:
        assert item.complete is not None
        answer = item.complete(
            item.options["provider"],
            ProviderRequest(model="judge", messages=(), case_id=item.case.case_id),
        )
        return Score(passed=float(answer.text) >= item.options["threshold"])


class DemoFakes:
    @hookimpl
    def register_providers(self, register: Callable[[object], None]) -> None:
        register(Scripted())

    @hookimpl
    def register_judges(self, register: Callable[[object], None]) -> None:
        for judge in (Contains(), Length(), Latency(), Cost(), Rubric()):
            register(judge)
