"""The only code that talks to DuckDB.

`Store` opens the database file for one unit of work at a time (DESIGN §3 lock discipline):
`reader()` and `writer()` hand out a cursor and close the file when the last user is done, so
a `llmops watch` process, the cockpit and a CI job can take turns on the same file. Within a
process, threads share one connection through per-thread cursors (DuckDB's rule) and writes
are serialised by a lock. Repositories hang off the store: `store.spans`, `store.sources`,
`store.metrics`, `store.overview`, `store.traces`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from llmops_tui.errors import StoreError
from llmops_tui.store.connection import open_connection, writer_waiting
from llmops_tui.store.metrics import MetricsRepository
from llmops_tui.store.migrate import check_compatible, migrate
from llmops_tui.store.overview import OverviewRepository
from llmops_tui.store.sources import SourceRepository
from llmops_tui.store.spans import SpanRepository
from llmops_tui.store.traces import TraceRepository

__all__ = ["Store"]


class Store:
    """One DuckDB file, opened per unit of work."""

    def __init__(self, path: Path, *, readonly: bool = False, linger: float = 0.0) -> None:
        """`linger` keeps an idle read-only connection open that many seconds, so a burst of
        queries (paging through traces) pays for opening the file once; writers never linger:
        another process may be waiting for the file."""
        self.path = path
        self.readonly = readonly
        self._linger = linger if readonly else 0.0
        self._closer: threading.Timer | None = None
        self._guard = threading.RLock()
        self._write_lock = threading.Lock()
        self._conn: duckdb.DuckDBPyConnection | None = None
        self._users = 0
        self._running: dict[int, list[duckdb.DuckDBPyConnection]] = {}
        """The cursors each thread is using, so a query nobody waits for can be stopped."""
        self._schema_checked = False
        self.spans = SpanRepository(self)
        self.sources = SourceRepository(self)
        self.metrics = MetricsRepository(self)
        self.overview = OverviewRepository(self)
        self.traces = TraceRepository(self)

    def exists(self) -> bool:
        return self.path.exists()

    def initialise(self) -> None:
        """Create the file if needed and bring its schema up to date."""
        with self.writer():
            pass

    @contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor for reads; the file is released when the last user leaves."""
        with self._connection() as cur:
            yield cur

    @contextmanager
    def writer(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor for one serialised unit of write work."""
        if self.readonly:
            raise StoreError(f"{self.path}: opened read-only (--readonly); nothing was changed")
        with self._write_lock, self._connection() as cur:
            yield cur

    @contextmanager
    def _connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._guard:
            if self._closer is not None:
                self._closer.cancel()
                self._closer = None
            if self._users == 0 and self._conn is not None and writer_waiting(self.path):
                self._conn.close()  # an idle reader lets a waiting writer go first
                self._conn = None
            if self._conn is None:
                self._conn = self._open()
            self._users += 1
            try:
                cursor = self._conn.cursor()
                cursor.execute("SET TimeZone = 'UTC'")
            except BaseException:
                self._release()
                raise
            thread = threading.get_ident()
            self._running.setdefault(thread, []).append(cursor)
        try:
            yield cursor
        finally:
            with self._guard:
                self._running[thread].remove(cursor)
                if not self._running[thread]:
                    del self._running[thread]
                cursor.close()
                self._release()

    def interrupt(self, threads: Iterable[int]) -> None:
        """Stop the queries these threads are running (each fails with an interrupt error):
        for work whose result nobody waits for any more, such as a screen's stale refresh."""
        with self._guard:
            for thread in threads:
                for cursor in self._running.get(thread, ()):
                    cursor.interrupt()

    def _release(self) -> None:
        self._users -= 1
        if self._users == 0 and self._conn is not None:
            if self._linger > 0:
                self._closer = threading.Timer(self._linger, self._close_idle)
                self._closer.daemon = True
                self._closer.start()
            else:
                self._conn.close()
                self._conn = None

    def _close_idle(self) -> None:
        with self._guard:
            if self._users == 0 and self._conn is not None:
                self._conn.close()
                self._conn = None

    def _open(self) -> duckdb.DuckDBPyConnection:
        if self.readonly and not self.path.exists():
            raise StoreError(
                f"{self.path}: no database yet",
                hint="load traces with `llmops ingest PATH` or build the demo with `llmops demo`",
            )
        if not self.readonly:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = open_connection(self.path, readonly=self.readonly)
        try:
            if not self._schema_checked:
                if self.readonly:
                    check_compatible(conn)
                else:
                    migrate(conn)
                self._schema_checked = True
        except BaseException:
            conn.close()
            raise
        return conn
