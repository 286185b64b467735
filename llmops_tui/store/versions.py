"""The version registry's tables: what the Versions screen and `llmops versions` read.

Reads (all return frozen dataclasses from `llmops_tui.domain.versions`):

    store.versions.artifacts(kind: ArtifactKind | None = None) -> list[ArtifactSummary]
        Every artifact (by kind, then name) with its version count, newest version, labels,
        whether it has uncommitted edits and whether its file was deleted.
    store.versions.history(kind, name, *, environment=None, since=None) -> list[VersionRow]
        The artifact's versions newest first (the working version, if any, on top), each with
        its labels and its own metrics from linked spans (requests, errors, p95, cost,
        feedback/judge scores), optionally for one environment and from `since` on.
    store.versions.version(kind, name, number) -> ArtifactVersion       (KeyError if unknown)
    store.versions.text(kind, name, number) -> VersionText
    store.versions.texts(kind, name, a, b) -> tuple[VersionText, VersionText]   (for a diff)
    store.versions.find(name) -> list[tuple[ArtifactKind, str]]
        Artifacts called `name` (or `kind/name`); more than one when kinds share a name.

Writes (label moves are in `store.labels`, see `store/labels.py`):

    store.versions.known() -> RegistrySnapshot                 (what a scan starts from)
    store.versions.apply(update: RegistryUpdate, *, now) -> None   (one transaction; a sync)

Numbers: version 0 is the `working` version (uncommitted content). Committed versions are
appended, never renumbered, so a label pointing at v3 keeps meaning the same text.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson
import polars as pl
import pyarrow as pa

from llmops_tui.domain.versions import (
    WORKING,
    ArtifactKind,
    ArtifactState,
    ArtifactSummary,
    ArtifactVersion,
    RegistrySnapshot,
    RegistryUpdate,
    StoredVersion,
    VersionMetrics,
    VersionRow,
    VersionText,
)

if TYPE_CHECKING:
    import duckdb

    from llmops_tui.store import Store

VERSION_COLUMNS = """kind, name, version, content_hash, path, commit_sha, author, author_email,
    committed_at, message, variables, row_count, schema, problem"""

ARTIFACTS_SQL = """
select a.kind, a.name, a.path, a.deleted_in is not null,
    count(v.version) filter (where v.version > 0),
    max(v.version) filter (where v.version > 0),
    bool_or(v.version = 0)
from artifacts a left join artifact_versions v on v.kind = a.kind and v.name = a.name
where $kind is null or a.kind = $kind
group by all
order by a.kind, a.name
"""

ARTIFACT_LABELS_SQL = """
select kind, name, label, version from labels
where kind <> 'release' and ($kind is null or kind = $kind)
order by kind, name, label
"""

VERSION_LABELS_SQL = """
select label, version from labels where kind = $kind and name = $name order by label
"""

VERSIONS_SQL = f"""
select {VERSION_COLUMNS} from artifact_versions
where kind = $kind and name = $name
order by version = 0 desc, version desc
"""

VERSION_SQL = f"""
select {VERSION_COLUMNS}, content from artifact_versions
where kind = $kind and name = $name and version = $version
"""

VERSION_METRICS_SQL = """
with linked as (
    select l.content_hash, s.trace_id, s.duration_ms, s.status, s.cost_usd, s.cost_source,
        s.start_time
    from span_links l join spans s on s.trace_id = l.trace_id and s.span_id = l.span_id
    where l.kind = $kind and l.name = $name
      and ($env is null or s.environment = $env)
      and ($since is null or s.start_time >= $since)
),
fb as (
    select t.content_hash, count(*) as n, avg(f.score) as mean
    from (select distinct content_hash, trace_id from linked) t
    join feedback f on f.trace_id = t.trace_id
    group by t.content_hash
)
select l.content_hash,
    count(*),
    count(*) filter (where l.status = 'error'),
    quantile_cont(l.duration_ms, 0.95),
    sum(l.cost_usd),
    count(*) filter (where l.cost_source = 'unpriced'),
    coalesce(any_value(fb.n), 0),
    any_value(fb.mean),
    min(l.start_time),
    max(l.start_time)
