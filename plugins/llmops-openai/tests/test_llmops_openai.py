"""The `openai` provider against a loopback fake server: no network, no mocks of httpx."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import llmops_openai
import pytest
from llmops_openai import OpenAIProvider
from openai_fake_server import FakeServer, Reply, completion, fake_server

from llmops_tui.plugin_api import ChatMessage, ProviderError, ProviderRequest


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with fake_server() as running:
        yield running


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def provider(waits: list[float]) -> Iterator[OpenAIProvider]:
    # Backoff waits are recorded instead of slept, so retry tests are instant.
    made = OpenAIProvider(sleep=waits.append)
    yield made
    made.close()


def request(server: FakeServer, **options: Any) -> ProviderRequest:
    return ProviderRequest(
        model="gpt-4o-mini",
        messages=(ChatMessage("system", "Be brief."), ChatMessage("user", "Hi there")),
        params={"temperature": 0.2, "max_tokens": 50},
        options={"base_url": f"{server.url}/v1", "retry_backoff": 0.5, **options},
    )


def test_success_returns_text_usage_and_no_cost(
    server: FakeServer, provider: OpenAIProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    usage = {
        "prompt_tokens": 1200,
        "completion_tokens": 300,
        "prompt_tokens_details": {"cached_tokens": 1024},
        "completion_tokens_details": {"reasoning_tokens": 256},
    }
    server.play(Reply(body=completion("Hello Maya", usage=usage)))

    response = provider.complete(request(server))

    assert response.text == "Hello Maya"
    assert response.model == "gpt-4o-mini-2024-07-18"
    assert (response.input_tokens, response.output_tokens) == (1200, 300)
    assert (response.cache_read_tokens, response.reasoning_tokens) == (1024, 256)
    assert response.cost_usd is None  # llmops prices it
    assert response.latency_ms > 0
    assert response.raw is not None
    assert response.raw["attempts"] == 1
    [seen] = server.seen
    assert seen.path == "/v1/chat/completions"
    assert seen.headers["authorization"] == "Bearer sk-test"
    assert seen.body == {
        "model": "gpt-4o-mini",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi there"},
        ],
        "temperature": 0.2,
        "max_tokens": 50,
    }


def test_429_then_success_honours_retry_after(
    server: FakeServer, provider: OpenAIProvider, waits: list[float]
) -> None:
    server.play(
        Reply(429, {"error": {"message": "Rate limit reached"}}, {"Retry-After": "7"}),
        Reply(body=completion("after the wait")),
    )

    response = provider.complete(request(server))

    assert response.text == "after the wait"
    assert len(server.seen) == 2
    assert waits == [7.0]
    assert response.raw is not None
    assert response.raw["attempts"] == 2


def test_500_exhausted_is_not_retryable_and_names_the_server_error(
    server: FakeServer, provider: OpenAIProvider, waits: list[float]
) -> None:
    server.play(Reply(500, {"error": {"message": "The server had an error"}}))

    with pytest.raises(ProviderError) as caught:
        provider.complete(request(server, max_retries=2))

    assert len(server.seen) == 3
    assert caught.value.retryable is False
    assert caught.value.status == 500
    assert str(caught.value) == (
        "openai: HTTP 500: The server had an error (gave up after 3 attempts)"
    )
    # Exponential backoff with jitter: first wait in [0.25, 0.5], second in [0.5, 1.0].
    assert len(waits) == 2
    assert 0.25 <= waits[0] <= 0.5
    assert 0.5 <= waits[1] <= 1.0


def test_timeout_is_retried_then_reported(server: FakeServer, provider: OpenAIProvider) -> None:
    server.play(Reply(body=completion(), delay=1.0))

    with pytest.raises(ProviderError, match=r"timed out after 0\.2s .*2 attempts") as caught:
        provider.complete(request(server, timeout=0.2, max_retries=1))

    assert caught.value.retryable is False
    assert len(server.seen) == 2


def test_connection_refused_is_retried_then_reported(provider: OpenAIProvider) -> None:
    with fake_server() as gone:
        url = gone.url
    options = {"base_url": url, "max_retries": 1, "retry_backoff": 0}
    call = ProviderRequest(model="m", messages=(ChatMessage("user", "x"),), options=options)

    with pytest.raises(ProviderError, match=r"could not reach .*gave up after 2 attempts"):
        provider.complete(call)


def test_malformed_json_is_named(server: FakeServer, provider: OpenAIProvider) -> None:
    server.play(Reply(body="{not json"))

    with pytest.raises(ProviderError, match=r"response is not JSON \(HTTP 200\): \{not json"):
        provider.complete(request(server))


def test_missing_choices_is_named(server: FakeServer, provider: OpenAIProvider) -> None:
    server.play(Reply(body={"id": "x", "object": "chat.completion"}))

    with pytest.raises(ProviderError, match=r"no choices \(keys: id, object\)"):
        provider.complete(request(server))


def test_client_error_fails_at_once(server: FakeServer, provider: OpenAIProvider) -> None:
    server.play(Reply(404, {"error": {"message": "The model `gpt-9` does not exist"}}))

    with pytest.raises(ProviderError) as caught:
        provider.complete(request(server))

    assert str(caught.value) == "openai: HTTP 404: The model `gpt-9` does not exist"
    assert caught.value.status == 404
    assert len(server.seen) == 1


def test_azure_url_shape_and_api_key_header(
    server: FakeServer, provider: OpenAIProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "az-key")
    options = {
        "base_url": server.url,
        "api_key_env": "AZURE_OPENAI_API_KEY",
        "azure_api_version": "2024-10-21",
        "azure_deployment": "support-gpt4o",
        "headers": {"x-team": "support"},
    }
    call = ProviderRequest(model="gpt-4o", messages=(ChatMessage("user", "Hi"),), options=options)

    assert provider.complete(call).text == "Hello!"

    [seen] = server.seen
    assert seen.path == "/openai/deployments/support-gpt4o/chat/completions"
    assert seen.query == {"api-version": ["2024-10-21"]}
    assert seen.headers["api-key"] == "az-key"
    assert "authorization" not in seen.headers
    assert seen.headers["x-team"] == "support"


def test_litellm_reported_cost_is_kept(server: FakeServer, provider: OpenAIProvider) -> None:
    server.play(Reply(body=completion(), headers={"x-litellm-response-cost": "0.00042"}))

    assert provider.complete(request(server)).cost_usd == pytest.approx(0.00042)


def test_missing_key_for_a_remote_server_is_one_clear_line(
    provider: OpenAIProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    call = ProviderRequest(model="gpt-4o-mini", messages=(ChatMessage("user", "Hi"),))

    with pytest.raises(ProviderError) as caught:
        provider.complete(call)

    assert str(caught.value) == (
        "openai: $OPENAI_API_KEY is not set (needed for https://api.openai.com/v1); export it, "
        "or name another variable with the provider option api_key_env"
    )
    assert caught.value.retryable is False


def test_local_server_needs_no_key(
    server: FakeServer, provider: OpenAIProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)

    assert provider.complete(request(server)).text == "Hello!"
    assert "authorization" not in server.seen[0].headers


def test_unknown_option_is_refused(server: FakeServer, provider: OpenAIProvider) -> None:
    with pytest.raises(ProviderError, match="unknown option 'base_ulr'"):
        provider.complete(request(server, base_ulr="x"))


def test_plugin_registers_the_provider(load_plugins: Any) -> None:
    plugins = load_plugins(llmops_openai)

    assert plugins.warnings == []
    assert isinstance(plugins.providers.get("openai"), OpenAIProvider)
