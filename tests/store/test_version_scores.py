"""Judge scores and user feedback per version, apart (the registry's history folds them)."""

from __future__ import annotations

from datetime import datetime

from llmops_tui.domain.versions import ArtifactKind
from llmops_tui.store import Store

SUPPORT = (ArtifactKind.PROMPT, "support")


def _hash(store: Store, version: int) -> str:
    return store.versions.text(*SUPPORT, version).version.content_hash


def test_user_feedback_per_version_matches_the_linked_traces(demo_store: Store) -> None:
    scores = demo_store.version_scores.by_version(*SUPPORT)
    with demo_store.reader() as cur:
        expected = dict(
            cur.execute(
                """
                select v.version, count(f.score)
                from (select distinct content_hash, trace_id from span_links
                      where kind = 'prompt' and name = 'support') t
                join artifact_versions v on v.kind = 'prompt' and v.name = 'support'
                    and v.content_hash = t.content_hash
                join feedback f on f.trace_id = t.trace_id and f.name like 'user%'
                group by v.version
                """
            ).fetchall()
        )
    assert expected  # the demo's users leave thumbs on every version
    for version, votes in expected.items():
        got = scores[_hash(demo_store, version)]
        assert got.feedback_count == votes
        assert got.feedback_mean is not None
        assert 0 <= got.feedback_mean <= 1
        assert got.judge_count == 0
        assert got.judge_mean is None


def test_judge_scores_are_kept_apart_and_follow_the_environment(demo_store: Store) -> None:
    with demo_store.reader() as cur:
        row = cur.execute(
            """
            select l.trace_id, s.environment from span_links l
            join spans s on s.trace_id = l.trace_id and s.span_id = l.span_id
            where l.kind = 'prompt' and l.name = 'support' and l.content_hash = $hash
            order by l.trace_id limit 1
            """,
            {"hash": _hash(demo_store, 3)},
        ).fetchone()
    assert row is not None
    trace_id, environment = row
    with demo_store.writer() as cur:
        for score, at in ((0.5, datetime(2026, 11, 1)), (1.0, datetime(2026, 11, 2))):
            cur.execute(
                "insert into feedback (trace_id, span_id, name, created_at, score, source) "
                "values ($trace, 'x', 'relevance', $at, $score, 'judge')",
                {"trace": trace_id, "at": at, "score": score},
            )
    v3 = demo_store.version_scores.by_version(*SUPPORT)[_hash(demo_store, 3)]
    assert (v3.judge_mean, v3.judge_count) == (0.75, 2)
    assert v3.feedback_count > 0  # the users' votes are still counted apart
    other = "staging" if environment != "staging" else "production"
    elsewhere = demo_store.version_scores.by_version(*SUPPORT, environment=other)
    assert (
        elsewhere.get(_hash(demo_store, 3)) is None
        or elsewhere[_hash(demo_store, 3)].judge_count == 0
    )
