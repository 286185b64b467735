"""OpenAI, Anthropic and LiteLLM request logs become one span each with OTel GenAI attributes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import pytest

from llmops_tui.ingest.formats import RecordError
from llmops_tui.ingest.formats.common import derived_id
from llmops_tui.ingest.formats.request_logs import (
    classify_request_log,
    spans_from_anthropic,
    spans_from_litellm,
    spans_from_openai,
)

JsonObject = dict[str, Any]

CHAT_ID = "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG"
T0 = 1_772_442_900_000_000_000
"""2026-03-02T09:15:00Z in epoch nanoseconds."""


def chat_completion() -> JsonObject:
    """A Chat Completions response as `openai-python` `model_dump()`s it."""
    return {
        "id": CHAT_ID,
        "object": "chat.completion",
        "created": 1772442900,
        "model": "gpt-4o-2024-08-06",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": None,
                    "refusal": None,
                    "tool_calls": [
                        {
                            "id": "call_abc",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                        }
                    ],
                },
                "logprobs": None,
                "finish_reason": "tool_calls",
            }
        ],
        "usage": {
            "prompt_tokens": 2048,
            "completion_tokens": 310,
            "total_tokens": 2358,
            "prompt_tokens_details": {
                "cached_tokens": 1024,
                "cache_write_tokens": 512,
                "audio_tokens": 0,
            },
            "completion_tokens_details": {"reasoning_tokens": 128, "audio_tokens": 0},
        },
        "service_tier": "default",
        "system_fingerprint": "fp_f9f4fb6dbf",
    }


def attrs_of(spans: list[JsonObject]) -> JsonObject:
    [span] = spans
    attributes: JsonObject = span["attributes"]
    return attributes


def messages(attrs: JsonObject, key: str) -> object:
    return orjson.loads(attrs[key])


# ---------------------------------------------------------------- OpenAI


def test_bare_chat_completion() -> None:
    [span] = spans_from_openai(chat_completion())

    assert span["span_id"] == "9fe43068b0533fb9" == derived_id(CHAT_ID, length=16)
    assert span["trace_id"] == "6ad2f95ca70bf2a51030c0cbe79853d1"
    assert span["parent_span_id"] is None
    assert span["name"] == "chat gpt-4o-2024-08-06"
    assert span["kind"] == "client"
    assert span["start_time"] == T0
    assert "end_time" not in span
    assert span["status"] == "ok"
    attrs = span["attributes"]
    assert attrs["gen_ai.provider.name"] == "openai"
    assert attrs["gen_ai.operation.name"] == "chat"
    assert "gen_ai.request.model" not in attrs
    assert attrs["gen_ai.response.model"] == "gpt-4o-2024-08-06"
    assert attrs["gen_ai.response.id"] == CHAT_ID
    assert attrs["gen_ai.usage.input_tokens"] == 2048
    assert attrs["gen_ai.usage.output_tokens"] == 310
    assert attrs["gen_ai.usage.cache_read.input_tokens"] == 1024
    assert attrs["gen_ai.usage.cache_creation.input_tokens"] == 512
    assert attrs["gen_ai.usage.reasoning.output_tokens"] == 128
    assert attrs["gen_ai.response.finish_reasons"] == ["tool_calls"]
    assert attrs["openai.response.system_fingerprint"] == "fp_f9f4fb6dbf"
    assert "gen_ai.input.messages" not in attrs
    assert messages(attrs, "gen_ai.output.messages") == [
        {
            "role": "assistant",
            "parts": [
                {
                    "type": "tool_call",
                    "id": "call_abc",
                    "name": "get_weather",
                    "arguments": {"city": "Paris"},
                }
            ],
            "finish_reason": "tool_call",
        }
    ]


def test_wrapped_chat_completion_with_request_timing_and_metadata() -> None:
    record = {
        "request": {
            "model": "gpt-4o",
            "temperature": 0.2,
            "max_completion_tokens": 500,
            "stop": "END",
            "messages": [
                {"role": "developer", "content": "You are a support agent."},
                {"role": "user", "content": [{"type": "text", "text": "Weather in Paris?"}]},
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": "{not json"},
                        },
                    ],
                },
                {"role": "tool", "tool_call_id": "call_1", "content": "rainy, 57F"},
            ],
        },
        "response": chat_completion(),
        "start_time": "2026-03-02T09:15:00.250Z",
        "latency_ms": 812.5,
        "trace_id": "0C6A5D3E-1B2F-4A5B-8C9D-0E1F2A3B4C5D",
        "cost_usd": 0.0123,
        "metadata": {
            "user_id": "u-42",
            "session_id": "s-7",
            "environment": "prod",
            "prompt_name": "support-agent",
            "prompt_version": 3,
            "release": "2026.03.1",
            "ignored": {"nested": True},
        },
    }

    [span] = spans_from_openai(record)

    assert span["trace_id"] == "0c6a5d3e1b2f4a5b8c9d0e1f2a3b4c5d"
    assert span["span_id"] == derived_id(CHAT_ID, length=16)
    assert span["name"] == "chat gpt-4o"
    assert span["start_time"] == T0 + 250_000_000
    assert span["end_time"] == T0 + 250_000_000 + 812_500_000
    attrs = span["attributes"]
    assert attrs["gen_ai.request.model"] == "gpt-4o"
    assert attrs["gen_ai.request.temperature"] == 0.2
    assert attrs["gen_ai.request.max_tokens"] == 500
    assert attrs["gen_ai.request.stop_sequences"] == ["END"]
    assert attrs["llmops.cost.usd"] == 0.0123
    assert attrs["user.id"] == "u-42"
    assert attrs["session.id"] == "s-7"
    assert attrs["deployment.environment.name"] == "prod"
    assert attrs["llmops.prompt.name"] == "support-agent"
    assert attrs["llmops.prompt.version"] == "3"
    assert attrs["llmops.release"] == "2026.03.1"
    assert messages(attrs, "gen_ai.input.messages") == [
        {"role": "system", "parts": [{"type": "text", "content": "You are a support agent."}]},
        {"role": "user", "parts": [{"type": "text", "content": "Weather in Paris?"}]},
        {
            "role": "assistant",
            "parts": [
                {
                    "type": "tool_call",
                    "id": "call_1",
                    "name": "get_weather",
                    "arguments": "{not json",
                }
            ],
        },
        {
            "role": "tool",
            "parts": [{"type": "tool_call_response", "id": "call_1", "response": "rainy, 57F"}],
        },
    ]


def test_responses_api_object() -> None:
    record = {
        "request": {
            "model": "o4-mini",
            "instructions": "Answer briefly.",
            "input": [
                {"role": "user", "content": [{"type": "input_text", "text": "Weather?"}]},
                {"type": "function_call_output", "call_id": "fc_0", "output": "sunny"},
            ],
            "max_output_tokens": 256,
        },
        "response": {
            "id": "resp_67ccd2bed1ec8190b14f964abc054267",
            "object": "response",
            "created_at": 1772442900.5,
            "status": "completed",
            "error": None,
            "model": "o4-mini-2025-04-16",
            "output": [
                {
                    "type": "reasoning",
                    "id": "rs_1",
                    "summary": [{"type": "summary_text", "text": "Check the tool result."}],
                },
                {
                    "type": "message",
                    "id": "msg_1",
                    "role": "assistant",
                    "status": "completed",
                    "content": [{"type": "output_text", "text": "Sunny.", "annotations": []}],
                },
            ],
            "usage": {
                "input_tokens": 36,
                "input_tokens_details": {"cached_tokens": 12},
                "output_tokens": 87,
                "output_tokens_details": {"reasoning_tokens": 64},
                "total_tokens": 123,
            },
        },
    }

    [span] = spans_from_openai(record)

    assert span["start_time"] == T0 + 500_000_000
    assert span["name"] == "chat o4-mini"
    attrs = span["attributes"]
    assert attrs["gen_ai.response.id"] == "resp_67ccd2bed1ec8190b14f964abc054267"
    assert attrs["gen_ai.request.max_tokens"] == 256
    assert attrs["gen_ai.usage.input_tokens"] == 36
    assert attrs["gen_ai.usage.cache_read.input_tokens"] == 12
    assert "gen_ai.usage.cache_creation.input_tokens" not in attrs
    assert attrs["gen_ai.usage.output_tokens"] == 87
    assert attrs["gen_ai.usage.reasoning.output_tokens"] == 64
    assert attrs["gen_ai.response.finish_reasons"] == ["stop"]
    assert messages(attrs, "gen_ai.input.messages") == [
        {"role": "system", "parts": [{"type": "text", "content": "Answer briefly."}]},
        {"role": "user", "parts": [{"type": "text", "content": "Weather?"}]},
        {
            "role": "tool",
            "parts": [{"type": "tool_call_response", "id": "fc_0", "response": "sunny"}],
        },
    ]
    assert messages(attrs, "gen_ai.output.messages") == [
        {
            "role": "assistant",
            "parts": [
                {"type": "reasoning", "content": "Check the tool result."},
                {"type": "text", "content": "Sunny."},
            ],
            "finish_reason": "stop",
        }
    ]


def test_openai_error_becomes_an_error_span_with_a_stable_id() -> None:
    record = {
        "request": {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]},
        "error": {
            "message": "Rate limit reached for gpt-4o",
            "type": "rate_limit_error",
            "code": "rate_limit_exceeded",
        },
        "start_time": 1772442900.25,
        "duration_ms": 40,
    }

    [span] = spans_from_openai(record)
    [again] = spans_from_openai(orjson.loads(orjson.dumps(record)))
    [other] = spans_from_openai({**record, "start_time": 1772442901.25})

    assert span["status"] == "error"
    assert span["status_message"] == "Rate limit reached for gpt-4o"
    assert span["attributes"]["error.type"] == "rate_limit_error"
    assert span["start_time"] == T0 + 250_000_000
    assert span["end_time"] == T0 + 290_000_000
    assert "gen_ai.usage.input_tokens" not in span["attributes"]
    assert (again["trace_id"], again["span_id"]) == (span["trace_id"], span["span_id"])
    assert other["span_id"] != span["span_id"]
    assert classify_request_log(record) == "openai"


def test_openai_error_body_inside_response() -> None:
    record = {
        "request": {"model": "gpt-4o", "messages": []},
        "response": {"error": {"message": "Invalid API key", "type": "invalid_request_error"}},
        "created": 1772442900,
    }

    [span] = spans_from_openai(record)

    assert span["status"] == "error"
    assert span["status_message"] == "Invalid API key"
    assert classify_request_log(record) == "openai"


def test_failed_responses_object() -> None:
    response = {
        "id": "resp_failed",
        "object": "response",
        "created_at": 1772442900,
        "status": "failed",
        "error": {"code": "server_error", "message": "The model failed."},
        "model": "gpt-4.1",
        "output": [],
        "usage": None,
    }

    [span] = spans_from_openai(response)

    assert span["status"] == "error"
    assert span["status_message"] == "The model failed."
    assert span["attributes"]["error.type"] == "server_error"
    assert span["attributes"]["gen_ai.response.finish_reasons"] == ["error"]


# ---------------------------------------------------------------- Anthropic


def anthropic_message() -> JsonObject:
    return {
        "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": [
            {"type": "thinking", "thinking": "The user wants weather.", "signature": "EqQB"},
            {"type": "text", "text": "Let me check."},
            {
                "type": "tool_use",
                "id": "toolu_01",
                "name": "get_weather",
                "input": {"city": "Paris"},
            },
        ],
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {
            "input_tokens": 21,
            "cache_creation_input_tokens": 1000,
            "cache_read_input_tokens": 2000,
            "output_tokens": 300,
            "output_tokens_details": {"thinking_tokens": 50},
            "service_tier": "standard",
        },
    }


def test_anthropic_cache_tokens_are_added_to_input() -> None:
    record = {
        "request": {
            "model": "claude-sonnet-4-5",
            "max_tokens": 1024,
            "system": [
                {"type": "text", "text": "You are terse.", "cache_control": {"type": "ephemeral"}}
            ],
            "messages": [
                {"role": "user", "content": "Weather in Paris?"},
                {
                    "role": "assistant",
                    "content": [
                        {"type": "tool_use", "id": "toolu_00", "name": "get_weather", "input": {}}
                    ],
                },
                {
                    "role": "user",
                    "content": [
                        {
                            "type": "tool_result",
                            "tool_use_id": "toolu_00",
                            "content": [{"type": "text", "text": "rainy"}],
                        }
                    ],
                },
            ],
            "metadata": {"user_id": "u-9"},
        },
        "response": anthropic_message(),
        "start_time": "2026-03-02T09:15:00Z",
        "end_time": "2026-03-02T09:15:02.5Z",
    }

    [span] = spans_from_anthropic(record)

    assert span["span_id"] == derived_id("msg_01XFDUDYJgAACzvnptvVoYEL", length=16)
    assert span["name"] == "chat claude-sonnet-4-5"
    assert span["start_time"] == T0
    assert span["end_time"] == T0 + 2_500_000_000
    attrs = span["attributes"]
    assert attrs["gen_ai.provider.name"] == "anthropic"
    assert attrs["gen_ai.response.model"] == "claude-sonnet-4-5-20250929"
    assert attrs["gen_ai.request.max_tokens"] == 1024
    assert attrs["gen_ai.usage.input_tokens"] == 21 + 1000 + 2000
    assert attrs["gen_ai.usage.cache_read.input_tokens"] == 2000
    assert attrs["gen_ai.usage.cache_creation.input_tokens"] == 1000
    assert attrs["gen_ai.usage.output_tokens"] == 300
    assert attrs["gen_ai.usage.reasoning.output_tokens"] == 50
    assert attrs["gen_ai.response.finish_reasons"] == ["tool_use"]
    assert attrs["user.id"] == "u-9"
    assert messages(attrs, "gen_ai.system_instructions") == [
        {"type": "text", "content": "You are terse."}
    ]
    assert messages(attrs, "gen_ai.input.messages") == [
        {"role": "system", "parts": [{"type": "text", "content": "You are terse."}]},
        {"role": "user", "parts": [{"type": "text", "content": "Weather in Paris?"}]},
        {
            "role": "assistant",
            "parts": [
                {"type": "tool_call", "id": "toolu_00", "name": "get_weather", "arguments": {}}
            ],
        },
        {
            "role": "user",
            "parts": [{"type": "tool_call_response", "id": "toolu_00", "response": "rainy"}],
        },
    ]
    assert messages(attrs, "gen_ai.output.messages") == [
        {
            "role": "assistant",
            "parts": [
                {"type": "reasoning", "content": "The user wants weather."},
                {"type": "text", "content": "Let me check."},
                {
                    "type": "tool_call",
                    "id": "toolu_01",
                    "name": "get_weather",
                    "arguments": {"city": "Paris"},
                },
            ],
            "finish_reason": "tool_call",
        }
    ]


def test_anthropic_cache_writes_from_the_ttl_breakdown_and_nulls() -> None:
    message = anthropic_message()
    message["usage"] = {
        "input_tokens": 10,
        "cache_creation_input_tokens": None,
        "cache_read_input_tokens": None,
        "cache_creation": {"ephemeral_5m_input_tokens": 300, "ephemeral_1h_input_tokens": 200},
        "output_tokens": 5,
    }

    attrs = attrs_of(spans_from_anthropic({"response": message, "created": 1772442900}))

    assert attrs["gen_ai.usage.input_tokens"] == 510
    assert attrs["gen_ai.usage.cache_creation.input_tokens"] == 500
    assert "gen_ai.usage.cache_read.input_tokens" not in attrs
    assert "gen_ai.usage.reasoning.output_tokens" not in attrs


def test_a_bare_anthropic_message_has_no_time() -> None:
    with pytest.raises(RecordError, match=r"^start_time: missing"):
        spans_from_anthropic(anthropic_message())


def test_anthropic_error_body() -> None:
    record = {
        "request": {"model": "claude-sonnet-4-5", "messages": []},
        "response": {
            "type": "error",
            "error": {"type": "overloaded_error", "message": "Overloaded"},
        },
        "start_time": 1772442900,
    }

    [span] = spans_from_anthropic(record)

    assert span["status"] == "error"
    assert span["status_message"] == "Overloaded"
    assert span["attributes"]["error.type"] == "overloaded_error"
    assert span["name"] == "chat claude-sonnet-4-5"
    assert classify_request_log(record) == "anthropic"


# ---------------------------------------------------------------- LiteLLM


def litellm_payload() -> JsonObject:
    """A `StandardLoggingPayload` for a streamed Bedrock Claude call through the proxy."""
    return {
        "id": "chatcmpl-2299b6a3-2e73-4e1f-9a2b-6c1f0d1c9a11",
        "trace_id": "8c4f9a2e-7b1d-4c3e-9f6a-2d5b8e1c4a70",
        "call_type": "acompletion",
        "stream": True,
        "response_cost": 0.00042,
        "status": "success",
        "custom_llm_provider": "bedrock",
        "total_tokens": 3330,
        "prompt_tokens": 3021,
        "completion_tokens": 309,
        "startTime": 1772442900.123456,
        "endTime": 1772442902.5,
        "completionStartTime": 1772442900.623456,
        "model": "anthropic.claude-3-5-sonnet-20240620-v1:0",
        "model_group": "claude-sonnet",
        "api_base": "https://bedrock-runtime.us-east-1.amazonaws.com/model/x/invoke",
        "metadata": {
            "user_api_key_user_id": "key-owner",
            "user_api_key_end_user_id": None,
            "requester_metadata": {"session_id": "conv-12", "environment": "staging"},
            "prompt_management_metadata": {"prompt_id": "support-agent", "prompt_variables": {}},
            "usage_object": None,
        },
        "cache_hit": False,
        "end_user": "customer-77",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "hello"},
        ],
        "response": {
            "id": "chatcmpl-2299b6a3-2e73-4e1f-9a2b-6c1f0d1c9a11",
            "object": "chat.completion",
            "created": 1772442900,
            "model": "claude-3-5-sonnet-20240620",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": "Hi!"},
                }
            ],
        },
        "error_str": None,
        "model_parameters": {"temperature": 0.1, "max_tokens": 400, "stream": True},
        "hidden_params": {
            "model_id": "abc",
            "usage_object": {
                "prompt_tokens": 3021,
                "completion_tokens": 309,
                "total_tokens": 3330,
                "prompt_tokens_details": {"cached_tokens": 2000},
                "completion_tokens_details": {"reasoning_tokens": 12},
                "cache_creation_input_tokens": 1000,
                "cache_read_input_tokens": 2000,
            },
        },
    }


def test_litellm_success_payload() -> None:
    [span] = spans_from_litellm(litellm_payload())

    assert span["trace_id"] == "8c4f9a2e7b1d4c3e9f6a2d5b8e1c4a70"
    assert span["span_id"] == derived_id("chatcmpl-2299b6a3-2e73-4e1f-9a2b-6c1f0d1c9a11", length=16)
    assert span["name"] == "chat anthropic.claude-3-5-sonnet-20240620-v1:0"
    assert span["start_time"] == 1_772_442_900_123_456_000
    assert span["end_time"] == 1_772_442_902_500_000_000
    assert span["status"] == "ok"
    attrs = span["attributes"]
    assert attrs["gen_ai.operation.name"] == "chat"
    assert attrs["litellm.call_type"] == "acompletion"
    assert attrs["gen_ai.provider.name"] == "aws.bedrock"
    assert attrs["gen_ai.request.model"] == "anthropic.claude-3-5-sonnet-20240620-v1:0"
    assert attrs["gen_ai.response.model"] == "claude-3-5-sonnet-20240620"
    assert attrs["gen_ai.request.temperature"] == 0.1
    assert attrs["gen_ai.request.max_tokens"] == 400
    assert attrs["gen_ai.usage.input_tokens"] == 3021
    assert attrs["gen_ai.usage.output_tokens"] == 309
    assert attrs["gen_ai.usage.cache_read.input_tokens"] == 2000
    assert attrs["gen_ai.usage.cache_creation.input_tokens"] == 1000
    assert attrs["gen_ai.usage.reasoning.output_tokens"] == 12
    assert attrs["llmops.cost.usd"] == 0.00042
    assert attrs["user.id"] == "customer-77"
    assert attrs["session.id"] == "conv-12"
    assert attrs["deployment.environment.name"] == "staging"
    assert attrs["llmops.prompt.name"] == "support-agent"
    assert attrs["server.address"] == "bedrock-runtime.us-east-1.amazonaws.com"
    assert attrs["litellm.cache_hit"] is False
    assert attrs["gen_ai.response.time_to_first_chunk"] == 0.5
    assert attrs["gen_ai.response.finish_reasons"] == ["stop"]
    assert messages(attrs, "gen_ai.input.messages") == [
        {"role": "system", "parts": [{"type": "text", "content": "Be brief."}]},
        {"role": "user", "parts": [{"type": "text", "content": "hello"}]},
    ]
    assert messages(attrs, "gen_ai.output.messages") == [
        {
            "role": "assistant",
            "parts": [{"type": "text", "content": "Hi!"}],
            "finish_reason": "stop",
        }
    ]
    assert classify_request_log(litellm_payload()) == "litellm"


def test_litellm_failure_payload_from_an_older_version() -> None:
    payload: JsonObject = {
        "id": "f2b0c1de-0000-4000-8000-000000000001",
        "trace_id": "not-a-uuid",
        "call_type": "embedding",
        "status": "failure",
        "custom_llm_provider": "openai",
        "model": "text-embedding-3-small",
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "startTime": 1772442900,
        "endTime": 1772442900.75,
        "response_cost": None,
        "metadata": {"user_api_key_user_id": "key-owner"},
        "error_str": "litellm.RateLimitError: 429",
        "error_information": {"error_code": "429", "error_class": "RateLimitError"},
        "messages": ["refund policy", "shipping times"],
        "response": None,
    }

    [span] = spans_from_litellm(payload)

    assert span["trace_id"] == derived_id("trace", payload["id"], length=32)
    assert span["name"] == "embeddings text-embedding-3-small"
    assert span["status"] == "error"
    assert span["status_message"] == "litellm.RateLimitError: 429"
    assert span["end_time"] - span["start_time"] == 750_000_000
    attrs = span["attributes"]
    assert attrs["error.type"] == "RateLimitError"
    assert attrs["user.id"] == "key-owner"
    assert attrs["gen_ai.usage.input_tokens"] == 0
    assert "llmops.cost.usd" not in attrs
    assert "gen_ai.output.messages" not in attrs
    assert messages(attrs, "gen_ai.input.messages") == [
        {"role": "user", "parts": [{"type": "text", "content": "refund policy"}]},
        {"role": "user", "parts": [{"type": "text", "content": "shipping times"}]},
    ]


def test_litellm_iso_times() -> None:
    payload = litellm_payload()
    payload["startTime"] = "2026-03-02T09:15:00.123456"
    payload["endTime"] = "2026-03-02T09:15:01Z"

    [span] = spans_from_litellm(payload)

    assert span["start_time"] == T0 + 123_456_000
    assert span["end_time"] == T0 + 1_000_000_000


# ---------------------------------------------------------------- classification and errors


@pytest.mark.parametrize(
    ("record", "kind"),
    [
        (chat_completion(), "openai"),
        ({"request": {}, "response": chat_completion()}, "openai"),
        (anthropic_message(), "anthropic"),
        ({"request": {"model": "claude-opus-4"}, "error": "boom"}, "anthropic"),
        ({"request": {"model": "x"}, "error": "boom", "provider": "anthropic"}, "anthropic"),
        (litellm_payload(), "litellm"),
        ({"resourceSpans": []}, None),
        ({"trace_id": "a", "span_id": "b", "name": "c"}, None),
        ({"request": {"model": "gpt-4o"}}, None),
    ],
)
def test_classify(record: JsonObject, kind: str | None) -> None:
    assert classify_request_log(record) == kind


def set_path(path: str, value: object) -> Callable[[JsonObject], None]:
    def change(obj: JsonObject) -> None:
        *parents, leaf = path.split(".")
        for key in parents:
            obj = obj[key]
        if value is KeyError:
            del obj[leaf]
        else:
            obj[leaf] = value

    return change


@pytest.mark.parametrize(
    ("adapter", "make", "change", "message"),
    [
        (
            spans_from_openai,
            chat_completion,
            set_path("usage.prompt_tokens", "abc"),
            'usage.prompt_tokens: expected a non-negative integer, got "abc"',
        ),
        (
            spans_from_openai,
            lambda: {"request": {}, "response": chat_completion()},
            set_path("response.usage.prompt_tokens_details.cached_tokens", -1),
            "response.usage.prompt_tokens_details.cached_tokens:"
            " expected a non-negative integer, got -1",
        ),
        (spans_from_openai, chat_completion, set_path("id", KeyError), "id: missing"),
        (
            spans_from_openai,
            lambda: {"request": {}, "response": chat_completion()},
            set_path("response.id", KeyError),
            "response.id: missing",
        ),
        (
            spans_from_openai,
            lambda: {"request": {"model": "gpt-4o"}},
            set_path("start_time", 1),
            "response: missing (expected a response object or an error)",
        ),
        (
            spans_from_openai,
            lambda: {"request": {}, "response": chat_completion()},
            set_path("response.object", "list"),
            'response: expected an OpenAI "chat.completion" or "response" object, got an object',
        ),
        (
            spans_from_openai,
            lambda: {"request": {"messages": ["hi"]}, "response": chat_completion()},
            lambda obj: None,
            'request.messages[0]: expected a message object, got "hi"',
        ),
        (
            spans_from_openai,
            lambda: {"request": {}, "response": chat_completion()},
            set_path("latency_ms", "fast"),
            'latency_ms: expected a non-negative number, got "fast"',
        ),
        (
            spans_from_openai,
            chat_completion,
            set_path("created", "noon"),
            'created: expected an epoch time, got "noon"',
        ),
        (
            spans_from_anthropic,
            lambda: {"response": anthropic_message(), "start_time": 1772442900},
            set_path("response.usage.input_tokens", 1.5),
            "response.usage.input_tokens: expected a non-negative integer, got 1.5",
        ),
        (
            spans_from_anthropic,
            lambda: {"response": anthropic_message(), "start_time": "2026-03-02T09:15:00Z"},
            set_path("end_time", "2026-03-02T09:14:00Z"),
            "end_time: before the start time",
        ),
        (spans_from_litellm, litellm_payload, set_path("id", KeyError), "id: missing"),
        (
            spans_from_litellm,
            litellm_payload,
            set_path("startTime", KeyError),
            "startTime: missing",
        ),
        (
            spans_from_litellm,
            litellm_payload,
            set_path("prompt_tokens", "abc"),
            'prompt_tokens: expected a non-negative integer, got "abc"',
        ),
        (
            spans_from_litellm,
            litellm_payload,
            set_path("metadata", "x"),
            'metadata: expected an object, got "x"',
        ),
        (
            spans_from_litellm,
            litellm_payload,
            set_path("response_cost", "0.1"),
            'response_cost: expected a non-negative number, got "0.1"',
        ),
    ],
)
def test_bad_records_are_rejected_naming_the_field(
    adapter: Callable[[JsonObject], list[JsonObject]],
    make: Callable[[], JsonObject],
    change: Callable[[JsonObject], None],
    message: str,
) -> None:
    record = make()
    change(record)

    with pytest.raises(RecordError) as caught:
        adapter(record)

    assert str(caught.value) == message
