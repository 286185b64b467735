"""Releases: the set of artifact versions at a git ref (or the working tree).

    store.releases.save(release, *, now) -> None      idempotent: the id hashes the manifest
    store.releases.get(release_id_or_prefix) -> Release | None
        A full id or an unambiguous prefix of at least 6 characters.

Entries keep content hashes, not version numbers, so a release means the same contents
forever; numbers are looked up when it is read.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import polars as pl

from llmops_tui.domain.versions import WORKING, ArtifactKind, Release, ReleaseEntry
from llmops_tui.errors import LlmopsError

if TYPE_CHECKING:
    from llmops_tui.store import Store

MIN_PREFIX = 6

INSERT_RELEASE_SQL = """
insert into releases (release_id, ref, commit_sha, created_at)
values ($id, $ref, $commit, $now)
on conflict do nothing
"""

INSERT_ENTRIES_SQL = """
insert into release_artifacts select $id, kind, name, content_hash from new_entries
on conflict do nothing
"""

FIND_SQL = """
select release_id, ref, commit_sha from releases where starts_with(release_id, $prefix)
order by release_id limit 2
"""

ENTRIES_SQL = """
select r.kind, r.name, r.content_hash, coalesce(v.version, 0)
from release_artifacts r
left join artifact_versions v
  on v.kind = r.kind and v.name = r.name and v.content_hash = r.content_hash
where r.release_id = $id
order by r.kind, r.name
"""


class ReleaseRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    def save(self, release: Release, *, now: datetime) -> None:
        entries = pl.DataFrame(
            {
                "kind": [e.kind.value for e in release.entries],
                "name": [e.name for e in release.entries],
                "content_hash": [e.content_hash for e in release.entries],
            },
            schema={"kind": pl.String, "name": pl.String, "content_hash": pl.String},
        )
        params = {"id": release.release_id}
        with self._store.writer() as cur:
            cur.execute("begin transaction")
            try:
                cur.execute(
                    INSERT_RELEASE_SQL,
                    params | {"ref": release.ref, "commit": release.commit, "now": now},
                )
                cur.register("new_entries", entries)
                cur.execute(INSERT_ENTRIES_SQL, params)
                cur.execute("commit")
            except BaseException:
                cur.execute("rollback")
                raise
            finally:
                cur.unregister("new_entries")

    def get(self, release_id: str) -> Release | None:
        if len(release_id) < MIN_PREFIX or not self._store.exists():
            return None
        with self._store.reader() as cur:
            rows = cur.execute(FIND_SQL, {"prefix": release_id.lower()}).fetchall()
            if not rows:
                return None
            if len(rows) > 1:
                raise LlmopsError(f"release id {release_id!r} is ambiguous: give more characters")
            full, ref, commit = rows[0]
            entries = cur.execute(ENTRIES_SQL, {"id": full}).fetchall()
        return Release(
            release_id=full,
            ref=ref,
            commit=commit,
            entries=tuple(
                ReleaseEntry(ArtifactKind(k), n, h, int(number) if number else WORKING)
                for k, n, h, number in entries
            ),
        )
