"""One case × repetition: the provider call (or the cached answer), its price, the judges.

Nothing that goes wrong with one case stops the run: a render failure, a provider error
(after retries when `retryable`), a malformed answer, a judge's `JudgeError` or any other
exception a plugin raises becomes that case's `error`, on every judge row of it, and counts
as a failure. Only `BaseException`s that are not `Exception`s (an interrupt) get through.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from llmops_tui.domain.evals import (
    ChatMessage,
    EvalCase,
    EvalResult,
    JudgeInput,
    JudgeSpec,
    ProviderRequest,
    ProviderResponse,
    Score,
)
from llmops_tui.errors import LlmopsError
from llmops_tui.evals.plan import EvalPlan
from llmops_tui.plugin_api import ProviderError
from llmops_tui.plugin_manager import Plugins
from llmops_tui.pricing import Pricer, TokenUsage


@dataclass(frozen=True, slots=True)
class Prepared:
    """A case × repetition ready to send: its request (None when rendering failed)."""

    case: EvalCase
    repetition: int
    request: ProviderRequest | None
    request_hash: str | None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Call:
    """A provider call made this run (the case's answer, or an LLM judge's): a span."""

    provider: str
    request: ProviderRequest
    response: ProviderResponse | None
    error: str | None
    started_at: datetime
    span_id: str
    trace_id: str
    parent_span_id: str | None = None
    judge: str | None = None


@dataclass(slots=True)
class Outcome:
    case_id: str
    repetition: int
    results: list[EvalResult] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    cache_rows: list[tuple[str, str, Mapping[str, Any]]] = field(default_factory=list)
    """Answers to remember: the case's, then its LLM judges' (by request hash)."""
    spent_usd: float = 0.0
    """What this run paid for the case (0 for a cached answer)."""
    failed: bool = False


def request_hash(provider: str, request: ProviderRequest) -> str:
    """Everything that decides the answer (never `recorded`, a lookup function)."""
    identity = {
        "provider": provider,
        "model": request.model,
        "messages": [[m.role, m.content] for m in request.messages],
        "params": request.params,
        "options": request.options,
        "prompt": [request.prompt_name, request.prompt_version],
        "case": request.case_id,
        "repetition": request.repetition,
        "expected": request.expected,
    }
    data = orjson.dumps(identity, option=orjson.OPT_SORT_KEYS, default=str)
    return hashlib.sha256(data).hexdigest()


def ids(run_id: str, case_id: str, repetition: int, what: str = "answer") -> tuple[str, str]:
    """(trace id, span id): derived, so a resumed case rewrites the same span, not a copy."""
    trace = hashlib.sha256(f"{run_id}\0{case_id}\0{repetition}".encode()).hexdigest()[:32]
    span = hashlib.sha256(f"{trace}\0{what}".encode()).hexdigest()[:16]
    return trace, span


class CaseRunner:
    """Runs prepared cases; one instance serves every worker thread (no shared mutable
    state beyond the pricer's look-up cache, which only ever gains the same entries)."""

    def __init__(
        self,
        plan: EvalPlan,
        plugins: Plugins,
        run_id: str,
        pricer: Pricer,
        cached: Mapping[str, Mapping[str, Any]],
        *,
        now: Callable[[], datetime],
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._plan = plan
        self._plugins = plugins
        self._run_id = run_id
        self._pricer = pricer
        self._cached = cached
        self._now = now
        self._sleep = sleep

    def needs_call(self, item: Prepared) -> bool:
        """Whether the case's answer must come from the provider (not cached, renderable)."""
        return item.request_hash is not None and item.request_hash not in self._cached

    def run(self, item: Prepared) -> Outcome:
        case, rep = item.case, item.repetition
        outcome = Outcome(case.case_id, rep)
        trace_id, span_id = ids(self._run_id, case.case_id, rep)
        judges = self._plan.case_judges(case.case_id)
        if item.request is None or item.request_hash is None:
            return self._failed(outcome, item, judges, item.error or "not rendered", None)
        stored = self._cached.get(item.request_hash)
        response: ProviderResponse | None
        if stored is not None:
            response = _response(stored)
            cost = response.cost_usd if response.cost_usd is not None else stored.get("priced")
        else:
            started = self._now()
            response, error = self._call(self._plan.provider, item.request)
            outcome.calls.append(
                Call(self._plan.provider, item.request, response, error, started, span_id, trace_id)
            )
            if response is None:
                return self._failed(outcome, item, judges, error or "no answer", None)
            cost = self._price(self._plan.provider, item.request.model, response, started)
            outcome.spent_usd += cost or 0.0
        fields = _answer(self._run_id, item, response, cost)
        if stored is not None:
            fields["cached"] = True
        else:
            fields["trace_id"], fields["span_id"] = trace_id, span_id
        for spec in judges:
            outcome.results.append(self._judge(spec, item, response, fields, outcome, trace_id))
        if stored is None:
            # The judges' calls are cached under their own hashes; the answer lists them so
            # that a re-run fetches them together with it.
            judged = [h for h, _, _ in outcome.cache_rows]
            answer = {**_response_dict(response), "priced": cost, "judge_calls": judged}
            outcome.cache_rows.insert(0, (item.request_hash, self._plan.provider, answer))
        outcome.failed = any(r.passed is not True for r in outcome.results)
        return outcome

    # ------------------------------------------------------------------ the answer

    def _call(
        self, provider_name: str, request: ProviderRequest
    ) -> tuple[ProviderResponse | None, str | None]:
        """The answer, or why there is none; retryable errors are retried with backoff."""
        attempt = 0
        while True:
            try:
                provider = self._plugins.providers.get(provider_name)
                response = provider.complete(request)
                if _malformed(response):
                    return None, f"malformed answer from {provider_name}: {response!r:.120}"
                return response, None
            except ProviderError as error:
                if error.retryable and attempt < self._plan.max_retries:
                    self._sleep(self._plan.backoff_seconds * 2**attempt)
                    attempt += 1
                    continue
                status = f" (HTTP {error.status})" if error.status else ""
                tries = f" after {attempt + 1} attempts" if attempt else ""
                return None, f"provider error{status}{tries}: {error}"
            except Exception as error:
                return None, f"{provider_name} raised {type(error).__name__}: {error}"

    def _price(
        self, provider: str, model: str, response: ProviderResponse, at: datetime
    ) -> float | None:
        """Reported cost, else the project's price of the usage; None when unpriced."""
        if response.cost_usd is not None:
            return response.cost_usd
        if not (response.input_tokens or response.output_tokens):
            return None
        try:
            usage = TokenUsage(
                input_tokens=response.input_tokens or 0,
                output_tokens=response.output_tokens or 0,
                cache_read_tokens=response.cache_read_tokens or 0,
                cache_write_tokens=response.cache_write_tokens or 0,
                reasoning_tokens=response.reasoning_tokens or 0,
            )
        except ValueError:
            return None  # inconsistent counts: unpriced rather than a wrong price
        for name in (response.model, model):
            if name:
                price = self._pricer.price(provider, name, at, usage)
                if price is not None:
                    return float(price)
        return None

    # ------------------------------------------------------------------ the judges

    def _judge(
        self,
        spec: JudgeSpec,
        item: Prepared,
        response: ProviderResponse,
        fields: dict[str, Any],
        outcome: Outcome,
        trace_id: str,
    ) -> EvalResult:
        calls: list[tuple[Call | None, float | None]] = []
        """This judge's provider calls (None: served from the cache) and their prices."""

        def complete(provider_name: str, request: ProviderRequest) -> ProviderResponse:
            if not request.options:
                options = self._plan.options if provider_name == self._plan.provider else {}
                request = replace(request, options=options)
            digest = request_hash(provider_name, request)
            stored = self._cached.get(digest)
            if stored is not None:
                calls.append((None, stored.get("priced")))
                return _response(stored)
            started = self._now()
            answer, error = self._call(provider_name, request)
            _, span = ids(self._run_id, item.case.case_id, item.repetition, f"judge:{spec.name}")
            call = Call(
                provider_name,
                request,
                answer,
                error,
                started,
                f"{span[:-2]}{len(calls):02x}",
                trace_id,
                outcome.calls[0].span_id if outcome.calls else None,
                spec.name,
            )
            priced = self._price(provider_name, request.model, answer, started) if answer else None
            calls.append((call, priced))
            if answer is None:
                raise ProviderError(error or "no answer")
            outcome.cache_rows.append(
                (digest, provider_name, {**_response_dict(answer), "priced": priced})
            )
            outcome.spent_usd += priced or 0.0
            return answer

        try:
            judge = self._plugins.judges.get(spec.type)
            score = judge.judge(
                JudgeInput(
                    item.case, response.text, spec.options, _priced(response, fields), complete
                )
            )
            if not isinstance(score, Score):
                raise TypeError(f"returned {type(score).__name__}, not a Score")
        except Exception as error:
            outcome.calls.extend(c for c, _ in calls if c is not None)
            kind = "" if isinstance(error, LlmopsError) else f"{type(error).__name__}: "
            return EvalResult(
                **fields,
                judge=spec.name,
                passed=None,
                error=f"judge {spec.name}: {kind}{error}",
                judge_cost_usd=_sum(p for _, p in calls),
            )
        outcome.calls.extend(c for c, _ in calls if c is not None)
        judge_cost = score.judge_cost_usd
        if judge_cost is None:
            judge_cost = _sum(p for _, p in calls)
        return EvalResult(
            **fields,
            judge=spec.name,
            passed=bool(score.passed),
            score=score.value,
            reason=score.reason,
            judge_cost_usd=judge_cost,
        )

    def _failed(
        self,
        outcome: Outcome,
        item: Prepared,
        judges: tuple[JudgeSpec, ...],
        error: str,
        response: ProviderResponse | None,
    ) -> Outcome:
        outcome.failed = True
        trace_id, span_id = ids(self._run_id, item.case.case_id, item.repetition)
        fields = _answer(self._run_id, item, response, None)
        if outcome.calls:
            fields["trace_id"], fields["span_id"] = trace_id, span_id
        outcome.results.extend(
            EvalResult(**fields, judge=spec.name, passed=None, error=error) for spec in judges
        )
        return outcome


def _answer(
    run_id: str, item: Prepared, response: ProviderResponse | None, cost: float | None
) -> dict[str, Any]:
    """The fields every judge row of a case shares (see `domain/evals.py`)."""
    case = item.case
    return {
        "run_id": run_id,
        "case_id": case.case_id,
        "repetition": item.repetition,
        "output": response.text if response else None,
        "input": case.vars,
        "expected": case.expected,
        "latency_ms": response.latency_ms if response else None,
        "input_tokens": response.input_tokens if response else None,
        "output_tokens": response.output_tokens if response else None,
        "cost_usd": cost,
        "required": case.required,
        "tags": case.tags,
    }


def _sum(values: Any) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _malformed(response: object) -> bool:
    """Plugins are untyped at run time: an answer must be a `ProviderResponse` with text."""
    text = getattr(response, "text", None)
    return not isinstance(response, ProviderResponse) or not isinstance(text, str)


def _response_dict(response: ProviderResponse) -> dict[str, Any]:
    data = asdict(response)
    data["raw"] = None  # raw payloads can be large and are not needed to judge again
    return data


def _response(data: Mapping[str, Any]) -> ProviderResponse:
    known: dict[str, Any] = {k: data.get(k) for k in ProviderResponse.__dataclass_fields__}
    known["raw"] = None
    return ProviderResponse(**known)


def messages_json(messages: tuple[ChatMessage, ...]) -> list[dict[str, str]]:
    return [{"role": m.role, "content": m.content} for m in messages]


def end_of(call: Call) -> datetime:
    latency = call.response.latency_ms if call.response else 0.0
    return call.started_at + timedelta(milliseconds=latency or 0.0)


def utc_naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _priced(response: ProviderResponse, fields: dict[str, Any]) -> ProviderResponse:
    """The answer as judges see it: with the project's price when the provider reported none,
    so a cost budget judges what the call cost."""
    cost = fields.get("cost_usd")
    if response.cost_usd is not None or cost is None:
        return response
    return replace(response, cost_usd=cost)
