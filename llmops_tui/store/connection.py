"""Opening the DuckDB file, one unit of work at a time.

DuckDB lets one process write a file, or many read it, never both. The cockpit, a
`llmops watch` process and a CI job may all want the same file, so nobody holds it longer
than one unit of work (an ingest batch, one screen refresh): `open_connection` retries a
lock conflict with backoff and, when the holder doesn't let go in time, fails with one line
naming it.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import duckdb

from llmops_tui.errors import StoreError
from llmops_tui.store.sql import quote_literal

LOCK_TIMEOUT_ENV = "LLMOPS_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT_S = 30.0
_HOLDER_PID = re.compile(r"PID (\d+)")

WRITER_MARKER_FRESH_S = 1.0
"""A writer's marker older than this is left over from a writer that stopped waiting."""

READER_DEFERS_S = 3.0
"""How long a reader lets a waiting writer go first, at most (one unit of work)."""

READ_MEMORY_LIMIT = "256MB"
"""DuckDB's buffer pool for a read-only connection (the cockpit, `llmops stats`). Left alone it
takes 80% of RAM and keeps what it read cached, so paging through ten million spans grew the
cockpit past a gigabyte; every query of the cockpit runs well within this, and a bigger one
spills to a temporary file instead of failing."""

WRITE_ROW_GROUP_SIZE = 32_768
"""Rows per row group that writers append (DuckDB's default: 122,880). A load fills one row
group per core in memory before compressing and writing it, and a row group of spans with
their message text is ~2.5 KB a row: ~300 MB per core at DuckDB's default, ~80 MB at this
size. Measured on 1M flat spans (bench/RESULTS.md): peak RSS 1.5 GB instead of 2.2 GB with
a 1 GB load memory limit, ~0.9 GB with 384 MB (`LOAD_MEMORY_LIMIT`). Row groups of several
sizes live in one table (DuckDB 1.2+, checked with 1.5.0, 1.5.6 and 2.0.1), so stores written
with the default keep theirs and new rows come in the smaller ones."""

WRITE_STORAGE_VERSION = "v1.5.0"
"""The storage format writers attach the file with. DuckDB's default (v1.0.0, readable by
0.10 on) has no ZSTD for text, so a span's attributes were stored uncompressed (~2.2 KB a
span) and message text FSST-compressed; from v1.2 the long-text columns can be ZSTD
(migration 0008), which on the benchmark's spans made the file 14x smaller and the load
~30% faster, since the load was writing ~4 GB per 1M spans (bench/RESULTS.md). A file
written in an older format is moved to this one the first time a writer attaches it; it
then needs DuckDB 1.5 or later, which llmops requires anyway. A file in a newer format
(DuckDB 2.x creates its files in one) keeps it: DuckDB cannot lower a file's format. Where
DuckDB 2.x runs llmops, the files it creates are still in this one, so teammates on 1.5
can open a shared store."""

NEWER_STORAGE = "cannot be lowered"
"""What DuckDB says when a file's storage format is newer than `WRITE_STORAGE_VERSION`."""

WRITER_CATALOG = "llmops"
"""What a writer's connection calls the file: a row group size is an option of ATTACH, so a
writer attaches the file to an in-memory database under this name and makes it the default.
Readers connect to the file directly; DuckDB names it after the file (`llmops` for the
default `.llmops/llmops.duckdb`). Our SQL never names the catalog."""

USE_WRITER_CATALOG_SQL = f"USE {WRITER_CATALOG}"

NO_VACUUM_SQL = "SET max_vacuum_tasks = 0"
"""Checkpoints of our writers don't merge row groups. A load leaves a couple of part-filled
row groups (DuckDB's parallel insert ends each of its runs with one), and the checkpoint
after the next write would fold them into full ones by rewriting every row group between
them: measured after a load of 494,546 spans, 9.1 s and 1 GB more file, against 0.1 s
without. Nothing of ours deletes much (only the loader, duplicates), so there is little for
a vacuum to reclaim; a user's own CHECKPOINT in another session still does it."""


def lock_timeout() -> float:
    raw = os.environ.get(LOCK_TIMEOUT_ENV)
    if raw is None:
        return DEFAULT_LOCK_TIMEOUT_S
    try:
        return max(0.0, float(raw))
    except ValueError:
        raise StoreError(f"{LOCK_TIMEOUT_ENV}: expected seconds, got {raw!r}") from None


