"""Spans link to prompt versions by attributes of every dialect, or by their system message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from llmops_tui.costs import StoreRates
from llmops_tui.domain.versions import ArtifactKind
from llmops_tui.ingest.pipeline import Ingestor
from llmops_tui.store import Store
from llmops_tui.store import links as links_module
from llmops_tui.store.links import _alone
from tests.ingest.spans import flat_span, jsonl
from tests.versions.repo import Repo

SUPPORT_V1 = "You are Acme's assistant.\nYou are chatting with {{customer_name}} ({{plan}} plan).\n"
SUPPORT_V2 = (
    "You are Acme's assistant.\nYou are chatting with {{customer_name}} ({{plan}} plan).\n"
    "Today is {{today}}. Never promise refunds over $200.\n\nArticles:\n{{kb_articles}}\n"
)
TRIAGE = """\
name: triage
messages:
  - role: system
    content: |
      Sort the email into one queue (orders, returns, other).
      Customer: {{customer_name}}
      Reply with JSON only: {"queue": "<queue>"}
  - role: user
    content: "{{body}}"
"""


def otel_messages(system: str, user: str = "Where is my order?") -> str:
    return orjson.dumps(
        [
            {"role": "system", "parts": [{"type": "text", "content": system}]},
            {"role": "user", "parts": [{"type": "text", "content": user}]},
        ]
    ).decode()


def span(n: int, **attributes: Any) -> dict[str, Any]:
    record = flat_span(n)
    record["attributes"] = {
        k: v for k, v in record["attributes"].items() if k != "gen_ai.input.messages"
    } | attributes
    return record


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "project")
    repo.commit("support v1", {"prompts/support.md": SUPPORT_V1, "prompts/triage.yaml": TRIAGE})
    repo.commit("support v2", {"prompts/support.md": SUPPORT_V2})
    return repo


def ingest(store: Store, rates: StoreRates, folder: Path, records: list[dict[str, Any]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"spans-{len(list(folder.iterdir()))}.jsonl"
    path.write_bytes(jsonl(records))
    Ingestor(store, rates).ingest([path])


def links(store: Store) -> dict[int, tuple[str, int, str]]:
    """span number -> (artifact, version, method)."""
    by_span: dict[int, tuple[str, int, str]] = {}
    with store.reader() as cur:
        rows = cur.execute(
            "select l.span_id, l.name, v.version, l.method from span_links l join "
            "artifact_versions v using (kind, name, content_hash)"
        ).fetchall()
    ids = {flat_span(n)["span_id"]: n for n in range(100)}
    for span_id, name, version, method in rows:
        by_span[ids[span_id]] = (name, version, method)
    return by_span


RENDERED_V1 = "You are Acme's assistant.\nYou are chatting with Maya ({plan} plan)."
RENDERED_V2 = (
    "You are Acme's assistant.\nYou are chatting with {name} ({plan} plan).\n"
    "Today is Monday. Never promise refunds over $200.\n\nArticles:\n[KB-1] Returns\n[KB-2] Refunds"
)
RENDERED_TRIAGE = (
    "Sort the email into one queue (orders, returns, other).\nCustomer: Lukas\n"
    'Reply with JSON only: {"queue": "<queue>"}\n'
)


def dialect_spans() -> list[dict[str, Any]]:
    return [
        span(0, **{"llmops.prompt.name": "support", "llmops.prompt.version": "v2"}),
        span(1, **{"traceloop.prompt.key": "support", "traceloop.prompt.version": "1"}),
        span(
            2,
            **{
                "langfuse.observation.prompt.name": "support",
                "langfuse.observation.prompt.version": 2,
            },
        ),
        span(3, **{"prompt.id": "triage", "llm.prompt_template.version": "v1"}),
        # Text only: the same template with other variable values links to the same version.
        span(10, **{"gen_ai.input.messages": otel_messages(RENDERED_V1.format(plan="Free"))}),
        span(11, **{"gen_ai.input.messages": otel_messages(RENDERED_V1.format(plan="Business"))}),
        span(
            12,
            **{"gen_ai.input.messages": otel_messages(RENDERED_V2.format(name="Bo", plan="Plus"))},
        ),
        span(13, **{"gen_ai.input.messages": otel_messages(RENDERED_TRIAGE)}),
        # OpenInference flattened messages and OpenLLMetry legacy indexed prompts.
        span(
            14,
            **{
                "llm.input_messages.0.message.role": "system",
                "llm.input_messages.0.message.content": RENDERED_V2.format(name="Al", plan="Free"),
                "llm.input_messages.1.message.role": "user",
                "llm.input_messages.1.message.content": "hi",
            },
        ),
        span(
            15,
            **{
                "gen_ai.prompt.0.role": "system",
                "gen_ai.prompt.0.content": RENDERED_V1.format(plan="Plus") + "\r\n",
                "gen_ai.prompt.1.role": "user",
                "gen_ai.prompt.1.content": "hello",
            },
        ),
        # System instructions kept apart from the messages (OTel GenAI >= 1.37).
        span(
            16,
            **{
                "gen_ai.system_instructions": orjson.dumps(
                    [{"type": "text", "content": RENDERED_V1.format(plan="Free")}]
                ).decode(),
                "gen_ai.input.messages": orjson.dumps(
                    [{"role": "user", "parts": [{"type": "text", "content": "hi"}]}]
                ).decode(),
            },
        ),
        # A prompt nobody registered, and a name with an unknown version and no text.
        span(20, **{"gen_ai.input.messages": otel_messages("You are a pirate.")}),
        span(21, **{"llmops.prompt.name": "support", "llmops.prompt.version": "v9"}),
        # A tool span: not a prompt-bearing span at all.
        span(22, **{"gen_ai.operation.name": "execute_tool", "input.value": '{"order": 1}'}),
    ]


EXPECTED = {
    0: ("support", 2, "attribute"),
    1: ("support", 1, "attribute"),
    2: ("support", 2, "attribute"),
    3: ("triage", 1, "attribute"),
    10: ("support", 1, "text"),
    11: ("support", 1, "text"),
    12: ("support", 2, "text"),
    13: ("triage", 1, "text"),
    14: ("support", 2, "text"),
    15: ("support", 1, "text"),
    16: ("support", 1, "text"),
}


def test_ingest_after_sync_links_every_dialect_and_message_text(
    repo: Repo, rates: StoreRates, tmp_path: Path
) -> None:
    repo.sync()
    ingest(repo.store, rates, tmp_path / "traces", dialect_spans())
    assert links(repo.store) == EXPECTED
    assert repo.store.links.counts().by_attribute == 4


def test_sync_after_ingest_backfills_and_reports_unlinked(
    repo: Repo, rates: StoreRates, tmp_path: Path
) -> None:
    repo.store.initialise()
    ingest(repo.store, rates, tmp_path / "traces", dialect_spans())
    assert links(repo.store) == {}
    report = repo.sync()
    assert report.links is not None
    assert (report.links.by_attribute, report.links.by_text, report.links.unlinked) == (4, 7, 2)
    assert links(repo.store) == EXPECTED


def test_a_working_version_links_and_keeps_its_links_once_committed(
    repo: Repo, rates: StoreRates, tmp_path: Path
) -> None:
    draft = "You are Acme's assistant, in a new draft. Customer: {{customer_name}}.\n"
    repo.write("prompts/support.md", draft)
    repo.sync()
    rendered = "You are Acme's assistant, in a new draft. Customer: Maya."
    ingest(
        repo.store,
        rates,
        tmp_path / "t",
        [span(30, **{"gen_ai.input.messages": otel_messages(rendered)})],
    )
    assert links(repo.store) == {30: ("support", 0, "text")}
    repo.commit("support v3")
    repo.sync()
    assert links(repo.store) == {30: ("support", 3, "text")}


def test_per_version_metrics_come_from_linked_spans(
    repo: Repo, rates: StoreRates, tmp_path: Path
) -> None:
    repo.sync()
    ingest(repo.store, rates, tmp_path / "traces", dialect_spans())
    rows = {
        r.version.number: r.metrics
        for r in repo.store.versions.history(ArtifactKind.PROMPT, "support")
    }
    assert rows[2].requests == 4  # spans 0, 2, 12, 14
    assert rows[1].requests == 5  # spans 1, 10, 11, 15, 16
    assert rows[1].p95_ms == pytest.approx(850.0)
    assert rows[1].error_rate == 0


def test_the_most_literal_template_wins_and_edges_of_the_text_match(
    rates: StoreRates, tmp_path: Path
) -> None:
    repo = Repo(tmp_path / "edges")
    repo.commit(
        "edge prompts",
        {
            # Same opening: a message rendered from `specific` matches `generic` too.
            "prompts/generic.md": "You are a helpful assistant for Acme. {{rest}}\n",
            "prompts/specific.md": "You are a helpful assistant for Acme. Answer in {{lang}}.\n",
            # Opens with a variable: meets every message, so nothing skips the grouping.
            "prompts/opener.md": "{{greeting}} I am the refund bot.\n",
            # Two parts: prefix and suffix must not overlap, counted in bytes.
            "prompts/accents.md": "ééé{{x}}éé\n",
        },
    )
    repo.sync()
    rendered = {
        40: "You are a helpful assistant for Acme. Answer in French.",
        41: "You are a helpful assistant for Acme. Be brief.",
        42: "Hello Maya! I am the refund bot.\r\n",
        43: "ééé—éé",
        44: "éééé",  # starts with ééé and ends with éé only if they overlap
    }
    ingest(
        repo.store,
        rates,
        tmp_path / "t",
        [span(n, **{"gen_ai.input.messages": otel_messages(text)}) for n, text in rendered.items()],
    )
    assert links(repo.store) == {
        40: ("specific", 1, "text"),
        41: ("generic", 1, "text"),
        42: ("opener", 1, "text"),
        43: ("accents", 1, "text"),
    }


def test_a_key_is_alone_only_when_no_other_key_can_open_the_same_message() -> None:
    assert _alone(["abc", "abd", "ab", "xyz", "xyz", "q"]) == [
        False,  # "ab" opens it
        False,
        False,  # opens "abc" and "abd"
        False,  # twice
        False,
        True,
    ]
    assert _alone(["", "abc"]) == [False, False]  # a template opening with a variable
    assert _alone(["abc", "abd"]) == [True, True]


def test_a_failed_backfill_leaves_the_planner_as_it_found_it(
    repo: Repo, rates: StoreRates, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The backfill pins the anti join's build side with a global option: never for good."""
    repo.store.initialise()
    ingest(repo.store, rates, tmp_path / "traces", dialect_spans())
    monkeypatch.setattr(
        links_module, "LINK_BY_TEXT_SQL", "select error('boom' || len($key_lengths))"
    )
    with pytest.raises(Exception, match="boom"):
        repo.sync()
    with repo.store.reader() as cur:
        row = cur.execute("select current_setting('disabled_optimizers')").fetchone()
    assert row == ("",)
    assert links(repo.store) == {}  # the attribute links of the failed pass rolled back too
