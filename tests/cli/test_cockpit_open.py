"""Opening the cockpit on a database an older llmops wrote."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from llmops_tui.cli import cockpit
from llmops_tui.store import Store
from llmops_tui.store.migrate import available_migrations

ROLLUP_VERSION = 3
"""The trace roll-up's migration: the file is made as the release before it left it."""


class _App:
    """Stands in for the Textual app: these tests are about what happens before it runs."""

    def __init__(self, store: Store, **_: object) -> None:
        self.store = store

    def run(self) -> None:
        pass


@pytest.fixture
def older_file(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo database as the release before the trace roll-up left it (but for the spans
    key, which 0007 dropped: 0007 runs again on the table without it just the same)."""
    later = [m for m in available_migrations() if m.version >= ROLLUP_VERSION]
    with demo_store.writer() as cur:
        for migration in reversed(later):
            for table in re.findall(r"CREATE TABLE (\w+)", migration.sql):
                cur.execute(f"drop table if exists {table}")
        cur.execute("delete from schema_migrations where version >= ?", [ROLLUP_VERSION])
    real_import = importlib.import_module

    def import_module(name: str, package: str | None = None) -> object:
        if name == "llmops_tui.tui.app":
            return SimpleNamespace(LlmopsApp=_App)
        return real_import(name, package)

    monkeypatch.setattr(importlib, "import_module", import_module)
    return demo_store.path


def _tables(path: Path) -> tuple[int, int]:
    with Store(path, readonly=True).reader() as cur:
        row = cur.execute(
            "select (select count(*) from traces), (select count(distinct trace_id) from spans)"
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def test_the_cockpit_upgrades_an_older_file_once_before_it_opens(
    older_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert Store(older_file, readonly=True).needs_upgrade()
    cockpit.open_cockpit(older_file, None, readonly=False, watch=[])
    assert "upgrading" in capsys.readouterr().err
    assert not Store(older_file, readonly=True).needs_upgrade()
    traces, distinct = _tables(older_file)
    assert traces == distinct > 0


def test_a_readonly_cockpit_leaves_an_older_file_as_it_is(older_file: Path) -> None:
    cockpit.open_cockpit(older_file, None, readonly=True, watch=[])
    assert Store(older_file, readonly=True).needs_upgrade()
