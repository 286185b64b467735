"""OTLP protobuf records (the collector file exporter's `format: proto`) become flat spans."""

from __future__ import annotations

import base64

import pytest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import (
    AnyValue,
    ArrayValue,
    InstrumentationScope,
    KeyValue,
    KeyValueList,
)
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span, Status

from llmops_tui.ingest.formats import RecordError
from llmops_tui.ingest.formats.otlp_proto import (
    iter_length_prefixed,
    looks_like_protobuf,
    spans_from_protobuf,
)

TRACE_ID = bytes.fromhex("5b8aa5a2d2c872e8321cf37308d69df2")
AGENT_SPAN_ID = bytes.fromhex("5fb397be34d26b51")
CHAT_SPAN_ID = bytes.fromhex("051581bf3cb55c13")
START_NS = 1_772_398_038_711_501_123


def kv(key: str, value: AnyValue) -> KeyValue:
    return KeyValue(key=key, value=value)


def text(value: str) -> AnyValue:
    return AnyValue(string_value=value)


def request(*, chat_trace_id: bytes = TRACE_ID, chat_start: int = START_NS + 1_000) -> bytes:
    """An agent span with one chat span under it, as an OTel Python SDK would export them."""
    agent = Span(
        trace_id=TRACE_ID,
        span_id=AGENT_SPAN_ID,
        name="invoke_agent support",
        kind=Span.SPAN_KIND_INTERNAL,
        start_time_unix_nano=START_NS,
        end_time_unix_nano=START_NS + 2_500_000_000,
        attributes=[kv("gen_ai.operation.name", text("invoke_agent"))],
        status=Status(code=Status.STATUS_CODE_OK),
    )
    chat = Span(
        trace_id=chat_trace_id,
        span_id=CHAT_SPAN_ID,
        parent_span_id=AGENT_SPAN_ID,
        name="chat gpt-4o",
        kind=Span.SPAN_KIND_CLIENT,
        start_time_unix_nano=chat_start,
        end_time_unix_nano=chat_start + 900_000_000,
        attributes=[
            kv("gen_ai.request.model", text("gpt-4o")),
            kv("gen_ai.usage.input_tokens", AnyValue(int_value=1200)),
            kv("gen_ai.request.temperature", AnyValue(double_value=0.2)),
            kv("gen_ai.request.stream", AnyValue(bool_value=True)),
            kv(
                "gen_ai.response.finish_reasons",
                AnyValue(array_value=ArrayValue(values=[text("stop"), text("length")])),
            ),
            kv(
                "llm.invocation_parameters",
                AnyValue(
                    kvlist_value=KeyValueList(
                        values=[
                            kv("seed", AnyValue(int_value=7)),
                            kv("stop", AnyValue(array_value=ArrayValue(values=[text("END")]))),
                        ]
                    )
                ),
            ),
            kv("app.blob", AnyValue(bytes_value=b"\x00\x01\xff")),
            kv("app.empty", AnyValue()),
        ],
        events=[
            Span.Event(
                time_unix_nano=chat_start + 5,
                name="gen_ai.choice",
                attributes=[kv("index", AnyValue(int_value=0))],
            )
        ],
        status=Status(code=Status.STATUS_CODE_ERROR, message="429 Too Many Requests"),
    )
    message = ExportTraceServiceRequest(
        resource_spans=[
            ResourceSpans(
                resource=Resource(
                    attributes=[
                        kv("service.name", text("support-bot")),
                        kv("deployment.environment.name", text("prod")),
                    ]
                ),
                scope_spans=[
                    ScopeSpans(
                        scope=InstrumentationScope(
                            name="opentelemetry.instrumentation.openai_v2", version="2.1b0"
                        ),
                        spans=[agent, chat],
                    )
                ],
            )
        ]
    )
    return message.SerializeToString()


def framed(*messages: bytes) -> bytes:
    return b"".join(len(m).to_bytes(4, "big") + m for m in messages)


def test_decodes_spans_with_ids_times_status_and_parent() -> None:
    agent, chat = spans_from_protobuf(request())

    assert agent["trace_id"] == "5b8aa5a2d2c872e8321cf37308d69df2"
    assert agent["span_id"] == "5fb397be34d26b51"
    assert agent["parent_span_id"] is None
    assert agent["kind"] == 1
    assert agent["start_time"] == START_NS
    assert agent["end_time"] == START_NS + 2_500_000_000
    assert agent["status"] == "ok"
    assert agent["status_message"] is None

    assert chat["parent_span_id"] == "5fb397be34d26b51"
    assert chat["span_id"] == "051581bf3cb55c13"
    assert chat["name"] == "chat gpt-4o"
    assert chat["kind"] == 3
    assert chat["status"] == "error"
    assert chat["status_message"] == "429 Too Many Requests"
    assert chat["resource"] == {
        "service.name": "support-bot",
        "deployment.environment.name": "prod",
    }
    assert chat["scope"] == {"name": "opentelemetry.instrumentation.openai_v2", "version": "2.1b0"}


