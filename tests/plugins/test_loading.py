"""A broken plugin is named in exactly one warning and the rest loads; the allowlist and
the discovery order hold."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmops_tui.plugin_manager import ALLOWLIST_ENV, load_plugins
from llmops_tui.plugin_registry import UnknownPluginObjectError
from tests.plugins.broken import (
    Duplicate,
    Good,
    Malformed,
    RaisesInHook,
    RaisesOnNotify,
    SwallowsMalformed,
    Typo,
    WrongArguments,
    write_distribution,
    write_module,
)

BUILTIN_PROVIDERS = ["echo", "replay", "scripted"]


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on sys.path for modules and distributions the test writes; the modules it
    imports are forgotten afterwards."""
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        if name.startswith("fake_"):
            del sys.modules[name]


def only_mentioning(warnings: list[str], name: str) -> list[str]:
    return [w for w in warnings if name in w]


def test_raising_hook_is_one_warning_and_drops_what_it_registered() -> None:
    plugins = load_plugins(
        load_entrypoints=False, extra=[("good", Good()), ("raiser", RaisesInHook())]
    )

    assert plugins.warnings == [
        "plugin 'raiser' failed in register_providers: KeyError: 'api_key'; skipped"
    ]
    assert plugins.providers.names() == sorted([*BUILTIN_PROVIDERS, "good"])
    assert plugins.manager.get_plugin("raiser") is None  # gets no notifications either
    [info] = [i for i in plugins.infos if i.name == "raiser"]
    assert info.error == plugins.warnings[0]


def test_malformed_object_skips_the_plugin_with_one_warning() -> None:
    plugins = load_plugins(load_entrypoints=False, extra=[("bad", Malformed()), ("ok", Good())])

    assert plugins.warnings == [
        "plugin 'bad' failed in register_providers: a provider needs a non-empty string "
        "`name`, got None; skipped"
    ]
    assert "fine-before-the-bad-one" not in plugins.providers.names()
    assert "good" in plugins.providers.names()


def test_malformed_object_is_caught_even_when_the_plugin_swallows_the_error() -> None:
    plugins = load_plugins(load_entrypoints=False, extra=[("sly", SwallowsMalformed())])

    [warning] = plugins.warnings
    assert warning.startswith("plugin 'sly' failed in register_judges: judge 'not-a-judge'")
    assert "does not implement Judge (missing judge)" in warning
    assert "not-a-judge" not in plugins.judges.names()


def test_duplicate_name_keeps_the_builtin_and_the_plugins_other_objects() -> None:
    plugins = load_plugins(load_entrypoints=False, extra=[("dup", Duplicate())])

    assert plugins.warnings == [
        "plugin 'dup' registered provider 'echo', already registered by "
        "'llmops_tui.builtin_plugins.providers'; kept the first, ignored this one"
    ]
    assert type(plugins.providers.get("echo")).__name__ == "EchoProvider"
    assert plugins.providers.owners["duplicate-sibling"] == "dup"


def test_raising_notification_hook_is_reported_and_others_still_run() -> None:
    first, second = RaisesOnNotify(), RaisesOnNotify()
    plugins = load_plugins(load_entrypoints=False, extra=[("one", first), ("two", second)])

    problems = plugins.notify("eval_run_finished", run=None)

    assert (first.calls, second.calls) == (1, 1)
    assert sorted(problems) == [
        "plugin 'one' failed in eval_run_finished: RuntimeError: webhook down",
        "plugin 'two' failed in eval_run_finished: RuntimeError: webhook down",
    ]
    assert plugins.warnings == problems


def test_unknown_hook_is_reported_with_the_likely_name() -> None:
    plugins = load_plugins(load_entrypoints=False, extra=[("typo", Typo())])

    assert plugins.warnings == [
        "plugin 'typo' implements register_provider, which is not an llmops hook "
        "(did you mean register_providers?); it is never called"
    ]


def test_implementation_with_arguments_the_hook_lacks_is_skipped() -> None:
    plugins = load_plugins(load_entrypoints=False, extra=[("wrong", WrongArguments())])

    [warning] = plugins.warnings
    assert warning.startswith("plugin 'wrong' was skipped: PluginValidationError:")
    assert "store" in warning
    assert plugins.providers.names() == BUILTIN_PROVIDERS


