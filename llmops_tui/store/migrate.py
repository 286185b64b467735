"""Forward-only, numbered schema migrations.

Files are `migrations/NNNN_<slug>.sql`, dense from 0001, loaded with importlib.resources.
Each applies in its own transaction and is recorded with a checksum in `schema_migrations`.
An applied file whose checksum changed, or a database newer than this code, is refused:
a newer file opened by an older llmops fails with a clear message instead of being damaged.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources

import duckdb

from llmops_tui.errors import MigrationError

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

CREATE_MIGRATIONS_TABLE_SQL = """
create table if not exists schema_migrations (
    version    integer primary key,
    name       varchar not null,
    checksum   varchar not null,
    applied_at timestamp not null default current_timestamp
)
"""

APPLIED_SQL = "select version, name, checksum from schema_migrations order by version"

RECORD_SQL = "insert into schema_migrations (version, name, checksum) values (?, ?, ?)"

HAS_TABLE_SQL = """
select count(*) from information_schema.tables where table_name = 'schema_migrations'
"""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def available_migrations() -> list[Migration]:
    folder = resources.files("llmops_tui.store") / "migrations"
    found: list[Migration] = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text()))
    found.sort(key=lambda m: m.version)
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise MigrationError(
                f"migrations are not dense: expected {expected:04d}, found "
                f"{migration.version:04d}_{migration.name}.sql"
            )
    return found


def schema_version(conn: duckdb.DuckDBPyConnection) -> int:
    """The newest applied migration, 0 for a blank database."""
    row = conn.execute(HAS_TABLE_SQL).fetchone()
    if not row or row[0] == 0:
        return 0
    applied = conn.execute(APPLIED_SQL).fetchall()
    return max((version for version, _, _ in applied), default=0)


def check_compatible(conn: duckdb.DuckDBPyConnection) -> int:
    """Refuse a database written by a newer llmops; return its version."""
    known = available_migrations()
    version = schema_version(conn)
    if version > len(known):
        raise MigrationError(
            f"this database has schema version {version}, newer than this llmops-tui knows "
            f"({len(known)}); upgrade llmops-tui to open it"
        )
    return version


def migrate(conn: duckdb.DuckDBPyConnection) -> list[Migration]:
    """Apply every pending migration, each in its own transaction; return those applied."""
    known = available_migrations()
    check_compatible(conn)
    conn.execute(CREATE_MIGRATIONS_TABLE_SQL)
    applied = {v: (n, c) for v, n, c in conn.execute(APPLIED_SQL).fetchall()}
    for migration in known:
        if migration.version in applied:
            name, checksum = applied[migration.version]
            if checksum != migration.checksum:
                raise MigrationError(
                    f"migration {migration.version:04d}_{name}.sql was changed after it was "
                    "applied; released migrations are never edited, add a new one"
                )
    done: list[Migration] = []
    for migration in known:
        if migration.version in applied:
            continue
        conn.execute("begin transaction")
        try:
            conn.execute(migration.sql)
            conn.execute(RECORD_SQL, [migration.version, migration.name, migration.checksum])
            conn.execute("commit")
        except Exception:
            conn.execute("rollback")
            raise
        done.append(migration)
    return done
