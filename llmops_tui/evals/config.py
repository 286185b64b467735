"""`[evals]` of `llmops.toml`, validated into frozen dataclasses.

```toml
[evals]
provider = "scripted"        # default when neither --provider, the suite nor the model says
concurrency = 8              # provider calls in flight
repeat = 1                   # answers per case (repetitions measure variance)
max_retries = 2              # for ProviderError(retryable=True), with exponential backoff
backoff_seconds = 0.5        # the first retry's wait; doubled on each further retry

[evals.providers.scripted]   # options given to that provider as ProviderRequest.options
quality = { "support@v3" = 0.9, "support@v4" = 0.8, default = 0.85 }

[evals.suites.support_regression]
dataset = "support_regression"   # dataset artifact (its version comes from the release)
prompt = "support"               # prompt artifact (its version comes from the release)
model = "default"                # model artifact: provider, model, params (temperature...)
provider = "scripted"            # optional: overrides the model artifact and [evals]
judges = ["mentions_required", "concise"]
vars = { kb_articles = "..." }   # optional: defaults for template variables of every case

[evals.judges.mentions_required]
type = "contains"                # a registered judge type
field = "must_include"           # any other keys are that judge type's options
```

Dataset rows may declare judges of their own (`"judges": [{"type": "regex", ...}]`; `name`
defaults to the type); `llmops_tui.evals.dataset` reads them. Which provider answers, first
that applies: `--provider`, the suite's `provider`, the model artifact's `provider` when a
plugin registers it, `[evals] provider`. Unknown keys are refused with a "did you mean".
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from llmops_tui.config import ProjectConfig, check_keys, table
from llmops_tui.domain.evals import JudgeSpec
from llmops_tui.errors import ConfigError

_EVALS_KEYS = {
    "provider",
    "concurrency",
    "repeat",
    "max_retries",
    "backoff_seconds",
    "providers",
    "suites",
    "judges",
}
_SUITE_KEYS = {"dataset", "prompt", "model", "provider", "judges", "vars", "repeat"}
_WHERE = "llmops.toml: [evals]"


@dataclass(frozen=True, slots=True)
class SuiteConfig:
    name: str
    dataset: str
    """The dataset artifact's name."""
    prompt: str
    """The prompt artifact's name; the release decides its version."""
    model: str | None = None
    """The model artifact's name (model, provider, parameters); None: the provider's default."""
    provider: str | None = None
    judges: tuple[JudgeSpec, ...] = ()
    vars: Mapping[str, Any] = field(default_factory=dict)
    """Defaults for the template variables; a case's own `vars` win."""
    repeat: int | None = None


