"""The demo's eval setup: a candidate on HEAD, a `production` release label, two runs, and a
candidate measurably worse than production."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from llmops_tui.config import ProjectConfig, load_project
from llmops_tui.demo import evals as demo_evals
from llmops_tui.demo import history
from llmops_tui.demo.workspace import SAMPLE_PROJECT, build_workspace
from llmops_tui.evals.runner import run_eval
from llmops_tui.evals.summary import summarize
from llmops_tui.plugin_manager import load_plugins
from llmops_tui.store import Store

END = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Demo:
    project: ProjectConfig
    store: Store
    production: str


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """A small demo workspace with its history, the candidate commit and the label."""
    if shutil.which("git") is None:
        pytest.skip("the demo history needs git")
    root = tmp_path_factory.mktemp("demo-evals") / "demo"
    workspace = build_workspace(root, end=END, target_spans=1500)
    project = load_project(workspace.root)
    store = Store(workspace.database)
    store.initialise()
    history.register(store, project, workspace.traffic, now=END)
    assert demo_evals.commit_candidate(workspace.root, SAMPLE_PROJECT, at=END)
    production = demo_evals.label_production(store, project, workspace.traffic, now=END)
    return Demo(project, store, production)


def test_demo_runs_production_and_the_release_before_and_head_regresses(demo: Demo) -> None:
    store, project = demo.store, demo.project
    assert store.labels.release_for("production") == demo.production
    plugins = load_plugins(load_entrypoints=False)  # the built-in scripted provider and judges
    result = demo_evals.run_demo_evals(store, project, plugins, now=END)
    assert result.skipped is None
    (prod_run, prod), (old_run, old) = result.runs
    assert (prod_run.release_ref, prod_run.release_id, prod_run.prompt_version) == (
        "production",
        demo.production,
        4,
    )
    assert (old_run.release_ref, old_run.prompt_version) == ("v2.3.0", 3)
    assert prod.answers == old.answers == 42
    assert {j.judge for j in prod.judges} == {
        "mentions_required",
        "concise",
        "cites_article",
        "fast_enough",
        "cheap_enough",
        "helpful",
    }

    head = run_eval(store, project, plugins, release_ref="HEAD", suite="support_regression")
    assert head.prompt_version == 5
    candidate = summarize(store.evals.results(head.run_id))
    assert prod.passed_all / prod.answers >= 0.8
    assert candidate.passed_all < prod.passed_all - 5
    # The gate reuses the demo's production run instead of running it again.
    reused = run_eval(store, project, plugins, release_ref="production", reuse=True)
    assert reused.run_id == prod_run.run_id


def test_without_the_plugins_the_demo_evals_are_skipped_with_a_reason(demo: Demo) -> None:
    plugins = load_plugins(load_entrypoints=False)
    plugins.providers.objects.pop("scripted", None)
    result = demo_evals.run_demo_evals(demo.store, demo.project, plugins, now=END)
    assert result.runs == ()
    assert result.skipped is not None
    assert "scripted" in result.skipped
