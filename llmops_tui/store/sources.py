"""Checkpoints and rejects of ingested files."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from llmops_tui.store.span_load import Checkpoint

if TYPE_CHECKING:
    from llmops_tui.store import Store

GET_SOURCE_SQL = """
select path, format, size_bytes, offset_bytes, lines_consumed, fingerprint, complete
from ingest_sources where path = ?
"""

GET_SOURCES_SQL = """
select path, format, size_bytes, offset_bytes, lines_consumed, fingerprint, complete
from ingest_sources where path in (select unnest(?::varchar[]))
"""

FORGET_REJECTS_SQL = "delete from ingest_rejects where source = ?"
FORGET_SOURCE_SQL = "delete from ingest_sources where path = ?"

REJECTS_SQL = """
select source, line, reason, excerpt from ingest_rejects
order by rejected_at desc, source, line limit ?
"""


@dataclass(frozen=True, slots=True)
class StoredReject:
    source: str
    line: int
    reason: str
    excerpt: str | None


class SourceRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, path: str) -> Checkpoint | None:
        with self._store.reader() as cur:
            row = cur.execute(GET_SOURCE_SQL, [path]).fetchone()
        return Checkpoint(*row) if row else None

    def get_many(self, paths: list[str]) -> dict[str, Checkpoint]:
        """Checkpoints of many files in one query (a folder of small files)."""
        if not paths or not self._store.exists():
            return {}
        with self._store.reader() as cur:
            rows = cur.execute(GET_SOURCES_SQL, [paths]).fetchall()
        return {row[0]: Checkpoint(*row) for row in rows}

    def forget(self, path: str) -> None:
        """Drop a file's checkpoint and rejects: it was replaced and is read from the start."""
        with self._store.writer() as cur:
            cur.execute("begin transaction")
            cur.execute(FORGET_REJECTS_SQL, [path])
            cur.execute(FORGET_SOURCE_SQL, [path])
            cur.execute("commit")

    def recent_rejects(self, limit: int = 20) -> list[StoredReject]:
        with self._store.reader() as cur:
            rows = cur.execute(REJECTS_SQL, [limit]).fetchall()
        return [StoredReject(*row) for row in rows]