def open_connection(path: Path, *, readonly: bool) -> duckdb.DuckDBPyConnection:
    """Connect to `path`, waiting out another process's short unit of work.

    Readers can outnumber a writer: while one reader holds the file another can open it, so a
    busy cockpit could keep `llmops watch` out for many seconds. A writer that finds the file
    locked therefore says so in a marker file beside it (`<db>.writer-waiting`, refreshed at
    every retry), and readers defer to a fresh marker before they open the file.
    """
    if readonly:
        _defer_to_writer(path)
    deadline = time.monotonic() + lock_timeout()
    delay = 0.01
    announced = False
    try:
        while True:
            try:
                conn = _connect(path, readonly=readonly)
            except (duckdb.IOException, duckdb.BinderException) as error:
                if not _is_lock_conflict(error):
                    raise StoreError(
                        f"{path}: cannot open the database: {_first_line(error)}"
                    ) from None
                if time.monotonic() >= deadline:
                    raise StoreError(
                        f"{path}: locked by {_describe_holder(error)}; gave up after "
                        f"{lock_timeout():.0f}s (set {LOCK_TIMEOUT_ENV} to wait longer)"
                    ) from None
                if not readonly:
                    announced = _announce_writer(path) or announced
                time.sleep(delay)
                delay = min(delay * 2, 0.25)
                continue
            except duckdb.Error as error:
                raise StoreError(
                    f"{path}: cannot open the database: {_first_line(error)}"
                ) from None
            conn.execute("SET TimeZone = 'UTC'")
            if readonly:
                conn.execute(f"SET memory_limit = '{READ_MEMORY_LIMIT}'")
            else:
                conn.execute(NO_VACUUM_SQL)
            return conn
    finally:
        if announced:
            writer_marker(path).unlink(missing_ok=True)


def _connect(path: Path, *, readonly: bool) -> duckdb.DuckDBPyConnection:
    if readonly:
        return duckdb.connect(str(path), read_only=True)
    conn = duckdb.connect()
    attach = f"ATTACH {quote_literal(str(path))} AS {WRITER_CATALOG} "
    options = f"ROW_GROUP_SIZE {WRITE_ROW_GROUP_SIZE}"
    try:
        try:
            conn.execute(
                f"{attach} ({options}, STORAGE_VERSION {quote_literal(WRITE_STORAGE_VERSION)})"
            )
        except duckdb.InvalidInputException as error:
            # A file in a newer format (written by DuckDB 2.x, say) keeps its own.
            if NEWER_STORAGE not in str(error):
                raise
            conn.execute(f"{attach} ({options})")
        conn.execute(USE_WRITER_CATALOG_SQL)
    except BaseException:
        conn.close()
        raise
    return conn


def open_cursor(conn: duckdb.DuckDBPyConnection, *, readonly: bool) -> duckdb.DuckDBPyConnection:
    """A cursor of `conn` (from `open_connection`) set up as every unit of work expects: a
    cursor starts from DuckDB's defaults, not from its connection's settings."""
    cursor = conn.cursor()
    try:
        cursor.execute("SET TimeZone = 'UTC'")
        if not readonly:
            cursor.execute(USE_WRITER_CATALOG_SQL)
    except BaseException:
        cursor.close()
        raise
    return cursor


def writer_marker(path: Path) -> Path:
    return path.with_name(path.name + ".writer-waiting")


def writer_waiting(path: Path) -> bool:
    """Whether a writer announced, less than `WRITER_MARKER_FRESH_S` ago, that it waits."""
    try:
        age = time.time() - writer_marker(path).stat().st_mtime
    except OSError:
        return False
    return age < WRITER_MARKER_FRESH_S


def _announce_writer(path: Path) -> bool:
    try:
        writer_marker(path).touch()
    except OSError:
        return False  # a folder we can't write to: readers just won't defer
    return True


def _defer_to_writer(path: Path) -> None:
    """Wait, up to `READER_DEFERS_S`, while a writer waits for the file."""
    until = time.monotonic() + READER_DEFERS_S
    while writer_waiting(path) and time.monotonic() < until:
        time.sleep(0.02)


def _is_lock_conflict(error: duckdb.Error) -> bool:
    text = str(error)
    return any(sign in text for sign in ("Could not set lock", "Conflicting lock")) or (
        _IN_THIS_PROCESS in text
    )


_IN_THIS_PROCESS = "Unique file handle conflict"
"""DuckDB's words when another connection of this process has the file open for writing."""


def _describe_holder(error: duckdb.Error) -> str:
    if _IN_THIS_PROCESS in str(error):
        return "another connection of this process"
    match = _HOLDER_PID.search(str(error))
    if match is None:
        return "another process"
    pid = match.group(1)
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        cmdline = ""
    return f"PID {pid} ({cmdline})" if cmdline else f"PID {pid}"


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
