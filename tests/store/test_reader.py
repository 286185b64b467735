"""Readers: a query nobody waits for any more can be stopped from another thread."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import duckdb

from llmops_tui.store import Store

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
