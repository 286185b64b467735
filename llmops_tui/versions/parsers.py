"""Reading an artifact's content: what each kind must look like, and what a version records.

- prompt: Markdown or plain text (the whole file is the system template), or YAML/JSON with
  `messages` (a list of `{role, content}`) or `template` (a string), optional `variables`
  (names, or `{name, description}` objects). `{{ variable }}` marks a template variable
  (Jinja/Mustache style; `{% ... %}` blocks count as wildcards when matching).
- model: a YAML/TOML/JSON mapping with a `model` string, optional `provider` and
  `parameters` (any other keys are parameters too, as most config files write them).
- retrieval: any YAML/TOML/JSON mapping.
- dataset: JSONL (one object a line) or CSV (a header row): row count and schema recorded.

A problem is raised as `ArtifactFileError` carrying an `ArtifactProblem` that names the file,
the line and the field, e.g. `prompts/triage.yaml:9: messages[1].role: expected a string`.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import orjson
import yaml

from llmops_tui.domain.versions import ArtifactKind, ArtifactProblem
from llmops_tui.errors import LlmopsError

_TAG = re.compile(r"\{\{\s*(.*?)\s*\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_VARIABLE = re.compile(r"[A-Za-z_][\w.]*")
_SYSTEM_ROLES = ("system", "developer")
_YAML = (".yaml", ".yml")
_STRUCTURED = (*_YAML, ".json", ".toml")
_Path = tuple[str | int, ...]


class ArtifactFileError(LlmopsError):
    def __init__(self, problem: ArtifactProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Parsed:
    variables: tuple[str, ...] = ()
    row_count: int | None = None
    schema: dict[str, str] | None = None
    match_literals: tuple[str, ...] | None = None


def split_template(template: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(literals, variables): the text between template tags, and the variables in order.
    The outer literals are stripped, as rendered messages are before matching."""
    literals: list[str] = []
    variables: list[str] = []
    position = 0
    for tag in _TAG.finditer(template):
        literals.append(template[position : tag.start()])
        position = tag.end()
        variable = _VARIABLE.match(tag.group(1) or "")  # None for {% %} and {# #}
        if variable and variable.group(0) not in variables:
            variables.append(variable.group(0))
    literals.append(template[position:])
    literals[0] = literals[0].lstrip(" \t\n\r")
    literals[-1] = literals[-1].rstrip(" \t\n\r")
    if len(literals) > 2:  # adjacent tags are one wildcard
        literals = [literals[0], *(part for part in literals[1:-1] if part), literals[-1]]
    return tuple(literals), tuple(variables)


def parse(kind: ArtifactKind, path: str, text: str) -> Parsed:
    """Check `text` (already normalised) as a `kind` artifact stored at `path`."""
    suffix = PurePosixPath(path).suffix.lower()
    if kind is ArtifactKind.DATASET:
        return _csv(path, text) if suffix == ".csv" else _jsonl(path, text)
    if kind is ArtifactKind.PROMPT and suffix not in _STRUCTURED:
        literals, variables = split_template(text)
        return Parsed(variables=variables, match_literals=literals)
    data, lines = _structured(path, suffix, text)
    if not isinstance(data, dict):
        raise _problem(path, lines, (), f"expected a mapping, got {_type(data)}")
    if kind is ArtifactKind.PROMPT:
        return _prompt(path, data, lines)
    if kind is ArtifactKind.MODEL:
        _model(path, data, lines)
    return Parsed()


def _prompt(path: str, data: dict[str, Any], lines: _Lines) -> Parsed:
    messages = data.get("messages")
    template = data.get("template")
    system: str | None = None
    used: list[str] = []
    if messages is None and template is None:
        raise _problem(path, lines, (), "expected `messages` (a list) or `template` (a string)")
    if messages is not None:
        if not isinstance(messages, list) or not messages:
            raise _problem(path, lines, ("messages",), "expected a non-empty list of messages")
        for i, message in enumerate(messages):
            where: _Path = ("messages", i)
            if not isinstance(message, dict):
                raise _problem(
                    path, lines, where, f"expected {{role, content}}, got {_type(message)}"
                )
            role, content = message.get("role"), message.get("content")
            if not isinstance(role, str):
                raise _problem(
                    path, lines, (*where, "role"), f"expected a string, got {_type(role)}"
                )
            if not isinstance(content, str):
                raise _problem(
                    path, lines, (*where, "content"), f"expected a string, got {_type(content)}"
                )
            used += split_template(content)[1]
            if system is None and i == 0 and role in _SYSTEM_ROLES:
                system = content
    if template is not None:
        if not isinstance(template, str):
            raise _problem(path, lines, ("template",), f"expected a string, got {_type(template)}")
        used += split_template(template)[1]
        system = system if system is not None else template
    declared = _declared_variables(path, data.get("variables"), lines)
    variables = tuple(dict.fromkeys([*used, *declared]))
    literals = split_template(system)[0] if system is not None else None
    return Parsed(variables=variables, match_literals=literals)


