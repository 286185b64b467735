"""What every built-in target needs: the request as JSON, and typed option lookups that fail
with one line naming the environment and the option."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from llmops_tui.domain.deploy import DeployRequest
from llmops_tui.plugin_api import DeployError


def payload(request: DeployRequest) -> dict[str, Any]:
    """The request as the app (or a webhook receiver, or a command) sees it."""
    release = request.release
    return {
        "environment": request.environment,
        "action": request.action,
        "release": release.release_id,
        "ref": release.ref,
        "commit": release.commit,
        "artifacts": dict(sorted(request.artifacts.items())),
        "traffic": traffic(request),
        "actor": request.actor,
        "reason": request.reason,
    }


def traffic(request: DeployRequest) -> list[dict[str, Any]]:
    return [{"release": s.release_id, "percent": s.percent} for s in request.traffic]


def _where(request: DeployRequest, key: str) -> str:
    return f"[environments.{request.environment}] options.{key}"


def option_str(request: DeployRequest, key: str, default: str | None = None) -> str:
    value = request.options.get(key, default)
    if not isinstance(value, str) or not value:
        if value is None:
            raise DeployError(f"{_where(request, key)}: required (a string)")
        raise DeployError(f"{_where(request, key)}: expected a string, got {value!r}")
    return value


def option_number(request: DeployRequest, key: str, default: float) -> float:
    value = request.options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise DeployError(f"{_where(request, key)}: expected a non-negative number, got {value!r}")
    return float(value)


def check_options(request: DeployRequest, allowed: set[str]) -> None:
    unknown = sorted(set(request.options) - allowed)
    if unknown:
        known = ", ".join(sorted(allowed))
        raise DeployError(
            f"[environments.{request.environment}] options: unknown {unknown[0]!r} "
            f"(this target takes {known})"
        )


def project_path(request: DeployRequest, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else request.project_root / path


def tail(text: str, lines: int = 3) -> str:
    """The last lines of a command's or server's output, on one line."""
    kept = [line.strip() for line in text.strip().splitlines() if line.strip()][-lines:]
    return " | ".join(kept)[-400:] or "(no output)"
