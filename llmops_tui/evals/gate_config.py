"""`[gate]` in `llmops.toml`: the rules a candidate must meet against the baseline.

    [gate]
    suite = "regression"            # the [evals] suite (or dataset) both runs use
    min_pass_rate = 0.8             # candidate's pass rate over answers; or per judge:
                                    # min_pass_rate = { exact = 0.9, "*" = 0.7 }
    alpha = 0.05                    # significance level, Holm-corrected across judges
    no_regression = "*"             # judges that must not regress significantly ("*" = all)
    required_cases = ["refund-1"]   # must pass every judge (plus cases marked required)
    max_cost_increase = 0.10        # candidate cost per case ≤ baseline × 1.10
    max_latency_increase = 0.25     # candidate p95 latency ≤ baseline × 1.25

Every key is optional; an empty `[gate]` still fails a candidate that significantly
regresses on any judge. An unknown key is refused with a did-you-mean, because a typo in a
gate rule that is silently ignored lets regressions through.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from llmops_tui.config import check_keys
from llmops_tui.errors import ConfigError

ALL_JUDGES = "*"
_KEYS = {
    "suite",
    "min_pass_rate",
    "alpha",
    "no_regression",
    "required_cases",
    "max_cost_increase",
    "max_latency_increase",
}


@dataclass(frozen=True, slots=True)
class GateConfig:
    suite: str | None = None
    """The suite (or dataset) both runs evaluate; None lets the runner pick the default."""
    min_pass_rate: Mapping[str, float] = field(default_factory=dict)
    """`""` → the overall pass rate over answers; a judge name (or `*`) → that judge's."""
    alpha: float = 0.05
    no_regression: tuple[str, ...] = (ALL_JUDGES,)
    required_cases: tuple[str, ...] = ()
    max_cost_increase: float | None = None
    """Relative: 0.1 allows the cost per case to grow by 10%."""
    max_latency_increase: float | None = None
    """Relative, on the p95 answer latency."""


def parse_gate_config(data: Mapping[str, Any], where: str = "llmops.toml: [gate]") -> GateConfig:
    """Validate the raw `[gate]` table.

    Raises:
        ConfigError: one line naming the key and what was expected.
    """
    raw = dict(data)
    check_keys(raw, _KEYS, where)
    suite = raw.get("suite")
    if suite is not None and (not isinstance(suite, str) or not suite):
        raise ConfigError(f"{where}: suite: expected a suite name, got {suite!r}")
    alpha = _number(raw, "alpha", where, 0.05)
    if alpha is None or not 0 < alpha < 1:
        raise ConfigError(f"{where}: alpha: expected a number between 0 and 1, got {alpha!r}")
    return GateConfig(
        suite=suite,
        min_pass_rate=_pass_rates(raw.get("min_pass_rate"), where),
        alpha=alpha,
        no_regression=_names(raw.get("no_regression", ALL_JUDGES), "no_regression", where),
        required_cases=_names(raw.get("required_cases", []), "required_cases", where),
        max_cost_increase=_relative(raw, "max_cost_increase", where),
        max_latency_increase=_relative(raw, "max_latency_increase", where),
    )


def _number(raw: Mapping[str, Any], key: str, where: str, default: float | None) -> float | None:
    value = raw.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where}: {key}: expected a number, got {value!r}")
    return float(value)


def _relative(raw: Mapping[str, Any], key: str, where: str) -> float | None:
    value = _number(raw, key, where, None)
    if value is not None and value < 0:
        raise ConfigError(
            f"{where}: {key}: expected a relative increase ≥ 0 (0.1 = +10%), got {value!r}"
        )
    return value


def _rate(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ConfigError(f"{where}: expected a pass rate between 0 and 1, got {value!r}")
    return float(value)


def _pass_rates(value: object, where: str) -> dict[str, float]:
    if value is None:
        return {}
    if isinstance(value, dict):
        return {
            str(judge): _rate(rate, f"{where}: min_pass_rate.{judge}")
            for judge, rate in value.items()
        }
    return {"": _rate(value, f"{where}: min_pass_rate")}


def _names(value: object, key: str, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{where}: {key}: expected a list of names, got {value!r}")
    return tuple(value)
