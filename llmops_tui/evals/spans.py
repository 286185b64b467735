"""Provider calls made by an eval run, as spans in the `spans` table.

They go through the store's span-loading path (`store.spans.load`), as flat span records,
so they are priced, checked and rolled up exactly like ingested traffic, and show on the
Traces screen under environment `eval` with the release, the prompt version and the run
(`llmops.eval.run_id`, `llmops.eval.case_id`). Span ids are derived from the run, the case and
the repetition, so a resumed run that repeats a case's call stores nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import orjson
import pyarrow as pa

from llmops_tui.domain.versions import version_tag
from llmops_tui.evals.execute import Call, end_of, messages_json, utc_naive

ENVIRONMENT = "eval"
SERVICE = "llmops-eval"

_SCHEMA = pa.schema(
    {
        "source": pa.large_string(),
        "line": pa.int64(),
        "payload": pa.large_string(),
        "error": pa.large_string(),
    }
)


def span_record(call: Call, *, run_id: str, release_id: str | None) -> dict[str, Any]:
    request, response = call.request, call.response
    attributes: dict[str, Any] = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": call.provider,
        "gen_ai.request.model": request.model,
        "gen_ai.input.messages": orjson.dumps(messages_json(request.messages)).decode(),
        "deployment.environment.name": ENVIRONMENT,
        "service.name": SERVICE,
        "llmops.eval.run_id": run_id,
        "llmops.eval.case_id": request.case_id,
        "llmops.eval.repetition": request.repetition,
    }
    if release_id:
        attributes["llmops.release"] = release_id
    if request.prompt_name:
        attributes["llmops.prompt.name"] = request.prompt_name
    if request.prompt_version is not None:
        # The registry's tag (`v4`), as instrumented apps write it: eval and production spans
        # of one version then group together in stats and the cockpit.
        attributes["llmops.prompt.version"] = version_tag(request.prompt_version)
    if call.judge:
        attributes["llmops.eval.judge"] = call.judge
    for key, value in request.params.items():
        if isinstance(value, int | float | str | bool):
            attributes[f"gen_ai.request.{key}"] = value
    if response is not None:
        output = [{"role": "assistant", "content": response.text}]
        attributes["gen_ai.output.messages"] = orjson.dumps(output).decode()
        for key, value in (
            ("gen_ai.response.model", response.model),
            ("gen_ai.usage.input_tokens", response.input_tokens),
            ("gen_ai.usage.output_tokens", response.output_tokens),
            ("gen_ai.usage.cache_read.input_tokens", response.cache_read_tokens),
            ("gen_ai.usage.cache_creation.input_tokens", response.cache_write_tokens),
            ("gen_ai.usage.reasoning.output_tokens", response.reasoning_tokens),
            ("llmops.cost.usd", response.cost_usd),
        ):
            if value is not None:
                attributes[key] = value
    record: dict[str, Any] = {
        "trace_id": call.trace_id,
        "span_id": call.span_id,
        "name": f"{'judge' if call.judge else 'chat'} {request.model}",
        "kind": "client",
        "start_time": utc_naive(call.started_at).isoformat(),
        "end_time": utc_naive(end_of(call)).isoformat(),
        "status": "error" if call.error else "ok",
        "attributes": attributes,
    }
    if call.error:
        record["status_message"] = call.error[:500]
    if call.parent_span_id:
        record["parent_span_id"] = call.parent_span_id
    return record


def span_batch(
    calls: Sequence[Call], *, run_id: str, release_id: str | None, first_line: int
) -> pa.Table:
    """The calls as a slice for `store.spans.load` (source `eval:<run id>`, numbered lines)."""
    payloads = [
        orjson.dumps(span_record(c, run_id=run_id, release_id=release_id)).decode() for c in calls
    ]
    count = len(payloads)
    return pa.Table.from_pydict(
        {
            "source": [f"eval:{run_id}"] * count,
            "line": list(range(first_line, first_line + count)),
            "payload": payloads,
            "error": [None] * count,
        },
        schema=_SCHEMA,
    )


def ingest_time(previous: datetime | None, now: datetime) -> datetime:
    """A naive UTC load time later than the previous slice's (the loader needs them distinct)."""
    moment = utc_naive(now)
    if previous is not None and moment <= previous:
        moment = previous + timedelta(microseconds=1)
    return moment
