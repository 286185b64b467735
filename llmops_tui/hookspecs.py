"""Every hook a plugin can implement: the contract between llmops-tui and its plugins.

Registration hooks take a `register` callback (as in simonw/llm): the host checks each object
as it is registered, so a malformed object or a duplicate name is reported against the plugin
that registered it. Notification hooks (`<subject>_<past participle>`) are called after the
fact from a worker thread; they must not block for long, and an exception in one is reported
and never undoes what happened. Hooks only ever gain arguments (pluggy's rule), so an
implementation that takes fewer arguments keeps working.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from llmops_tui.domain.deploy import DeployOutcome, DeployRequest
    from llmops_tui.domain.evals import EvalRun
    from llmops_tui.plugin_api import DeployTarget, Judge, Provider

hookspec = pluggy.HookspecMarker("llmops_tui")


@hookspec
def register_providers(register: Callable[[Provider], None]) -> None:
    """Called once when the plugin manager loads, to collect model providers.

    Args:
        register: call it with each `Provider` object; its `name` is what `--provider` and
            `llmops.toml` use. A second provider with a taken name is refused with a warning
            naming both plugins.
    """


@hookspec
def register_judges(register: Callable[[Judge], None]) -> None:
    """Called once when the plugin manager loads, to collect judge types.

    Args:
        register: call it with each `Judge` object; its `name` is the `type` a suite's judge
            declares (`type = "contains"`).
    """


@hookspec
def register_deploy_targets(register: Callable[[DeployTarget], None]) -> None:
    """Called once when the plugin manager loads, to collect deploy targets.

    Args:
        register: call it with each `DeployTarget` object; its `name` is the `target` an
            environment declares in `llmops.toml`.
    """


@hookspec
def eval_run_finished(run: EvalRun) -> None:
    """Called after an eval run has finished and its results are stored (from a worker
    thread; a failure here is reported and does not change the run).

    Args:
        run: the finished run; read its results with `Store.evals.results(run.run_id)`.
    """


@hookspec
def release_deployed(request: DeployRequest, outcome: DeployOutcome) -> None:
    """Called after a deploy target has applied a release and the deployment is recorded
    (deploy, canary step, promote or rollback).

    Args:
        request: what was asked: environment, release, traffic split, action, actor, reason.
        outcome: what the target reported.
    """
