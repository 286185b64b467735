"""The `openai` provider: one Chat Completions call, with retries, over httpx.

Transient failures (429, 5xx, a timeout, a refused or dropped connection) are retried here
with exponential backoff, honouring the server's `Retry-After` (or OpenAI's
`retry-after-ms`) up to `max_retry_wait`. When retries run out the error is raised with
`retryable=False`: the runner would otherwise retry the retries. Other 4xx answers (a bad
key, an unknown model) fail at once with the server's own message.

One `httpx.Client` per timeout is kept for the provider's life, so the runner's threads
share connections (httpx clients are thread-safe).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from llmops_openai.options import Settings, settings
from llmops_openai.response import error_message, parse
from llmops_tui.plugin_api import ProviderError, ProviderRequest, ProviderResponse

RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
"""408/409 as OpenAI's own client treats them: a timeout and a lock conflict."""


class OpenAIProvider:
    name = "openai"
    description = (
        "OpenAI-compatible Chat Completions over httpx (OpenAI, Azure OpenAI, Ollama, vLLM, "
        "llama.cpp server, LiteLLM proxy via base_url)"
    )

    def __init__(
        self,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """`transport` and `sleep` are for tests (an in-process transport, no waiting)."""
        self._transport = transport
        self._sleep = sleep
        self._clients: dict[float, httpx.Client] = {}
        self._lock = threading.Lock()

    def complete(self, request: ProviderRequest) -> ProviderResponse:
        config = settings(request.options, request.model)
        body: dict[str, Any] = {
            "model": request.model,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            **request.params,
        }
        client = self._client(config.timeout)
        attempts = config.max_retries + 1
        for attempt in range(1, attempts + 1):
            started = time.perf_counter()
            status: int | None = None
            wait: float | None = None
            try:
                response = client.post(
                    config.url, json=body, headers=dict(config.headers), params=dict(config.query)
                )
            except httpx.TimeoutException:
                problem = f"timed out after {config.timeout:g}s calling {config.url}"
            except httpx.TransportError as error:
                problem = f"could not reach {config.url}: {type(error).__name__}: {error}"
            else:
                latency_ms = (time.perf_counter() - started) * 1000
                if response.is_success:
                    return parse(response, latency_ms=latency_ms, attempts=attempt)
                status = response.status_code
                problem = f"HTTP {status}: {error_message(response)}"
                if status not in RETRY_STATUSES:
                    raise ProviderError(f"openai: {problem}", status=status)
                wait = _retry_after(response)
            if attempt == attempts:
                plural = "s" if attempts > 1 else ""
                raise ProviderError(
                    f"openai: {problem} (gave up after {attempts} attempt{plural})", status=status
                )
            self._sleep(self._backoff(config, attempt, wait))
        raise AssertionError("unreachable")  # pragma: no cover

    def _backoff(self, config: Settings, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, config.max_retry_wait)
        # Jitter keeps a run's threads from retrying in lockstep.
        ceiling: float = config.retry_backoff * 2.0 ** (attempt - 1)
        return min(config.max_retry_wait, ceiling * (0.5 + random.random() / 2))

    def _client(self, timeout: float) -> httpx.Client:
        with self._lock:
            client = self._clients.get(timeout)
            if client is None:
                client = httpx.Client(timeout=timeout, transport=self._transport)
                self._clients[timeout] = client
            return client

    def close(self) -> None:
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds the server asks to wait: `retry-after-ms`, `Retry-After` in seconds or as an
    HTTP date; None when it doesn't say."""
    millis = response.headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
