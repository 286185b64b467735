"""What plugins import: `hookimpl`, the protocols of the objects they register, and the errors
those objects raise.

A plugin is a module or class with `@hookimpl` functions named after the hooks in
`llmops_tui.hookspecs`; it is found through the `llmops_tui` entry-point group or a module path
in `plugins = [...]` of `llmops.toml`. The built-in providers, judges and deploy targets are
registered through these same hooks (`llmops_tui.builtin_plugins`).

```python
from llmops_tui.plugin_api import Judge, JudgeInput, Score, hookimpl

class Shouting:
    name = "shouting"
    description = "passes when the answer is upper case"

    def judge(self, item: JudgeInput) -> Score:
        return Score(passed=item.output.isupper())

@hookimpl
def register_judges(register):
    register(Shouting())
```
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import pluggy

from llmops_tui.domain.deploy import DeployOutcome, DeployRequest
from llmops_tui.domain.evals import (
    ChatMessage,
    EvalCase,
    JudgeInput,
    ProviderRequest,
    ProviderResponse,
    Score,
)
from llmops_tui.errors import LlmopsError

__all__ = [
    "ChatMessage",
    "DeployError",
    "DeployOutcome",
    "DeployRequest",
    "DeployTarget",
    "EvalCase",
    "Judge",
    "JudgeError",
    "JudgeInput",
    "Provider",
    "ProviderError",
    "ProviderRequest",
    "ProviderResponse",
    "Score",
    "hookimpl",
]

PROJECT_NAME = "llmops_tui"
"""The pluggy project name and the entry-point group."""

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


class ProviderError(LlmopsError):
    """A model call failed. `retryable` (a timeout, 429, 5xx) lets the runner try again with
    backoff; otherwise the case is recorded with this error and the run goes on."""

    def __init__(self, message: str, *, retryable: bool = False, status: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status


class JudgeError(LlmopsError):
    """A judge could not reach a verdict (an LLM judge's answer that can't be parsed, a bad
    option). Recorded on that case × judge as an error, which counts as a failure."""


class DeployError(LlmopsError):
    """A deploy target could not apply a release; the previous release stays active."""


@runtime_checkable
class Provider(Protocol):
    """Sends one request to a model and returns its answer.

    `complete` is called from several threads at once (the runner's concurrency): keep shared
    state thread-safe. Raise `ProviderError` for a failed call, with `retryable=True` when
    trying again may help; any other exception is recorded as an error of that case too.
    """

    name: str
    """The name used in `--provider` and `llmops.toml` (`openai`, `scripted`)."""
    description: str

    def complete(self, request: ProviderRequest) -> ProviderResponse:
        """Return the model's answer, with its latency and, where known, usage and cost."""
        ...


@runtime_checkable
class Judge(Protocol):
    """Scores one answer of one case.

    Called from worker threads. Return a `Score`; raise `JudgeError` when no verdict can be
    reached (the case × judge is recorded as an error and counts as failed).
    """

    name: str
    """The judge type named in a suite (`contains`, `llm_rubric`)."""
    description: str

    def judge(self, item: JudgeInput) -> Score:
        """Return the verdict on `item.output` for `item.case` under `item.options`."""
        ...


@runtime_checkable
class DeployTarget(Protocol):
    """Makes a release active in one environment (a file the app reads, a git tag, a command,
    a webhook).

    `deploy` must be idempotent: applying the release that is already active succeeds and
    changes nothing. Raise `DeployError` on failure; the environment then keeps its previous
    release and the deployment is recorded as failed with the reason.
    """

    name: str
    """The target type named in `[environments.<env>] target = "..."`."""
    description: str

    def deploy(self, request: DeployRequest) -> DeployOutcome:
        """Apply `request` (a release and its traffic split) and say what was done."""
        ...
