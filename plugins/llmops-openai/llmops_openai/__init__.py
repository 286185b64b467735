"""llmops-tui plugin: the `openai` provider, for any OpenAI-compatible Chat Completions API.

Installed, it is found through the `llmops_tui` entry-point group (see `pyproject.toml`);
`llmops plugins` then lists it. Settings come from the suite's provider options in
`llmops.toml` (`base_url`, `api_key_env`, `timeout`, `max_retries`, `azure_api_version`,
`headers`): see README.md.
"""

from __future__ import annotations

from collections.abc import Callable

from llmops_openai.provider import OpenAIProvider
from llmops_tui.plugin_api import Provider, hookimpl

__version__ = "0.1.0"
__all__ = ["OpenAIProvider", "register_providers"]


@hookimpl
def register_providers(register: Callable[[Provider], None]) -> None:
    register(OpenAIProvider())
