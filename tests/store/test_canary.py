"""`store.canary.cohort`: a release's model calls in a window, by tag or by linked version."""

from __future__ import annotations

from datetime import datetime

import pytest

from llmops_tui.domain.canary import ScoreSource
from llmops_tui.store import Store

SINCE = datetime(2026, 11, 1, 10, 0)
UNTIL = datetime(2026, 11, 1, 11, 0)

INSERT_SPAN_SQL = """
insert into spans (trace_id, span_id, parent_span_id, start_time, duration_ms, status,
    request_model, cost_usd, release_id, environment, ingested_at)
values ($trace, $span, $parent, $start, $ms, $status, $model, $cost, $release, $env, $start)
"""

RELEASE_ARTIFACTS = [
    ("rel-a", "prompt", "support", "h1"),
    ("rel-a", "model", "chat", "m1"),
    ("rel-a", "prompt", "shared", "s1"),
    ("rel-b", "prompt", "support", "h2"),
    ("rel-b", "model", "chat", "m1"),
    ("rel-b", "prompt", "shared", "s1"),
]


def _span(
    cur: object,
    trace: str,
    span: str,
    *,
    ms: float = 100.0,
    status: str = "ok",
    release: str | None = None,
    model: str | None = "gpt-x",
    cost: float | None = 0.001,
    env: str = "production",
    start: datetime = datetime(2026, 11, 1, 10, 30),
    parent: str | None = None,
    link: str | None = None,
) -> None:
    params = {
        "trace": trace,
        "span": span,
        "parent": parent,
        "start": start,
        "ms": ms,
        "status": status,
        "model": model,
        "cost": cost,
        "release": release,
        "env": env,
    }
    cur.execute(INSERT_SPAN_SQL, params)  # type: ignore[attr-defined]
    if link is not None:
        name, content_hash = link.split("@")
        cur.execute(  # type: ignore[attr-defined]
            "insert into span_links values ($trace, $span, 'prompt', $name, $hash, 'attribute')",
            {"trace": trace, "span": span, "name": name, "hash": content_hash},
        )


@pytest.fixture
def two_releases(store: Store) -> Store:
    with store.writer() as cur:
        cur.executemany("insert into release_artifacts values (?, ?, ?, ?)", RELEASE_ARTIFACTS)
        # rel-a by its tag: three calls (one failed) under one root, plus spans that don't count.
        _span(cur, "t1", "root", model=None, cost=None, release="rel-a")  # not a model call
        _span(cur, "t1", "a1", ms=100, release="rel-a", parent="root")
        _span(cur, "t1", "a2", ms=300, status="error", release="rel-a", parent="root", cost=None)
        _span(cur, "t2", "a3", ms=200, release="rel-a", cost=0.003, link="support@h2")  # tag wins
        _span(cur, "t3", "a4", ms=900, release="rel-a", start=UNTIL)  # window is [since, until)
        _span(cur, "t4", "a5", ms=900, release="rel-a", env="staging")
        # rel-a by a link to its own prompt version, no tag.
        _span(cur, "t5", "a6", ms=400, link="support@h1")
        # rel-b by links only.
        _span(cur, "t6", "b1", ms=1000, cost=0.002, link="support@h2")
        _span(cur, "t7", "b2", ms=3000, status="error", cost=0.004, link="support@h2")
        # Linked to a version both releases run: it says nothing about which one served it.
        _span(cur, "t8", "s1", ms=50, link="shared@s1")
        # Feedback: users on rel-a's root span, a judge on a rel-b call, one without a score.
        for trace, span, name, score in [
            ("t1", "root", "user_thumbs", 1.0),
            ("t5", "a6", "user_thumbs", 0.0),
            ("t6", "b1", "relevance", 0.5),
            ("t7", "b2", "relevance", 0.75),
            ("t7", "b2", "tone", None),
        ]:
            cur.execute(
                "insert into feedback (trace_id, span_id, name, created_at, score, source) "
                "values ($trace, $span, $name, $at, $score, 'event')",
                {"trace": trace, "span": span, "name": name, "at": SINCE, "score": score},
            )
    return store


def test_a_cohort_counts_tagged_and_linked_model_calls_in_the_window(two_releases: Store) -> None:
    a = two_releases.canary.cohort(
        "rel-a", since=SINCE, until=UNTIL, environment="production", versus="rel-b"
    )
    assert (a.release_id, a.requests, a.errors) == ("rel-a", 4, 1)
    assert sorted(a.latency_sample_ms) == [100.0, 200.0, 300.0, 400.0]
    assert a.latency_p50_ms == 250.0
    assert a.priced_requests == 3
    assert a.cost_mean_usd == pytest.approx((0.001 + 0.003 + 0.001) / 3)
    assert sorted(a.cost_sample_usd) == pytest.approx([0.001, 0.001, 0.003])
    assert a.error_rate == 0.25
    [users] = a.scores
    assert (users.name, users.source, users.count, users.mean) == ("user", ScoreSource.USER, 2, 0.5)

    b = two_releases.canary.cohort("rel-b", since=SINCE, until=UNTIL, versus="rel-a")
    assert (b.requests, b.errors, b.latency_p50_ms) == (2, 1, 2000.0)
    assert b.cost_mean_usd == pytest.approx(0.003)
    [judge] = b.scores  # `tone` has no score
    assert (judge.name, judge.source, judge.count, judge.mean) == (
        "relevance",
        ScoreSource.JUDGE,
        2,
        0.625,
    )
    assert sorted(judge.values) == [0.5, 0.75]


def test_a_shared_version_counts_only_without_the_other_release(two_releases: Store) -> None:
    alone = two_releases.canary.cohort("rel-b", since=SINCE, until=UNTIL)
    assert alone.requests == 3  # b1, b2 and the span on the shared version
    assert 50.0 in alone.latency_sample_ms


def test_without_an_environment_every_environment_counts(two_releases: Store) -> None:
    a = two_releases.canary.cohort("rel-a", since=SINCE, until=UNTIL, versus="rel-b")
    assert a.requests == 5


def test_the_sample_is_bounded_and_the_same_on_every_call(two_releases: Store) -> None:
    first, again = (
        two_releases.canary.cohort("rel-a", since=SINCE, until=UNTIL, versus="rel-b", sample_size=2)
        for _ in range(2)
    )
    assert len(first.latency_sample_ms) == 2
    assert first.latency_sample_ms == again.latency_sample_ms
    assert first.requests == 5  # counts and the p50 are over every request, not the sample
    assert first.latency_p50_ms == 300.0


def test_an_unknown_release_is_an_empty_cohort(two_releases: Store) -> None:
    none = two_releases.canary.cohort("rel-z", since=SINCE, until=UNTIL)
    assert (none.requests, none.errors, none.latency_p50_ms, none.cost_mean_usd) == (
        0,
        0,
        None,
        None,
    )
    assert none.latency_sample_ms == ()
    assert none.scores == ()
    assert none.error_rate is None