def test_any_values_become_plain_python_values() -> None:
    _, chat = spans_from_protobuf(request())

    assert chat["attributes"] == {
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.usage.input_tokens": 1200,
        "gen_ai.request.temperature": 0.2,
        "gen_ai.request.stream": True,
        "gen_ai.response.finish_reasons": ["stop", "length"],
        "llm.invocation_parameters": {"seed": 7, "stop": ["END"]},
        "app.blob": base64.b64encode(b"\x00\x01\xff").decode(),
        "app.empty": None,
    }
    assert chat["events"] == [
        {"name": "gen_ai.choice", "time": START_NS + 1_005, "attributes": {"index": 0}}
    ]


def test_a_span_without_end_time_has_no_end_time_key() -> None:
    message = ExportTraceServiceRequest()
    message.resource_spans.add().scope_spans.add().spans.add(
        trace_id=TRACE_ID, span_id=CHAT_SPAN_ID, name="open", start_time_unix_nano=START_NS
    )

    [span] = spans_from_protobuf(message.SerializeToString())

    assert "end_time" not in span
    assert span["status"] == "unset"
    assert span["kind"] == 0


def test_an_empty_request_has_no_spans() -> None:
    assert spans_from_protobuf(b"") == []


def test_framing_yields_records_and_stops_at_a_truncated_last_one() -> None:
    first, second = request(), request(chat_start=START_NS + 10)
    complete = framed(first, second)
    third = framed(request())
    data = complete + third[:-7]

    records = list(iter_length_prefixed(data))

    assert records == [
        (1, first, 4 + len(first)),
        (2, second, len(complete)),
        (3, None, len(complete)),
    ]


def test_framing_with_a_truncated_length_prefix() -> None:
    data = framed(request()) + b"\x00\x00"

    *_, last = iter_length_prefixed(data)

    assert last == (2, None, len(data) - 2)


def test_framing_of_an_empty_file_yields_nothing() -> None:
    assert list(iter_length_prefixed(b"")) == []


def test_framing_refuses_an_implausible_length() -> None:
    data = framed(request()) + b"\x7b\x22\x72\x65" + b"sourceSpans..."

    with pytest.raises(RecordError, match=r"record 2 at byte \d+: length prefix 2065855077"):
        list(iter_length_prefixed(data))


def test_sniffing() -> None:
    assert looks_like_protobuf(framed(request())[:64])
    assert not looks_like_protobuf(b'{"resourceSpans":[{"resource":{}}]}')
    assert not looks_like_protobuf(b"\x00\x00\x00\x10")
    assert not looks_like_protobuf(b"")
    # A length prefix followed by something other than field 1 (length-delimited).
    assert not looks_like_protobuf(b"\x00\x00\x00\x10\x12abc")


def test_undecodable_bytes_are_a_record_error() -> None:
    with pytest.raises(RecordError, match=r"^record: not an OTLP ExportTraceServiceRequest"):
        spans_from_protobuf(b"\x0a\x05ab")


def test_zstd_records_are_named() -> None:
    with pytest.raises(RecordError, match="zstd-compressed"):
        spans_from_protobuf(b"\x28\xb5\x2f\xfd\x00\x00")


def test_a_malformed_trace_id_names_the_span() -> None:
    with pytest.raises(RecordError) as caught:
        spans_from_protobuf(request(chat_trace_id=b"\x01" * 9))

    assert str(caught.value) == (
        "resource_spans[0].scope_spans[0].spans[1].trace_id: expected 16 bytes, got 9"
        " (a metrics or logs record? only traces are read)"
    )


def test_a_metrics_request_in_a_shared_file_is_named() -> None:
    metrics = ExportMetricsServiceRequest()
    scope = metrics.resource_metrics.add().scope_metrics.add()
    metric = scope.metrics.add(name="gen_ai.client.token.usage", unit="{token}")
    metric.histogram.data_points.add(count=3, sum=10.0, time_unix_nano=START_NS)

    with pytest.raises(RecordError, match=r"a metrics or logs record\? only traces are read"):
        spans_from_protobuf(metrics.SerializeToString())


def test_a_missing_start_time_names_the_span() -> None:
    with pytest.raises(RecordError) as caught:
        spans_from_protobuf(request(chat_start=0))

    assert str(caught.value) == (
        "resource_spans[0].scope_spans[0].spans[1].start_time_unix_nano: missing"
    )
