"""Readers: a query nobody waits for can be stopped; readers let a waiting writer go first."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb

from llmops_tui.store import Store
from llmops_tui.store.connection import writer_marker, writer_waiting

ENDLESS_SQL = "select count(*) from range(100000) a, range(100000) b where a.range + b.range < 0"


def test_interrupt_stops_the_queries_of_the_given_threads_only(tmp_path: Path) -> None:
    Store(tmp_path / "x.duckdb").initialise()
    reader = Store(tmp_path / "x.duckdb", readonly=True)
    outcome: dict[str, str] = {}
    started = threading.Barrier(3)

    def query(name: str, sql: str) -> None:
        with reader.reader() as cur:
            started.wait()
            try:
                outcome[name] = str(cur.execute(sql).fetchall())
            except duckdb.InterruptException:
                outcome[name] = "interrupted"

    endless = threading.Thread(target=query, args=("endless", ENDLESS_SQL))
    quick = threading.Thread(target=query, args=("quick", "select 42"))
    endless.start()
    quick.start()
    started.wait()
    time.sleep(0.2)
    assert endless.ident is not None
    reader.interrupt([endless.ident])
    endless.join(20)
    quick.join(20)
    assert outcome == {"endless": "interrupted", "quick": "[(42,)]"}
    assert reader._conn is None  # both readers left: the file was released


def test_a_reader_defers_to_a_waiting_writer_and_ignores_a_stale_marker(tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    Store(db).initialise()
    marker = writer_marker(db)
    marker.touch()
    threading.Timer(0.4, marker.unlink).start()  # the writer got in and did its work
    started = time.monotonic()
    Store(db, readonly=True).spans.count()
    assert time.monotonic() - started >= 0.35

    marker.touch()
    os.utime(marker, (time.time() - 60, time.time() - 60))  # a writer that died waiting
    started = time.monotonic()
    Store(db, readonly=True).spans.count()
    assert time.monotonic() - started < 0.3


def test_a_writer_locked_out_announces_itself_until_it_gets_in(tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    Store(db).initialise()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_READ_LOCK, str(db)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "holding"
    seen = []
    writer = threading.Thread(target=lambda: Store(db).spans.count())
    writer.start()
    while writer.is_alive():
        seen.append(writer_waiting(db))
        time.sleep(0.05)
    holder.wait(10)
    assert any(seen)
    assert not writer_marker(db).exists()


HOLD_READ_LOCK = """
import sys, time, duckdb
conn = duckdb.connect(sys.argv[1], read_only=True)
print("holding", flush=True)
time.sleep(1.0)
"""
