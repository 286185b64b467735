"""JSON judges: `json_valid` and `json_schema`.

Models often wrap JSON in a Markdown fence or a sentence; `extract = true` judges the JSON
inside (the first fenced block, else the span from the first `{`/`[` to the last `}`/`]`)
instead of failing the whole answer. The schema of `json_schema` follows the comparison
convention, so one dataset can carry a schema per case (`field = "schema"`), or the judge
one for all (`value = {...}`); it may also be a JSON string. Validators are built once per
schema: building one checks the schema, which costs more than validating a short answer.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

from llmops_tui.builtin_plugins.judges.options import (
    REFERENCE_OPTIONS,
    JudgeOptions,
    excerpt,
    reference,
)
from llmops_tui.plugin_api import JudgeError, JudgeInput, Score

_FENCE = re.compile(r"```(?:json|JSON)?\s*\n(.*?)```", re.DOTALL)
_JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict,
    "array": list,
    "string": str,
    "number": (int, float),
    "boolean": bool,
    "null": type(None),
}


def _candidate(text: str, extract: bool) -> str:
    if not extract:
        return text
    fenced = _FENCE.search(text)
    if fenced:
        return fenced.group(1)
    starts = [i for i in (text.find("{"), text.find("[")) if i >= 0]
    if not starts:
        return text
    start = min(starts)
    end = max(text.rfind("}"), text.rfind("]"))
    return text[start : end + 1] if end > start else text


def parse_answer(text: str, extract: bool) -> tuple[Any, str | None]:
    """The answer's JSON document, or None and why it isn't JSON."""
    try:
        return json.loads(_candidate(text, extract)), None
    except json.JSONDecodeError as error:
        return None, f"not JSON: {error.msg} at line {error.lineno} column {error.colno}"


class JsonValid:
    """Passes when the answer parses as JSON (of a given top-level `type`, if set)."""

    name = "json_valid"
    description = "the answer is valid JSON (extract from a fence, top-level type)"
    OPTIONS = frozenset({"extract", "type"})

    def _options(self, raw: Mapping[str, Any]) -> tuple[bool, str | None]:
        options = JudgeOptions(self.name, raw, self.OPTIONS)
        kind = options.choice("type", [*_JSON_TYPES, "any"], "any")
        return options.flag("extract", False), None if kind == "any" else kind

    def check_options(self, raw: Mapping[str, Any]) -> None:
        self._options(raw)

    def judge(self, item: JudgeInput) -> Score:
        extract, kind = self._options(item.options)
        document, problem = parse_answer(item.output, extract)
        if problem:
            return Score(passed=False, reason=problem)
        if kind is not None:
            is_kind = isinstance(document, _JSON_TYPES[kind])
            if kind in ("number", "string") and isinstance(document, bool):
                is_kind = False
            if not is_kind:
                got = next(k for k, t in _JSON_TYPES.items() if isinstance(document, t))
                if isinstance(document, bool):
                    got = "boolean"
                return Score(passed=False, reason=f"valid JSON, but {got}, not {kind}")
        return Score(passed=True, reason="valid JSON")


@functools.lru_cache(maxsize=256)
def _validator(schema_json: str) -> jsonschema.protocols.Validator:
    schema = json.loads(schema_json)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


class JsonSchema:
    """Passes when the answer is JSON that validates against the reference schema."""

    name = "json_schema"
    description = "the answer is JSON valid against a JSON Schema (value or expected field)"
    OPTIONS = REFERENCE_OPTIONS | {"extract"}

    def _options(self, raw: Mapping[str, Any]) -> tuple[JudgeOptions, bool]:
        options = JudgeOptions(self.name, raw, self.OPTIONS)
        return options, options.flag("extract", False)

    def check_options(self, raw: Mapping[str, Any]) -> None:
        options, _ = self._options(raw)
        if options.has("value"):
            self._schema(options.raw["value"], options)

    def _schema(self, schema: Any, options: JudgeOptions) -> jsonschema.protocols.Validator:
        if isinstance(schema, str):
            try:
                schema = json.loads(schema)
            except json.JSONDecodeError as error:
                raise options.error(f"the schema is not JSON: {error.msg}") from None
        if not isinstance(schema, Mapping | bool):
            raise options.error(f"expected a JSON Schema object, got {excerpt(repr(schema))}")
        try:
            return _validator(json.dumps(schema, sort_keys=True))
        except jsonschema.SchemaError as error:
            raise JudgeError(f"{self.name}: invalid schema: {excerpt(error.message, 80)}") from None

    def judge(self, item: JudgeInput) -> Score:
        options, extract = self._options(item.options)
        validator = self._schema(reference(item, options), options)
        document, problem = parse_answer(item.output, extract)
        if problem:
            return Score(passed=False, reason=problem)
        error = best_match(validator.iter_errors(document))
        if error is None:
            return Score(passed=True, reason="valid against the schema")
        where = error.json_path if error.path else "$"
        return Score(passed=False, reason=f"{where}: {excerpt(error.message, 80)}")