def _declared_variables(path: str, value: Any, lines: _Lines) -> list[str]:
    if value is None:
        return []
    if isinstance(value, dict):
        return [str(key) for key in value]
    if not isinstance(value, list):
        raise _problem(path, lines, ("variables",), f"expected a list, got {_type(value)}")
    names: list[str] = []
    for i, item in enumerate(value):
        name = item.get("name") if isinstance(item, dict) else item
        if not isinstance(name, str) or not name:
            where: _Path = ("variables", i, "name") if isinstance(item, dict) else ("variables", i)
            raise _problem(path, lines, where, f"expected a variable name, got {_type(name)}")
        names.append(name)
    return names


def _model(path: str, data: dict[str, Any], lines: _Lines) -> None:
    model = data.get("model")
    if not isinstance(model, str) or not model:
        raise _problem(path, lines, ("model",), f"expected the model's name, got {_type(model)}")
    provider = data.get("provider")
    if provider is not None and not isinstance(provider, str):
        raise _problem(path, lines, ("provider",), f"expected a string, got {_type(provider)}")
    parameters = data.get("parameters")
    if parameters is not None and not isinstance(parameters, dict):
        raise _problem(path, lines, ("parameters",), f"expected a mapping, got {_type(parameters)}")


class _Lines:
    """Line numbers of a YAML document's fields, worked out only when a problem needs one."""

    def __init__(self, node: yaml.Node | None) -> None:
        self._node = node
        self._lines: dict[_Path, int] | None = None

    def get(self, where: _Path) -> int | None:
        if self._lines is None:
            self._lines = {}
            if self._node is not None:
                _lines(self._node, (), self._lines)
        return self._lines.get(where)


def _structured(path: str, suffix: str, text: str) -> tuple[Any, _Lines]:
    if suffix == ".toml":
        try:
            return tomllib.loads(text), _Lines(None)
        except tomllib.TOMLDecodeError as error:
            line = re.search(r"line (\d+)", str(error))
            raise ArtifactFileError(
                ArtifactProblem(
                    path, f"not valid TOML: {error}", int(line.group(1)) if line else None
                )
            ) from None
    if suffix == ".json":
        try:
            return json.loads(text), _Lines(None)
        except json.JSONDecodeError as error:
            raise ArtifactFileError(
                ArtifactProblem(path, f"not valid JSON: {error.msg}", error.lineno)
            ) from None
    try:
        loader = yaml.CSafeLoader(text) if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None  # type: ignore[no-untyped-call]
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        line = mark.line + 1 if mark is not None else None
        raise ArtifactFileError(ArtifactProblem(path, f"not valid YAML: {reason}", line)) from None
    return data, _Lines(node)


def _lines(node: yaml.Node, where: _Path, lines: dict[_Path, int]) -> None:
    lines[where] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                child = (*where, str(key.value))
                _lines(value, child, lines)
                lines[child] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _lines(item, (*where, i), lines)


def _problem(path: str, lines: _Lines, where: _Path, message: str) -> ArtifactFileError:
    line = None
    for depth in range(len(where), -1, -1):  # the field's line, else its nearest parent's
        line = lines.get(where[:depth])
        if line is not None:
            break
    field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in where).lstrip(".")
    return ArtifactFileError(ArtifactProblem(path, message, line, field or None))


def _jsonl(path: str, text: str) -> Parsed:
    rows = 0
    types: dict[str, set[str]] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            row = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            reason = str(error).split(":")[0]
            raise ArtifactFileError(
                ArtifactProblem(path, f"not valid JSON: {reason}", number)
            ) from None
        if not isinstance(row, dict):
            raise ArtifactFileError(
                ArtifactProblem(path, f"expected a JSON object, got {_type(row)}", number)
            )
        rows += 1
        for key, value in row.items():
            types.setdefault(key, set()).add(_type(value))
    return Parsed(row_count=rows, schema={k: "|".join(sorted(v)) for k, v in types.items()})


def _csv(path: str, text: str) -> Parsed:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise ArtifactFileError(ArtifactProblem(path, "empty: expected a header row", 1)) from None
    except csv.Error as error:
        raise ArtifactFileError(ArtifactProblem(path, f"not valid CSV: {error}", 1)) from None
    if any(not column.strip() for column in header) or len(set(header)) != len(header):
        raise ArtifactFileError(
            ArtifactProblem(path, "header: expected distinct, non-empty column names", 1)
        )
    numeric = dict.fromkeys(header, True)
    rows = 0
    try:
        for row in reader:
            if not row:
                continue
            rows += 1
            if len(row) != len(header):
                raise ArtifactFileError(
                    ArtifactProblem(
                        path,
                        f"expected {len(header)} columns, got {len(row)}",
                        reader.line_num,
                    )
                )
            for column, cell in zip(header, row, strict=True):
                if numeric[column] and cell and not _is_number(cell):
                    numeric[column] = False
    except csv.Error as error:
        raise ArtifactFileError(
            ArtifactProblem(path, f"not valid CSV: {error}", reader.line_num)
        ) from None
    schema = {column: "number" if numeric[column] and rows else "string" for column in header}
    return Parsed(row_count=rows, schema=schema)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__
