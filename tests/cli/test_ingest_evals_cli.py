"""`llmops ingest` on eval files: the summary (text and --json), --format, one-line errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner

from llmops_tui.cli import cli
from tests.ingest.spans import flat_span, jsonl

DATA = Path(__file__).resolve().parents[1] / "ingest" / "data"


def _run(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(cli, ["--db", "e.duckdb", *args], catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def test_text_summary_counts_eval_results_beside_spans(tmp_path: Path) -> None:
    (tmp_path / "t.jsonl").write_bytes(jsonl([flat_span(n) for n in range(3)]))
    promptfoo = str(DATA / "promptfoo-v3.json")

    code, out, _ = _run(tmp_path, "ingest", "t.jsonl", promptfoo)

    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "t.jsonl [flat]: 3 spans"
    assert lines[1] == f"{promptfoo} [promptfoo]: 4 eval results in 2 runs"
    assert lines[2].startswith("3 spans and 4 eval results (2 runs) loaded from 2 of 2 files")


def test_json_report_has_eval_runs_and_results(tmp_path: Path) -> None:
    code, out, _ = _run(tmp_path, "ingest", "--json", str(DATA / "promptfoo-v2.json"))
    report = json.loads(out)
    assert code == 0
    assert (report["eval_runs"], report["eval_results"], report["spans_loaded"]) == (1, 2, 0)
    assert report["files"][0]["format"] == "promptfoo"
    assert report["files"][0]["eval_results"] == 2

    code, out, _ = _run(tmp_path, "ingest", "--json", str(DATA / "promptfoo-v2.json"))
    again = json.loads(out)
    assert (again["eval_results"], again["files"][0]["status"]) == (0, "unchanged")


def test_a_bad_eval_file_is_one_error_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "cut.json").write_text((DATA / "promptfoo-v3.json").read_text()[:900])
    code, _, err = _run(tmp_path, "ingest", "--format", "promptfoo", "cut.json")
    assert code == 2
    (line,) = err.splitlines()
    assert line.startswith("error: cut.json:")
    assert "not valid JSON" in line


def test_format_choices_include_the_eval_formats(tmp_path: Path) -> None:
    code, out, _ = _run(tmp_path, "ingest", "--help")
    assert code == 0
    assert "promptfoo|inspect-ai|openai-evals" in "".join(out.split())
