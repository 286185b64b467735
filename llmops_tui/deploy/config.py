"""`[environments.<name>]` and `[canary]` of `llmops.toml`, validated.

`ProjectConfig` keeps both tables raw; this module turns them into typed settings and refuses
anything it doesn't know with one line naming the table and key (and a close match), because
a typo in a deploy policy (`requre_gate = false` silently ignored) is worse than a refusal.

```toml
[environments.staging]
target = "file"                       # a registered deploy target
options = { path = "deploy/staging.json" }
require_gate = true                   # the gate must have passed for the release (default)
[environments.production]
target = "file"
options = { path = "deploy/production.json" }
after = "staging"                     # only releases already deployed to staging

[canary]                              # the plan `llmops canary run` follows
steps = [10, 50, 100]                 # traffic shares; 100 (or passing the last) promotes
bake = "15m"                          # wait after each step before analysing
min_requests = 200                    # and the thresholds of `CanaryThresholds`
```
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import timedelta
from typing import Any

from llmops_tui.config import CONFIG_NAME, ProjectConfig, check_keys
from llmops_tui.domain.deploy import CanaryThresholds
from llmops_tui.errors import ConfigError, LlmopsError

_ENVIRONMENT_KEYS = {"target", "options", "require_gate", "after"}
_THRESHOLD_KEYS = {f.name for f in fields(CanaryThresholds)}
_CANARY_KEYS = {"steps", "bake"} | _THRESHOLD_KEYS
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d)\s*$", re.IGNORECASE)
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}

DEFAULT_STEPS = (10.0, 50.0, 100.0)
DEFAULT_BAKE = timedelta(minutes=15)


class UnknownEnvironmentError(LlmopsError):
    """A command named an environment `llmops.toml` doesn't declare."""


@dataclass(frozen=True, slots=True)
class EnvironmentConfig:
    name: str
    target: str
    """The deploy target's registered name (`file`, `git-tag`, `command`, `webhook`)."""
    options: Mapping[str, object] = field(default_factory=dict)
    """Handed to the target as `DeployRequest.options`."""
    require_gate: bool = True
    """The gate must have passed for a release before it reaches this environment."""
    after: str | None = None
    """Only releases already deployed (succeeded) to this environment may come here."""


@dataclass(frozen=True, slots=True)
class CanaryPlan:
    steps: tuple[float, ...] = DEFAULT_STEPS
    """Canary traffic shares in order; the plan promotes after the last one passes."""
    bake: timedelta = DEFAULT_BAKE
    """How long each step runs before it is analysed."""
    thresholds: CanaryThresholds = field(default_factory=CanaryThresholds)


@dataclass(frozen=True, slots=True)
class DeployConfig:
    environments: Mapping[str, EnvironmentConfig]
    canary: CanaryPlan

    def environment(self, name: str) -> EnvironmentConfig:
        """The environment called `name`; an unknown one is a one-line error naming the rest."""
        try:
            return self.environments[name]
        except KeyError:
            known = ", ".join(sorted(self.environments)) or "none"
            raise UnknownEnvironmentError(
                f"unknown environment {name!r}; {CONFIG_NAME} declares: {known}",
                hint="environments are `[environments.<name>]` tables in llmops.toml",
            ) from None


def load_deploy_config(project: ProjectConfig) -> DeployConfig:
    where = str(project.root / CONFIG_NAME)
    return DeployConfig(
        environments=parse_environments(project.environments, where),
        canary=parse_canary(project.canary, where),
    )


def parse_environments(raw: Mapping[str, Any], where: str) -> dict[str, EnvironmentConfig]:
    environments: dict[str, EnvironmentConfig] = {}
    for name, table in raw.items():
        at = f"{where}: [environments.{name}]"
        if not _NAME.match(name):
            raise ConfigError(f"{at}: expected a name of letters, digits, '-', '_' or '.'")
        if not isinstance(table, dict):
            raise ConfigError(f"{at}: expected a table, got {type(table).__name__}")
        check_keys(table, _ENVIRONMENT_KEYS, at)
        target = table.get("target")
        if not isinstance(target, str) or not target:
            raise ConfigError(f"{at}: target: expected a deploy target name, got {target!r}")
        options = table.get("options", {})
        if not isinstance(options, dict):
            raise ConfigError(f"{at}: options: expected a table, got {options!r}")
        require_gate = table.get("require_gate", True)
        if not isinstance(require_gate, bool):
            raise ConfigError(f"{at}: require_gate: expected true or false, got {require_gate!r}")
        after = table.get("after")
        if after is not None and not isinstance(after, str):
            raise ConfigError(f"{at}: after: expected an environment name, got {after!r}")
        environments[name] = EnvironmentConfig(name, target, options, require_gate, after)
    for env in environments.values():
        if env.after is None:
            continue
        at = f"{where}: [environments.{env.name}] after"
        if env.after == env.name:
            raise ConfigError(f"{at}: an environment cannot come after itself")
        if env.after not in environments:
            known = ", ".join(sorted(environments))
            raise ConfigError(f"{at}: unknown environment {env.after!r} (declared: {known})")
        _check_no_cycle(environments, env.name, at)
    return environments


def _check_no_cycle(environments: Mapping[str, EnvironmentConfig], start: str, at: str) -> None:
    seen = [start]
    current = environments[start].after
    while current is not None:
        if current in seen:
            raise ConfigError(f"{at}: a cycle: {' -> '.join([*seen, current])}")
        seen.append(current)
        current = environments[current].after


def parse_canary(raw: Mapping[str, Any], where: str) -> CanaryPlan:
    at = f"{where}: [canary]"
    check_keys(dict(raw), _CANARY_KEYS, at)
    steps_raw = raw.get("steps", list(DEFAULT_STEPS))
    if not isinstance(steps_raw, list) or not steps_raw:
        raise ConfigError(f"{at}: steps: expected a list of percentages, got {steps_raw!r}")
    steps: list[float] = []
    for value in steps_raw:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 100:
            raise ConfigError(f"{at}: steps: expected percentages in (0, 100], got {value!r}")
        if steps and value <= steps[-1]:
            raise ConfigError(f"{at}: steps: expected increasing percentages, got {steps_raw!r}")
        steps.append(float(value))
    if steps[0] >= 100:
        raise ConfigError(f"{at}: steps: expected at least one canary share below 100")
    bake = raw.get("bake", "15m")
    if not isinstance(bake, str):
        raise ConfigError(f'{at}: bake: expected a duration like "15m", got {bake!r}')
    thresholds: dict[str, float | int] = {}
    for key in sorted(_THRESHOLD_KEYS & set(raw)):
        value = raw[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(f"{at}: {key}: expected a non-negative number, got {value!r}")
        if key == "min_requests":
            if not isinstance(value, int):
                raise ConfigError(f"{at}: min_requests: expected a whole number, got {value!r}")
        elif key == "alpha" and not 0 < value < 1:
            raise ConfigError(f"{at}: alpha: expected a number between 0 and 1, got {value!r}")
        thresholds[key] = value
    return CanaryPlan(
        steps=tuple(steps),
        bake=parse_bake(bake, f"{at}: bake"),
        thresholds=CanaryThresholds(**thresholds),  # type: ignore[arg-type]
    )


def parse_bake(text: str, where: str = "--bake") -> timedelta:
    """`15m`, `30s`, `2h`, `0s` (no wait: tests, or a plan driven by hand)."""
    match = _DURATION.match(text)
    if match is None:
        raise ConfigError(f"{where}: expected a duration like 30s, 15m or 1h, got {text!r}")
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2).lower()])
