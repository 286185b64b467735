"""promptfoo `results.json` (`promptfoo eval -o results.json`, or `promptfoo export`) to eval runs.

The file is `{evalId, results: EvaluateSummary, config, shareableUrl, metadata}`; the summary is
version 3 (`prompts` beside `results`) or version 2 (a `table` instead), and a bare summary
without the wrapper is read too. Each `EvaluateResult` is one test × prompt × provider cell.

**One run per (prompt, provider) pair.** promptfoo puts every prompt and provider of an eval in
one grid, but llmops compares *runs* case by case: splitting the grid into one run per column
(`<evalId>/<promptIdx>`; just `<evalId>` when the grid has one column) makes
`llmops eval compare <evalId>/0 <evalId>/1` pair gpt-4o against gpt-4o-mini on the same tests,
and lets a later promptfoo eval of the same suite be compared with this one. The case id is the
test (`test-<testIdx>`, or a hash of its vars for old files without indices), the same in every
column; answers to the same test repeated (`--repeat`) become repetitions.

**One row per cell, judged by `promptfoo`:** `passed` is the cell's `success` (promptfoo's
combined verdict over all its assertions), `score` its `score`; each component assertion's
verdict is kept in `reason`, one line each. A cell promptfoo marks `failureReason: 2` (the
provider or an assertion raised) has `passed` NULL and `error` set; promptfoo also writes
`error` for plain assertion failures, which stay ordinary failures.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import orjson

from llmops_tui.domain.evals import EvalResult, EvalRun, RunSource, RunStatus
from llmops_tui.ingest.formats.common import (
    JsonObject,
    derived_id,
    fail,
    get_amount,
    get_count,
    get_dict,
    get_list,
    get_str,
)
from llmops_tui.ingest.formats.eval_files import (
    EvalFileError,
    EvalImport,
    Repetitions,
    flag,
    number,
    parse_time,
    require_dict,
    split_model,
)

JUDGE = "promptfoo"
"""The judge name of promptfoo's combined verdict over a cell's assertions."""
ERROR = 2
"""`ResultFailureReason.ERROR`: the provider call or an assertion raised."""
MAX_REASON = 400
"""Characters of one assertion's reason kept in the row's `reason`."""


def is_promptfoo(record: JsonObject) -> bool:
    """A promptfoo output file or bare summary (used by the sniffer)."""
    summary = record.get("results")
    if "evalId" in record and summary is not None:
        return True
    if isinstance(summary, dict):
        return "version" in summary and ("prompts" in summary or "table" in summary)
    return isinstance(summary, list) and "version" in record and "stats" in record


def import_promptfoo(document: object, *, source_path: str) -> list[EvalImport]:
    """Runs and results of one promptfoo output file (see the module docstring)."""
    top = require_dict(document, field="(top level)")
    if isinstance(top.get("results"), dict):
        summary, where = get_dict(top, "results", field="results"), "results."
        config = get_dict(top, "config", field="config")
        meta = get_dict(top, "metadata", field="metadata")
    elif isinstance(top.get("results"), list):
        summary, where, config, meta = top, "", {}, {}
    else:
        raise fail("results", "an object (promptfoo's EvaluateSummary)", top.get("results"))
    raw_time = summary.get("timestamp") or meta.get("evaluationCreatedAt")
    if raw_time is None:
        raise EvalFileError(f"{where}timestamp: missing")
    started = parse_time(raw_time, field=f"{where}timestamp")
    description = get_str(config, "description", field="config.description")
    eval_id = get_str(top, "evalId", field="evalId") or (
        "promptfoo-" + derived_id(str(raw_time), description or "", length=16)
    )
    prompts = _prompts(summary, where)
    stats = get_dict(summary, "stats", field=f"{where}stats")
    duration = get_amount(stats, "durationMs", field=f"{where}stats.durationMs")
    grid = _Grid(eval_id)
    for index, item in enumerate(get_list(summary, "results", field=f"{where}results")):
        grid.add(require_dict(item, field=f"{where}results[{index}]"), f"{where}results[{index}]")
    shared = {
        "evalId": eval_id,
        "description": description,
        "promptfooVersion": meta.get("promptfooVersion"),
        "summaryVersion": summary.get("version"),
        "eval_stats": stats,
    }
    imports = []
    for run_id, first, results in grid.runs():
        prompt_idx = first.get("promptIdx")
        provider_id, prompt_label = grid.column_of(first)
        completed = _completed_prompt(prompts, prompt_idx, provider_id, prompt_label)
        provider, model = split_model(provider_id, separator=":")
        run = EvalRun(
            run_id=run_id,
            source=RunSource.PROMPTFOO,
            status=RunStatus.FINISHED,
            started_at=started,
            finished_at=started + timedelta(milliseconds=duration) if duration else None,
            release_id=None,
            release_ref=None,
            dataset=None,
            dataset_version=None,
            prompt=prompt_label,
            prompt_version=None,
            provider=provider,
            model=model,
            repeat=grid.repeats(run_id),
            suite_hash=None,
            created_by=get_str(meta, "author", field="metadata.author"),
            label=description or prompt_label,
            source_path=source_path,
            config={
                **shared,
                "promptIdx": prompt_idx,
                "promptId": first.get("promptId"),
                "prompt": completed.get("raw"),
                "provider": provider_id,
                "metrics": completed.get("metrics"),
            },
        )
        imports.append(EvalImport(run, results))
    return imports


def _prompts(summary: JsonObject, where: str) -> list[JsonObject]:
    if "prompts" in summary:
        items = get_list(summary, "prompts", field=f"{where}prompts")
    else:
        head = get_dict(get_dict(summary, "table", field=f"{where}table"), "head", field="head")
        items = get_list(head, "prompts", field=f"{where}table.head.prompts")
    return [p if isinstance(p, dict) else {} for p in items]


def _completed_prompt(
    prompts: list[JsonObject], index: object, provider: str | None, label: str | None
) -> JsonObject:
    """The column's `CompletedPrompt` (template and metrics): by `promptIdx`, or for v2 files
    without indices by its provider and template."""
    if isinstance(index, int) and 0 <= index < len(prompts):
        return prompts[index]
    for prompt in prompts:
        template = prompt.get("label") or prompt.get("display") or prompt.get("raw")
        if prompt.get("provider") in (provider, None) and template == label:
            return prompt
    return {}


class _Grid:
    """Cells gathered into one run per (prompt, provider) column."""

    def __init__(self, eval_id: str) -> None:
        self._eval_id = eval_id
        self._cells: dict[str, list[tuple[JsonObject, str]]] = {}
        """Column key (`promptIdx`, or provider and template) -> (cell, JSON path) in file order."""
        self._reps = Repetitions()

    def column_of(self, cell: JsonObject) -> tuple[str | None, str | None]:
        provider = cell.get("provider")
        provider_id = provider.get("id") if isinstance(provider, dict) else provider
        prompt = cell.get("prompt")
        # `label` (v3) or `display` (v2) is the template; `raw` is the rendered prompt.
        label = (
            prompt.get("label") or prompt.get("display") or prompt.get("raw")
            if isinstance(prompt, dict)
            else None
        )
        return (
            provider_id if isinstance(provider_id, str) else None,
            label if isinstance(label, str) else None,
        )

    def add(self, cell: JsonObject, where: str) -> None:
        index = cell.get("promptIdx")
        if index is not None and (isinstance(index, bool) or not isinstance(index, int)):
            raise fail(f"{where}.promptIdx", "an integer", index)
        key = str(index) if index is not None else orjson.dumps(self.column_of(cell)).decode()
        self._cells.setdefault(key, []).append((cell, where))

    def runs(self) -> list[tuple[str, JsonObject, list[EvalResult]]]:
        """(run id, the column's first cell, its results) per column, by `promptIdx`."""
        single = len(self._cells) == 1
        out = []
        for position, key in enumerate(sorted(self._cells, key=_column_order)):
            suffix = key if key.isdigit() else str(position)
            run_id = self._eval_id if single else f"{self._eval_id}/{suffix}"
            cells = self._cells[key]
            results = [_result(run_id, cell, where, self._reps) for cell, where in cells]
            out.append((run_id, cells[0][0], results))
        return out

    def repeats(self, run_id: str) -> int:
        return self._reps.most_for(run_id)


def _column_order(key: str) -> tuple[int, str]:
    return (int(key), "") if key.isdigit() else (1 << 30, key)


def _result(run_id: str, cell: JsonObject, where: str, reps: Repetitions) -> EvalResult:
    test_idx = cell.get("testIdx")
    vars_ = get_dict(cell, "vars", field=f"{where}.vars")
    if isinstance(test_idx, int) and not isinstance(test_idx, bool):
        case_id = f"test-{test_idx}"
    elif test_idx is None:
        case_id = "vars-" + derived_id(
            orjson.dumps(vars_, option=orjson.OPT_SORT_KEYS).decode(), length=12
        )
    else:
        raise fail(f"{where}.testIdx", "an integer", test_idx)
    success = flag(cell.get("success"), field=f"{where}.success")
    if success is None:
        raise EvalFileError(f"{where}.success: missing")
    grading = cell.get("gradingResult")
    if grading is not None:
        grading = require_dict(grading, field=f"{where}.gradingResult")
    reason_code = cell.get("failureReason")
    error_text = cell.get("error")
    errored = reason_code == ERROR or (
        reason_code is None and bool(error_text) and grading is None and not success
    )
    response = get_dict(cell, "response", field=f"{where}.response")
    usage = get_dict(response, "tokenUsage", field=f"{where}.response.tokenUsage") or get_dict(
        cell, "tokenUsage", field=f"{where}.tokenUsage"
    )
    usage_where = (
        f"{where}.response.tokenUsage" if response.get("tokenUsage") else f"{where}.tokenUsage"
    )
    cost = get_amount(cell, "cost", field=f"{where}.cost")
    if cost is None:
        cost = get_amount(response, "cost", field=f"{where}.response.cost")
    test_case = get_dict(cell, "testCase", field=f"{where}.testCase")
    return EvalResult(
        run_id=run_id,
        case_id=case_id,
        repetition=reps.next(run_id, case_id),
        judge=JUDGE,
        passed=None if errored else success,
        score=None if errored else number(cell.get("score"), field=f"{where}.score"),
        reason=_reason(grading, where),
        error=(str(error_text) if error_text else "promptfoo reported an error")
        if errored
        else None,
        output=_output(response.get("output")),
        input=vars_ or None,
        expected=_assertions(test_case, where) or None,
        latency_ms=get_amount(cell, "latencyMs", field=f"{where}.latencyMs"),
        input_tokens=get_count(usage, "prompt", field=f"{usage_where}.prompt"),
        output_tokens=get_count(usage, "completion", field=f"{usage_where}.completion"),
        cost_usd=cost,
        cached=response.get("cached") is True,
    )


def _output(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


def _reason(grading: JsonObject | None, where: str) -> str | None:
    """The overall reason, then one line per component assertion: `type value: PASS 1 — why`."""
    if grading is None:
        return None
    lines = [str(grading.get("reason") or "")]
    for index, part in enumerate(
        get_list(grading, "componentResults", field=f"{where}.gradingResult.componentResults")
    ):
        if not isinstance(part, dict):
            continue
        raw = part.get("assertion")
        assertion: JsonObject = raw if isinstance(raw, dict) else {}
        kind = assertion.get("type", f"assertion {index + 1}")
        value = assertion.get("value", assertion.get("threshold"))
        shown = f" {_short(value, 60)}" if value is not None else ""
        verdict = "PASS" if part.get("pass") is True else "FAIL"
        why = _short(part.get("reason") or "", MAX_REASON)
        lines.append(f"- {kind}{shown}: {verdict} {part.get('score')} — {why}".rstrip(" —"))
    return "\n".join(lines).strip() or None


def _short(value: object, limit: int) -> str:
    text = value if isinstance(value, str) else orjson.dumps(value, default=str).decode()
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _assertions(test_case: JsonObject, where: str) -> list[dict[str, Any]]:
    return [
        {k: a[k] for k in ("type", "value", "threshold", "metric") if k in a}
        for a in get_list(test_case, "assert", field=f"{where}.testCase.assert")
        if isinstance(a, dict)
    ]
