"""`llmops gate` exit codes and report files, and the compare command."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from llmops_tui.cli import cli
from llmops_tui.evals import gate
from llmops_tui.store import Store
from tests.evals.builders import CAND_RELEASE, pass_fail, releases, run, save
from tests.evals.test_gate import FakeRunner

GATE_TOML = """
[gate]
suite = "regression"
min_pass_rate = 0.5
"""


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "llmops.toml").write_text(GATE_TOML, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LLMOPS_LOAD_PLUGINS", "")
    monkeypatch.delenv("LLMOPS_DB", raising=False)
    return tmp_path


def _runs(root: Path, monkeypatch: pytest.MonkeyPatch, cand_ok: list[bool]) -> FakeRunner:
    store = Store(root / ".llmops" / "llmops.duckdb")
    store.initialise()
    releases(store)
    base = save(store, run("base-cli1"), pass_fail("base-cli1", "exact", [True] * 30))
    cand = save(
        store, run("cand-cli1", release_id=CAND_RELEASE), pass_fail("cand-cli1", "exact", cand_ok)
    )
    fake = FakeRunner({"production": base, CAND_RELEASE: cand})
    monkeypatch.setattr(gate, "_default_runner", lambda: fake)
    return fake


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_gate_passes_with_exit_0_and_writes_reports(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _runs(workspace, monkeypatch, [True] * 30)
    code, out, _ = invoke(
        "gate",
        "--candidate",
        CAND_RELEASE,
        "--baseline",
        "production",
        "--junit",
        "reports/junit.xml",
        "--markdown",
        "summary.md",
    )
    assert code == 0
    assert out.startswith("gate PASSED: 2 of 2 rules pass\n")
    assert fake.calls[0] == {"ref": "production", "suite": "regression", "reuse": True}
    junit = ET.parse(workspace / "reports" / "junit.xml").getroot()
    assert (junit.get("tests"), junit.get("failures")) == ("32", "0")
    assert (
        (workspace / "summary.md")
        .read_text(encoding="utf-8")
        .startswith("## ✅ llmops gate passed")
    )


def test_gate_fails_with_exit_1_and_still_writes_reports(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _runs(workspace, monkeypatch, [False] * 12 + [True] * 18)
    code, out, _ = invoke(
        "gate",
        "--candidate",
        CAND_RELEASE,
        "--baseline",
        "production",
        "--markdown",
        "summary.md",
        "--json",
    )
    assert code == 1
    data = json.loads(out)
    assert data["passed"] is False
    assert [(c["rule"], c["passed"]) for c in data["checks"]] == [
        ("min_pass_rate", True),
        ("no_regression:exact", False),
    ]
    assert "❌ llmops gate failed: `no_regression:exact`" in (workspace / "summary.md").read_text(
        encoding="utf-8"
    )


def test_gate_errors_exit_2(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _runs(workspace, monkeypatch, [True] * 30)
    code, _, err = invoke("gate", "--candidate", CAND_RELEASE, "--baseline", "nosuch")
    assert code == 2
    assert err.startswith("error: unknown reference 'nosuch'")
    (workspace / "llmops.toml").write_text("[gate]\nmin_pass_rat = 0.5\n", encoding="utf-8")
    code, _, err = invoke("gate", "--candidate", CAND_RELEASE, "--baseline", "production")
    assert code == 2
    assert "unknown key 'min_pass_rat' (did you mean 'min_pass_rate'?)" in err
    code, _, err = invoke("gate", "--candidate", CAND_RELEASE)
    assert code == 2
    assert "Missing option '--baseline'" in err


def test_compare_command_text_json_and_unknown_run(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _runs(workspace, monkeypatch, [False] * 12 + [True] * 18)
    code, out, _ = invoke("eval", "compare", "base-cli1", "cand-cli1", "--cases", "2")
    assert code == 0
    judge_line = next(line for line in out.splitlines() if line.startswith("exact"))
    assert judge_line.split()[:5] == ["exact", "pass/fail", "100.0%", "60.0%", "-40.0"]
    assert judge_line.endswith("regressed")
    assert "changes: 12 regressed, 0 improved (showing 2)" in out
    code, out, _ = invoke("eval", "compare", "base-cli1", "cand-cli1", "--json", "--alpha", "0.01")
    data = json.loads(out)
    assert data["alpha"] == 0.01
    assert data["judges"][0]["discordant"] == 12
    code, _, err = invoke("eval", "compare", "base-cli1", "zzzz-none")
    assert code == 2
    assert err.startswith("error: unknown eval run 'zzzz-none'")
