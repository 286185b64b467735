"""`plugins/llmops-judge-example` as users get it: installed (`make install` installs it
editable), found through its `llmops_tui` entry point, and judging a case."""

from __future__ import annotations

import importlib.metadata

import pytest

from llmops_tui.plugin_api import EvalCase, JudgeInput
from llmops_tui.plugin_manager import load_plugins

DISTRIBUTION = "llmops-judge-example"


def test_the_installed_distribution_is_discovered_through_its_entry_point() -> None:
    try:
        importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - a broken install
        pytest.fail("llmops-judge-example is not installed: run `make install`")
    plugins = load_plugins(load_entrypoints=True, allowlist=[DISTRIBUTION])
    assert plugins.warnings == []
    info = next(i for i in plugins.infos if i.name == DISTRIBUTION)
    assert info.source == "entry point"
    assert info.version == "0.1.0"
    assert info.hooks == ("register_judges",)
    assert info.registered == ("judge:no_pii",)
    assert plugins.judges.owners["no_pii"] == DISTRIBUTION

    judge = plugins.judges.get("no_pii")
    case = EvalCase(case_id="sr-032", vars={}, tags=("billing", "pii"))
    leak = judge.judge(JudgeInput(case, "Your card 4111 1111 1111 1111 is updated.", {}))
    assert not leak.passed
    assert leak.reason == "leaks card '…1111'"
    clean = judge.judge(JudgeInput(case, "Go to Settings → Payment methods.", {}))
    assert clean.passed


def test_the_allowlist_can_leave_it_out() -> None:
    plugins = load_plugins(load_entrypoints=True, allowlist=[])
    assert "no_pii" not in plugins.judges.names()
    assert "contains" in plugins.judges.names()


def test_its_hookimpls_all_name_real_hooks() -> None:
    plugins = load_plugins(load_entrypoints=True, allowlist=[DISTRIBUTION])
    assert plugins.manager.get_plugin(DISTRIBUTION) is not None
    plugins.manager.check_pending()  # raises PluginValidationError for a misspelt hook
