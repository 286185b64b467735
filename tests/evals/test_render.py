"""Rendering a prompt version with a case's variables."""

from __future__ import annotations

import pytest

from llmops_tui.domain.evals import ChatMessage, EvalCase
from llmops_tui.evals.render import RenderError, model_settings, render_prompt


def case(**variables: object) -> EvalCase:
    return EvalCase(case_id="c", vars=variables)


def test_markdown_prompt_is_the_system_message_and_the_question_the_user_message() -> None:
    messages = render_prompt(
        "prompts/support.md",
        "Hi {{ name }} ({{plan}} plan).{% if x %} maybe{% endif %}",
        case(name="Ann", plan="Plus", question="Where is it?"),
    )
    assert messages == (
        ChatMessage("system", "Hi Ann (Plus plan). maybe"),
        ChatMessage("user", "Where is it?"),
    )


def test_defaults_fill_variables_the_case_lacks_and_the_case_wins() -> None:
    messages = render_prompt(
        "p.md", "{{kb}} {{name}}", case(name="Ann", input="q"), {"kb": "KB", "name": "X"}
    )
    assert messages[0].content == "KB Ann"
    assert messages[1] == ChatMessage("user", "q")


def test_a_template_using_the_question_is_sent_whole_as_the_user_message() -> None:
    assert render_prompt("p.txt", "Answer: {{ question }}", case(question="why")) == (
        ChatMessage("user", "Answer: why"),
    )


def test_yaml_messages_with_dotted_variables_and_structured_values() -> None:
    text = (
        "messages:\n  - role: system\n    content: 'Order {{ order.id }}'\n"
        "  - role: user\n    content: '{{ items }}'\n"
    )
    messages = render_prompt("p.yaml", text, case(order={"id": "A1"}, items=["x", "y"]))
    assert messages == (ChatMessage("system", "Order A1"), ChatMessage("user", '["x", "y"]'))


def test_yaml_without_a_user_message_gets_the_question() -> None:
    text = "messages:\n  - role: system\n    content: Be brief.\n"
    row = EvalCase(case_id="c", vars={}, data={"input": "hello"})
    assert render_prompt("p.yml", text, row)[-1] == ChatMessage("user", "hello")


@pytest.mark.parametrize(
    ("template", "variables", "message"),
    [
        ("{{ name }}", {"question": "q"}, "missing variable 'name'"),
        ("{{ order.id }}", {"order": {}, "question": "q"}, "missing variable 'order.id'"),
        ("static", {}, "no user message"),
    ],
)
def test_render_errors(template: str, variables: dict[str, object], message: str) -> None:
    with pytest.raises(RenderError, match=message):
        render_prompt("p.md", template, case(**variables))


def test_model_settings_read_provider_model_and_params() -> None:
    settings = model_settings(
        "models/default.yaml",
        "provider: openai\nmodel: gpt-4o-mini\ntemperature: 0.3\nparameters:\n  top_p: 0.9\n",
    )
    assert (settings.provider, settings.model, settings.params) == (
        "openai",
        "gpt-4o-mini",
        {"temperature": 0.3, "top_p": 0.9},
    )
