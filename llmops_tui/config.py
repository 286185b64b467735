"""Finding the project and reading `llmops.toml`.

A project is the folder holding `llmops.toml` (found by walking up from the working
directory, like git). The file is validated strictly: an unknown key is an error with a
"did you mean" suggestion, because a silently ignored typo in a pricing override or a gate
rule is worse than a refusal.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from llmops_tui.domain.versions import DEFAULT_GLOBS, ArtifactKind
from llmops_tui.errors import ConfigError
from llmops_tui.pricing import PriceOverride

CONFIG_NAME = "llmops.toml"
DB_ENV = "LLMOPS_DB"
DEFAULT_DB = Path(".llmops") / "llmops.duckdb"

_TOP_LEVEL = {
    "project",
    "pricing",
    "artifacts",
    "plugins",
    "evals",
    "gate",
    "environments",
    "canary",
}
_PROJECT_KEYS = {"name"}
_PRICING_KEYS = {"models"}
_PRICE_KEYS = {
    "input_per_mtok",
    "output_per_mtok",
    "cache_read_per_mtok",
    "cache_write_per_mtok",
    "reasoning_per_mtok",
    "per_request",
}


@dataclass(frozen=True, slots=True)
class ProjectConfig:
    root: Path
    """The folder holding llmops.toml."""
    name: str
    """Shown in the cockpit's header; defaults to the folder's name."""
    price_overrides: dict[str, PriceOverride] = field(default_factory=dict)
    """`[pricing.models."name"]`: USD per million tokens for models genai-prices lacks or
    that you pay differently for (a self-hosted fine-tune, a negotiated rate)."""
    artifacts: dict[ArtifactKind, tuple[str, ...]] = field(
        default_factory=lambda: dict(DEFAULT_GLOBS)
    )
    """`[artifacts]`: per kind (prompt, model, retrieval, dataset), the globs of its files,
    relative to the project. An artifact's name is its path below the glob's folder (the part
    before the first wildcard) without extension. A kind left out keeps its defaults."""
    plugins: tuple[str, ...] = ()
    """`plugins = ["my_team.llmops_judges"]`: module paths loaded as plugins, after the
    built-ins and the installed entry points."""
    evals: dict[str, Any] = field(default_factory=dict)
    """`[evals]` as written; `llmops_tui.evals.config` validates it (suites, judges,
    providers)."""
    gate: dict[str, Any] = field(default_factory=dict)
    """`[gate]` as written; validated by `llmops_tui.evals.config`."""
    environments: dict[str, Any] = field(default_factory=dict)
    """`[environments.<name>]` as written; validated by `llmops_tui.deploy.config`."""
    canary: dict[str, Any] = field(default_factory=dict)
    """`[canary]` (the canary plan) as written; validated by `llmops_tui.deploy.config`."""


def find_project(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    return None


def load_project(root: Path) -> ProjectConfig:
    path = root / CONFIG_NAME
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    check_keys(data, _TOP_LEVEL, f"{path}")
    project = table(data, "project", str(path))
    check_keys(project, _PROJECT_KEYS, f"{path}: [project]")
    name = project.get("name", root.name)
    if not isinstance(name, str):
        raise ConfigError(f"{path}: [project] name: expected a string, got {name!r}")
    pricing = table(data, "pricing", str(path))
    check_keys(pricing, _PRICING_KEYS, f"{path}: [pricing]")
    overrides = {
        model: _override(path, model, table)
        for model, table in table(pricing, "models", f"{path}: [pricing]").items()
    }
    artifacts = _artifacts(table(data, "artifacts", str(path)), f"{path}: [artifacts]")
    plugins = data.get("plugins", [])
    if not isinstance(plugins, list) or not all(isinstance(p, str) and p for p in plugins):
        raise ConfigError(f"{path}: plugins: expected a list of module paths, got {plugins!r}")
    return ProjectConfig(
        root=root,
        name=name,
        price_overrides=overrides,
        artifacts=artifacts,
        plugins=tuple(plugins),
        evals=table(data, "evals", str(path)),
        gate=table(data, "gate", str(path)),
        environments=table(data, "environments", str(path)),
        canary=table(data, "canary", str(path)),
    )


def _artifacts(table: dict[str, Any], where: str) -> dict[ArtifactKind, tuple[str, ...]]:
    check_keys(table, {kind.value for kind in ArtifactKind}, where)
    globs = dict(DEFAULT_GLOBS)
    for key, value in table.items():
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ConfigError(f"{where}: {key}: expected a list of globs, got {value!r}")
        for pattern in value:
            if pattern.startswith(("/", "../")) or "/../" in pattern:
                raise ConfigError(f"{where}: {key}: {pattern!r} must stay inside the project")
        globs[ArtifactKind(key)] = tuple(value)
    return globs


def load_optional_project(start: Path) -> ProjectConfig | None:
    root = find_project(start)
    return load_project(root) if root is not None else None


def resolve_db_path(option: str | None, project: ProjectConfig | None) -> Path:
    """`--db`, then `LLMOPS_DB`, then `<project>/.llmops/llmops.duckdb`."""
    if option:
        return Path(option).expanduser()
    from_env = os.environ.get(DB_ENV)
    if from_env:
        return Path(from_env).expanduser()
    if project is None:
        raise ConfigError(
            f"no {CONFIG_NAME} in this folder or any parent, so there is no default database",
            hint=f"run `llmops init`, or pass --db PATH, or set {DB_ENV}",
        )
    return project.root / DEFAULT_DB


def table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: {key}: expected a table, got {type(value).__name__}")
    return value


def check_keys(data: dict[str, Any], allowed: set[str], where: str) -> None:
    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            suggestion = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{where}: unknown key {key!r}{suggestion}")


def _override(path: Path, model: str, table: object) -> PriceOverride:
    where = f'{path}: [pricing.models."{model}"]'
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table of prices")
    check_keys(table, _PRICE_KEYS, where)
    values: dict[str, Decimal] = {}
    for key, raw in table.items():
        try:
            if isinstance(raw, bool) or not isinstance(raw, int | float | str):
                raise InvalidOperation
            amount = Decimal(str(raw))
        except InvalidOperation:
            raise ConfigError(f"{where}: {key}: expected a number, got {raw!r}") from None
        if amount < 0 or not amount.is_finite():
            raise ConfigError(f"{where}: {key}: expected a non-negative number, got {raw!r}")
        values[key] = amount
    if "input_per_mtok" not in values or "output_per_mtok" not in values:
        raise ConfigError(f"{where}: input_per_mtok and output_per_mtok are required")
    return PriceOverride(**values)
