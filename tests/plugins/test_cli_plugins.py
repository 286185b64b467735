"""`llmops plugins [--json]` and `CliContext.plugins()` in a project with plugins of its own."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from llmops_tui.cli import cli
from llmops_tui.cli.context import CliContext

GOOD = """
from tests.plugins.broken import Fixed
from llmops_tui.plugin_api import hookimpl

@hookimpl
def register_providers(register):
    register(Fixed("cli-good"))
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    (tmp_path / "llmops.toml").write_text(
        'plugins = ["fake_cli_good", "fake_cli_broken"]\n\n[project]\nname = "cli-test"\n'
    )
    (tmp_path / "fake_cli_good.py").write_text(GOOD)
    (tmp_path / "fake_cli_broken.py").write_text("1 / 0\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LLMOPS_LOAD_PLUGINS", raising=False)
    yield tmp_path
    for name in ("fake_cli_good", "fake_cli_broken"):
        sys.modules.pop(name, None)


BROKEN_WARNING = (
    "warning: plugin 'fake_cli_broken' (llmops.toml) failed to load and was skipped: "
    "ZeroDivisionError: division by zero"
)


def test_plugins_json_lists_sources_hooks_registrations_and_the_skipped(project: Path) -> None:
    result = CliRunner().invoke(cli, ["plugins", "--json"], catch_exceptions=False)

    assert result.exit_code == 0
    assert result.stderr.splitlines() == [BROKEN_WARNING]
    data = json.loads(result.stdout)
    by_name = {p["name"]: p for p in data["plugins"]}
    assert by_name["fake_cli_good"] == {
        "name": "fake_cli_good",
        "source": "llmops.toml",
        "version": None,
        "hooks": ["register_providers"],
        "registered": ["provider:cli-good"],
        "distribution": None,
        "error": None,
    }
    assert by_name["fake_cli_broken"]["error"] == BROKEN_WARNING.removeprefix("warning: ")
    assert by_name["llmops_tui.builtin_plugins.providers"]["registered"] == [
        "provider:echo",
        "provider:replay",
        "provider:scripted",
    ]
    assert by_name["openai"]["source"] == "entry point"
    assert by_name["openai"]["distribution"] == "llmops-openai"
    assert {"cli-good", "echo", "openai", "replay", "scripted"} <= set(data["providers"])
    assert data["warnings"] == [BROKEN_WARNING.removeprefix("warning: ")]


def test_plugins_table(project: Path) -> None:
    result = CliRunner().invoke(cli, ["plugins"], catch_exceptions=False)

    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["name", "version", "source", "hooks", "registered"]
    assert any(line.split()[:2] == ["fake_cli_broken", "-"] and "skipped" in line for line in lines)
    assert any(line.startswith("fake_cli_good") and "provider:cli-good" in line for line in lines)


def test_allowlist_env_leaves_project_plugins_out(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLMOPS_LOAD_PLUGINS", "fake_cli_good")

    result = CliRunner().invoke(cli, ["plugins", "--json"], catch_exceptions=False)

    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert "openai" not in data["providers"]
    assert "cli-good" in data["providers"]


def test_context_plugins_is_cached_and_warns_once(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    context = CliContext(db_option=None, debug=False, cwd=project)

    first = context.plugins()
    second = context.plugins()
    first.notify("eval_run_finished", run=None)  # nothing raises: no new warning
    context.echo_plugin_warnings()

    assert first is second
    assert capsys.readouterr().err.splitlines() == [BROKEN_WARNING]
