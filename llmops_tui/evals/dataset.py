"""A dataset version's rows as `EvalCase`s.

JSONL (one object a line) or CSV (a header row), as `versions/parsers.py` accepts them. A
JSONL row's fields: `id` (default `<dataset>#<line>`), `vars` (the template variables; without
it, every field not listed below is a variable), `expected`, `tags` (a list), `required` (a
boolean: the gate fails when a required case fails), `judges` (judges of this case only:
`[{"type": "regex", "pattern": "..."}]`, `name` defaulting to the type) and `input` (the user
message when the template has no `question`/`input` variable). A CSV's `id`, `expected`,
`tags` (`;`-separated) and `required` columns mean the same; every other column is a
variable. A bad row is a one-line error naming the file and line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import orjson

from llmops_tui.domain.evals import EvalCase, JudgeSpec
from llmops_tui.errors import ConfigError, LlmopsError
from llmops_tui.evals.config import judge_spec

RESERVED = ("id", "vars", "expected", "tags", "required", "judges", "input", "notes")
"""Fields of a row that are not template variables when the row has no `vars`."""
_TRUE = {"true", "yes", "1"}


class DatasetError(LlmopsError):
    """A dataset row can't be read as a case (`datasets/x.jsonl:7: tags: expected a list`)."""


@dataclass(frozen=True, slots=True)
class Dataset:
    name: str
    version: int
    cases: tuple[EvalCase, ...]
    judges: Mapping[str, tuple[JudgeSpec, ...]] = field(default_factory=dict)
    """Per-case judges by case id (only cases that declare some)."""


def load_dataset(name: str, version: int, path: str, text: str) -> Dataset:
    """Parse a dataset version's content (`path` decides the format and names errors)."""
    rows = (
        _csv_rows(path, text)
        if PurePosixPath(path).suffix.lower() == ".csv"
        else _jsonl_rows(path, text)
    )
    cases: list[EvalCase] = []
    judges: dict[str, tuple[JudgeSpec, ...]] = {}
    seen: dict[str, int] = {}
    for line, row in rows:
        case, own = _case(name, path, line, row)
        if case.case_id in seen:
            raise DatasetError(
                f"{path}:{line}: id: {case.case_id!r} repeats line {seen[case.case_id]}"
            )
        seen[case.case_id] = line
        cases.append(case)
        if own:
            judges[case.case_id] = own
    if not cases:
        raise DatasetError(f"{path}: no cases")
    return Dataset(name, version, tuple(cases), judges)


def _jsonl_rows(path: str, text: str) -> list[tuple[int, dict[str, Any]]]:
    rows = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            row = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            raise DatasetError(f"{path}:{number}: not valid JSON: {error}") from None
        if not isinstance(row, dict):
            raise DatasetError(f"{path}:{number}: expected a JSON object")
        rows.append((number, row))
    return rows


def _csv_rows(path: str, text: str) -> list[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text))
    rows: list[tuple[int, dict[str, Any]]] = []
    try:
        for row in reader:
            data: dict[str, Any] = {k: v for k, v in row.items() if k is not None}
            if "tags" in data:
                data["tags"] = [t.strip() for t in (data["tags"] or "").split(";") if t.strip()]
            if "required" in data:
                data["required"] = (data["required"] or "").strip().lower() in _TRUE
            if "expected" in data and data["expected"] is not None:
                data["expected"] = _maybe_json(data["expected"])
            rows.append((reader.line_num, data))
    except csv.Error as error:
        raise DatasetError(f"{path}:{reader.line_num}: not valid CSV: {error}") from None
    return rows


def _maybe_json(cell: str) -> Any:
    """A CSV cell holding a JSON object or list (`{"must_include": [...]}`) is parsed."""
    if cell.strip().startswith(("{", "[")):
        try:
            return orjson.loads(cell)
        except orjson.JSONDecodeError:
            return cell
    return cell


def _case(
    dataset: str, path: str, line: int, row: dict[str, Any]
) -> tuple[EvalCase, tuple[JudgeSpec, ...]]:
    where = f"{path}:{line}"
    case_id = row.get("id")
    if case_id is None or case_id == "":
        case_id = f"{dataset}#{line}"
    elif not isinstance(case_id, str | int):
        raise DatasetError(f"{where}: id: expected a string, got {type(case_id).__name__}")
    if "vars" in row:
        variables = row["vars"]
        if not isinstance(variables, dict):
            raise DatasetError(f"{where}: vars: expected an object, got {type(variables).__name__}")
    else:
        variables = {k: v for k, v in row.items() if k not in RESERVED}
    tags = row.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise DatasetError(f"{where}: tags: expected a list of strings, got {tags!r}")
    required = row.get("required", False)
    if not isinstance(required, bool):
        raise DatasetError(f"{where}: required: expected true or false, got {required!r}")
    own = row.get("judges", [])
    if not isinstance(own, list):
        raise DatasetError(f"{where}: judges: expected a list of judges")
    try:
        judges = tuple(judge_spec(j, f"{where}: judges[{i}]") for i, j in enumerate(own))
    except ConfigError as error:
        raise DatasetError(str(error)) from None
    case = EvalCase(
        case_id=str(case_id),
        vars=variables,
        expected=row.get("expected"),
        tags=tuple(tags),
        required=required,
        data=row,
    )
    return case, judges
