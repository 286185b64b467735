"""Labels on artifact versions and on releases, and the history of every move.

    store.labels.preview(kind, name, label, version) -> LabelMove
        What `move` would do (from which version to which), without writing: the Versions
        screen's confirmation shows it.
    store.labels.move(kind, name, label, version, *, by, reason=None, at=None) -> LabelMove
        Point `label` of the artifact at `version` (a committed version) and record the move.
    store.labels.move_release(label, release_id, *, by, reason=None, at=None) -> LabelMove
    store.labels.of_artifact(kind, name) -> dict[str, int]          label -> version
    store.labels.release_for(label) -> str | None                   a release label's target
    store.labels.history(*, kind=None, name=None, label=None) -> list[LabelMove]   oldest first

A move that changes nothing (the label already points there) is still recorded when it carries
a reason: "confirmed after the incident review" is part of the timeline too. `history` is
append-only; rollback and incident timelines read it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from llmops_tui.domain.versions import WORKING, ArtifactKind, LabelMove
from llmops_tui.errors import LlmopsError

if TYPE_CHECKING:
    import duckdb

    from llmops_tui.store import Store

RELEASE_KIND = "release"
"""`labels.kind` of a release label (its `name` is empty)."""

CURRENT_SQL = """
select version, release_id from labels where kind = $kind and name = $name and label = $label
"""

VERSION_EXISTS_SQL = """
select count(*) from artifact_versions where kind = $kind and name = $name and version = $version
"""

RELEASE_EXISTS_SQL = "select count(*) from releases where release_id = $release"

UPSERT_LABEL_SQL = """
insert into labels (kind, name, label, version, release_id, set_at, set_by, reason)
values ($kind, $name, $label, $version, $release, $at, $by, $reason)
on conflict (kind, name, label) do update set
    version = excluded.version, release_id = excluded.release_id, set_at = excluded.set_at,
    set_by = excluded.set_by, reason = excluded.reason
"""

RECORD_MOVE_SQL = """
insert into label_history
values ($kind, $name, $label, $from_version, $version, $from_release, $release, $at, $by, $reason)
"""

ARTIFACT_LABELS_SQL = """
select label, version from labels where kind = $kind and name = $name order by label
"""

HISTORY_SQL = """
select kind, name, label, from_version, to_version, from_release, to_release, moved_at,
    moved_by, reason
from label_history
where ($kind is null or kind = $kind) and ($name is null or name = $name)
  and ($label is null or label = $label)
order by moved_at, label
"""


class LabelRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    def preview(self, kind: ArtifactKind, name: str, label: str, version: int) -> LabelMove:
        with self._store.reader() as cur:
            return self._plan(cur, kind.value, name, label, version, None, "", None, _now(None))

    def move(
        self,
        kind: ArtifactKind,
        name: str,
        label: str,
        version: int,
        *,
        by: str,
        reason: str | None = None,
        at: datetime | None = None,
    ) -> LabelMove:
        return self._move(kind.value, name, label, version, None, by, reason, at)

    def move_release(
        self,
        label: str,
        release_id: str,
        *,
        by: str,
        reason: str | None = None,
        at: datetime | None = None,
    ) -> LabelMove:
        return self._move(RELEASE_KIND, "", label, None, release_id, by, reason, at)

    def of_artifact(self, kind: ArtifactKind, name: str) -> dict[str, int]:
        with self._store.reader() as cur:
            rows = cur.execute(ARTIFACT_LABELS_SQL, {"kind": kind.value, "name": name}).fetchall()
        return {label: int(version) for label, version in rows}

    def release_for(self, label: str) -> str | None:
        with self._store.reader() as cur:
            row = cur.execute(
                CURRENT_SQL, {"kind": RELEASE_KIND, "name": "", "label": label}
            ).fetchone()
        return row[1] if row else None

    def history(
        self, *, kind: str | None = None, name: str | None = None, label: str | None = None
    ) -> list[LabelMove]:
        with self._store.reader() as cur:
            rows = cur.execute(HISTORY_SQL, {"kind": kind, "name": name, "label": label}).fetchall()
        return [LabelMove(*row) for row in rows]

    def _move(
        self,
        kind: str,
        name: str,
        label: str,
        version: int | None,
        release: str | None,
        by: str,
        reason: str | None,
        at: datetime | None,
    ) -> LabelMove:
        with self._store.writer() as cur:
            move = self._plan(cur, kind, name, label, version, release, by, reason, _now(at))
            if not move.changed and reason is None:
                return move
            params: dict[str, Any] = {
                "kind": kind,
                "name": name,
                "label": label,
                "version": version,
                "release": release,
                "at": move.moved_at,
                "by": by,
                "reason": reason,
            }
            cur.execute("begin transaction")
            try:
                cur.execute(UPSERT_LABEL_SQL, params)
                cur.execute(
                    RECORD_MOVE_SQL,
                    {
                        **params,
                        "from_version": move.from_version,
                        "from_release": move.from_release,
                    },
                )
                cur.execute("commit")
            except BaseException:
                cur.execute("rollback")
                raise
        return move

    def _plan(
        self,
        cur: duckdb.DuckDBPyConnection,
        kind: str,
        name: str,
        label: str,
        version: int | None,
        release: str | None,
        by: str,
        reason: str | None,
        at: datetime,
    ) -> LabelMove:
        if not label or label.strip() != label or "@" in label:
            raise LlmopsError(f"{label!r}: not a valid label name (no spaces or '@')")
        if kind == RELEASE_KIND:
            row = cur.execute(RELEASE_EXISTS_SQL, {"release": release}).fetchone()
            if not row or not row[0]:
                raise LlmopsError(f"unknown release {release!r}")
        else:
            if version == WORKING:
                raise LlmopsError(
                    f"{name}@working: uncommitted edits cannot carry a label",
                    hint="commit the file, run `llmops versions sync`, then label the new version",
                )
            params = {"kind": kind, "name": name, "version": version}
            row = cur.execute(VERSION_EXISTS_SQL, params).fetchone()
            if not row or not row[0]:
                raise LlmopsError(f"unknown version {name}@v{version}")
        current = cur.execute(CURRENT_SQL, {"kind": kind, "name": name, "label": label}).fetchone()
        return LabelMove(
            kind=kind,
            name=name,
            label=label,
            from_version=current[0] if current else None,
            to_version=version,
            from_release=current[1] if current else None,
            to_release=release,
            moved_at=at,
            moved_by=by,
            reason=reason,
        )


def _now(at: datetime | None) -> datetime:
    moment = at or datetime.now(UTC)
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
