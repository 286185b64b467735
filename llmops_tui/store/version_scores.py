"""Judge scores and user feedback per version of an artifact, for the Versions screen.

    store.version_scores.by_version(kind, name, *, environment=None, since=None)
        -> dict[str, VersionScores]        content hash -> scores (versions with none left out)

`store.versions.history` folds every score into one mean; the screen shows the judges' and the
users' apart, as the Overview does. Scores count per trace that carries a linked span, with the
same environment and time filters as `history`, so the two line up row by row.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from llmops_tui.domain.scores import VersionScores
from llmops_tui.domain.versions import ArtifactKind

if TYPE_CHECKING:
    from llmops_tui.store import Store

VERSION_SCORES_SQL = """
with linked as (
    select distinct l.content_hash, s.trace_id
    from span_links l join spans s on s.trace_id = l.trace_id and s.span_id = l.span_id
    where l.kind = $kind and l.name = $name
      and ($env is null or s.environment = $env)
      and ($since is null or s.start_time >= $since)
)
select t.content_hash,
    avg(f.score) filter (where not starts_with(f.name, 'user')),
    count(f.score) filter (where not starts_with(f.name, 'user')),
    avg(f.score) filter (where starts_with(f.name, 'user')),
    count(f.score) filter (where starts_with(f.name, 'user'))
from linked t join feedback f on f.trace_id = t.trace_id
group by t.content_hash
"""


class VersionScoreRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    def by_version(
        self,
        kind: ArtifactKind,
        name: str,
        *,
        environment: str | None = None,
        since: datetime | None = None,
    ) -> dict[str, VersionScores]:
        params = {"kind": kind.value, "name": name, "env": environment, "since": since}
        with self._store.reader() as cur:
            rows = cur.execute(VERSION_SCORES_SQL, params).fetchall()
        return {
            content_hash: VersionScores(judge, int(judged), user, int(users))
            for content_hash, judge, judged, user, users in rows
        }