@dataclass(frozen=True, slots=True)
class EvalsConfig:
    provider: str | None = None
    concurrency: int = 8
    repeat: int = 1
    max_retries: int = 2
    backoff_seconds: float = 0.5
    providers: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Options per provider name, passed as `ProviderRequest.options`."""
    suites: Mapping[str, SuiteConfig] = field(default_factory=dict)
    judges: Mapping[str, JudgeSpec] = field(default_factory=dict)

    def suite(self, name: str) -> SuiteConfig:
        try:
            return self.suites[name]
        except KeyError:
            known = ", ".join(sorted(self.suites)) or "none"
            raise ConfigError(
                f"{_WHERE}: unknown suite {name!r} (suites: {known})",
                hint="declare it as [evals.suites.<name>] in llmops.toml",
            ) from None


def load_evals(project: ProjectConfig | None) -> EvalsConfig:
    """`project.evals` validated; an empty config without a project."""
    return parse_evals(project.evals if project else {})


def parse_evals(data: Mapping[str, Any]) -> EvalsConfig:
    raw = dict(data)
    check_keys(raw, _EVALS_KEYS, _WHERE)
    providers = {
        name: dict(_table(options, f"llmops.toml: [evals.providers.{name}]"))
        for name, options in table(raw, "providers", _WHERE).items()
    }
    judges = {
        name: _judge(name, spec, f"llmops.toml: [evals.judges.{name}]")
        for name, spec in table(raw, "judges", _WHERE).items()
    }
    suites = {
        name: _suite(name, spec, judges) for name, spec in table(raw, "suites", _WHERE).items()
    }
    return EvalsConfig(
        provider=_optional_str(raw, "provider", _WHERE),
        concurrency=_positive_int(raw, "concurrency", 8, _WHERE),
        repeat=_positive_int(raw, "repeat", 1, _WHERE),
        max_retries=_int(raw, "max_retries", 2, _WHERE, minimum=0),
        backoff_seconds=_number(raw, "backoff_seconds", 0.5, _WHERE),
        providers=providers,
        suites=suites,
        judges=judges,
    )


def judge_spec(data: object, where: str, *, default_name: str | None = None) -> JudgeSpec:
    """A judge as a mapping (`type` plus options, optional `name`): the dataset form."""
    spec = _table(data, where)
    if "type" not in spec:
        raise ConfigError(f"{where}: type: expected a judge type (`contains`...), got nothing")
    name = spec.get("name", default_name or spec.get("type"))
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{where}: name: expected a string, got {name!r}")
    return _judge(name, {k: v for k, v in spec.items() if k != "name"}, where)


def _judge(name: str, data: object, where: str) -> JudgeSpec:
    spec = _table(data, where)
    kind = spec.get("type")
    if not isinstance(kind, str) or not kind:
        raise ConfigError(f"{where}: type: expected a judge type (`contains`...), got {kind!r}")
    return JudgeSpec(name=name, type=kind, options={k: v for k, v in spec.items() if k != "type"})


def _suite(name: str, data: object, judges: Mapping[str, JudgeSpec]) -> SuiteConfig:
    where = f"llmops.toml: [evals.suites.{name}]"
    spec = _table(data, where)
    check_keys(spec, _SUITE_KEYS, where)
    names = spec.get("judges", [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ConfigError(f"{where}: judges: expected a list of judge names, got {names!r}")
    chosen = []
    for judge in names:
        if judge not in judges:
            close = difflib.get_close_matches(judge, sorted(judges), n=1)
            suggestion = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(
                f"{where}: judges: unknown judge {judge!r}{suggestion}",
                hint=f"declare it as [evals.judges.{judge}] with a `type`",
            )
        chosen.append(judges[judge])
    repeat = spec.get("repeat")
    if repeat is not None:
        repeat = _positive_int(spec, "repeat", 1, where)
    return SuiteConfig(
        name=name,
        dataset=_required_str(spec, "dataset", where),
        prompt=_required_str(spec, "prompt", where),
        model=_optional_str(spec, "model", where),
        provider=_optional_str(spec, "provider", where),
        judges=tuple(chosen),
        vars=dict(_table(spec.get("vars", {}), f"{where}: vars")),
        repeat=repeat,
    )


def _table(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a table, got {type(value).__name__}")
    return value


def _required_str(data: Mapping[str, Any], key: str, where: str) -> str:
    value = _optional_str(data, key, where)
    if value is None:
        raise ConfigError(f"{where}: {key}: required (an artifact name)")
    return value


def _optional_str(data: Mapping[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is not None and (not isinstance(value, str) or not value):
        raise ConfigError(f"{where}: {key}: expected a non-empty string, got {value!r}")
    return value


def _int(data: Mapping[str, Any], key: str, default: int, where: str, *, minimum: int) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{where}: {key}: expected an integer >= {minimum}, got {value!r}")
    return value


def _positive_int(data: Mapping[str, Any], key: str, default: int, where: str) -> int:
    return _int(data, key, default, where, minimum=1)


def _number(data: Mapping[str, Any], key: str, default: float, where: str) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"{where}: {key}: expected a number >= 0, got {value!r}")
    return float(value)
