"""OpenAI Evals record JSONL (`oaieval ... --record_path`, `evals/record.py` LocalRecorder).

Lines come in any order: a `{"spec": RunSpec}` line, `{"final_report": {...}}` line(s), and
event lines `{run_id, event_id, sample_id, type, data, created_by, created_at}`; the recorder
flushes events in batches, so the final report may precede them (it does in the real sample).
One file is one run (`spec.run_id`). Each `match` event is one result judged `match`:
case id = `sample_id`, `passed` = `data.correct`, the answer from the sample's `sampling`
event (else the match's `sampled`), the prompt as input and `expected` as recorded. A sample
with several match events (n answers per case) gets one repetition each, in event order.
An `error` event with no match for its sample is an errored row. The final report's metrics
go into the run's config. The recorder writes no tokens, cost or latency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from llmops_tui.domain.evals import EvalResult, EvalRun, RunSource, RunStatus
from llmops_tui.ingest.formats.common import JsonObject, fail, get_dict, get_list, get_str
from llmops_tui.ingest.formats.eval_files import (
    EvalFileError,
    EvalImport,
    Repetitions,
    flag,
    parse_time,
)

JUDGE = "match"


def is_openai_evals(record: JsonObject) -> bool:
    if isinstance(record.get("spec"), dict) and "run_id" in record["spec"]:
        return True
    if "final_report" in record and len(record) == 1:
        return True
    return {"run_id", "event_id", "sample_id", "type"} <= record.keys()


@dataclass
class _Sample:
    prompt: Any = None
    sampled: str | None = None
    matches: list[tuple[int, JsonObject]] = field(default_factory=list)
    """(event_id, data) of each match event."""
    error: str | None = None


def import_openai_evals(lines: list[tuple[int, bytes]], *, source_path: str) -> EvalImport:
    """The run of a record file given as (line number, line) pairs of its complete lines."""
    spec: JsonObject | None = None
    reports: list[JsonObject] = []
    samples: dict[str, _Sample] = {}
    last: datetime | None = None
    for number, raw in lines:
        if not raw.strip():
            continue
        try:
            record = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise EvalFileError("not valid JSON", line=number) from None
        try:
            if not isinstance(record, dict):
                raise fail("(line)", "a JSON object", record)
            if "spec" in record:
                spec = get_dict(record, "spec", field="spec")
            elif "final_report" in record:
                reports.append(get_dict(record, "final_report", field="final_report"))
            else:
                when = _event(record, samples)
                last = when if last is None or (when and when > last) else last
        except EvalFileError as error:
            raise EvalFileError(str(error), line=error.line or number) from None
        except ValueError as error:  # RecordError from the typed getters
            raise EvalFileError(str(error), line=number) from None
    if spec is None:
        raise EvalFileError('spec: missing (expected a {"spec": ...} line written by oaieval)')
    return _run(spec, reports, samples, last, source_path)


def _event(record: JsonObject, samples: dict[str, _Sample]) -> datetime | None:
    kind = get_str(record, "type", field="type", required=True)
    sample_id = get_str(record, "sample_id", field="sample_id")
    when = (
        parse_time(record["created_at"], field="created_at") if record.get("created_at") else None
    )
    if sample_id is None:
        return when
    data = get_dict(record, "data", field="data")
    sample = samples.setdefault(sample_id, _Sample())
    if kind == "match":
        event_id = record.get("event_id")
        if isinstance(event_id, bool) or not isinstance(event_id, int):
            raise fail("event_id", "an integer", event_id)
        if flag(data.get("correct"), field="data.correct") is None:
            raise EvalFileError("data.correct: missing")
        sample.matches.append((event_id, data))
    elif kind == "sampling":
        sample.prompt = data.get("prompt")
        sampled = data.get("sampled")
        if isinstance(sampled, list):
            sampled = sampled[0] if sampled else None
        sample.sampled = sampled if isinstance(sampled, str) else sample.sampled
    elif kind == "error":
        sample.error = str(data.get("message") or data.get("type") or "error")
    return when


def _run(
    spec: JsonObject,
    reports: list[JsonObject],
    samples: dict[str, _Sample],
    last: datetime | None,
    source_path: str,
) -> EvalImport:
    run_id = get_str(spec, "run_id", field="spec.run_id", required=True)
    assert run_id is not None
    created = spec.get("created_at")
    if created is None:
        raise EvalFileError("spec.created_at: missing")
    started = parse_time(created, field="spec.created_at")
    completion_fns = get_list(spec, "completion_fns", field="spec.completion_fns")
    model = completion_fns[0] if completion_fns and isinstance(completion_fns[0], str) else None
    reps = Repetitions()
    results: list[EvalResult] = []
    for sample_id in sorted(samples):
        sample = samples[sample_id]
        for _, data in sorted(sample.matches, key=lambda m: m[0]):
            results.append(
                EvalResult(
                    run_id=run_id,
                    case_id=sample_id,
                    repetition=reps.next(run_id, sample_id),
                    judge=JUDGE,
                    passed=bool(data["correct"]),
                    score=1.0 if data["correct"] else 0.0,
                    reason=_reason(data),
                    output=sample.sampled if sample.sampled is not None else _text(data),
                    input={"prompt": sample.prompt} if sample.prompt is not None else None,
                    expected=data.get("expected"),
                )
            )
        if not sample.matches and sample.error:
            results.append(
                EvalResult(
                    run_id=run_id,
                    case_id=sample_id,
                    repetition=0,
                    judge=JUDGE,
                    passed=None,
                    error=sample.error,
                    input={"prompt": sample.prompt} if sample.prompt is not None else None,
                )
            )
    final: JsonObject = {}
    for report in reports:
        final.update(report)
    run = EvalRun(
        run_id=run_id,
        source=RunSource.OPENAI_EVALS,
        status=RunStatus.FINISHED if reports else RunStatus.RUNNING,
        started_at=started,
        finished_at=last if reports else None,
        release_id=None,
        release_ref=None,
        dataset=get_str(spec, "split", field="spec.split"),
        dataset_version=None,
        prompt=None,
        prompt_version=None,
        provider=None,
        model=model,
        repeat=reps.most_for(run_id),
        suite_hash=None,
        created_by=get_str(spec, "created_by", field="spec.created_by"),
        label=get_str(spec, "eval_name", field="spec.eval_name"),
        source_path=source_path,
        config={
            "final_report": final,
            "completion_fns": completion_fns,
            "base_eval": spec.get("base_eval"),
            "run_config": spec.get("run_config"),
        },
    )
    return EvalImport(run, results)


def _reason(data: JsonObject) -> str | None:
    picked = data.get("picked")
    options = data.get("options")
    shown = orjson.dumps(options).decode() if options is not None else "?"
    if picked is None:
        return f"no option matched; options {shown}"
    return f"picked {orjson.dumps(picked).decode()} from {shown}"


def _text(data: JsonObject) -> str | None:
    sampled = data.get("sampled")
    return sampled if isinstance(sampled, str) else None
