"""`command`: runs a configured program with the release in its environment.

The argv list is run as given, never through a shell, so a release id or a reason can't
inject anything. The program sees `LLMOPS_RELEASE`, `LLMOPS_ENVIRONMENT`, `LLMOPS_ACTION`,
`LLMOPS_TRAFFIC` and `LLMOPS_ARTIFACTS` (both JSON). A nonzero exit or a timeout fails the
deployment with the tail of its stderr. The program must be idempotent itself.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess

from llmops_tui.builtin_plugins.deploy_targets.common import (
    check_options,
    option_number,
    option_str,
    project_path,
    tail,
    traffic,
)
from llmops_tui.domain.deploy import DeployOutcome, DeployRequest
from llmops_tui.plugin_api import DeployError


class CommandTarget:
    name = "command"
    description = "runs a configured argv (no shell) with LLMOPS_RELEASE and friends set"

    def deploy(self, request: DeployRequest) -> DeployOutcome:
        check_options(request, {"argv", "timeout", "cwd"})
        argv = request.options.get("argv")
        if not isinstance(argv, list) or not argv or not all(isinstance(a, str) for a in argv):
            raise DeployError(
                f"[environments.{request.environment}] options.argv: expected a list of "
                f'strings like ["./deploy.sh", "--env", "prod"], got {argv!r}'
            )
        timeout = option_number(request, "timeout", 300)
        cwd = project_path(request, option_str(request, "cwd", "."))
        env = dict(os.environ)
        env.update(
            LLMOPS_RELEASE=request.release.release_id,
            LLMOPS_ENVIRONMENT=request.environment,
            LLMOPS_ACTION=request.action,
            LLMOPS_TRAFFIC=json.dumps(traffic(request)),
            LLMOPS_ARTIFACTS=json.dumps(dict(sorted(request.artifacts.items()))),
            LLMOPS_ACTOR=request.actor,
            LLMOPS_REASON=request.reason or "",
        )
        shown = shlex.join(argv)
        try:
            result = subprocess.run(
                argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise DeployError(f"{shown}: no exit after {timeout:g}s (killed)") from None
        except OSError as error:
            raise DeployError(f"{shown}: cannot run: {error.strerror or error}") from None
        if result.returncode != 0:
            raise DeployError(f"{shown} exited {result.returncode}: {tail(result.stderr)}")
        return DeployOutcome(f"ran {shown}")
