"""The fixtures `llmops_tui.testing` gives plugin authors (loaded through its pytest11 entry
point, as in their projects)."""

from __future__ import annotations

import pluggy

from llmops_tui.store import Store
from llmops_tui.testing import LoadPlugins, MakeJudgeInput, MakeProviderRequest, RegisterPlugin
from tests.plugins.broken import Good


def test_plugin_manager_has_builtins_and_no_entry_points(
    plugin_manager: pluggy.PluginManager,
) -> None:
    names = {name for name, _ in plugin_manager.list_name_plugin()}

    assert names == {
        "llmops_tui.builtin_plugins.providers",
        "llmops_tui.builtin_plugins.judges",
        "llmops_tui.builtin_plugins.deploy_targets",
    }
    plugin_manager.check_pending()


def test_register_plugin_reaches_the_manager_and_load_plugins(
    plugin_manager: pluggy.PluginManager, register_plugin: RegisterPlugin, load_plugins: LoadPlugins
) -> None:
    name = register_plugin(Good())
    named = register_plugin(Good(), name="second")

    assert name == "test-plugin-1"
    assert plugin_manager.get_plugin("second") is not None
    plugins = load_plugins()
    # Both register a provider called "good": the second is refused by name.
    assert plugins.providers.owners["good"] == "test-plugin-1"
    assert plugins.warnings == [
        f"plugin {named!r} registered provider 'good', already registered by "
        "'test-plugin-1'; kept the first, ignored this one"
    ]


def test_judge_input_builds_a_case(judge_input: MakeJudgeInput) -> None:
    item = judge_input(
        "Your order shipped.",
        expected={"must_include": ["shipped"]},
        options={"x": 1},
        case_id="sr-9",
        latency_ms=120.0,
        tags=["order"],
        required=True,
    )

    assert item.output == "Your order shipped."
    assert item.case.case_id == "sr-9"
    assert item.case.expected == {"must_include": ["shipped"]}
    assert (item.case.tags, item.case.required) == (("order",), True)
    assert item.options == {"x": 1}
    assert item.response is not None
    assert item.response.latency_ms == 120.0


def test_provider_request_builds_a_chat(provider_request: MakeProviderRequest) -> None:
    request = provider_request("Hi", system="Be brief.", options={"quality": 1.0}, case_id="c")

    assert [(m.role, m.content) for m in request.messages] == [
        ("system", "Be brief."),
        ("user", "Hi"),
    ]
    assert (request.model, request.case_id, request.options) == (
        "test-model",
        "c",
        {"quality": 1.0},
    )


def test_llmops_store_is_migrated_and_empty(llmops_store: Store) -> None:
    assert llmops_store.exists()
    assert llmops_store.evals.runs() == []
    assert llmops_store.spans.count() == 0
