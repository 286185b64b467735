"""Every hook is documented, tested and implemented only under its real name (datasette's
meta-tests), and each hook does what `hookspecs.py` promises."""

from __future__ import annotations

import importlib
import inspect
import re
import tomllib
import types
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from llmops_tui import hookspecs
from llmops_tui.domain.deploy import DeployOutcome, DeployRequest
from llmops_tui.domain.evals import EvalRun, RunSource, RunStatus
from llmops_tui.domain.versions import Release
from llmops_tui.plugin_api import (
    JudgeInput,
    ProviderRequest,
    ProviderResponse,
    Score,
    hookimpl,
)
from llmops_tui.plugin_manager import load_plugins, make_plugin_manager
from llmops_tui.testing import MakeJudgeInput, MakeProviderRequest

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs" / "plugins.md"


def hook_signatures() -> dict[str, str]:
    """`name -> "name(arg, ...)"` for every hookspec."""
    marker = "llmops_tui_spec"
    return {
        name: f"{name}({', '.join(inspect.signature(fn).parameters)})"
        for name, fn in vars(hookspecs).items()
        if inspect.isfunction(fn) and hasattr(fn, marker)
    }


def test_there_are_hooks_and_fewer_than_ten() -> None:
    assert 5 <= len(hook_signatures()) < 10


def test_every_hook_is_documented() -> None:
    headings = set(re.findall(r"^#+ `?([a-z_]+\([^)]*\))`?\s*$", DOCS.read_text(), re.M))
    missing = [sig for sig in hook_signatures().values() if sig not in headings]
    assert missing == [], f"docs/plugins.md needs a heading per hook: {missing}"


def test_every_hook_has_a_test() -> None:
    sources = "\n".join(p.read_text() for p in (REPO / "tests").rglob("test_*.py"))
    missing = [name for name in hook_signatures() if f"def test_hook_{name}(" not in sources]
    assert missing == []


def test_no_unknown_hookimpls(monkeypatch: pytest.MonkeyPatch) -> None:
    """The built-ins, the installed entry points and every bundled plugin under `plugins/`
    implement only real hooks, with arguments those hooks offer."""
    manager = make_plugin_manager(load_entrypoints=True, allowlist=None)
    for pyproject in sorted(REPO.glob("plugins/*/pyproject.toml")):
        project = tomllib.loads(pyproject.read_text())["project"]
        monkeypatch.syspath_prepend(str(pyproject.parent))
        for name, module in project["entry-points"]["llmops_tui"].items():
            if manager.get_plugin(name) is None:
                manager.register(importlib.import_module(module), name=name)
    assert manager.get_plugin("openai") is not None
    manager.check_pending()


def test_docs_examples_load_cleanly() -> None:
    """Each plugin example in docs/plugins.md is a working module."""
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(), re.S)
    examples = [block for block in blocks if re.search(r"^@hookimpl", block, re.M)]
    assert len(examples) >= 6
    modules = []
    for i, code in enumerate(examples):
        module = types.ModuleType(f"docs_example_{i}")
        exec(compile(code, f"docs/plugins.md example {i}", "exec"), module.__dict__)
        modules.append((module.__name__, module))
    plugins = load_plugins(load_entrypoints=False, extra=modules)
    assert plugins.warnings == []
    assert {"shouting", "max_exclamations"} <= set(plugins.judges.names())
    assert "upper" in plugins.providers.names()
    assert "announce" in plugins.deploy_targets.names()
    assert plugins.notify("eval_run_finished", run=_run()) == []
    request, outcome = _deploy()
    assert plugins.notify("release_deployed", request=request, outcome=outcome) == []


def test_hook_register_providers(provider_request: MakeProviderRequest) -> None:
    class Reverse:
        name = "reverse"
        description = "answers backwards"

        def complete(self, request: ProviderRequest) -> ProviderResponse:
            return ProviderResponse(text=request.messages[-1].content[::-1], latency_ms=2.0)

    class Plugin:
        @hookimpl
        def register_providers(self, register: Callable[[object], None]) -> None:
            register(Reverse())

    plugins = load_plugins(load_entrypoints=False, extra=[("rev", Plugin())])

    provider = plugins.providers.get("reverse")
    assert provider.complete(provider_request("abc")).text == "cba"
    assert plugins.providers.owners["reverse"] == "rev"
    [info] = [i for i in plugins.infos if i.name == "rev"]
    assert (info.hooks, info.registered) == (("register_providers",), ("provider:reverse",))


