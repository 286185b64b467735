"""A writer attaches the file with a smaller row group size (`WRITE_ROW_GROUP_SIZE`), in
DuckDB's 1.5 storage format (`WRITE_STORAGE_VERSION`) unless the file's is newer."""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import pytest

from llmops_tui.store import Store, connection
from llmops_tui.store.connection import WRITE_ROW_GROUP_SIZE

ROW_GROUPS_SQL = """
select row_group_id, max(count) from pragma_storage_info('numbers') group by all order by 1
"""


def test_a_writer_appends_row_groups_of_the_write_size_to_a_default_sized_table(
    store: Store,
) -> None:
    store.initialise()
    # Written the way an earlier llmops (or anyone's own DuckDB) writes: 122,880-row groups.
    plain = duckdb.connect(str(store.path))
    plain.execute("create table numbers as select range as n from range(130000)")
    plain.close()

    with store.writer() as cur:
        cur.execute("insert into numbers select range from range(130000, 200000)")
        assert cur.execute("select count(*), sum(n) from numbers").fetchone() == (
            200000,
            sum(range(200000)),
        )
    with store.reader() as cur:
        sizes = [count for _, count in cur.execute(ROW_GROUPS_SQL).fetchall()]
    assert sizes[:2] == [122_880, 130_000 - 122_880]  # as written, not rewritten
    assert max(sizes[2:]) == WRITE_ROW_GROUP_SIZE
    assert sum(sizes) == 200_000


def _storage_version(store: Store) -> str:
    with store.writer() as cur:
        row = cur.execute(
            "select tags['storage_version'] from duckdb_databases() "
            "where database_name = current_database()"
        ).fetchone()
    assert row is not None
    return str(row[0])


def test_a_writer_moves_an_older_file_to_the_write_format(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    plain = duckdb.connect()  # DuckDB 1.x's default for a new file is the v1.0.0 format
    plain.execute(f"attach '{path}' as old (storage_version 'v1.0.0')")
    plain.execute("create table old.numbers as select 1 as n")
    plain.close()
    store = Store(path)
    assert _storage_version(store).startswith(connection.WRITE_STORAGE_VERSION)
    with store.reader() as cur:
        assert cur.execute("select n from numbers").fetchall() == [(1,)]


def test_a_writer_keeps_the_format_of_a_file_newer_than_its_own(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a DuckDB 2.x file would be: DuckDB refuses to lower a file's format."""
    store.initialise()
    monkeypatch.setattr(connection, "WRITE_STORAGE_VERSION", "v1.0.0")
    assert _storage_version(store).startswith("v1.5.0")
    with store.writer() as cur:
        cur.execute("create table numbers as select 1 as n")


def test_a_second_store_of_the_same_process_waits_for_the_writer(store: Store) -> None:
    """A writer's file is attached in a database of its own: another connection of this
    process can't open it meanwhile, and waits as for another process's lock."""
    store.initialise()
    holding, release = threading.Event(), threading.Event()
    order: list[str] = []

    def write() -> None:
        with store.writer() as cur:
            cur.execute("create table notes (text varchar)")
            holding.set()
            release.wait(10)
            order.append("first writer done")

    writer = threading.Thread(target=write)
    writer.start()
    assert holding.wait(10)
    threading.Timer(0.3, release.set).start()
    with Store(store.path).writer() as cur:
        order.append("second writer in")
        assert cur.execute("select count(*) from notes").fetchone() == (0,)
    writer.join()
    assert order == ["first writer done", "second writer in"]
