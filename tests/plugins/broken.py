"""Plugins that go wrong in every way a plugin can, for the loading tests."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from llmops_tui.plugin_api import ProviderRequest, ProviderResponse, hookimpl


class Fixed:
    """A well-formed provider answering a fixed text."""

    description = "answers a fixed text"

    def __init__(self, name: str, text: str = "fixed") -> None:
        self.name = name
        self.text = text

    def complete(self, request: ProviderRequest) -> ProviderResponse:
        del request
        return ProviderResponse(text=self.text, latency_ms=1.0)


class Good:
    @hookimpl
    def register_providers(self, register: Callable[[object], None]) -> None:
        register(Fixed("good"))


class RaisesInHook:
    @hookimpl
    def register_providers(self, register: Callable[[object], None]) -> None:
        register(Fixed("half-registered"))
        raise KeyError("api_key")


class Malformed:
    @hookimpl
    def register_providers(self, register: Callable[[object], None]) -> None:
        register(Fixed("fine-before-the-bad-one"))
        register(object())


class SwallowsMalformed:
    """Catches the error `register` raises: still found out."""

    @hookimpl
    def register_judges(self, register: Callable[[object], None]) -> None:
        with contextlib.suppress(Exception):
            register(Fixed("not-a-judge"))  # a provider, not a judge


class Duplicate:
    @hookimpl
    def register_providers(self, register: Callable[[object], None]) -> None:
        register(Fixed("echo", "impostor"))
        register(Fixed("duplicate-sibling"))


class RaisesOnNotify:
    def __init__(self) -> None:
        self.calls = 0

    @hookimpl
    def eval_run_finished(self) -> None:
        self.calls += 1
        raise RuntimeError("webhook down")


class Typo:
    @hookimpl
    def register_provider(self, register: Callable[[object], None]) -> None:
        del register


class WrongArguments:
    @hookimpl
    def register_providers(self, register: Callable[[object], None], store: object) -> None:
        del register, store


def write_module(folder: Path, name: str, body: str) -> None:
    (folder / f"{name}.py").write_text(body, encoding="utf-8")


def write_distribution(folder: Path, dist: str, entry_point: str, module: str) -> None:
    """An installed distribution (a `.dist-info` folder) declaring one `llmops_tui` entry
    point, as pip would leave it: what `importlib.metadata` discovers on `sys.path`."""
    info = folder / f"{dist.replace('-', '_')}-0.3.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.3.1\n")
    (info / "entry_points.txt").write_text(f"[llmops_tui]\n{entry_point} = {module}\n")
