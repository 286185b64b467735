"""A tiny eval project in tmp_path, with fake providers and judges registered as plugins, so
these tests don't depend on the built-in ones."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest

from llmops_tui.config import ProjectConfig, load_project
from llmops_tui.plugin_api import (
    JudgeError,
    JudgeInput,
    ProviderRequest,
    ProviderResponse,
    Score,
    hookimpl,
)
from llmops_tui.plugin_manager import Plugins, load_plugins
from llmops_tui.store import Store

CASES: list[dict[str, Any]] = [
    {
        "id": "c1",
        "vars": {"name": "Ann", "question": "Where is my order?"},
        "expected": {"must": ["tracking"]},
    },
    {
        "id": "c2",
        "vars": {"name": "Bob", "question": "Refund please"},
        "expected": {"must": ["refund"]},
        "required": True,
    },
    {
        "id": "c3",
        "vars": {"name": "Cy", "question": "Reset password"},
        "expected": {"must": ["password"]},
        "tags": ["account"],
    },
    {
        "id": "c4",
        "vars": {"name": "Di", "question": "Bulk order"},
        "expected": {"must": ["bulk"]},
        "judges": [{"type": "mentions", "name": "says_bulk", "word": "bulk"}],
    },
]

TOML = """
[project]
name = "evals-test"

[pricing.models."fake-model"]
input_per_mtok = 1.0
output_per_mtok = 2.0

[evals]
provider = "fake"
concurrency = 2
max_retries = 2
backoff_seconds = 0

[evals.providers.fake]
style = "good"

[evals.suites.qa]
dataset = "qa"
prompt = "support"
model = "default"
judges = ["has_words", "short"]

[evals.judges.has_words]
type = "contains_all"
field = "must"

[evals.judges.short]
type = "max_words"
max = 30
"""


@dataclass
class FakeProvider:
    """Answers with the expected words (so judges pass), or misbehaves on request."""

    name: str = "fake"
    description: str = "test provider"
    calls: list[ProviderRequest] = field(default_factory=list)
    behaviour: Callable[[ProviderRequest, int], ProviderResponse | None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def complete(self, request: ProviderRequest) -> ProviderResponse:
        with self.lock:
            self.calls.append(request)
            attempt = sum(1 for c in self.calls if c.case_id == request.case_id)
        if self.behaviour is not None:
            answer = self.behaviour(request, attempt)
            if answer is not None:
                return answer
        words = list(request.expected.get("must", [])) if isinstance(request.expected, dict) else []
        return ProviderResponse(
            text=f"Hello, here is the {' '.join(words)} answer.",
            latency_ms=120.0,
            model="fake-model",
            input_tokens=1000,
            output_tokens=500,
        )


class ContainsAll:
    name = "contains_all"
    description = "every word of expected[field] is in the answer"

    def judge(self, item: JudgeInput) -> Score:
        words = item.case.expected.get(item.options["field"], [])
        missing = [w for w in words if w not in item.output]
        return Score(passed=not missing, value=1.0 - len(missing) / max(len(words), 1))


class MaxWords:
    name = "max_words"
    description = "at most `max` words"

    def judge(self, item: JudgeInput) -> Score:
        return Score(passed=len(item.output.split()) <= int(item.options["max"]))


class Mentions:
    name = "mentions"
    description = "the answer mentions options.word"

    def judge(self, item: JudgeInput) -> Score:
        return Score(passed=item.options["word"] in item.output)


class Rubric:
    """An LLM judge: asks the `fake` provider and parses a number out of its answer."""

    name = "rubric"
    description = "LLM-as-judge through `complete`"

    def judge(self, item: JudgeInput) -> Score:
        assert item.complete is not None
        answer = item.complete(
            "fake",
            ProviderRequest(model="fake-model", messages=(), case_id=f"judge:{item.case.case_id}"),
        )
        try:
            value = float(answer.text)
        except ValueError:
            raise JudgeError(f"can't parse a score from {answer.text!r}") from None
        return Score(passed=value >= 0.5, value=value)


class FakePlugin:
    def __init__(self, provider: FakeProvider) -> None:
        self.provider = provider

    @hookimpl
    def register_providers(self, register: Callable[[object], None]) -> None:
        register(self.provider)

    @hookimpl
    def register_judges(self, register: Callable[[object], None]) -> None:
        for judge in (ContainsAll(), MaxWords(), Mentions(), Rubric()):
            register(judge)


def write_project(root: Path, *, toml: str = TOML, cases: list[dict[str, Any]] = CASES) -> None:
    (root / "prompts").mkdir(parents=True, exist_ok=True)
    (root / "models").mkdir(exist_ok=True)
    (root / "datasets").mkdir(exist_ok=True)
    (root / "llmops.toml").write_text(toml, encoding="utf-8")
    (root / "prompts" / "support.md").write_text(
        "You are a support bot talking to {{ name }}.\n", encoding="utf-8"
    )
    (root / "models" / "default.yaml").write_text(
        "provider: fake\nmodel: fake-model\ntemperature: 0.2\n", encoding="utf-8"
    )
    (root / "datasets" / "qa.jsonl").write_text(
        "\n".join(orjson.dumps(c).decode() for c in cases) + "\n", encoding="utf-8"
    )


@dataclass
class EvalEnv:
    root: Path
    project: ProjectConfig
    store: Store
    provider: FakeProvider
    plugins: Plugins


@pytest.fixture
def provider() -> FakeProvider:
    return FakeProvider()


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty database with every migration applied, made once and copied per test."""
    path = tmp_path_factory.mktemp("evals-db") / "llmops.duckdb"
    Store(path).initialise()
    return path


@pytest.fixture
def env(tmp_path: Path, provider: FakeProvider, migrated_db: Path) -> EvalEnv:
    root = tmp_path / "project"
    write_project(root)
    project = load_project(root)
    (root / ".llmops").mkdir()
    shutil.copyfile(migrated_db, root / ".llmops" / "llmops.duckdb")
    store = Store(root / ".llmops" / "llmops.duckdb")
    plugins = load_plugins(load_entrypoints=False, extra=[("fake", FakePlugin(provider))])
    return EvalEnv(root, project, store, provider, plugins)
