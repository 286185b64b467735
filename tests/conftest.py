"""Shared fixtures: the real third-party files, stores in tmp_path, a small demo database."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from llmops_tui.demo.workspace import DemoWorkspace

from llmops_tui.costs import StoreRates
from llmops_tui.ingest.pipeline import Ingestor
from llmops_tui.pricing import Pricer
from llmops_tui.store import Store

REPO = Path(__file__).resolve().parents[1]
SHARED_FIXTURES = REPO.parent / "shared" / "fixtures"

DEMO_END = datetime(2026, 11, 20, 12, 0, 0, tzinfo=UTC)
"""A fixed end for the test demo, so figures are reproducible (the CLI uses now)."""
DEMO_SPANS = 12_000


@pytest.fixture(scope="session")
def shared_fixtures() -> Path:
    """`../shared/fixtures`: real files written by third-party tools (CI has them)."""
    if not SHARED_FIXTURES.is_dir():
        pytest.skip("../shared/fixtures not present (a user's clone): real-format tests skipped")
    return SHARED_FIXTURES


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "llmops.duckdb")
    s.initialise()
    return s


@pytest.fixture(scope="session")
def rates() -> StoreRates:
    return StoreRates(Pricer())


@pytest.fixture
def ingestor(store: Store, rates: StoreRates) -> Ingestor:
    return Ingestor(store, rates)


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> DemoWorkspace:
    """A small demo workspace, built, ingested and version-synced once per session."""
    from llmops_tui.demo.workspace import build_workspace

    root = tmp_path_factory.mktemp("demo") / "workspace"
    workspace = build_workspace(root, end=DEMO_END, target_spans=DEMO_SPANS)
    from llmops_tui.config import load_project
    from llmops_tui.demo import history

    project = load_project(root)
    store = Store(workspace.database)
    store.initialise()
    Ingestor(store, StoreRates(Pricer(project.price_overrides))).ingest([workspace.traces])
    # The version registry as `llmops demo` leaves it: git history, labels, linked spans.
    history.register(store, project, workspace.traffic, now=DEMO_END)
    return workspace


@pytest.fixture
def demo_store(demo_build: DemoWorkspace, tmp_path: Path) -> Store:
    """A private copy of the demo database, so a test may write to it."""
    copy = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_build.database, copy)
    return Store(copy)
