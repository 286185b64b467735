"""A prompt version rendered with one case's variables, and a model version's settings.

- A Markdown or text prompt (or a structured one with `template`) is the system message; the
  user message is the case's `question` or `input` variable, else the row's `input` field.
  A template that itself uses `{{question}}`/`{{input}}` is sent whole as the user message.
- A YAML/JSON/TOML prompt with `messages` is rendered message by message; when none of them
  is a user message, the case's question is appended as one.

`{{ name }}` (also `{{ name.key }}` into a mapping, and `{{ name | filter }}` with the filter
ignored) is replaced by the variable; `{% ... %}` and `{# ... #}` blocks are dropped: this is
the template syntax `versions/parsers.py` recognises, not a full Jinja. A variable the case
lacks is a `RenderError` of that case only: the runner records it and goes on.
"""

from __future__ import annotations

import functools
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import yaml

from llmops_tui.domain.evals import ChatMessage, EvalCase
from llmops_tui.errors import LlmopsError

_TAG = re.compile(r"\{\{\s*(.*?)\s*\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_VARIABLE = re.compile(r"[A-Za-z_][\w.]*")
_QUESTION_VARS = ("question", "input")
_MODEL_KEYS = {"model", "provider", "parameters", "name", "description"}


class RenderError(LlmopsError):
    """A case can't be rendered with this prompt (a missing variable)."""


@dataclass(frozen=True, slots=True)
class ModelSettings:
    model: str
    provider: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


def render_template(template: str, variables: dict[str, Any]) -> str:
    def replace(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression is None:
            return ""  # a {% %} or {# #} block
        name = _VARIABLE.match(expression)
        if name is None:
            raise RenderError(f"template tag {{{{ {expression} }}}}: expected a variable name")
        return _text(_lookup(variables, name.group(0)))

    return _TAG.sub(replace, template)


def render_prompt(
    path: str, text: str, case: EvalCase, defaults: dict[str, Any] | None = None
) -> tuple[ChatMessage, ...]:
    """The messages of prompt file `path` (content `text`) for `case`."""
    variables = {**(defaults or {}), **case.vars}
    suffix = PurePosixPath(path).suffix.lower()
    if suffix in (".yaml", ".yml", ".json", ".toml"):
        data = _structured(suffix, text)
        if isinstance(data, dict) and isinstance(data.get("messages"), list):
            messages = [
                ChatMessage(str(m["role"]), render_template(str(m["content"]), variables))
                for m in data["messages"]
                if isinstance(m, dict) and "role" in m and "content" in m
            ]
            if not any(m.role == "user" for m in messages):
                messages.append(ChatMessage("user", _question(case, variables)))
            return tuple(messages)
        if isinstance(data, dict) and isinstance(data.get("template"), str):
            text = data["template"]
        else:
            raise RenderError(f"{path}: expected `messages` or `template`")
    if any(v in _template_variables(text) for v in _QUESTION_VARS):
        return (ChatMessage("user", render_template(text, variables)),)
    system = render_template(text, variables)
    return (ChatMessage("system", system), ChatMessage("user", _question(case, variables)))


def model_settings(path: str, text: str) -> ModelSettings:
    """`model`, `provider` and parameters (`parameters` and any other keys) of a model file."""
    data = _structured(PurePosixPath(path).suffix.lower(), text)
    if not isinstance(data, dict) or not isinstance(data.get("model"), str):
        raise LlmopsError(f"{path}: model: expected the model's name")
    params = {k: v for k, v in data.items() if k not in _MODEL_KEYS}
    if isinstance(data.get("parameters"), dict):
        params.update(data["parameters"])
    provider = data.get("provider")
    return ModelSettings(data["model"], provider if isinstance(provider, str) else None, params)


@functools.lru_cache(maxsize=64)
def _template_variables(text: str) -> frozenset[str]:
    found = set()
    for tag in _TAG.finditer(text):
        name = _VARIABLE.match(tag.group(1) or "")
        if name:
            found.add(name.group(0).split(".")[0])
    return frozenset(found)


def _question(case: EvalCase, variables: dict[str, Any]) -> str:
    for name in _QUESTION_VARS:
        if name in variables:
            return _text(variables[name])
    if "input" in case.data:
        return _text(case.data["input"])
    raise RenderError(
        "no user message: the case has no `question` or `input` variable and no `input` field"
    )


def _lookup(variables: dict[str, Any], dotted: str) -> Any:
    value: Any = variables
    for i, part in enumerate(dotted.split(".")):
        if not isinstance(value, dict) or part not in value:
            missing = ".".join(dotted.split(".")[: i + 1])
            raise RenderError(f"missing variable {missing!r}")
        value = value[part]
    return value


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def _structured(suffix: str, text: str) -> Any:
    try:
        if suffix == ".toml":
            return tomllib.loads(text)
        if suffix == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, yaml.YAMLError) as error:
        raise LlmopsError(f"not a valid {suffix.lstrip('.')} file: {error}") from None
