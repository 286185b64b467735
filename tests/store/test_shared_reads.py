"""A `shared_reads` store (the cockpit's) reads through read-only connections and still writes.

DuckDB refuses a read-write and a read-only connection to one file in one process, so a write
waits for this process's readers, takes the file read-write for its unit of work, and the
next read goes back to a read-only connection.
"""

from __future__ import annotations

import threading

from llmops_tui.store import Store


def test_reads_are_read_only_and_a_write_takes_the_file_in_between(store: Store) -> None:
    cockpit = Store(store.path, shared_reads=True, linger=60)
    cockpit.spans.count()
    assert _open_mode(cockpit) == "read-only"  # and lingering
    with cockpit.writer() as cur:
        cur.execute("create table notes (text varchar)")
        cur.execute("insert into notes values ('moved a label')")
    assert _open_mode(cockpit) == "closed"  # writers never linger
    with cockpit.reader() as cur:
        assert cur.execute("select text from notes").fetchall() == [("moved a label",)]
    assert _open_mode(cockpit) == "read-only"


def _open_mode(store: Store) -> str:
    if store._conn is None:
        return "closed"
    return "read-only" if store._conn_read_only else "read-write"


def test_a_write_waits_for_a_reader_of_the_same_process(store: Store) -> None:
    cockpit = Store(store.path, shared_reads=True)
    reading, release = threading.Event(), threading.Event()
    order: list[str] = []

    def read() -> None:
        with cockpit.reader() as cur:
            cur.execute("select 1").fetchall()
            reading.set()
            release.wait(10)
            order.append("reader done")

    reader = threading.Thread(target=read)
    reader.start()
    reading.wait(10)

    def write() -> None:
        with cockpit.writer() as cur:
            order.append("writing")
            cur.execute("create table t (x int)")

    writer = threading.Thread(target=write)
    writer.start()
    writer.join(0.2)
    assert order == []  # still waiting for the reader's read-only connection
    release.set()
    reader.join(10)
    writer.join(10)
    assert order == ["reader done", "writing"]
    with cockpit.reader() as cur:
        assert cur.execute("select count(*) from t").fetchone() == (0,)
