"""Store files as an earlier llmops left them, for the tests of migrations."""

from __future__ import annotations

from pathlib import Path

import duckdb

from llmops_tui.store.migrate import CREATE_MIGRATIONS_TABLE_SQL, RECORD_SQL, available_migrations


def migrated_to(path: Path, version: int) -> duckdb.DuckDBPyConnection:
    """A new file as an earlier llmops left it: DuckDB's default format, migrations up to
    `version` applied."""
    conn = duckdb.connect(str(path))
    conn.execute(CREATE_MIGRATIONS_TABLE_SQL)
    for migration in available_migrations()[:version]:
        conn.execute(migration.sql)
        conn.execute(RECORD_SQL, [migration.version, migration.name, migration.checksum])
    return conn
