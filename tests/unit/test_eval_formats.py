"""The eval importers' parsing rules, on small documents written here (no store, no files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from llmops_tui.domain.evals import RunStatus
from llmops_tui.ingest.formats import RecordError
from llmops_tui.ingest.formats.eval_files import inclusive_usage, split_model
from llmops_tui.ingest.formats.inspect_ai import import_inspect, verdict
from llmops_tui.ingest.formats.openai_evals import import_openai_evals
from llmops_tui.ingest.formats.promptfoo import import_promptfoo
from llmops_tui.ingest.sniff import Sniffed, TraceFormat, UnknownFormat, sniff

DATA = Path(__file__).resolve().parents[1] / "ingest" / "data"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("C", (True, 1.0)),
        ("I", (False, 0.0)),
        ("P", (False, 0.5)),
        ("N", (False, 0.0)),
        ("yes", (True, 1.0)),
        (True, (True, 1.0)),
        (False, (False, 0.0)),
        (1, (True, 1.0)),
        (1.0, (True, 1.0)),
        (0.5, (False, 0.5)),
        (7, (False, 7.0)),
        ("0.25", (False, 0.25)),
    ],
)
def test_inspect_score_values(value: object, expected: tuple[bool, float]) -> None:
    assert verdict(value, field="v") == expected


def test_an_unknown_score_value_is_refused_by_name() -> None:
    with pytest.raises(
        RecordError, match=r'^v: expected C, I, P, N, a number or a boolean, got "maybe"$'
    ):
        verdict("maybe", field="v")


@pytest.mark.parametrize(
    ("model", "separator", "expected"),
    [
        ("openai/gpt-4o-mini", "/", ("openai", "gpt-4o-mini")),
        ("ollama/gemma3", "/", ("ollama", "gemma3")),
        ("openai:chat:gpt-4o-mini", ":", ("openai", "gpt-4o-mini")),
        ("openai:gpt-5", ":", ("openai", "gpt-5")),
        ("file://provider.py", ":", ("file", "file://provider.py")),
        ("echo", ":", (None, "echo")),
        (None, ":", (None, None)),
    ],
)
def test_split_model(
    model: str | None, separator: str, expected: tuple[str | None, str | None]
) -> None:
    assert split_model(model, separator=separator) == expected


def test_inspect_usage_is_made_inclusive_and_summed_over_models() -> None:
    solver = {"input_tokens": 100, "output_tokens": 20, "input_tokens_cache_read": 900}
    grader = {
        "input_tokens": 50,
        "output_tokens": 5,
        "input_tokens_cache_write": 10,
        "total_cost": 0.01,
    }
    assert inclusive_usage([(solver, "a"), (grader, "b")]) == (1060, 25, 0.01)
    assert inclusive_usage([({}, "a")]) == (None, None, None)


# ---------------------------------------------------------------- inspect-ai


def _log(samples: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "version": 2,
        "status": "success",
        "eval": {
            "eval_id": "E1",
            "run_id": "R1",
            "created": "2026-01-02T03:04:05+00:00",
            "task": "arith",
            "model": "anthropic/claude-3-5-haiku-latest",
            "dataset": {"name": "sums"},
            "scorers": [{"name": "exact"}, {"name": "judge"}],
        },
        "stats": {"started_at": "2026-01-02T03:04:05+00:00"},
        "samples": samples,
    }


def test_inspect_epochs_are_repetitions_and_dict_scores_are_one_judge_per_key() -> None:
    samples = [
        {"id": "q1", "epoch": 1, "scores": {"exact": {"value": "C"}}},
        {"id": "q1", "epoch": 2, "scores": {"exact": {"value": "I"}}},
        {"id": 2, "epoch": 1, "scores": {"judge": {"value": {"tone": "P", "facts": 1}}}},
    ]
    item = import_inspect(
        _log(samples), [(s, f"s{i}") for i, s in enumerate(samples)], source_path="x"
    )
    assert item.run.repeat == 2
    assert (item.run.provider, item.run.model, item.run.status) == (
        "anthropic",
        "claude-3-5-haiku-latest",
        RunStatus.FINISHED,
    )
    assert [(r.case_id, r.repetition, r.judge, r.passed, r.score) for r in item.results] == [
        ("q1", 0, "exact", True, 1.0),
        ("q1", 1, "exact", False, 0.0),
        ("2", 0, "judge/tone", False, 0.5),
        ("2", 0, "judge/facts", True, 1.0),
    ]


def test_an_errored_inspect_sample_is_a_failed_row_per_scorer() -> None:
    sample = {"id": 7, "epoch": 1, "error": {"message": "RuntimeError: sandbox died"}}
    item = import_inspect(_log([sample]), [(sample, "s0")], source_path="x")
    assert [(r.judge, r.passed, r.error) for r in item.results] == [
        ("exact", None, "RuntimeError: sandbox died"),
        ("judge", None, "RuntimeError: sandbox died"),
    ]


# ---------------------------------------------------------------- OpenAI Evals


def _lines(*records: dict[str, Any]) -> list[tuple[int, bytes]]:
    return [(n, orjson.dumps(r)) for n, r in enumerate(records, start=1)]


def _event(event_id: int, sample: str, kind: str, **data: Any) -> dict[str, Any]:
    return {
        "run_id": "R",
        "event_id": event_id,
        "sample_id": sample,
        "type": kind,
        "data": data,
        "created_at": f"2026-01-01 00:00:0{event_id}+00:00",
    }


SPEC = {
    "spec": {
        "run_id": "R",
        "eval_name": "e.dev.v0",
        "completion_fns": ["gpt-4o"],
        "created_at": "2026-01-01 00:00:00",
    }
}


def test_openai_evals_several_matches_are_repetitions_and_errors_are_rows() -> None:
    item = import_openai_evals(
        _lines(
            _event(3, "s.0", "match", correct=False, expected="b", picked=None, sampled="c"),
            SPEC,
            _event(1, "s.0", "match", correct=True, expected="b", picked="b", sampled="b"),
            _event(2, "s.1", "error", type="APIError", message="rate limited"),
        ),
        source_path="x",
    )
    assert item.run.status is RunStatus.RUNNING  # no final report yet
    assert item.run.repeat == 2
    assert [(r.case_id, r.repetition, r.passed, r.output, r.error) for r in item.results] == [
        ("s.0", 0, True, "b", None),
        ("s.0", 1, False, "c", None),
        ("s.1", 0, None, None, "rate limited"),
    ]


def test_openai_evals_names_the_line_of_a_bad_event() -> None:
    with pytest.raises(RecordError) as caught:
        import_openai_evals(_lines(SPEC, _event(1, "s.0", "match", correct="yes")), source_path="x")
    assert str(caught.value) == 'data.correct: expected true or false, got "yes"'
    assert getattr(caught.value, "line", None) == 2


# ---------------------------------------------------------------- promptfoo


def test_a_bare_promptfoo_summary_is_read_and_a_v2_error_has_no_verdict() -> None:
    summary = {
        "version": 2,
        "timestamp": "2024-01-01T00:00:00Z",
        "results": [
            {
                "provider": {"id": "openai:gpt-4"},
                "prompt": {"raw": "Hi Ann", "display": "Hi {{name}}"},
                "vars": {"name": "Ann"},
                "success": False,
                "score": 0,
                "error": "fetch failed",
            }
        ],
        "table": {"head": {"prompts": [], "vars": ["name"]}, "body": []},
        "stats": {"successes": 0, "failures": 1},
    }
    (item,) = import_promptfoo(summary, source_path="x")
    (result,) = item.results
    assert (result.passed, result.error, result.score) == (None, "fetch failed", None)
    assert item.run.run_id.startswith("promptfoo-")


# ---------------------------------------------------------------- sniffing


def test_sniffing_tells_eval_files_from_traces() -> None:
    promptfoo = (DATA / "promptfoo-v3.json").read_bytes()
    assert sniff(promptfoo) == Sniffed(TraceFormat.PROMPTFOO, "objects")
    assert sniff((DATA / "promptfoo-v2.json").read_bytes()).format is TraceFormat.PROMPTFOO
    # A file bigger than the head: judged by the keys seen so far.
    assert sniff(promptfoo[:3000]).format is TraceFormat.PROMPTFOO
    assert sniff(
        b'{"version": 2, "status": "success", "eval": {"eval_id": "x", "task": "t", "dataset": '
    ).format is (TraceFormat.INSPECT_AI)
    assert sniff(
        orjson.dumps(SPEC) + b"\n" + orjson.dumps(_event(1, "a", "sampling")) + b"\n"
    ) == Sniffed(TraceFormat.OPENAI_EVALS, "lines")
    assert sniff(b"PK\x03\x04rest") == Sniffed(TraceFormat.INSPECT_AI, "zip")
    with pytest.raises(UnknownFormat, match="ZIP"):
        sniff(b"PK\x03\x04rest", forced=TraceFormat.FLAT)


@pytest.mark.fixtures
def test_sniffing_the_real_eval_files(shared_fixtures: Path) -> None:
    expected = {
        "inspect-ai/2025-05-12T20-28-13-04-00_popularity.json": TraceFormat.INSPECT_AI,
        "inspect-ai/log_read_sample.json": TraceFormat.INSPECT_AI,
        "inspect-ai/log_read_sample.eval": TraceFormat.INSPECT_AI,
        "openai-evals/oaieval-test-match.record.jsonl": TraceFormat.OPENAI_EVALS,
    }
    for name, fmt in expected.items():
        assert sniff((shared_fixtures / name).read_bytes()).format is fmt, name
