"""The demo workspace's git history lines up with its traffic, and its spans link to it."""

from __future__ import annotations

from llmops_tui.demo.workspace import DemoWorkspace
from llmops_tui.domain.versions import ArtifactKind
from llmops_tui.store import Store


def test_demo_versions_labels_and_links(demo_build: DemoWorkspace, demo_store: Store) -> None:
    summaries = {a.name: a for a in demo_store.versions.artifacts()}
    assert {name: s.versions for name, s in summaries.items()} == {
        "default": 2,
        "kb": 2,
        "support": 4,
        "support_regression": 1,
        "triage": 2,
    }
    assert dict(summaries["support"].labels) == {
        "baseline": 3,
        "canary": 4,
        "production": 4,
        "staging": 4,
    }
    rows = {
        r.version.number: r for r in demo_store.versions.history(ArtifactKind.PROMPT, "support")
    }
    assert rows[2].version.message == "support: tone, refund limit and escalation rules"
    assert rows[2].version.author == "Maya Okafor"
    # Each version is committed before it first takes traffic, and its spans link to it.
    for number, row in rows.items():
        assert row.metrics.requests > 0, number
        assert row.version.committed_at is not None
        assert row.metrics.first_at is not None
        assert row.version.committed_at < row.metrics.first_at
    assert rows[4].metrics.error_rate is not None
    assert rows[3].metrics.error_rate is not None
    assert rows[4].metrics.error_rate > rows[3].metrics.error_rate  # the incident
    moves = demo_store.labels.history(kind="prompt", name="support", label="production")
    assert [(m.from_version, m.to_version) for m in moves] == [
        (None, 1),
        (1, 2),
        (2, 3),
        (3, 4),
    ]
    del demo_build
