"""A bare attribute map (one JSON object of dotted span attributes) to one flat span.

Instrumentation test suites, bug reports and hand-made examples often carry just a span's
attributes, with no ids, times or resource: OpenInference and OTel GenAI fixtures look like
this. Treating such a file as one span lets the resolver in `dialects.py` be exercised on it
like any real span. Its ids derive from the file's content digest, so ingesting the same file
twice stores it once, and its time is whatever the caller knows (the file's mtime).
"""

from __future__ import annotations

from typing import Any

from llmops_tui.ingest.dialects import candidates_for
from llmops_tui.ingest.formats import RecordError
from llmops_tui.ingest.formats.common import JsonObject, derived_id

KNOWN_PREFIXES = frozenset(
    {
        "gen_ai",
        "llm",
        "openinference",
        "input",
        "output",
        "traceloop",
        "langfuse",
        "llmops",
        "embedding",
        "retrieval",
        "reranker",
        "tool",
        "tool_call",
        "session",
        "user",
        "metadata",
        "ai",
        "langsmith",
        "error",
        "exception",
        "server",
    }
)
"""First segments of the dotted keys of the dialects we resolve (`dialects.py`) plus the
common OTel keys that sit beside them on GenAI spans."""

_INTERNAL_OPERATIONS = frozenset({"execute_tool", "chain", "tool", "agent", "retriever"})
"""Operations that run in-process: OTel GenAI's `execute_tool`, OpenInference's non-LLM kinds
(compared lowercased). Everything else is a call to a model, a CLIENT span."""


def is_attribute_map(obj: JsonObject) -> bool:
    """Whether an object is a bare attribute map rather than a record of another format.

    Values must be flat (scalars, or lists of scalars): every other format nests its
    attributes under some structural key. Most keys must be dotted, and at least one must
    belong to a known dialect; the rest may be an app's own (`app.feature`) or the bare
    `input` / `output` some fixtures carry.
    """
    if not obj or not all(_is_flat(value) for value in obj.values()):
        return False
    dotted = [key for key in obj if "." in key.strip(".")]
    known = any(key.partition(".")[0] in KNOWN_PREFIXES for key in dotted)
    return known and len(dotted) * 2 > len(obj)


def _is_flat(value: object) -> bool:
    if isinstance(value, list):
        return all(_is_scalar(item) for item in value)
    return _is_scalar(value)


def _is_scalar(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def spans_from_attribute_map(
    obj: JsonObject, *, content_digest: str, start_time_ns: int
) -> list[dict[str, Any]]:
    """One flat span carrying `obj` as its attributes.

    Args:
        obj: the attribute map.
        content_digest: sha256 hex of the file's bytes; the span's ids derive from it.
        start_time_ns: the span's start (epoch ns); the caller passes the file's mtime.

    Returns:
        One span named `"<operation> <model>"` (either part alone when only one is known,
        `"span"` when neither is), kind `"client"` (`"internal"` for tool and chain-like
        operations), status `"unset"`, no parent, no end time and an empty resource.

    Raises:
        RecordError: the object is empty.
    """
    if not obj:
        raise RecordError("attributes: the object is empty")
    operation = _first_text(obj, "operation")
    model = _first_text(obj, "request_model") or _first_text(obj, "response_model")
    name = _span_name(obj, operation, model)
    internal = operation is not None and operation.lower() in _INTERNAL_OPERATIONS
    return [
        {
            "trace_id": derived_id("attribute-map", content_digest, length=32),
            "span_id": derived_id("attribute-map-span", content_digest, length=16),
            "parent_span_id": None,
            "name": name,
            "kind": "internal" if internal else "client",
            "start_time": start_time_ns,
            "status": "unset",
            "status_message": None,
            "attributes": dict(obj),
            "resource": {},
            "events": [],
        }
    ]


def _first_text(obj: JsonObject, column: str) -> str | None:
    for key in candidates_for(column).keys:
        value = obj.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _span_name(obj: JsonObject, operation: str | None, model: str | None) -> str:
    # OTel names a tool span after the tool, not a model (gen-ai-spans.md, "Span name").
    tool = obj.get("gen_ai.tool.name")
    target = tool if operation == "execute_tool" and isinstance(tool, str) else model
    return " ".join(part for part in (operation, target) if part) or "span"