def test_project_module_that_fails_to_import_is_one_warning(site: Path) -> None:
    write_module(site, "fake_team_judges", "import not_a_real_module_anywhere\n")
    write_module(
        site,
        "fake_team_providers",
        "from tests.plugins.broken import Fixed\n"
        "from llmops_tui.plugin_api import hookimpl\n"
        "@hookimpl\n"
        "def register_providers(register):\n"
        "    register(Fixed('team'))\n",
    )

    plugins = load_plugins(["fake_team_judges", "fake_team_providers"], load_entrypoints=False)

    assert plugins.warnings == [
        "plugin 'fake_team_judges' (llmops.toml) failed to load and was skipped: "
        "ModuleNotFoundError: No module named 'not_a_real_module_anywhere'"
    ]
    assert plugins.providers.get("team").name == "team"
    sources = {i.name: i.source for i in plugins.infos}
    assert sources["fake_team_providers"] == "llmops.toml"


def test_project_module_is_imported_from_the_project_folder(tmp_path: Path) -> None:
    write_module(
        tmp_path,
        "fake_local_plugin",
        "from tests.plugins.broken import Fixed\n"
        "from llmops_tui.plugin_api import hookimpl\n"
        "@hookimpl\n"
        "def register_providers(register):\n"
        "    register(Fixed('local'))\n",
    )
    try:
        plugins = load_plugins(["fake_local_plugin"], load_entrypoints=False, project_root=tmp_path)
    finally:
        sys.modules.pop("fake_local_plugin", None)

    assert plugins.warnings == []
    assert "local" in plugins.providers.names()
    assert str(tmp_path) not in sys.path


def test_entry_point_that_fails_to_import_names_its_distribution(site: Path) -> None:
    write_module(site, "fake_broken_ep", "raise RuntimeError('needs a newer llmops')\n")
    write_distribution(site, "llmops-broken", "broken", "fake_broken_ep")

    plugins = load_plugins(allowlist=["broken"])

    assert plugins.warnings == [
        "plugin 'llmops-broken' (broken) failed to load and was skipped: "
        "RuntimeError: needs a newer llmops"
    ]
    [info] = [i for i in plugins.infos if i.name == "broken"]
    assert (info.source, info.distribution, info.version) == (
        "entry point",
        "llmops-broken",
        "0.3.1",
    )


def test_allowlist_limits_entry_points_by_name_or_distribution(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_module(
        site,
        "fake_ep_plugin",
        "from tests.plugins.broken import Fixed\n"
        "from llmops_tui.plugin_api import hookimpl\n"
        "@hookimpl\n"
        "def register_providers(register):\n"
        "    register(Fixed('from-ep'))\n",
    )
    write_distribution(site, "llmops-fake", "fake", "fake_ep_plugin")

    monkeypatch.setenv(ALLOWLIST_ENV, "")
    assert "from-ep" not in load_plugins().providers.names()
    monkeypatch.setenv(ALLOWLIST_ENV, "fake")
    assert "from-ep" in load_plugins().providers.names()
    monkeypatch.setenv(ALLOWLIST_ENV, "other, llmops-fake")
    loaded = load_plugins()
    assert "from-ep" in loaded.providers.names()
    [info] = [i for i in loaded.infos if i.name == "fake"]
    assert (info.source, info.distribution, info.version) == ("entry point", "llmops-fake", "0.3.1")
    assert info.registered == ("provider:from-ep",)


def test_allowlist_limits_project_modules(site: Path) -> None:
    write_module(site, "fake_allowed", "")
    write_module(site, "fake_refused", "raise SystemError('must not be imported')\n")

    plugins = load_plugins(
        ["fake_allowed", "fake_refused"], load_entrypoints=False, allowlist=["fake_allowed"]
    )

    assert plugins.warnings == []
    assert "fake_refused" not in sys.modules


def test_builtins_load_without_warnings_and_unknown_names_suggest() -> None:
    plugins = load_plugins(load_entrypoints=False)

    assert plugins.warnings == []
    assert plugins.providers.names() == BUILTIN_PROVIDERS
    with pytest.raises(UnknownPluginObjectError, match=r"unknown provider 'scriptd' \(did you"):
        plugins.providers.get("scriptd")


def test_trace_env_prints_hook_calls(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LLMOPS_TRACE_PLUGINS", "1")
    plugins = load_plugins(load_entrypoints=False)

    plugins.manager.hook.eval_run_finished(run=None)

    assert "eval_run_finished" in capsys.readouterr().err


def test_installed_plugin_also_listed_in_llmops_toml_loads_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(ALLOWLIST_ENV, raising=False)
    plugins = load_plugins(["llmops_openai", "llmops_openai"], allowlist=None)

    assert plugins.warnings == [
        "plugin 'llmops_openai' (llmops.toml) is already loaded as 'openai'; "
        "it needs listing only once"
    ]
    assert plugins.providers.owners["openai"] == "openai"
