"""pytest fixtures for plugin authors (and for llmops-tui's own tests).

Installed as the `llmops_tui` pytest plugin (a `pytest11` entry point), so they are available
in the test suite of any project that has llmops-tui installed; nothing to import. None of
them loads the installed entry points, so a test sees the built-ins plus exactly what it
registers, whatever else happens to be installed.

`plugin_manager`
    A fresh `pluggy.PluginManager` with the hookspecs and the built-ins, no entry points::

        def test_hooks(plugin_manager):
            plugin_manager.register(my_plugin, name="mine")
            plugin_manager.check_pending()  # every @hookimpl names a real hook

`register_plugin`
    `register_plugin(obj, name=None) -> str` registers a throwaway plugin object (a class, an
    instance or a module) on `plugin_manager` and in what `load_plugins` loads; it is
    unregistered after the test::

        def test_with_plugin(register_plugin, load_plugins):
            register_plugin(MyPlugin(), name="mine")
            assert "shouting" in load_plugins().judges.names()

`load_plugins`
    `load_plugins(*plugins, entrypoints=False) -> Plugins`: the built-ins, what
    `register_plugin` registered and `plugins`, loaded as llmops loads them (broken plugins
    become `Plugins.warnings`)::

        def test_my_judge(load_plugins, judge_input):
            judge = load_plugins(my_plugin).judges.get("shouting")
            assert judge.judge(judge_input("HELLO")).passed

`judge_input`
    `judge_input(output, *, expected=None, vars=None, options=None, case_id="case-1",
    response=None, latency_ms=None, complete=None, tags=(), required=False) -> JudgeInput`:
    what a judge receives for one answer, with sensible defaults.

`provider_request`
    `provider_request(user, *, system=None, model="test-model", options=None, params=None,
    expected=None, case_id=None, prompt_name=None, prompt_version=None, repetition=0)
    -> ProviderRequest`: one chat call, as the runner sends it to a provider.

`llmops_store`
    A migrated, empty `Store` in `tmp_path`, for plugins that read or write llmops data.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pluggy
import pytest

from llmops_tui.domain.evals import (
    ChatMessage,
    Complete,
    EvalCase,
    JudgeInput,
    ProviderRequest,
    ProviderResponse,
)
from llmops_tui.plugin_manager import Plugins, make_plugin_manager
from llmops_tui.plugin_manager import load_plugins as _load_plugins

if TYPE_CHECKING:
    from llmops_tui.store import Store

LoadPlugins = Callable[..., Plugins]


class RegisterPlugin(Protocol):
    def __call__(self, plugin: object, name: str | None = None) -> str: ...


class MakeJudgeInput(Protocol):
    def __call__(
        self,
        output: str,
        *,
        expected: Any = None,
        vars: Mapping[str, Any] | None = None,
        options: Mapping[str, Any] | None = None,
        case_id: str = "case-1",
        response: ProviderResponse | None = None,
        latency_ms: float | None = None,
        complete: Complete | None = None,
        tags: Sequence[str] = (),
        required: bool = False,
    ) -> JudgeInput: ...


class MakeProviderRequest(Protocol):
    def __call__(
        self,
        user: str,
        *,
        system: str | None = None,
        model: str = "test-model",
        options: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        expected: Any = None,
        case_id: str | None = None,
        prompt_name: str | None = None,
        prompt_version: int | None = None,
        repetition: int = 0,
    ) -> ProviderRequest: ...


@pytest.fixture
def plugin_manager() -> pluggy.PluginManager:
    """A fresh manager with the built-ins and no entry points."""
    return make_plugin_manager(load_entrypoints=False, allowlist=[])


@pytest.fixture
def _llmops_test_plugins() -> list[tuple[str, object]]:
    return []


@pytest.fixture
def register_plugin(
    plugin_manager: pluggy.PluginManager, _llmops_test_plugins: list[tuple[str, object]]
) -> Iterator[RegisterPlugin]:
    """Register throwaway plugins for one test; they are unregistered after it."""
    counter = itertools.count(1)

    def register(plugin: object, name: str | None = None) -> str:
        name = name or f"test-plugin-{next(counter)}"
        plugin_manager.register(plugin, name=name)
        _llmops_test_plugins.append((name, plugin))
        return name

    yield register
    for name, _ in reversed(_llmops_test_plugins):
        if plugin_manager.get_plugin(name) is not None:
            plugin_manager.unregister(name=name)
    _llmops_test_plugins.clear()


@pytest.fixture
def load_plugins(_llmops_test_plugins: list[tuple[str, object]]) -> LoadPlugins:
    """Load the built-ins, what `register_plugin` registered and the given plugin objects,
    without installed entry points (unless `entrypoints=True`)."""

    def load(*plugins: object, entrypoints: bool = False) -> Plugins:
        extra = [(f"test-plugin-{i}", plugin) for i, plugin in enumerate(plugins)]
        return _load_plugins(load_entrypoints=entrypoints, extra=[*_llmops_test_plugins, *extra])

    return load


@pytest.fixture
def judge_input() -> MakeJudgeInput:
    """Build the `JudgeInput` a judge receives for one answer."""

    def make(
        output: str,
        *,
        expected: Any = None,
        vars: Mapping[str, Any] | None = None,
        options: Mapping[str, Any] | None = None,
        case_id: str = "case-1",
        response: ProviderResponse | None = None,
        latency_ms: float | None = None,
        complete: Complete | None = None,
        tags: Sequence[str] = (),
        required: bool = False,
    ) -> JudgeInput:
        case = EvalCase(
            case_id=case_id,
            vars=dict(vars or {}),
            expected=expected,
            tags=tuple(tags),
            required=required,
            data={"id": case_id, "vars": dict(vars or {}), "expected": expected},
        )
        if response is None and latency_ms is not None:
            response = ProviderResponse(text=output, latency_ms=latency_ms)
        return JudgeInput(
            case=case,
            output=output,
            options=dict(options or {}),
            response=response,
            complete=complete,
        )

    return make


@pytest.fixture
def provider_request() -> MakeProviderRequest:
    """Build one chat `ProviderRequest` (an optional system message and a user message)."""

    def make(
        user: str,
        *,
        system: str | None = None,
        model: str = "test-model",
        options: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        expected: Any = None,
        case_id: str | None = None,
        prompt_name: str | None = None,
        prompt_version: int | None = None,
        repetition: int = 0,
    ) -> ProviderRequest:
        messages = [ChatMessage("system", system)] if system is not None else []
        return ProviderRequest(
            model=model,
            messages=(*messages, ChatMessage("user", user)),
            params=dict(params or {}),
            options=dict(options or {}),
            prompt_name=prompt_name,
            prompt_version=prompt_version,
            case_id=case_id,
            repetition=repetition,
            expected=expected,
        )

    return make


@pytest.fixture
def llmops_store(tmp_path: Path) -> Store:
    """A migrated, empty store in `tmp_path`."""
    from llmops_tui.store import Store

    store = Store(tmp_path / "llmops-test.duckdb")
    store.initialise()
    return store
