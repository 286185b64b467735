"""Built-in providers, registered through the same hook a third-party plugin uses.

- `echo`: answers with the last user message (wiring checks, zero cost);
- `replay`: answers from recorded production spans with the same input;
- `scripted`: deterministic answers per model and prompt version at a configured quality,
  latency and token count (the demo and the tests).
"""

from __future__ import annotations

from collections.abc import Callable

from llmops_tui.builtin_plugins.providers.echo import EchoProvider
from llmops_tui.builtin_plugins.providers.replay import ReplayProvider
from llmops_tui.builtin_plugins.providers.scripted import ScriptedProvider
from llmops_tui.plugin_api import Provider, hookimpl


@hookimpl
def register_providers(register: Callable[[Provider], None]) -> None:
    register(EchoProvider())
    register(ReplayProvider())
    register(ScriptedProvider())
