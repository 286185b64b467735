"""Every trace file in ../shared/fixtures ingests with the right values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from llmops_tui.ingest.pipeline import Ingestor
from llmops_tui.store import Store


def _rows(store: Store, sql: str, *params: object) -> list[tuple[Any, ...]]:
    with store.reader() as cur:
        return cur.execute(sql, list(params)).fetchall()


def test_collector_file_exporter_lines_load_every_span_with_ids_and_status(
    shared_fixtures: Path, ingestor: Ingestor, store: Store
) -> None:
    path = shared_fixtures / "otlp-json" / "otel-demo-collector-fileexporter.excerpt.jsonl"
    expected: dict[tuple[str, str], tuple[str, str, str | None]] = {}
    for line in path.read_text().splitlines():
        for rs in json.loads(line)["resourceSpans"]:
            service = next(
                a["value"]["stringValue"]
                for a in rs["resource"]["attributes"]
                if a["key"] == "service.name"
            )
            for ss in rs["scopeSpans"]:
                for span in ss["spans"]:
                    code = span.get("status", {}).get("code", 0)
                    status = {0: "unset", 1: "ok", 2: "error"}[code]
                    parent = span.get("parentSpanId") or None
                    expected[(span["traceId"], span["spanId"])] = (status, service, parent)

    report = ingestor.ingest([path])

    assert report.files[0].format == "otlp-json"
    assert report.spans_loaded == len(expected)
    assert report.rejects == 0
    stored = {
        (t, s): (status, service, parent)
        for t, s, status, service, parent in _rows(
            store, "select trace_id, span_id, status, service_name, parent_span_id from spans"
        )
    }
    assert stored == expected
    assert any(v[0] == "error" for v in stored.values())


def test_collector_line_keeps_raw_attributes_and_events(
    shared_fixtures: Path, ingestor: Ingestor, store: Store
) -> None:
    path = shared_fixtures / "otlp-json" / "otel-demo-collector-fileexporter.excerpt.jsonl"
    first = json.loads(path.read_text().splitlines()[0])["resourceSpans"][0]
    span = first["scopeSpans"][0]["spans"][0]
    ingestor.ingest([path])
    (attributes,) = _rows(store, "select attributes from spans where span_id = ?", span["spanId"])[
        0
    ]
    stored = json.loads(attributes)
    for kv in span["attributes"]:
        value = kv["value"]
        raw = value.get("stringValue", value.get("intValue"))
        if "intValue" in value:
            assert stored[kv["key"]] == int(raw)
        else:
            assert stored[kv["key"]] == raw


def test_official_otlp_example_pretty_single_request(
    shared_fixtures: Path, ingestor: Ingestor, store: Store
) -> None:
    report = ingestor.ingest(
        [shared_fixtures / "otlp-json" / "opentelemetry-proto-example-trace.json"]
    )
    assert report.spans_loaded == 1
    (row,) = _rows(
        store,
        "select trace_id, span_id, parent_span_id, name, kind, start_time, duration_ms, "
        "service_name, attributes->>'my.span.attr' from spans",
    )
    trace_id, span_id, parent, name, kind, start, duration, service, attr = row
    assert trace_id == "5b8efff798038103d269b633813fc60c"  # upper-case hex in the file
    assert span_id == "eee19b7ec3c1b174"
    assert parent == "eee19b7ec3c1b173"
    assert name == "I'm a server span"
    assert kind == "server"
    assert start.isoformat() == "2018-12-13T14:51:00"  # 1544712660 s, a JSON number of ns
    assert duration == 1000.0
    assert service == "my.service"
    assert attr == "some value"


def test_otel_genai_attribute_maps_resolve_model_tokens_and_messages(
    shared_fixtures: Path, ingestor: Ingestor, store: Store
) -> None:
    folder = shared_fixtures / "otel-genai"
    current = json.loads((folder / "otel_genai_client_span_tool_calls.json").read_text())
    report = ingestor.ingest(
        [
            folder / "otel_genai_client_span_tool_calls.json",
            folder / "otel_genai_deprecated_client_span_tool_calls.json",
        ]
    )
    assert [f.format for f in report.files] == ["attributes", "attributes"]
    rows = _rows(
        store,
        "select operation, provider, request_model, response_model, input_tokens, "
        "output_tokens, cost_source, input_text, output_text from spans order by input_text",
    )
    assert len(rows) == 2
    for operation, provider, request, response, inp, out, cost_source, _, _ in rows:
        assert (operation, provider, request, response) == ("chat", "openai", "gpt-4", "gpt-4-0613")
        assert (inp, out) == (
            current["gen_ai.usage.input_tokens"],
            current["gen_ai.usage.output_tokens"],
        )
        assert cost_source == "computed"
    texts = {r[7] for r in rows}
    assert current["gen_ai.input.messages"] in texts  # v1.37+ messages attribute
    deprecated = json.loads(
        (folder / "otel_genai_deprecated_client_span_tool_calls.json").read_text()
    )
    assert deprecated["gen_ai.prompt"] in texts  # pre-1.28 prompt attribute


def test_otel_genai_tool_span_has_no_usage_and_no_cost(
    shared_fixtures: Path, ingestor: Ingestor, store: Store
) -> None:
    ingestor.ingest([shared_fixtures / "otel-genai" / "otel_genai_tool_execution_span.json"])
    (row,) = _rows(
        store, "select operation, input_tokens, cost_usd, cost_source, input_text from spans"
    )
    assert row == ("execute_tool", None, None, None, '{"city": "New York"}')


def test_openinference_spans_resolve_llm_attributes(
    shared_fixtures: Path, ingestor: Ingestor, store: Store
) -> None:
    folder = shared_fixtures / "openinference"
    report = ingestor.ingest(sorted(folder.glob("*.json")))
    assert report.spans_loaded == 2
    for path in sorted(folder.glob("*.json")):
        attrs = json.loads(path.read_text())
        rows = _rows(
            store,
            "select operation, provider, response_model, input_tokens, output_tokens, input_text "
            "from spans where input_text = ?",
            attrs["input.value"],
        )
        assert rows == [
            (
                "LLM",
                attrs["llm.provider"],
                attrs["llm.model_name"],
                attrs["llm.token_count.prompt"],
                attrs["llm.token_count.completion"],
                attrs["input.value"],
            )
        ]


def test_eval_logs_load_as_eval_runs_not_spans(shared_fixtures: Path, ingestor: Ingestor) -> None:
    report = ingestor.ingest(
        [
            shared_fixtures / "inspect-ai" / "log_read_sample.json",
            shared_fixtures / "inspect-ai" / "log_read_sample.eval",
            shared_fixtures / "openai-evals" / "oaieval-test-match.record.jsonl",
        ]
    )
    assert [f.format for f in report.files] == ["inspect-ai", "inspect-ai", "openai-evals"]
    assert (report.spans_loaded, report.eval_runs, report.eval_results) == (0, 3, 5)
    assert report.exit_code(strict=True) == 0
