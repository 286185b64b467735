"""The `echo` and `replay` built-in providers, as registered."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from llmops_tui.plugin_api import Provider, ProviderError, ProviderRequest, ProviderResponse
from llmops_tui.plugin_manager import load_plugins
from llmops_tui.store import Store
from llmops_tui.testing import MakeProviderRequest


@pytest.fixture(scope="module")
def providers() -> dict[str, Provider]:
    plugins = load_plugins(load_entrypoints=False)
    return {name: plugins.providers.get(name) for name in ("echo", "replay", "scripted")}


def test_echo_answers_the_last_user_message_for_free(
    providers: dict[str, Provider], provider_request: MakeProviderRequest
) -> None:
    request = provider_request("second", system="ignored", model="any")
    request = dataclasses.replace(request, messages=(*request.messages[:1], *request.messages))

    response = providers["echo"].complete(request)

    assert response.text == "second"
    assert (response.input_tokens, response.output_tokens, response.cost_usd) == (0, 0, 0.0)
    assert response.model == "any"


def test_replay_serves_what_the_runner_looked_up(
    providers: dict[str, Provider], provider_request: MakeProviderRequest
) -> None:
    recorded = ProviderResponse(text="from production", latency_ms=812.0, input_tokens=90)
    asked: list[ProviderRequest] = []

    def lookup(request: ProviderRequest) -> ProviderResponse | None:
        asked.append(request)
        return recorded

    request = dataclasses.replace(provider_request("Where is my order?"), recorded=lookup)

    assert providers["replay"].complete(request) is recorded
    assert asked == [request]


def test_replay_without_a_recording_is_a_clear_non_retryable_error(
    providers: dict[str, Provider], provider_request: MakeProviderRequest
) -> None:
    question = "Where is my order A4821937? " * 5
    request = dataclasses.replace(
        provider_request(question, model="gpt-4o-mini"), recorded=lambda _: None
    )

    with pytest.raises(ProviderError) as caught:
        providers["replay"].complete(request)

    assert caught.value.retryable is False
    assert str(caught.value) == (
        "replay: no recorded span of model 'gpt-4o-mini' answers 'Where is my order A4821937? "
        "Where is my order A4821937? Whe…'; ingest production traces with that input, "
        "or use another provider"
    )


def test_replay_outside_a_run_says_where_it_works(
    providers: dict[str, Provider], provider_request: MakeProviderRequest
) -> None:
    with pytest.raises(ProviderError, match=r"replay runs inside `llmops eval run`"):
        providers["replay"].complete(provider_request("hi"))


def test_replay_through_the_store(
    providers: dict[str, Provider], provider_request: MakeProviderRequest, tmp_path: Path
) -> None:
    """As the runner wires it: `recorded=store.recordings.lookup` on an empty store."""
    store = Store(tmp_path / "db.duckdb")
    store.initialise()
    request = dataclasses.replace(provider_request("hi"), recorded=store.recordings.lookup)

    with pytest.raises(ProviderError, match="no recorded span of model 'test-model'"):
        providers["replay"].complete(request)
