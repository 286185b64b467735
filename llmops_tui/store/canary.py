"""A release's cohort of requests in a time window, for canary analysis.

    store.canary.cohort(release_id, *, since, until, environment=None, versus=None,
                        sample_size=SAMPLE_SIZE) -> Cohort

A request is a model call, as `llmops stats` counts them (`metrics.MODEL_CALL_FILTER`): its
status, duration and cost are what a user of the release waited for and paid. A model call
belongs to the release when

1. its `release_id` column (attribute `llmops.release`, span or resource) names it, or
2. it carries no release and `span_links` ties it to one of the release's artifact versions
   (`release_artifacts`). With `versus` (the other cohort's release) only the versions the
   two releases do not share count: a span linked to a prompt version both run says nothing
   about which of them served it, so it is left out of both cohorts.

The window is `[since, until)`. Everything is aggregated in one statement: counts, the exact
p50, the mean cost, and bounded samples for the rank tests: the `sample_size` requests with
the smallest hash of their ids, so the sample is the same on every run and on every machine
(a reservoir sample would draw anew as rows arrive in another order). Judge scores and user
feedback come from the `feedback` rows of the cohort's traces; names starting with `user` are
user feedback, folded into one `user` score (as the Versions screen splits them).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from llmops_tui.domain.canary import Cohort, ScoreSample, ScoreSource
from llmops_tui.store.metrics import MODEL_CALL_FILTER

if TYPE_CHECKING:
    from llmops_tui.store import Store

SAMPLE_SIZE = 4000
"""Per cohort and metric: a Mann-Whitney test on this many values already detects shifts far
below the plan's thresholds, and the sample costs one top-N per metric, not a sort of all."""

COHORT_SQL = f"""
with own_versions as (
    select kind, name, content_hash from release_artifacts where release_id = $release
    except
    select kind, name, content_hash from release_artifacts where release_id = $versus
),
calls as (
    select trace_id, span_id, release_id, status, duration_ms, cost_usd
    from spans
    where start_time >= $since and start_time < $until
      and ($env is null or environment = $env)
      and (release_id = $release or release_id is null)
      and {MODEL_CALL_FILTER}
),
linked as (
    -- No `distinct`: the semi join below takes each call once anyway (it cost 0.7 s on 500k).
    select l.trace_id, l.span_id
    from span_links l
    join own_versions v on v.kind = l.kind and v.name = l.name and v.content_hash = l.content_hash
),
members as materialized (
    select *, hash(trace_id, span_id) as h from calls where release_id = $release
    union all
    select c.*, hash(c.trace_id, c.span_id) as h
    from calls c semi join linked l on l.trace_id = c.trace_id and l.span_id = c.span_id
    where c.release_id is null
),
scores as (
    select
        case when starts_with(f.name, 'user') then 'user' else f.name end as name,
        starts_with(f.name, 'user') as is_user,
        f.score,
        hash(f.trace_id, f.span_id, f.name, f.created_at) as h
    from feedback f
    semi join members m on m.trace_id = f.trace_id
    where f.score is not null and isfinite(f.score)
),
score_stats as (
    select name, any_value(is_user) as is_user, count(*) as n, avg(score) as mean,
        list(score order by h)[1:$n] as sample
    from scores
    group by name
)
select
    (select count(*) from members),
    (select count(*) filter (where status = 'error') from members),
    (select quantile_cont(duration_ms, 0.5) from members),
    (select count(cost_usd) from members),
    (select avg(cost_usd) from members),
    (select list(duration_ms order by h) from (
        select duration_ms, h from members where duration_ms is not null order by h limit $n)),
    (select list(cost_usd order by h) from (
        select cost_usd, h from members where cost_usd is not null order by h limit $n)),
    (select list({{'name': name, 'is_user': is_user, 'n': n, 'mean': mean, 'sample': sample}}
        order by name) from score_stats)
"""


class CanaryRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    def cohort(
        self,
        release_id: str,
        *,
        since: datetime,
        until: datetime,
        environment: str | None = None,
        versus: str | None = None,
        sample_size: int = SAMPLE_SIZE,
    ) -> Cohort:
        params = {
            "release": release_id,
            "versus": versus,
            "since": since,
            "until": until,
            "env": environment,
            "n": sample_size,
        }
        with self._store.reader() as cur:
            row = cur.execute(COHORT_SQL, params).fetchone()
        assert row is not None  # scalar subqueries: always one row
        requests, errors, p50, priced, cost_mean, latencies, costs, scores = row
        return Cohort(
            release_id=release_id,
            requests=int(requests),
            errors=int(errors),
            latency_p50_ms=p50,
            latency_sample_ms=tuple(latencies or ()),
            priced_requests=int(priced),
            cost_mean_usd=cost_mean,
            cost_sample_usd=tuple(costs or ()),
            scores=tuple(_score(item) for item in scores or ()),
        )


def _score(item: dict[str, object]) -> ScoreSample:
    source = ScoreSource.USER if item["is_user"] else ScoreSource.JUDGE
    count, mean, sample = item["n"], item["mean"], item["sample"]
    assert isinstance(count, int)
    assert isinstance(mean, float)
    assert isinstance(sample, list)
    return ScoreSample(str(item["name"]), source, count, mean, tuple(sample))
