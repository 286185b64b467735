"""Migrations are dense, recorded with checksums, and refuse what they can't handle."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from llmops_tui.errors import MigrationError
from llmops_tui.store import Store
from llmops_tui.store.migrate import available_migrations

SNAPSHOT = Path(__file__).with_name("schema_snapshot.json")


def test_migrations_are_dense_and_unique() -> None:
    versions = [m.version for m in available_migrations()]
    assert versions == list(range(1, len(versions) + 1))
    assert len({m.name for m in available_migrations()}) == len(versions)


def test_every_migration_says_why() -> None:
    for migration in available_migrations():
        assert migration.sql.lstrip().startswith("-- Why:"), migration.name


def _schema(path: Path) -> dict[str, list[list[str]]]:
    conn = duckdb.connect(str(path), read_only=True)
    rows = conn.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "order by table_name, ordinal_position"
    ).fetchall()
    conn.close()
    schema: dict[str, list[list[str]]] = {}
    for table, column, kind in rows:
        schema.setdefault(table, []).append([column, kind])
    return schema


def test_migrate_blank_matches_expected_schema(store: Store) -> None:
    """The committed snapshot is the schema users' SQL sees; change it only deliberately."""
    store.path  # noqa: B018 - the fixture created and migrated the file
    assert _schema(store.path) == json.loads(SNAPSHOT.read_text())


def test_spans_columns_keep_the_documented_contract(store: Store) -> None:
    from llmops_tui.domain.spans import SPAN_COLUMNS

    assert [c for c, _ in _schema(store.path)["spans"]] == list(SPAN_COLUMNS)


def test_a_changed_applied_migration_is_refused(store: Store) -> None:
    with store.writer() as cur:
        cur.execute("update schema_migrations set checksum = 'edited' where version = 1")
    with pytest.raises(MigrationError, match="was changed after it was applied"):
        Store(store.path).initialise()


def test_a_newer_database_is_refused_for_reading_and_writing(store: Store) -> None:
    with store.writer() as cur:
        cur.execute("insert into schema_migrations (version, name, checksum) values (99, 'f', 'c')")
    with pytest.raises(MigrationError, match="newer than this llmops-tui knows"):
        Store(store.path, readonly=True).spans.count()
    with pytest.raises(MigrationError, match="newer than this llmops-tui knows"):
        Store(store.path).initialise()


def test_a_lingering_reader_reuses_its_connection_then_lets_go(store: Store) -> None:
    import time

    reader = Store(store.path, readonly=True, linger=0.2)
    reader.spans.count()
    first = reader._conn
    reader.spans.count()
    assert first is not None
    assert reader._conn is first  # the second query did not reopen the file
    time.sleep(0.5)
    assert reader._conn is None  # and the file was released when idle