def test_hook_register_judges(judge_input: MakeJudgeInput) -> None:
    class Short:
        name = "short"
        description = "passes answers under `limit` characters"

        def judge(self, item: JudgeInput) -> Score:
            return Score(passed=len(item.output) < item.options["limit"])

    class Plugin:
        @hookimpl
        def register_judges(self, register: Callable[[object], None]) -> None:
            register(Short())

    judge = load_plugins(load_entrypoints=False, extra=[("j", Plugin())]).judges.get("short")

    assert judge.judge(judge_input("hi", options={"limit": 5})).passed
    assert not judge.judge(judge_input("a long answer", options={"limit": 5})).passed


def test_hook_register_deploy_targets() -> None:
    applied: list[str] = []

    class Memory:
        name = "memory"
        description = "remembers the active release"

        def deploy(self, request: DeployRequest) -> DeployOutcome:
            changed = not applied or applied[-1] != request.release.release_id
            if changed:
                applied.append(request.release.release_id)
            return DeployOutcome(detail=f"active: {request.release.release_id}", changed=changed)

    class Plugin:
        @hookimpl
        def register_deploy_targets(self, register: Callable[[object], None]) -> None:
            register(Memory())

    target = load_plugins(load_entrypoints=False, extra=[("m", Plugin())]).deploy_targets.get(
        "memory"
    )
    request, _ = _deploy()

    assert target.deploy(request).changed
    assert not target.deploy(request).changed
    assert applied == ["rel-1"]


def test_hook_eval_run_finished() -> None:
    seen: list[str] = []

    class Plugin:
        @hookimpl
        def eval_run_finished(self, run: EvalRun) -> None:
            seen.append(f"{run.run_id}:{run.status}")

    plugins = load_plugins(load_entrypoints=False, extra=[("listener", Plugin())])

    assert plugins.notify("eval_run_finished", run=_run()) == []
    assert seen == ["run-1:finished"]


def test_hook_release_deployed() -> None:
    seen: list[tuple[str, str, str]] = []

    class Plugin:
        @hookimpl
        def release_deployed(self, request: DeployRequest, outcome: DeployOutcome) -> None:
            seen.append((request.environment, request.action, outcome.detail))

    class OnlyRequest:
        # An implementation may take fewer arguments than the hook offers.
        @hookimpl
        def release_deployed(self, request: DeployRequest) -> None:
            seen.append((request.environment, "only-request", ""))

    plugins = load_plugins(load_entrypoints=False, extra=[("a", Plugin()), ("b", OnlyRequest())])
    request, outcome = _deploy()

    assert plugins.notify("release_deployed", request=request, outcome=outcome) == []
    assert sorted(seen) == [
        ("production", "deploy", "wrote deploy/production.json"),
        ("production", "only-request", ""),
    ]


def _run() -> EvalRun:
    return EvalRun(
        run_id="run-1",
        source=RunSource.LLMOPS,
        status=RunStatus.FINISHED,
        started_at=datetime(2026, 3, 2, tzinfo=UTC),
        finished_at=datetime(2026, 3, 2, 0, 1, tzinfo=UTC),
        release_id="rel-1",
        release_ref="HEAD",
        dataset="support_regression",
        dataset_version=1,
        prompt="support",
        prompt_version=3,
        provider="scripted",
        model="gpt-4o-mini",
        repeat=1,
        suite_hash="h",
        created_by="ann",
    )


def _deploy() -> tuple[DeployRequest, DeployOutcome]:
    request = DeployRequest(
        environment="production",
        release=Release(release_id="rel-1", ref="HEAD", commit=None, entries=()),
        traffic=(),
        options={},
        project_root=REPO,
        action="deploy",
        actor="ann",
    )
    return request, DeployOutcome(detail="wrote deploy/production.json")
