"""The CLI contract: exit codes, one-line errors, --json, database resolution."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from llmops_tui.cli import cli
from llmops_tui.store import Store
from tests.ingest.spans import flat_span, jsonl


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _run(runner: CliRunner, cwd: Path, *args: str) -> tuple[int, str, str]:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = runner.invoke(cli, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def test_init_then_ingest_uses_the_project_database(runner: CliRunner, tmp_path: Path) -> None:
    code, out, _ = _run(runner, tmp_path, "init")
    assert code == 0
    assert (tmp_path / "llmops.toml").is_file()
    (tmp_path / "t.jsonl").write_bytes(jsonl([flat_span(n) for n in range(3)]))

    code, out, err = _run(runner, tmp_path, "ingest", "t.jsonl")

    assert code == 0, err
    assert "3 spans loaded" in out
    assert Store(tmp_path / ".llmops" / "llmops.duckdb").spans.count() == 3


def test_without_a_project_the_user_is_told_how_to_choose_a_database(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LLMOPS_DB", raising=False)
    (tmp_path / "t.jsonl").write_bytes(jsonl([flat_span(1)]))
    code, _, err = _run(runner, tmp_path, "ingest", "t.jsonl")
    assert code == 2
    assert err.startswith("error: no llmops.toml")
    assert "Traceback" not in err
    assert "--db" in err


def test_db_option_and_env_variable(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "t.jsonl").write_bytes(jsonl([flat_span(1)]))
    code, _, _ = _run(runner, tmp_path, "--db", "x.duckdb", "ingest", "t.jsonl")
    assert code == 0
    assert Store(tmp_path / "x.duckdb").spans.count() == 1
    monkeypatch.setenv("LLMOPS_DB", str(tmp_path / "env.duckdb"))
    code, _, _ = _run(runner, tmp_path, "ingest", "t.jsonl")
    assert code == 0
    assert Store(tmp_path / "env.duckdb").spans.count() == 1


def test_exit_codes_rejects_strict_and_unreadable(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "bad.jsonl").write_bytes(jsonl([flat_span(1)]) + b"nope\n")
    (tmp_path / "noise.bin").write_bytes(b"\x00\x01\x02" * 100)
    db = str(tmp_path / "db.duckdb")

    code, out, _ = _run(runner, tmp_path, "--db", db, "ingest", "bad.jsonl")
    assert code == 0
    assert "line 2: not valid JSON" in out

    (tmp_path / "bad2.jsonl").write_bytes(b"nope\n" + jsonl([flat_span(2)]))
    code, _, _ = _run(runner, tmp_path, "--db", db, "ingest", "--strict", "bad2.jsonl")
    assert code == 1

    code, _, err = _run(runner, tmp_path, "--db", db, "ingest", "noise.bin")
    assert code == 2
    assert err.strip().count("\n") == 0
    assert "noise.bin: not a trace file" in err


def test_json_report(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "t.jsonl").write_bytes(jsonl([flat_span(1), flat_span(1)]) + b"{\n")
    code, out, _ = _run(runner, tmp_path, "--db", "d.duckdb", "ingest", "--json", "t.jsonl")
    report = json.loads(out)
    assert code == 0
    assert report["spans_loaded"] == 1
    assert report["duplicates"] == 1
    assert report["rejects"] == 1
    assert report["files"][0]["first_rejects"] == [{"line": 3, "reason": "not valid JSON"}]


def test_a_database_from_a_newer_version_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "new.duckdb"
    Store(db).initialise()
    with Store(db).writer() as cur:
        cur.execute(
            "insert into schema_migrations (version, name, checksum) values (999, 'x', 'y')"
        )
    code, _, err = _run(runner, tmp_path, "--db", str(db), "stats")
    assert code == 2
    assert "newer than this llmops-tui knows" in err


def test_reprice_applies_a_new_override(runner: CliRunner, tmp_path: Path) -> None:
    _run(runner, tmp_path, "init")
    span = flat_span(1)
    span["attributes"]["gen_ai.request.model"] = "house-model"
    span["attributes"]["gen_ai.response.model"] = "house-model"
    (tmp_path / "t.jsonl").write_bytes(jsonl([span]))
    _run(runner, tmp_path, "ingest", "t.jsonl")
    store = Store(tmp_path / ".llmops" / "llmops.duckdb")
    with store.reader() as cur:
        assert cur.execute("select cost_usd, cost_source from spans").fetchall() == [
            (None, "unpriced")
        ]
    config = tmp_path / "llmops.toml"
    config.write_text(
        config.read_text()
        + '\n[pricing.models."house-model"]\ninput_per_mtok = 2\noutput_per_mtok = 10\n'
    )
    code, _, _ = _run(runner, tmp_path, "reprice")
    assert code == 0
    with store.reader() as cur:
        ((cost, source),) = cur.execute("select cost_usd, cost_source from spans").fetchall()
    tokens_in = span["attributes"]["gen_ai.usage.input_tokens"]
    tokens_out = span["attributes"]["gen_ai.usage.output_tokens"]
    assert source == "computed"
    assert cost == pytest.approx((tokens_in * 2 + tokens_out * 10) / 1e6)


def test_config_typos_get_a_suggestion(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "llmops.toml").write_text('[pricing.models."m"]\ninput_per_mtokk = 1\n')
    code, _, err = _run(runner, tmp_path, "stats")
    assert code == 2
    assert "unknown key 'input_per_mtokk' (did you mean 'input_per_mtok'?)" in err
