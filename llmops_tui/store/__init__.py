"""The only code that talks to DuckDB.

`Store` opens the database file for one unit of work at a time (DESIGN §3 lock discipline):
`reader()` and `writer()` hand out a cursor and close the file when the last user is done, so
a `llmops watch` process, the cockpit and a CI job can take turns on the same file. Within a
process, threads share one connection through per-thread cursors (DuckDB's rule) and writes
are serialised by a lock. A store made with `shared_reads` (the cockpit) reads through
read-only connections, which other reading processes can share, and opens the file for writing
only for one write (a label move) once this process's readers have let go: DuckDB refuses a
read-write and a read-only connection to one file in the same process. Repositories hang off
the store: `store.spans`, `store.sources`, `store.metrics`, `store.overview`, `store.traces`,
and the version registry's `store.versions`, `store.labels`, `store.releases`, `store.links`
the Versions screen's `store.version_scores`, `store.evals` (eval runs and results), the
Evals screen's `store.eval_summaries` (one line of figures per run), `store.gates` (gate
verdicts), `store.recordings` (recorded answers `replay` serves),
`store.canary` (canary cohorts) and `store.deployments` (the release lifecycle's history and
canary plans) (API in their docstrings).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from llmops_tui.errors import StoreError
from llmops_tui.store.canary import CanaryRepository
from llmops_tui.store.connection import open_connection, open_cursor, writer_waiting
from llmops_tui.store.deployments import DeploymentRepository
from llmops_tui.store.eval_summaries import EvalSummaryRepository
from llmops_tui.store.evals import EvalRepository
from llmops_tui.store.gates import GateRepository
from llmops_tui.store.labels import LabelRepository
from llmops_tui.store.links import LinkRepository
from llmops_tui.store.metrics import MetricsRepository
from llmops_tui.store.migrate import available_migrations, check_compatible, migrate
from llmops_tui.store.overview import OverviewRepository
from llmops_tui.store.recordings import RecordingRepository
from llmops_tui.store.releases import ReleaseRepository
from llmops_tui.store.sources import SourceRepository
from llmops_tui.store.spans import SpanRepository
from llmops_tui.store.traces import TraceRepository
from llmops_tui.store.version_scores import VersionScoreRepository
from llmops_tui.store.versions import VersionRepository

__all__ = ["Store"]


class Store:
    """One DuckDB file, opened per unit of work."""

    def __init__(
        self,
        path: Path,
        *,
        readonly: bool = False,
        linger: float = 0.0,
        shared_reads: bool = False,
    ) -> None:
        """`linger` keeps an idle read-only connection open that many seconds, so a burst of
        queries (paging through traces) pays for opening the file once; writers never linger:
        another process may be waiting for the file. `shared_reads` opens read-only
        connections for reads even though the store may write (see the module docstring)."""
        self.path = path
        self.readonly = readonly
        self._read_only_reads = readonly or shared_reads
        self._linger = linger if self._read_only_reads else 0.0
        self._closer: threading.Timer | None = None
        self._guard = threading.RLock()
        self._idle = threading.Condition(self._guard)
        """Notified when the last user leaves: a write on a `shared_reads` store waits for it."""
        self._write_lock = threading.Lock()
        self._conn: duckdb.DuckDBPyConnection | None = None
        self._conn_read_only = False
        self._users = 0
        self._running: dict[int, list[duckdb.DuckDBPyConnection]] = {}
        """The cursors each thread is using, so a query nobody waits for can be stopped."""
        self._schema_checked = False
        self._migrated = False
        self.spans = SpanRepository(self)
        self.sources = SourceRepository(self)
        self.metrics = MetricsRepository(self)
        self.overview = OverviewRepository(self)
        self.traces = TraceRepository(self)
        self.versions = VersionRepository(self)
        self.labels = LabelRepository(self)
        self.releases = ReleaseRepository(self)
        self.evals = EvalRepository(self)
        self.gates = GateRepository(self)
        self.deployments = DeploymentRepository(self)
        self.eval_summaries = EvalSummaryRepository(self)
        self.links = LinkRepository(self)
        self.version_scores = VersionScoreRepository(self)
        self.recordings = RecordingRepository(self)
        self.canary = CanaryRepository(self)

    def exists(self) -> bool:
        return self.path.exists()

    def needs_upgrade(self) -> bool:
        """Whether the file exists with an older schema than this llmops. Only a store that
        reads through read-only connections can see that: any other upgrades as it opens."""
        if not self.exists():
            return False
        with self.reader() as cur:
            return check_compatible(cur) < len(available_migrations())

    def initialise(self) -> None:
        """Create the file if needed and bring its schema up to date."""
        with self.writer():
            pass

    @contextmanager
    def held(self) -> Iterator[None]:
        """Keep the file open across several units of work that follow each other (an eval
        run's planning reads, one batch's writes): each open costs ~40 ms. A no-op on a store
        that reads through read-only connections, whose writes wait for its readers."""
        if self._read_only_reads:
            yield
            return
        with self._connection(write=True):
            yield

    @contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor for reads; the file is released when the last user leaves."""
        with self._connection(write=False) as cur:
            yield cur

    @contextmanager
    def writer(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor for one serialised unit of write work."""
        if self.readonly:
            raise StoreError(f"{self.path}: opened read-only (--readonly); nothing was changed")
        with self._write_lock, self._connection(write=True) as cur:
            yield cur

    @contextmanager
    def _connection(self, *, write: bool) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._guard:
            if self._closer is not None:
                self._closer.cancel()
                self._closer = None
            if self._users == 0 and self._conn is not None and writer_waiting(self.path):
                self._conn.close()  # an idle reader lets a waiting writer go first
                self._conn = None
            if write and self._conn is not None and self._conn_read_only:
                # Readers here hold cursors of the read-only connection: wait for them, then
                # reopen read-write (readers arriving meanwhile share the writer's connection).
                while self._users:
                    self._idle.wait()
                if self._conn is not None and self._conn_read_only:
                    self._conn.close()
                    self._conn = None
            if self._conn is None:
                self._conn_read_only = self._read_only_reads and not write
                self._conn = self._open(read_only=self._conn_read_only)
            self._users += 1
            try:
                cursor = open_cursor(self._conn, readonly=self._conn_read_only)
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
            self._idle.notify_all()
            if self._linger > 0 and self._conn_read_only:
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

    def _open(self, *, read_only: bool) -> duckdb.DuckDBPyConnection:
        if read_only and not self.path.exists():
            raise StoreError(
                f"{self.path}: no database yet",
                hint="load traces with `llmops ingest PATH` or build the demo with `llmops demo`",
            )
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = open_connection(self.path, readonly=read_only)
        try:
            # A read-only open only checks the schema; the first read-write open (even after
            # read-only ones, as a `shared_reads` store does) brings it up to date.
            if not read_only and not self._migrated:
                migrate(conn)
                self._migrated = self._schema_checked = True
            elif not self._schema_checked:
                check_compatible(conn)
                self._schema_checked = True
        except BaseException:
            conn.close()
            raise
        return conn
