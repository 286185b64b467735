"""Cockpit fixtures: the app on a private copy of the fixed demo database, clock frozen."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmops_tui.demo.workspace import DemoWorkspace
from llmops_tui.store import Store
from llmops_tui.tui.app import LlmopsApp
from tests.conftest import DEMO_END

FROZEN_NOW = DEMO_END.replace(tzinfo=None)


def make_app(store: Store, **options: object) -> LlmopsApp:
    return LlmopsApp(store, project="acme-support", clock=lambda: FROZEN_NOW, poll=False, **options)  # type: ignore[arg-type]


@pytest.fixture
def app(demo_store: Store) -> LlmopsApp:
    return make_app(demo_store)


@pytest.fixture
def demo_root(demo_build: DemoWorkspace) -> Path:
    return demo_build.root
