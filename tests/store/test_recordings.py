"""`store.recordings.lookup`: recorded production answers found by model and rendered input,
on spans loaded through the real ingest pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from llmops_tui.domain.evals import ChatMessage, ProviderRequest
from llmops_tui.ingest.pipeline import Ingestor
from llmops_tui.store import Store
from llmops_tui.store.recordings import needle, output_text, parse_messages
from tests.ingest.spans import flat_span, jsonl

SYSTEM = "You are the Acme Support Assistant.\nBe brief."
QUESTION = 'Where is my order "A4821937"? It was due <yesterday> — ça alors!'


def messages(*pairs: tuple[str, str]) -> str:
    return orjson.dumps(
        [{"role": role, "parts": [{"type": "text", "content": text}]} for role, text in pairs]
    ).decode()


def recorded(
    n: int,
    answer: str,
    *,
    system: str | None = SYSTEM,
    question: str = QUESTION,
    model: str = "gpt-4o-mini",
    environment: str = "production",
    error: bool = False,
) -> dict[str, Any]:
    pairs = ([("system", system)] if system is not None else []) + [("user", question)]
    span = flat_span(n)
    span["attributes"].update(
        {
            "gen_ai.request.model": model,
            "gen_ai.input.messages": messages(*pairs),
            "gen_ai.output.messages": orjson.dumps(
                [{"role": "assistant", "parts": [{"type": "text", "content": answer}]}]
            ).decode(),
        }
    )
    span["resource"]["deployment.environment.name"] = environment
    if error:
        span["status"] = {"code": "STATUS_CODE_ERROR", "message": "boom"}
    return span


def request(
    question: str = QUESTION, *, system: str | None = SYSTEM, model: str = "gpt-4o-mini"
) -> ProviderRequest:
    chat = [ChatMessage("system", system)] if system is not None else []
    return ProviderRequest(model=model, messages=(*chat, ChatMessage("user", question)))


@pytest.fixture
def load(tmp_path: Path, ingestor: Ingestor) -> Any:
    def ingest(*spans: dict[str, Any]) -> None:
        path = tmp_path / f"spans-{len(list(tmp_path.iterdir()))}.jsonl"
        path.write_bytes(jsonl(list(spans)))
        assert ingestor.ingest([path]).spans_loaded == len(spans)

    return ingest


def test_same_model_and_input_returns_the_recorded_answer(store: Store, load: Any) -> None:
    load(recorded(1, "It arrives tomorrow [KB-1002]."), recorded(2, "Other", question="Hi"))

    response = store.recordings.lookup(request())

    assert response is not None
    assert response.text == "It arrives tomorrow [KB-1002]."
    assert response.model == "gpt-4o-mini-2024-07-18"
    assert (response.input_tokens, response.output_tokens) == (1201, 150)
    assert response.latency_ms == pytest.approx(850.0)
    assert response.raw is not None
    assert response.raw["replayed_from"]["span_id"] == flat_span(1)["span_id"]


def test_other_model_system_prompt_or_question_is_not_a_match(store: Store, load: Any) -> None:
    load(recorded(1, "It arrives tomorrow."))

    assert store.recordings.lookup(request(model="gpt-4o")) is None
    assert store.recordings.lookup(request(system="You are a pirate.")) is None
    assert store.recordings.lookup(request("Where is my order?")) is None


def test_line_ends_and_surrounding_space_do_not_matter(store: Store, load: Any) -> None:
    load(recorded(1, "Yes.", system=SYSTEM.replace("\n", "\r\n") + "\n"))

    response = store.recordings.lookup(request(f"  {QUESTION}\n"))

    assert response is not None
    assert response.text == "Yes."


def test_production_first_then_newest_and_never_an_error(store: Store, load: Any) -> None:
    load(
        recorded(1, "old production"),
        recorded(2, "newer production"),
        recorded(3, "newest staging", environment="staging"),
        recorded(4, "newest but failed", error=True),
    )

    response = store.recordings.lookup(request())

    assert response is not None
    assert response.text == "newer production"


def test_recording_without_system_message_matches_on_the_user_message(
    store: Store, load: Any
) -> None:
    load(recorded(1, "captured without the system prompt", system=None))

    response = store.recordings.lookup(request())

    assert response is not None
    assert response.text == "captured without the system prompt"


def test_exact_system_match_beats_a_recording_without_system(store: Store, load: Any) -> None:
    load(recorded(1, "no system", system=None), recorded(0, "with system"))

    response = store.recordings.lookup(request())

    assert response is not None
    assert response.text == "with system"


def test_empty_store_has_no_recordings(store: Store) -> None:
    assert store.recordings.lookup(request()) is None


def test_needle_avoids_characters_serialisers_escape() -> None:
    assert needle(QUESTION) == "Where is my order "
    assert needle("plain question") == "plain question"


def test_message_dialects_parse_to_system_and_last_user() -> None:
    openai = orjson.dumps(
        [
            {"role": "developer", "content": "Rules"},
            {"role": "user", "content": [{"type": "text", "text": "first"}]},
            {"role": "assistant", "content": "ok"},
            {"role": "user", "content": "second"},
        ]
    ).decode()

    assert parse_messages(openai) == ("Rules", "second")
    assert parse_messages("just text ") == (None, "just text")
    assert parse_messages('{"messages": [{"role": "user", "content": "q"}]}') == (None, "q")
    assert parse_messages('[{"role": "assistant", "content": "a"}]') is None


def test_output_dialects_give_the_assistant_text() -> None:
    assert output_text('[{"role": "assistant", "content": "hi"}]') == "hi"
    assert output_text('"quoted"') == "quoted"
    assert output_text("plain") == "plain"
    choices = '{"choices": [{"message": {"role": "assistant", "content": "c"}}]}'
    assert output_text(choices) == "c"
