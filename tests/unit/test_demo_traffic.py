"""The demo traffic generator writes collector-shaped OTLP JSON that tells the demo's story.

The demo is loaded through the real ingest path, so these tests hold the generator to the
file-exporter format (hex ids, string nanoseconds, one request per line), to a span tree
that links up, and to the story the screens rely on: three environments, prompt versions on
every LLM span, and an incident that is plainly visible in the error rate.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from llmops_tui.demo.traffic import TrafficSummary, write_traffic

END = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
TARGET = 3_000
HEX32 = re.compile(r"[0-9a-f]{32}")
HEX16 = re.compile(r"[0-9a-f]{16}")
DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Written:
    directory: Path
    summary: TrafficSummary
    requests: list[dict[str, Any]]
    spans: list[tuple[str, dict[str, Any]]]
    """(environment, span) for every span in every file."""


def _value(any_value: dict[str, Any]) -> Any:
    (kind, value), *_ = any_value.items()
    if kind == "intValue":
        assert isinstance(value, str), "intValue must be a decimal string"
        return int(value)
    if kind == "arrayValue":
        return [_value(item) for item in value["values"]]
    return value


def attributes(item: dict[str, Any]) -> dict[str, Any]:
    return {kv["key"]: _value(kv["value"]) for kv in item.get("attributes", [])}


def _generate(directory: Path, seed: int = 7) -> Written:
    summary = write_traffic(directory, end=END, days=3, seed=seed, target_spans=TARGET)
    requests: list[dict[str, Any]] = []
    spans: list[tuple[str, dict[str, Any]]] = []
    for path in summary.files:
        for line in path.read_bytes().splitlines():
            request = orjson.loads(line)
            requests.append(request)
            for resource_spans in request["resourceSpans"]:
                environment = attributes(resource_spans["resource"])["deployment.environment.name"]
                for scope_spans in resource_spans["scopeSpans"]:
                    spans += [(environment, span) for span in scope_spans["spans"]]
    return Written(directory, summary, requests, spans)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Written:
    return _generate(tmp_path_factory.mktemp("traffic"))


def _ns(moment: datetime) -> int:
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1_000


def _span_count(request: dict[str, Any]) -> int:
    return sum(
        len(scope_spans["spans"])
        for resource_spans in request["resourceSpans"]
        for scope_spans in resource_spans["scopeSpans"]
    )


def _llm_spans(written: Written) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    return [
        (environment, span, attrs)
        for environment, span in written.spans
        if (attrs := attributes(span)).get("gen_ai.operation.name") == "chat"
    ]


def test_every_line_is_an_export_request_in_file_exporter_shape(written: Written) -> None:
    assert written.requests
    for request in written.requests:
        assert set(request) == {"resourceSpans"}
        assert request["resourceSpans"]
        for resource_spans in request["resourceSpans"]:
            resource = attributes(resource_spans["resource"])
            assert resource["service.name"] == "acme-support"
            assert resource["service.version"]
            assert resource["telemetry.sdk.language"] == "python"
            for scope_spans in resource_spans["scopeSpans"]:
                assert scope_spans["scope"]["name"]
                assert scope_spans["spans"]
    for _, span in written.spans:
        assert span["flags"] == 256
        assert span["kind"] in (1, 2, 3)
        assert DIGITS.fullmatch(span["startTimeUnixNano"])
        assert DIGITS.fullmatch(span["endTimeUnixNano"])
        assert span["status"] == {} or span["status"]["code"] == 2
    sizes = [_span_count(request) for request in written.requests]
    assert max(sizes) <= 200
    assert statistics.mean(sizes) >= 50


def test_ids_are_lowercase_hex_and_unique(written: Written) -> None:
    keys = set()
    for _, span in written.spans:
        assert HEX32.fullmatch(span["traceId"])
        assert HEX16.fullmatch(span["spanId"])
        assert span["parentSpanId"] == "" or HEX16.fullmatch(span["parentSpanId"])
        keys.add((span["traceId"], span["spanId"]))
    assert len(keys) == len(written.spans)


def test_same_seed_and_end_give_identical_bytes(written: Written, tmp_path: Path) -> None:
    again = write_traffic(tmp_path, end=END, days=3, seed=7, target_spans=TARGET)
    first = {p.relative_to(written.directory): p.read_bytes() for p in written.summary.files}
    second = {p.relative_to(tmp_path): p.read_bytes() for p in again.files}
    assert first == second
    assert again == replace(written.summary, files=again.files)


def test_another_seed_gives_other_traffic(written: Written, tmp_path: Path) -> None:
    other = write_traffic(tmp_path, end=END, days=3, seed=8, target_spans=TARGET)
    first = written.summary.files[0].read_bytes()
    assert other.files[0].read_bytes() != first


def test_span_count_is_close_to_target_and_summary_counts_what_was_written(
    written: Written,
) -> None:
    summary = written.summary
    assert summary.spans == len(written.spans)
    assert abs(summary.spans - TARGET) <= TARGET * 0.08
    assert sum(summary.per_environment.values()) == summary.spans
    roots = [span for _, span in written.spans if span["parentSpanId"] == ""]
    assert summary.traces == len(roots)
    assert summary.bytes == sum(path.stat().st_size for path in summary.files)


def test_span_tree_links_up(written: Written) -> None:
    by_key = {(span["traceId"], span["spanId"]): span for _, span in written.spans}
    roots: dict[str, int] = {}
    for _, span in written.spans:
        if span["parentSpanId"] == "":
            assert span["kind"] == 2
            assert span["name"] == "POST /v1/support/chat"
            roots[span["traceId"]] = roots.get(span["traceId"], 0) + 1
            continue
        parent = by_key[(span["traceId"], span["parentSpanId"])]
        assert int(parent["startTimeUnixNano"]) <= int(span["startTimeUnixNano"])
        assert int(span["endTimeUnixNano"]) <= int(parent["endTimeUnixNano"])
    assert set(roots.values()) == {1}
    assert {span["traceId"] for _, span in written.spans} == set(roots)


def test_all_three_environments_are_present_with_production_the_busiest(written: Written) -> None:
    per_environment = written.summary.per_environment
    assert set(per_environment) == {"production", "staging", "development"}
    assert all(count > 0 for count in per_environment.values())
    assert per_environment["production"] > 5 * per_environment["staging"]
    assert {environment for environment, _ in written.spans} == set(per_environment)
    for path in written.summary.files:
        assert path.parent.name in per_environment
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}\.jsonl", path.name)
        assert path.parent.parent == written.directory


def test_llm_spans_carry_tokens_prompt_version_and_the_rendered_prompt(written: Written) -> None:
    llm = _llm_spans(written)
    assert len(llm) > TARGET // 4
    versions = set()
    for _, span, attrs in llm:
        assert span["kind"] == 3
        assert span["name"] == f"chat {attrs['gen_ai.request.model']}"
        assert attrs["gen_ai.provider.name"]
        assert attrs["llmops.prompt.name"] == "support"
        assert attrs["llmops.release"]
        versions.add(attrs["llmops.prompt.version"])
        messages = orjson.loads(attrs["gen_ai.input.messages"])
        system = messages[0]["parts"][0]["content"]
        assert messages[0]["role"] == "system"
        assert system.startswith("You are the Acme Support Assistant")
        assert "{{" not in system
        if span["status"]:
            assert attrs["error.type"]
            continue
        assert attrs["gen_ai.usage.input_tokens"] > attrs.get(
            "gen_ai.usage.cache_read.input_tokens", 0
        )
        assert attrs["gen_ai.usage.output_tokens"] >= attrs.get(
            "gen_ai.usage.reasoning.output_tokens", 0
        )
        assert attrs["gen_ai.usage.output_tokens"] > 0
        assert attrs["gen_ai.response.model"]
        assert attrs["gen_ai.response.finish_reasons"]
        orjson.loads(attrs["gen_ai.output.messages"])
    assert versions == {"v1", "v2", "v3", "v4"}
    models = {attrs["gen_ai.request.model"] for _, _, attrs in llm}
    assert {"gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5", "acme-ft-support-v2"} <= models


def test_incident_version_fails_and_slows_down_inside_the_window(written: Written) -> None:
    summary = written.summary
    start, end = _ns(summary.incident_start), _ns(summary.incident_end)
    inside: list[dict[str, Any]] = []
    outside: list[dict[str, Any]] = []
    for environment, span, attrs in _llm_spans(written):
        if environment != summary.incident_environment:
            continue
        if attrs["llmops.prompt.version"] != summary.incident_prompt_version:
            continue
        in_window = start <= int(span["startTimeUnixNano"]) < end
        (inside if in_window else outside).append(span)

    def error_rate(spans: list[dict[str, Any]]) -> float:
        return sum(1 for span in spans if span["status"]) / len(spans)

    def median_seconds(spans: list[dict[str, Any]]) -> float:
        durations = [
            (int(span["endTimeUnixNano"]) - int(span["startTimeUnixNano"])) / 1e9
            for span in spans
            if not span["status"]
        ]
        return statistics.median(durations)

    assert len(inside) >= 20
    assert len(outside) >= 20
    assert error_rate(inside) >= 0.1
    assert error_rate(inside) >= 5 * max(error_rate(outside), 0.01)
    assert median_seconds(inside) >= 1.5 * median_seconds(outside)
    failed_roots = [
        span
        for environment, span in written.spans
        if span["parentSpanId"] == ""
        and span["status"]
        and start <= int(span["startTimeUnixNano"]) < end
    ]
    assert failed_roots


def test_summary_states_the_incident_and_rollouts(written: Written) -> None:
    summary = written.summary
    assert summary.start < summary.incident_start < summary.incident_end <= summary.end
    assert summary.incident_prompt_version == "v4"
    assert summary.incident_environment == "production"
    production = [r for r in summary.rollouts if r.environment == "production"]
    assert [r.prompt_version for r in production][:4] == ["v1", "v2", "v3", "v4"]
    canary = next(r for r in production if r.prompt_version == "v4")
    assert canary.at < summary.incident_start


def test_all_times_lie_within_the_period(written: Written) -> None:
    first = min(int(span["startTimeUnixNano"]) for _, span in written.spans)
    last = max(int(span["endTimeUnixNano"]) for _, span in written.spans)
    assert last <= _ns(END)
    assert first >= _ns(written.summary.start)
    assert written.summary.end == END


def test_feedback_events_follow_the_genai_evaluation_convention(written: Written) -> None:
    labels = set()
    for _, span in written.spans:
        for event in span.get("events", []):
            if event["name"] != "gen_ai.evaluation.result":
                continue
            attrs = attributes(event)
            assert attrs["gen_ai.evaluation.name"] == "user_feedback"
            assert attrs["gen_ai.evaluation.score.value"] in (0.0, 1.0)
            labels.add(attrs["gen_ai.evaluation.score.label"])
            assert int(span["startTimeUnixNano"]) <= int(event["timeUnixNano"])
            assert int(event["timeUnixNano"]) <= int(span["endTimeUnixNano"])
    assert labels == {"thumbs_up", "thumbs_down"}


def test_a_naive_end_time_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        write_traffic(tmp_path, end=datetime(2026, 3, 2, 15, 0), days=3, target_spans=500)
