"""pytest fixtures for plugin authors (and for llmops-tui's own tests), installed as the
`llmops_tui` pytest plugin (`pytest11` entry point): they are available in any test suite of a
project that has llmops-tui installed.

    def test_my_judge(load_plugins):
        plugins = load_plugins(MyPlugin())
        assert plugins.judges.get("shouting").judge(...).passed
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from llmops_tui.plugin_manager import Plugins
from llmops_tui.plugin_manager import load_plugins as _load_plugins

LoadPlugins = Callable[..., Plugins]


@pytest.fixture
def load_plugins() -> LoadPlugins:
    """Load the built-ins plus the given plugin objects, without installed entry points, so a
    test sees exactly what it registers."""

    def load(*plugins: object, entrypoints: bool = False) -> Plugins:
        extra = [(f"test-plugin-{i}", plugin) for i, plugin in enumerate(plugins)]
        return _load_plugins(load_entrypoints=entrypoints, extra=extra)

    return load
