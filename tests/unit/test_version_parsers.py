"""Artifact files: what each kind records, and one-line errors naming file, line and field."""

from __future__ import annotations

import pytest

from llmops_tui.domain.versions import DEFAULT_GLOBS, ArtifactKind
from llmops_tui.versions.layout import Layout, content_hash, normalise
from llmops_tui.versions.parsers import ArtifactFileError, parse, split_template

PROMPT, MODEL, RETRIEVAL, DATASET = (
    ArtifactKind.PROMPT,
    ArtifactKind.MODEL,
    ArtifactKind.RETRIEVAL,
    ArtifactKind.DATASET,
)


def problem(kind: ArtifactKind, path: str, text: str) -> str:
    with pytest.raises(ArtifactFileError) as caught:
        parse(kind, path, text)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_names_are_paths_below_the_kind_folder_without_extension() -> None:
    layout = Layout(DEFAULT_GLOBS)
    assert layout.identify("prompts/support.md") == (PROMPT, "support")
    assert layout.identify("prompts/agents/triage.yaml") == (PROMPT, "agents/triage")
    assert layout.identify("models/default.toml") == (MODEL, "default")
    assert layout.identify("datasets/regression.jsonl") == (DATASET, "regression")
    assert layout.identify("datasets/notes.md") is None
    assert layout.identify("src/prompts/x.md") is None
    custom = Layout({PROMPT: ("app/llm/prompts/**/*.j2",)})
    assert custom.identify("app/llm/prompts/chat/system.j2") == (PROMPT, "chat/system")
    assert custom.folders == ["app/llm/prompts"]


def test_normalisation_ignores_line_ends_trailing_spaces_and_a_bom() -> None:
    a = normalise(b"Hello {{name}}\nBye\n")
    b = normalise(b"\xef\xbb\xbfHello {{name}}  \r\nBye\r\n\r\n")
    assert a == b
    assert content_hash(a) == content_hash(b)
    assert content_hash(a) != content_hash(normalise(b"Hello {{name}}\nbye\n"))


def test_templates_split_at_variables_and_blocks() -> None:
    literals, variables = split_template(
        "Hi {{ name }}, {% if vip %}VIP {% endif %}plan {{plan|upper}}.\n"
    )
    assert variables == ("name", "plan")
    assert literals == ("Hi ", ", ", "VIP ", "plan ", ".")


def test_markdown_prompt_is_its_system_template() -> None:
    parsed = parse(PROMPT, "prompts/support.md", "You help {{customer}}.\n\n{{kb}}\n")
    assert parsed.variables == ("customer", "kb")
    assert parsed.match_literals == ("You help ", ".\n\n", "")


def test_yaml_prompt_messages_and_declared_variables() -> None:
    text = (
        "messages:\n  - role: system\n    content: Sort {{subject}}\n"
        "  - role: user\n    content: '{{body}}'\nvariables:\n  - name: subject\n  - name: extra\n"
    )
    parsed = parse(PROMPT, "prompts/triage.yaml", text)
    assert parsed.variables == ("subject", "body", "extra")
    assert parsed.match_literals == ("Sort ", "")


@pytest.mark.parametrize(
    ("kind", "path", "text", "expected"),
    [
        (
            PROMPT,
            "prompts/t.yaml",
            "messages:\n  - role: system\n    content: ok\n  - role: 3\n    content: hi\n",
            "prompts/t.yaml:4: messages[1].role: expected a string, got number",
        ),
        (
            PROMPT,
            "prompts/t.yaml",
            "name: t\ndescription: no messages\n",
            "prompts/t.yaml:1: expected `messages` (a list) or `template` (a string)",
        ),
        (
            PROMPT,
            "prompts/t.yaml",
            "messages: [\n  {role: system, content: hi\n",
            "prompts/t.yaml:3: not valid YAML",
        ),
        (
            PROMPT,
            "prompts/t.json",
            '{"messages": [}',
            "prompts/t.json:1: not valid JSON",
        ),
        (
            PROMPT,
            "prompts/t.yaml",
            "template: hi\nvariables:\n  - name: 12\n",
            "prompts/t.yaml:3: variables[0].name: expected a variable name, got number",
        ),
        (
            MODEL,
            "models/m.yaml",
            "provider: openai\ntemperature: 0.3\n",
            "models/m.yaml:1: model: expected the model's name, got null",
        ),
        (
            MODEL,
            "models/m.yaml",
            "model: gpt-4o\nparameters: [1, 2]\n",
            "models/m.yaml:2: parameters: expected a mapping, got array",
        ),
        (MODEL, "models/m.toml", 'model = "x"\nmodel = "y"\n', "models/m.toml:2: not valid TOML"),
        (RETRIEVAL, "retrieval/kb.yaml", "- a\n- b\n", "retrieval/kb.yaml:1: expected a mapping"),
        (
            DATASET,
            "datasets/d.jsonl",
            '{"id": 1}\n{"id": 2\n',
            "datasets/d.jsonl:2: not valid JSON",
        ),
        (
            DATASET,
            "datasets/d.jsonl",
            '{"id": 1}\n[1]\n',
            "datasets/d.jsonl:2: expected a JSON object",
        ),
        (
            DATASET,
            "datasets/d.csv",
            "id,q\n1,a\n2,b,c\n",
            "datasets/d.csv:3: expected 2 columns, got 3",
        ),
    ],
)
def test_malformed_files_give_one_line_naming_file_line_and_field(
    kind: ArtifactKind, path: str, text: str, expected: str
) -> None:
    assert problem(kind, path, text).startswith(expected)


def test_datasets_record_row_count_and_schema() -> None:
    jsonl = parse(DATASET, "datasets/d.jsonl", '{"id": "a", "n": 1}\n\n{"id": "b", "n": null}\n')
    assert (jsonl.row_count, jsonl.schema) == (2, {"id": "string", "n": "null|number"})
    table = parse(DATASET, "datasets/d.csv", "id,score,note\n1,0.5,ok\n2,1,\n")
    assert (table.row_count, table.schema) == (
        2,
        {"id": "number", "score": "number", "note": "string"},
    )
