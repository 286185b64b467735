"""inspect-ai logs (`.json`, one EvalLog object; `.eval`, a ZIP of parts) to one eval run each.

The run id is `eval.eval_id`, unique per log (`eval.run_id` is shared by every task and model
of one `eval()` call, so two logs of one call would collide; it is kept in the config). Each
sample × epoch × scorer is one result: case id = sample id, repetition = epoch − 1, judge =
scorer name (a scorer whose value is a dict gives one judge per key, `scorer/key`).

Score values follow inspect's own conventions (`value_to_float`): `C` (and yes/true) is correct
→ passed, score 1; `I` / `N` (and no/false) → failed, 0; `P` partial → 0.5 and **not** passed;
booleans are their verdict; numbers are kept as the score and pass only at 1 (inspect's
`CORRECT`), since a scorer's scale is its own. A sample that errored has `passed` NULL and
its error, one row per scorer the task declares.

Tokens come from the sample's `model_usage` (every model it called, the solver's and any
model-graded scorer's), converted to *inclusive* input (inspect's input excludes cache reads
and writes); cost is `total_cost` when inspect priced it.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace

import orjson

from llmops_tui.domain.evals import EvalResult, EvalRun, RunSource, RunStatus
from llmops_tui.ingest.formats.common import (
    JsonObject,
    fail,
    get_amount,
    get_dict,
    get_list,
    get_str,
)
from llmops_tui.ingest.formats.eval_files import (
    EvalFileError,
    EvalImport,
    inclusive_usage,
    optional_time,
    require_dict,
    split_model,
    text_of,
)

STATUS = {
    "success": RunStatus.FINISHED,
    "started": RunStatus.RUNNING,
    "cancelled": RunStatus.FAILED,
    "error": RunStatus.FAILED,
}
_CORRECT = {"c", "yes", "true"}
_WRONG = {"i", "n", "no", "false"}
ERROR_JUDGE = "inspect:error"
"""Judge of an errored sample's row when the task declares no scorer."""


def is_inspect(record: JsonObject) -> bool:
    return isinstance(record.get("eval"), dict) and any(
        key in record for key in ("samples", "results", "status", "version")
    )


