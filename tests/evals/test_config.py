"""`[evals]` validation and dataset loading: one-line errors naming where and what."""

from __future__ import annotations

import pytest

from llmops_tui.errors import ConfigError
from llmops_tui.evals.config import parse_evals
from llmops_tui.evals.dataset import DatasetError, load_dataset

SUITE = {"dataset": "qa", "prompt": "support", "judges": ["j"]}
JUDGES = {"j": {"type": "contains", "field": "must_include"}}


def test_a_full_config_becomes_typed_values() -> None:
    config = parse_evals(
        {
            "provider": "scripted",
            "concurrency": 4,
            "repeat": 3,
            "max_retries": 1,
            "providers": {"scripted": {"quality": {"default": 0.8}}},
            "suites": {"s": {**SUITE, "model": "default", "vars": {"kb": "x"}}},
            "judges": JUDGES,
        }
    )
    suite = config.suite("s")
    assert (config.provider, config.concurrency, config.repeat, config.max_retries) == (
        "scripted",
        4,
        3,
        1,
    )
    assert config.providers["scripted"] == {"quality": {"default": 0.8}}
    assert suite.judges[0].name == "j"
    assert suite.judges[0].type == "contains"
    assert suite.judges[0].options == {"field": "must_include"}
    assert (suite.model, suite.vars, suite.provider) == ("default", {"kb": "x"}, None)


def test_defaults_without_an_evals_table() -> None:
    config = parse_evals({})
    assert (config.provider, config.concurrency, config.repeat, config.max_retries) == (
        None,
        8,
        1,
        2,
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"concurrancy": 2}, "[evals]: unknown key 'concurrancy' (did you mean 'concurrency'?)"),
        ({"concurrency": 0}, "concurrency: expected an integer >= 1, got 0"),
        ({"repeat": True}, "repeat: expected an integer >= 1, got True"),
        (
            {"suites": {"s": {**SUITE, "judgs": []}}, "judges": JUDGES},
            "[evals.suites.s]: unknown key 'judgs' (did you mean 'judges'?)",
        ),
        (
            {"suites": {"s": {**SUITE, "judges": ["jj"]}}, "judges": JUDGES},
            "[evals.suites.s]: judges: unknown judge 'jj' (did you mean 'j'?)",
        ),
        ({"suites": {"s": {"prompt": "p"}}}, "[evals.suites.s]: dataset: required"),
        ({"judges": {"j": {"field": "x"}}}, "[evals.judges.j]: type: expected a judge type"),
        ({"providers": {"x": 3}}, "[evals.providers.x]: expected a table, got int"),
    ],
)
def test_bad_config_is_one_line(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_evals(data)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_unknown_suite_lists_the_known_ones() -> None:
    config = parse_evals({"suites": {"s": SUITE}, "judges": JUDGES})
    with pytest.raises(ConfigError, match=r"unknown suite 'x' \(suites: s\)"):
        config.suite("x")


def test_dataset_rows_become_cases() -> None:
    text = "\n".join(
        [
            '{"id": "a", "vars": {"q": "hi"}, "expected": "x", "tags": ["t"], "required": true}',
            "",
            '{"question": "no id", "expected": {"must": ["y"]}, "notes": "n",'
            ' "judges": [{"type": "regex", "pattern": "y"}]}',
        ]
    )
    data = load_dataset("qa", 2, "datasets/qa.jsonl", text)
    first, second = data.cases
    assert (first.case_id, dict(first.vars), first.expected, first.tags, first.required) == (
        "a",
        {"q": "hi"},
        "x",
        ("t",),
        True,
    )
    assert second.case_id == "qa#3"
    assert dict(second.vars) == {"question": "no id"}
    assert data.judges == {"qa#3": data.judges["qa#3"]}
    spec = data.judges["qa#3"][0]
    assert (spec.name, spec.type, dict(spec.options)) == ("regex", "regex", {"pattern": "y"})
    assert data.version == 2


def test_csv_datasets() -> None:
    text = 'id,question,expected,tags,required\nc1,hello,"{""must"": [""a""]}",x;y,true\n'
    (case,) = load_dataset("qa", 1, "datasets/qa.csv", text).cases
    assert (case.case_id, dict(case.vars), case.expected, case.tags, case.required) == (
        "c1",
        {"question": "hello"},
        {"must": ["a"]},
        ("x", "y"),
        True,
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"id": "a"}\nnot json\n', "datasets/qa.jsonl:2: not valid JSON"),
        ('{"id": "a"}\n[1]\n', "datasets/qa.jsonl:2: expected a JSON object"),
        ('{"id": "a", "tags": "x"}\n', "datasets/qa.jsonl:1: tags: expected a list of strings"),
        ('{"id": "a", "vars": 3}\n', "datasets/qa.jsonl:1: vars: expected an object"),
        ('{"id": "a"}\n{"id": "a"}\n', "datasets/qa.jsonl:2: id: 'a' repeats line 1"),
        ('{"id": "a", "required": "yes"}\n', "datasets/qa.jsonl:1: required: expected true"),
        ('{"judges": [{"x": 1}]}\n', "datasets/qa.jsonl:1: judges[0]: type: expected"),
        ("\n", "datasets/qa.jsonl: no cases"),
    ],
)
def test_bad_rows_name_file_and_line(text: str, message: str) -> None:
    with pytest.raises(DatasetError) as caught:
        load_dataset("qa", 1, "datasets/qa.jsonl", text)
    assert message in str(caught.value)
