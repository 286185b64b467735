"""Whether a release may go to an environment: the gate, and the order of environments.

A policy that refuses is reported with every reason at once, one line, exit code 1 (a check
failed, as with the gate). `--force --reason R` overrides it; the lifecycle then records the
deployment as forced, with the reason and what was overridden.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from llmops_tui.deploy.config import EnvironmentConfig
from llmops_tui.errors import LlmopsError
from llmops_tui.store import Store

GateLookup = Callable[[str], bool | None]
"""Release id -> whether its newest gate verdict passed (None: no verdict recorded)."""


class PolicyError(LlmopsError):
    """A deploy policy refused the release; nothing was changed."""

    exit_code = 1


@dataclass(frozen=True, slots=True)
class Violation:
    policy: str
    """`gate` or `after`."""
    message: str


def store_gate(store: Store) -> GateLookup:
    """The gate as `llmops gate` recorded it (`store.gates.latest`)."""

    def lookup(release_id: str) -> bool | None:
        record = store.gates.latest(release_id)
        return None if record is None else record.passed

    return lookup


def violations(
    store: Store, env: EnvironmentConfig, release_id: str, gate: GateLookup
) -> list[Violation]:
    found: list[Violation] = []
    if env.require_gate:
        passed = gate(release_id)
        if passed is None:
            found.append(Violation("gate", f"no gate verdict for release {release_id}"))
        elif not passed:
            found.append(Violation("gate", f"the gate failed for release {release_id}"))
    if env.after is not None and release_id not in store.deployments.stable_history(env.after):
        found.append(
            Violation("after", f"release {release_id} has not been deployed to {env.after}")
        )
    return found


def enforce(
    found: list[Violation], *, environment: str, force: bool, reason: str | None
) -> str | None:
    """Raise `PolicyError` for violations unless forced; returns what a force overrode."""
    if not found:
        return None
    summary = "; ".join(v.message for v in found)
    if force:
        if not reason:
            raise LlmopsError("--force needs --reason: say why the policy is overridden")
        return summary
    hints = []
    if any(v.policy == "gate" for v in found):
        hints.append("run `llmops gate --candidate REF --baseline LABEL`")
    hints.append("or override with --force --reason '...'")
    raise PolicyError(f"{environment}: refused: {summary}", hint=", ".join(hints))