def read_eval_zip(data: bytes) -> tuple[JsonObject, list[tuple[JsonObject, str]]]:
    """(header, [(sample, member name)]) of a `.eval` archive, samples in name order."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise EvalFileError(f"not a readable ZIP archive ({error})") from None
    with archive:
        names = archive.namelist()
        if "header.json" not in names:
            raise EvalFileError(
                "header.json: missing (expected an inspect-ai .eval log; "
                "a log still being written has none yet)"
            )
        header = require_dict(_member(archive, "header.json"), field="header.json")
        samples = [
            (require_dict(_member(archive, name), field=name), name)
            for name in sorted(n for n in names if n.startswith("samples/") and n.endswith(".json"))
        ]
    return header, samples


def _member(archive: zipfile.ZipFile, name: str) -> object:
    try:
        return orjson.loads(archive.read(name))
    except orjson.JSONDecodeError as error:
        raise EvalFileError(f"{name}: not valid JSON ({str(error).splitlines()[0]})") from None
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise EvalFileError(f"{name}: cannot be read from the archive ({error})") from None


def import_inspect(
    log: JsonObject, samples: list[tuple[JsonObject, str]], *, source_path: str
) -> EvalImport:
    """One run from an EvalLog (header) and its samples (see the module docstring)."""
    spec = get_dict(log, "eval", field="eval", required=True)
    run_id = get_str(spec, "eval_id", field="eval.eval_id") or get_str(
        spec, "run_id", field="eval.run_id", required=True
    )
    assert run_id is not None
    stats = get_dict(log, "stats", field="stats")
    created = optional_time(spec, "created", field="eval.created")
    started = optional_time(stats, "started_at", field="stats.started_at") or created
    if started is None:
        raise EvalFileError("eval.created: missing (and no stats.started_at)")
    status_text = get_str(log, "status", field="status") or "success"
    if status_text not in STATUS:
        raise fail("status", "one of " + ", ".join(STATUS), status_text)
    model_id = get_str(spec, "model", field="eval.model")
    provider, model = split_model(model_id, separator="/")
    scorers = [
        s["name"]
        for s in get_list(spec, "scorers", field="eval.scorers")
        if isinstance(s, dict) and isinstance(s.get("name"), str)
    ]
    results: list[EvalResult] = []
    epochs = 1
    for sample, where in samples:
        rows = _sample_results(run_id, sample, where, scorers)
        epochs = max(epochs, rows[0].repetition + 1 if rows else 1)
        results.extend(rows)
    dataset = get_dict(spec, "dataset", field="eval.dataset")
    run = EvalRun(
        run_id=run_id,
        source=RunSource.INSPECT_AI,
        status=STATUS[status_text],
        started_at=started,
        finished_at=optional_time(stats, "completed_at", field="stats.completed_at"),
        release_id=None,
        release_ref=None,
        dataset=get_str(dataset, "name", field="eval.dataset.name"),
        dataset_version=None,
        prompt=None,
        prompt_version=None,
        provider=provider,
        model=model,
        repeat=epochs,
        suite_hash=None,
        created_by=None,
        label=get_str(spec, "task", field="eval.task"),
        source_path=source_path,
        config={
            "inspect_status": status_text,
            "eval_id": spec.get("eval_id"),
            "run_id": spec.get("run_id"),
            "task_version": spec.get("task_version"),
            "task_file": spec.get("task_file"),
            "task_args": spec.get("task_args"),
            "model": model_id,
            "model_base_url": spec.get("model_base_url"),
            "revision": spec.get("revision"),
            "packages": spec.get("packages"),
            "config": spec.get("config"),
            "results": log.get("results"),
            "model_usage": stats.get("model_usage"),
            "error": log.get("error"),
        },
    )
    return EvalImport(run, results)


def _sample_results(
    run_id: str, sample: JsonObject, where: str, scorers: list[str]
) -> list[EvalResult]:
    sample_id = sample.get("id")
    if isinstance(sample_id, bool) or not isinstance(sample_id, str | int):
        raise fail(f"{where}.id", "a string or an integer", sample_id)
    epoch = sample.get("epoch", 1)
    if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 1:
        raise fail(f"{where}.epoch", "a positive integer", epoch)
    output = get_dict(sample, "output", field=f"{where}.output")
    usage = get_dict(sample, "model_usage", field=f"{where}.model_usage")
    usages = [
        (require_dict(u, field=f"{where}.model_usage.{m}"), f"{where}.model_usage.{m}")
        for m, u in usage.items()
    ] or [(get_dict(output, "usage", field=f"{where}.output.usage"), f"{where}.output.usage")]
    input_tokens, output_tokens, cost = inclusive_usage(usages)
    seconds = get_amount(sample, "total_time", field=f"{where}.total_time")
    if seconds is None:
        seconds = get_amount(output, "time", field=f"{where}.output.time")
    answer = EvalResult(
        run_id=run_id,
        case_id=str(sample_id),
        repetition=epoch - 1,
        judge="",
        passed=None,
        output=_completion(output),
        input={"input": sample.get("input")},
        expected=sample.get("target"),
        latency_ms=seconds * 1000 if seconds is not None else None,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cost_usd=cost,
    )
    error = sample.get("error")
    scores = get_dict(sample, "scores", field=f"{where}.scores")
    if error or not scores:
        message = _error_text(error) if error else "the sample has no scores"
        judges = scorers or [ERROR_JUDGE]
        return [replace(answer, judge=j, error=message) for j in judges]
    rows = []
    for scorer, score in scores.items():
        score_where = f"{where}.scores.{scorer}"
        score = require_dict(score, field=score_where)
        value = score.get("value")
        parts = value.items() if isinstance(value, dict) else [(None, value)]
        for key, part in parts:
            judge = scorer if key is None else f"{scorer}/{key}"
            part_where = f"{score_where}.value" + ("" if key is None else f".{key}")
            passed, numeric = verdict(part, field=part_where)
            rows.append(
                replace(
                    answer, judge=judge, passed=passed, score=numeric, reason=_explanation(score)
                )
            )
    return rows


def verdict(value: object, *, field: str) -> tuple[bool, float]:
    """(passed, score) of one inspect score value (see the module docstring)."""
    if isinstance(value, bool):
        return value, 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value) == 1.0, float(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _CORRECT:
            return True, 1.0
        if text in _WRONG:
            return False, 0.0
        if text == "p":
            return False, 0.5
        try:
            numeric = float(text)
        except ValueError:
            pass
        else:
            return numeric == 1.0, numeric
    raise fail(field, "C, I, P, N, a number or a boolean", value)


def _completion(output: JsonObject) -> str | None:
    if isinstance(output.get("completion"), str):
        return str(output["completion"])
    choices = output.get("choices")
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        message = choices[0].get("message")
        if isinstance(message, dict):
            return text_of(message.get("content"))
    return None


def _explanation(score: JsonObject) -> str | None:
    parts = [
        f"answer: {score['answer']}" if score.get("answer") not in (None, "") else "",
        str(score.get("explanation") or "").strip(),
    ]
    return "\n".join(p for p in parts if p) or None


def _error_text(error: object) -> str:
    if isinstance(error, dict):
        return str(error.get("message") or error.get("traceback") or error)
    return str(error)