from linked l left join fb on fb.content_hash = l.content_hash
group by l.content_hash
"""

FIND_SQL = """
select kind, name from artifacts where name = $name or kind || '/' || name = $name
order by kind
"""

RENAME_SQL = (
    "update artifacts set name = $new where kind = $kind and name = $old",
    "update artifact_versions set name = $new where kind = $kind and name = $old",
    "update labels set name = $new where kind = $kind and name = $old",
    "update span_links set name = $new where kind = $kind and name = $old",
)

UPSERT_ARTIFACTS_SQL = """
insert into artifacts (kind, name, path, deleted_in, first_seen)
select kind, name, path, deleted_in, $now from new_artifacts
on conflict (kind, name) do update set path = excluded.path, deleted_in = excluded.deleted_in
"""

INSERT_VERSIONS_SQL = """
insert into artifact_versions
select kind, name, version, content_hash, content, path, commit_sha, author, author_email,
    committed_at, message, variables, row_count, schema::json, problem, match_literals
from new_versions
on conflict do nothing
"""

DELETE_WORKING_SQL = "delete from artifact_versions where version = 0"

DROP_ORPHAN_LINKS_SQL = """
delete from span_links l where not exists (
    select 1 from artifact_versions v
    where v.kind = l.kind and v.name = l.name and v.content_hash = l.content_hash
)
"""

INSERT_BLOBS_SQL = """
insert into artifact_blobs select blob, content_hash from new_blobs on conflict do nothing
"""

SET_STATE_SQL = """
insert into versions_state values ($key, $value)
on conflict (key) do update set value = excluded.value
"""

GET_STATE_SQL = "select value from versions_state where key = $key"

STATE_SQL = "select key, value from versions_state"

KNOWN_BLOBS_SQL = "select blob, content_hash from artifact_blobs"

KNOWN_VERSIONS_SQL = """
select kind, name, version, content_hash, problem from artifact_versions
order by kind, name, version
"""

KNOWN_ARTIFACTS_SQL = "select kind, name, path, deleted_in from artifacts"

_VERSION_SCHEMA: dict[str, Any] = {
    "kind": pl.String,
    "name": pl.String,
    "version": pl.Int32,
    "content_hash": pl.String,
    "content": pl.String,
    "path": pl.String,
    "commit_sha": pl.String,
    "author": pl.String,
    "author_email": pl.String,
    "committed_at": pl.Datetime("us"),
    "message": pl.String,
    "variables": pl.List(pl.String),
    "row_count": pl.Int64,
    "schema": pl.String,
    "problem": pl.String,
    "match_literals": pl.List(pl.String),
}


_ARROW_TYPES: dict[str, pa.DataType] = {
    "version": pa.int32(),
    "committed_at": pa.timestamp("us"),
    "variables": pa.list_(pa.string()),
    "row_count": pa.int64(),
    "match_literals": pa.list_(pa.string()),
}
_ARROW_TYPES.update(
    {column: pa.string() for column in _VERSION_SCHEMA if column not in _ARROW_TYPES}
)


class VersionRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    # ------------------------------------------------------------------ reads

    def artifacts(self, kind: ArtifactKind | None = None) -> list[ArtifactSummary]:
        params = {"kind": kind.value if kind else None}
        with self._store.reader() as cur:
            rows = cur.execute(ARTIFACTS_SQL, params).fetchall()
            label_rows = cur.execute(ARTIFACT_LABELS_SQL, params).fetchall()
        labels: dict[tuple[str, str], list[tuple[str, int]]] = {}
        for k, name, label, version in label_rows:
            labels.setdefault((k, name), []).append((label, int(version)))
        return [
            ArtifactSummary(
                kind=ArtifactKind(k),
                name=name,
                path=path,
                versions=int(n),
                latest=latest,
                has_working=bool(working),
                deleted=bool(deleted),
                labels=tuple(labels.get((k, name), ())),
            )
            for k, name, path, deleted, n, latest, working in rows
        ]

    def history(
        self,
        kind: ArtifactKind,
        name: str,
        *,
        environment: str | None = None,
        since: datetime | None = None,
    ) -> list[VersionRow]:
        params = {"kind": kind.value, "name": name}
        with self._store.reader() as cur:
            versions = [_version(row) for row in cur.execute(VERSIONS_SQL, params).fetchall()]
            metric_rows = cur.execute(
                VERSION_METRICS_SQL, {**params, "env": environment, "since": since}
            ).fetchall()
            label_rows = cur.execute(VERSION_LABELS_SQL, params).fetchall()
        metrics = {row[0]: _metrics(row[1:]) for row in metric_rows}
        labels: dict[int, list[str]] = {}
        for label, number in label_rows:
            labels.setdefault(int(number), []).append(label)
        return [
            VersionRow(
                version=v,
                labels=tuple(labels.get(v.number, ())),
                metrics=metrics.get(v.content_hash, _NO_METRICS),
            )
            for v in versions
        ]

    def version(self, kind: ArtifactKind, name: str, number: int) -> ArtifactVersion:
        return self.text(kind, name, number).version

    def text(self, kind: ArtifactKind, name: str, number: int) -> VersionText:
        params = {"kind": kind.value, "name": name, "version": number}
        with self._store.reader() as cur:
            row = cur.execute(VERSION_SQL, params).fetchone()
        if row is None:
            raise KeyError(f"{name}@v{number}")
        return VersionText(_version(row[:-1]), row[-1])

    def texts(
        self, kind: ArtifactKind, name: str, a: int, b: int
    ) -> tuple[VersionText, VersionText]:
        return self.text(kind, name, a), self.text(kind, name, b)

    def find(self, name: str) -> list[tuple[ArtifactKind, str]]:
        with self._store.reader() as cur:
            rows = cur.execute(FIND_SQL, {"name": name}).fetchall()
        return [(ArtifactKind(k), n) for k, n in rows]

    # ------------------------------------------------------------------ what a sync needs

    def state(self, key: str) -> str | None:
        if not self._store.exists():
            return None
        with self._store.reader() as cur:
            row = cur.execute(GET_STATE_SQL, {"key": key}).fetchone()
        return row[0] if row else None

    def known(self) -> RegistrySnapshot:
        """What a scan starts from: blobs already hashed, versions, artifacts, problems."""
        snapshot = RegistrySnapshot()
        if not self._store.exists():
            return snapshot
        with self._store.reader() as cur:
            snapshot.blobs.update(cur.execute(KNOWN_BLOBS_SQL).fetchall())
            for k, name, number, content_hash, problem in cur.execute(
                KNOWN_VERSIONS_SQL
            ).fetchall():
                kind = ArtifactKind(k)
                snapshot.versions.setdefault((kind, name), {})[content_hash] = int(number)
                if problem is not None:
                    snapshot.problems[kind, content_hash] = problem
            for k, name, path, deleted in cur.execute(KNOWN_ARTIFACTS_SQL).fetchall():
                snapshot.artifacts[ArtifactKind(k), name] = ArtifactState(
                    ArtifactKind(k), name, path, deleted
                )
            snapshot.state.update(cur.execute(STATE_SQL).fetchall())
        return snapshot

    # ------------------------------------------------------------------ writes

    def apply(self, update: RegistryUpdate, *, now: datetime) -> None:
        """Write what a sync learned in one transaction."""
        with self._store.writer() as cur:
            cur.execute("begin transaction")
            try:
                self._apply(cur, update, now)
                cur.execute("commit")
            except BaseException:
                cur.execute("rollback")
                raise

    def _apply(self, cur: duckdb.DuckDBPyConnection, update: RegistryUpdate, now: datetime) -> None:
        for kind, old, new in update.renames:
            for sql in RENAME_SQL:
                cur.execute(sql, {"kind": kind.value, "old": old, "new": new})
        if update.artifacts:
            frame = pl.DataFrame(
                {
                    "kind": [a.kind.value for a in update.artifacts],
                    "name": [a.name for a in update.artifacts],
                    "path": [a.path for a in update.artifacts],
                    "deleted_in": [a.deleted_in for a in update.artifacts],
                },
                schema={
                    "kind": pl.String,
                    "name": pl.String,
                    "path": pl.String,
                    "deleted_in": pl.String,
                },
            )
            _with_frame(cur, "new_artifacts", frame, UPSERT_ARTIFACTS_SQL, {"now": now})
        if update.working is not None:
            cur.execute(DELETE_WORKING_SQL)
        rows = list(update.versions) + list(update.working or ())
        if rows:
            _with_frame(cur, "new_versions", _versions_frame(rows), INSERT_VERSIONS_SQL)
        if update.working is not None or update.renames:
            cur.execute(DROP_ORPHAN_LINKS_SQL)
        if update.blobs:
            blobs = pl.DataFrame(
                {"blob": [b for b, _ in update.blobs], "content_hash": [h for _, h in update.blobs]}
            )
            _with_frame(cur, "new_blobs", blobs, INSERT_BLOBS_SQL)
        for key, value in update.state:
            cur.execute(SET_STATE_SQL, {"key": key, "value": value})


def _with_frame(
    cur: duckdb.DuckDBPyConnection,
    name: str,
    frame: pl.DataFrame | pa.Table,
    sql: str,
    params: dict[str, Any] | None = None,
) -> None:
    cur.register(name, frame)
    try:
        cur.execute(sql, params or {})
    finally:
        cur.unregister(name)


def _versions_frame(rows: list[StoredVersion]) -> pa.Table:
    data: dict[str, list[Any]] = {column: [] for column in _VERSION_SCHEMA}
    for row in rows:
        v = row.version
        values: dict[str, Any] = {
            "kind": v.kind.value,
            "name": v.name,
            "version": v.number,
            "content_hash": v.content_hash,
            "content": row.content,
            "path": v.path,
            "commit_sha": v.commit,
            "author": v.author,
            "author_email": v.author_email,
            "committed_at": v.committed_at,
            "message": v.message,
            "variables": list(v.variables),
            "row_count": v.row_count,
            "schema": orjson.dumps(v.schema).decode() if v.schema is not None else None,
            "problem": v.problem,
            "match_literals": list(row.match_literals) if row.match_literals is not None else None,
        }
        for column, value in values.items():
            data[column].append(value)
    # pyarrow converts Python lists several times faster than polars' constructor does.
    return pa.table(
        {column: pa.array(values, _ARROW_TYPES[column]) for column, values in data.items()}
    )


def _version(row: tuple[Any, ...]) -> ArtifactVersion:
    (
        kind,
        name,
        number,
        content_hash,
        path,
        commit,
        author,
        email,
        at,
        message,
        variables,
        row_count,
        schema,
        problem,
    ) = row
    return ArtifactVersion(
        kind=ArtifactKind(kind),
        name=name,
        number=int(number),
        content_hash=content_hash,
        path=path,
        commit=commit,
        author=author,
        author_email=email,
        committed_at=at,
        message=message,
        variables=tuple(variables or ()),
        row_count=row_count,
        schema=orjson.loads(schema) if schema is not None else None,
        problem=problem,
    )


def _metrics(row: tuple[Any, ...]) -> VersionMetrics:
    requests, errors, p95, cost, unpriced, fb_n, fb_mean, first, last = row
    return VersionMetrics(
        requests=int(requests),
        errors=int(errors),
        p95_ms=p95,
        cost_usd=cost,
        unpriced=int(unpriced),
        feedback_count=int(fb_n),
        feedback_mean=fb_mean,
        first_at=first,
        last_at=last,
    )


_NO_METRICS = VersionMetrics(0, 0, None, None, 0, 0, None, None, None)

__all__ = ["WORKING", "VersionRepository"]
