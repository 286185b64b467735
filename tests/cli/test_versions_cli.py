"""`llmops versions`: list, show, diff, label, sync on a real git repository."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from llmops_tui.cli import cli
from llmops_tui.config import load_project
from llmops_tui.domain.versions import ArtifactKind
from tests.versions.repo import Repo

SUPPORT_V1 = "You are the Acme assistant. Be friendly and helpful.\n\n{{kb_articles}}\n"
SUPPORT_V2 = "You are the Acme assistant. Be brief and helpful.\n\n{{kb_articles}}\n"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    repo = Repo(tmp_path / "project")
    repo.commit(
        "Add support", {"prompts/support.md": SUPPORT_V1, "models/default.yaml": "model: a\n"}
    )
    repo.commit("support: brief", {"prompts/support.md": SUPPORT_V2})
    monkeypatch.chdir(repo.root)
    monkeypatch.setenv("LLMOPS_USER", "ann")
    return repo


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_sync_list_and_json(repo: Repo) -> None:
    code, out, _ = run("versions", "sync")
    assert code == 0
    assert "new prompt support@v2" in out
    code, out, _ = run("versions", "list")
    assert code == 0
    assert "support" in out
    assert "v1 v2" in out
    code, out, _ = run("versions", "list", "--kind", "prompt", "--json")
    [support] = json.loads(out)
    assert support["name"] == "support"
    assert [v["version"] for v in support["versions"]] == ["v1", "v2"]
    assert support["versions"][1]["message"] == "support: brief"


def test_show_diff_and_label(repo: Repo) -> None:
    run("versions", "sync")
    code, out, _ = run("versions", "show", "support@1")
    assert code == 0
    assert "message  Add support" in out
    assert out.endswith(SUPPORT_V1)
    code, out, _ = run("versions", "label", "support@v1", "production", "--reason", "launch")
    assert (code, out.strip()) == (0, "production: support new -> v1")
    code, out, _ = run("versions", "label", "support@2", "production")
    assert out.strip() == "production: support v1 -> v2"
    code, out, _ = run("versions", "show", "support@production", "--json")
    assert json.loads(out)["version"] == "v2"
    code, out, _ = run("versions", "diff", "support@v1", "support@production")
    assert code == 0
    assert "-You are the Acme assistant. Be friendly and helpful." in out
    assert "+You are the Acme assistant. Be brief and helpful." in out
    code, out, _ = run("versions", "diff", "support@v1", "support@v2", "--side-by-side")
    assert code == 0
    assert "friendly" in out
    assert "brief" in out


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("nothing", "unknown reference 'nothing'"),
        ("nothing@v1", "unknown artifact 'nothing'"),
        ("support@v7", "unknown version support@v7"),
        ("support@gold", "unknown version or label 'gold' of support"),
    ],
)
def test_unknown_artifact_version_or_label_exits_2_with_one_line(
    repo: Repo, ref: str, message: str
) -> None:
    run("versions", "sync")
    code, out, err = run("versions", "show", ref)
    assert code == 2
    assert err.startswith(f"error: {message}")
    assert out == ""


def test_a_bad_file_is_reported_and_does_not_hide_the_others(repo: Repo) -> None:
    repo.write("prompts/broken.yaml", "messages:\n  - role: system\n    content: [1]\n")
    repo.write("prompts/fine.md", "Fine {{x}}\n")
    code, out, err = run("versions", "sync")
    assert code == 2
    assert err.strip() == (
        "error: prompts/broken.yaml:3: messages[0].content: expected a string, got array"
    )
    assert "prompt fine@working" in out
    code, out, _ = run("versions", "list")
    assert "fine" in out
    assert "support" in out


def test_init_writes_the_artifact_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, _ = run("init", "app")
    assert code == 0
    text = (tmp_path / "app" / "llmops.toml").read_text()
    assert '# prompt = ["prompts/**/*.md"' in text
    (tmp_path / "app" / "llmops.toml").write_text(
        text.replace(
            '# dataset = ["datasets/**/*.jsonl", "datasets/**/*.csv"]', 'dataset = ["evals/*.csv"]'
        )
    )
    project = load_project(tmp_path / "app")
    assert project.artifacts[ArtifactKind.DATASET] == ("evals/*.csv",)
    assert project.artifacts[ArtifactKind.PROMPT][0] == "prompts/**/*.md"


def test_a_reader_that_stops_early_is_not_an_error(repo: Repo) -> None:
    """`llmops versions show … | head -1` must end quietly, not with an internal error."""
    long_prompt = "".join(f"Rule {n}: answer from the articles only.\n" for n in range(20_000))
    repo.commit("support: many rules", {"prompts/support.md": long_prompt})
    run("versions", "sync")
    show = subprocess.Popen(
        [sys.executable, "-m", "llmops_tui", "versions", "show", "support"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert show.stdout is not None
    assert show.stderr is not None
    assert show.stdout.read(10)  # then stop reading, as `head` does
    show.stdout.close()
    stderr = show.stderr.read().decode()
    show.wait(timeout=60)
    assert "internal error" not in stderr
    assert "Traceback" not in stderr
