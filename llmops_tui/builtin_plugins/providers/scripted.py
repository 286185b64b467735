"""`scripted`: a deterministic stand-in for a model, per model and prompt version.

It drives the demo and the tests: a suite run against it has a known pass rate, latency and
token count, and two runs of the same release agree on most cases, as real suites do. Each
case has a *latent difficulty* in [0, 1) from a hash of its `case_id`; an answer is good when
the difficulty, jittered a little per repetition (`noise`), is below the release's `quality`.
So a better prompt version passes a superset of cases, bar the noise near its threshold, and
a paired comparison sees the few discordant cases a real change would make.

Options (`request.options`, from the suite's provider settings):

- `quality`: 0..1, the chance an answer is good, or a table keyed `"<prompt>@v<N>"`,
  `"<model>"` or `"default"` (looked up in that order; default 0.8).
- `latency_ms`: the mean latency, a number or a table keyed like `quality` (default 400);
  `latency_spread`: the log-normal spread around it (default 0.3). Nothing sleeps.
- `input_tokens`, `output_tokens`: fixed usage; by default about four characters a token.
- `noise`: how far the difficulty moves between repetitions (default 0.1).
- `error_rate`: 0..1, the share of calls that fail with a non-retryable `ProviderError`
  (default 0), to exercise error handling.
- `seed`: any string; changes every case's difficulty (default "").

Good answers are built from `request.expected` so heuristic judges pass; bad ones drop or
garble what is expected (`scripted_answers`). When `request.prompt_name == "llm_rubric"` (an
LLM judge calling through it), the answer is a JSON verdict `{"score", "reason"}` derived from
the judged text (`scripted_rubric`). Usage is reported and cost left None, so llmops prices
the tokens with the model's price.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Mapping
from typing import Any

from llmops_tui.builtin_plugins.providers.scripted_answers import bad_answer, good_answer
from llmops_tui.builtin_plugins.providers.scripted_rubric import RUBRIC_PROMPT, rubric_verdict
from llmops_tui.plugin_api import ProviderError, ProviderRequest, ProviderResponse

DEFAULT_QUALITY = 0.8
DEFAULT_LATENCY_MS = 400.0
DEFAULT_SPREAD = 0.3
DEFAULT_NOISE = 0.1
CHARS_PER_TOKEN = 4


def unit(*parts: object) -> float:
    """A number in [0, 1) that depends only on `parts` (stable across processes)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def tokens(text: str) -> int:
    return max(1, math.ceil(len(text) / CHARS_PER_TOKEN))


class ScriptedProvider:
    name = "scripted"
    description = "deterministic answers per model and prompt version (quality, latency, tokens)"

    def complete(self, request: ProviderRequest) -> ProviderResponse:
        options = request.options
        seed = str(options.get("seed", ""))
        case = request.case_id or _last_user(request)
        release = f"{request.model}|{request.prompt_name}@v{request.prompt_version}"
        call = (seed, case, release, request.repetition)
        error_rate = _number(options, "error_rate", 0.0, request)
        if unit("error", *call) < error_rate:
            raise ProviderError(f"scripted: simulated failure of case {case!r} (error_rate)")
        if request.prompt_name == RUBRIC_PROMPT:
            text, raw = rubric_verdict(request.messages), None
        else:
            text, raw = self._answer(request, call)
        return ProviderResponse(
            text=text,
            latency_ms=self._latency(request, call),
            model=request.model,
            input_tokens=_fixed(options, "input_tokens", request)
            or tokens("".join(m.content for m in request.messages)),
            output_tokens=_fixed(options, "output_tokens", request) or tokens(text),
            raw=raw,
        )

    def _answer(
        self, request: ProviderRequest, call: tuple[object, ...]
    ) -> tuple[str, dict[str, Any] | None]:
        seed, case, _release, repetition = call
        quality = _number(request.options, "quality", DEFAULT_QUALITY, request)
        noise = _number(request.options, "noise", DEFAULT_NOISE, request)
        difficulty = unit("difficulty", seed, case)
        jitter = noise * (2 * unit("noise", *call) - 1)
        good = quality >= 1 or (quality > 0 and difficulty + jitter < quality)
        rng = random.Random(int(unit("text", *call) * 2**53))
        question = _last_user(request)
        wants_json = any(
            "json" in m.content.lower() for m in request.messages if m.role == "system"
        )
        build = good_answer if good else bad_answer
        text = build(request.expected, question, wants_json, rng)
        expected = request.expected
        calls = expected.get("tool_calls") if isinstance(expected, Mapping) else None
        if isinstance(calls, list) and calls:
            kept = calls if good or rng.random() < 0.5 else calls[:-1]
            return text, {"tool_calls": list(kept), "good": good, "repetition": repetition}
        return text, {"good": good, "repetition": repetition}

    def _latency(self, request: ProviderRequest, call: tuple[object, ...]) -> float:
        mean = _number(request.options, "latency_ms", DEFAULT_LATENCY_MS, request, upper=None)
        spread = _number(request.options, "latency_spread", DEFAULT_SPREAD, request, upper=None)
        # Sum of four uniforms: close enough to a normal, and deterministic.
        z = (sum(unit("latency", i, *call) for i in range(4)) - 2) * math.sqrt(3)
        return round(mean * math.exp(spread * z - spread * spread / 2), 3)


def _last_user(request: ProviderRequest) -> str:
    users = [m.content for m in request.messages if m.role == "user"]
    return users[-1] if users else ""


def _number(
    options: Mapping[str, Any],
    key: str,
    default: float,
    request: ProviderRequest,
    *,
    upper: float | None = 1.0,
) -> float:
    """An option that is a number or a table keyed `<prompt>@v<N>`, `<model>`, `default`."""
    value = options.get(key, default)
    if isinstance(value, Mapping):
        keys = [f"{request.prompt_name}@v{request.prompt_version}", request.model, "default"]
        value = next((value[k] for k in keys if k in value), default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProviderError(
            f"scripted: option {key}: expected a number or a table keyed "
            f'"<prompt>@v<N>", "<model>" or "default", got {value!r}'
        )
    if value < 0 or (upper is not None and value > upper):
        bounds = f"0..{upper:g}" if upper is not None else "at least 0"
        raise ProviderError(f"scripted: option {key}: expected {bounds}, got {value!r}")
    return float(value)


def _fixed(options: Mapping[str, Any], key: str, request: ProviderRequest) -> int | None:
    if key not in options:
        return None
    return int(_number(options, key, 0, request, upper=None))
