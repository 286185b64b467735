"""Each built-in target for real: a file, a git repository, a program, an HTTP server."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from llmops_tui.builtin_plugins.deploy_targets.command import CommandTarget
from llmops_tui.builtin_plugins.deploy_targets.file import FileTarget
from llmops_tui.builtin_plugins.deploy_targets.git_tag import GitTagTarget
from llmops_tui.builtin_plugins.deploy_targets.webhook import WebhookTarget
from llmops_tui.domain.deploy import DeployRequest, TrafficShare
from llmops_tui.domain.versions import ArtifactKind, Release, ReleaseEntry
from llmops_tui.plugin_api import DeployError
from tests.versions.repo import Repo


def _request(
    root: Path,
    options: dict[str, object],
    *,
    commit: str | None = None,
    canary: bool = False,
    action: str = "deploy",
) -> DeployRequest:
    release = Release(
        "abc123def456",
        "HEAD",
        commit,
        (ReleaseEntry(ArtifactKind.PROMPT, "support", "h", 4),),
    )
    traffic = (
        (TrafficShare("0ld0ld0ld0ld", 90.0), TrafficShare("abc123def456", 10.0))
        if canary
        else (TrafficShare("abc123def456", 100.0),)
    )
    return DeployRequest(
        environment="production",
        release=release,
        traffic=traffic,
        options=options,
        project_root=root,
        action=action,
        actor="ann",
        reason="ship it",
        artifacts={"prompt/support": "v4"},
    )


# -- file ------------------------------------------------------------------------------------


def test_file_writes_the_state_atomically_and_a_repeat_changes_nothing(tmp_path: Path) -> None:
    target = FileTarget()
    outcome = target.deploy(_request(tmp_path, {}))
    path = tmp_path / "deploy" / "production.json"
    data = json.loads(path.read_text())
    assert outcome.changed
    assert outcome.detail == "wrote deploy/production.json"
    assert data["release"] == "abc123def456"
    assert data["artifacts"] == {"prompt/support": "v4"}
    assert data["traffic"] == [{"release": "abc123def456", "percent": 100.0}]
    assert data["actor"] == "ann"
    assert "updated_at" in data
    assert [p.name for p in path.parent.iterdir()] == ["production.json"]  # no temp left over
    before = path.stat().st_mtime_ns, path.read_text()
    again = target.deploy(_request(tmp_path, {}))
    assert not again.changed
    assert (path.stat().st_mtime_ns, path.read_text()) == before
    canary = target.deploy(_request(tmp_path, {}, canary=True))
    assert canary.changed
    assert len(json.loads(path.read_text())["traffic"]) == 2


def test_file_honours_a_custom_path_and_reports_an_unwritable_one(tmp_path: Path) -> None:
    FileTarget().deploy(_request(tmp_path, {"path": "out/app-state.json"}))
    assert (tmp_path / "out" / "app-state.json").is_file()
    (tmp_path / "blocked").write_text("a file, not a folder")
    with pytest.raises(DeployError, match=r"cannot write blocked/x\.json"):
        FileTarget().deploy(_request(tmp_path, {"path": "blocked/x.json"}))
    with pytest.raises(DeployError, match=r"options: unknown 'pth' \(this target takes path\)"):
        FileTarget().deploy(_request(tmp_path, {"pth": "x.json"}))


# -- git-tag ---------------------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "repo")
    repo.commit("one", {"a.txt": "1"})
    repo.commit("two", {"a.txt": "2"})
    return repo


def _tag(repo: Repo, tag: str) -> str | None:
    out = subprocess.run(
        ["git", "-C", str(repo.root), "rev-parse", "--verify", "-q", f"refs/tags/{tag}^{{commit}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout.strip() or None


def test_git_tag_moves_an_annotated_tag_and_a_canary_tag(repo: Repo) -> None:
    one, two = repo.git("rev-parse", "HEAD~1"), repo.git("rev-parse", "HEAD")
    target = GitTagTarget()
    outcome = target.deploy(_request(repo.root, {}, commit=one))
    assert outcome.detail == f"moved tag deploy/production to {one[:10]}"
    assert _tag(repo, "deploy/production") == one
    message = repo.git("tag", "-l", "--format=%(contents:subject)", "deploy/production")
    assert message == "deploy release abc123def456 to production by ann: ship it"
    assert not target.deploy(_request(repo.root, {}, commit=one)).changed
    target.deploy(_request(repo.root, {}, commit=two, canary=True, action="canary"))
    assert _tag(repo, "deploy/production") == one  # the stable tag stays
    assert _tag(repo, "deploy/production-canary") == two
    target.deploy(_request(repo.root, {}, commit=two, action="promote"))
    assert _tag(repo, "deploy/production") == two
    assert _tag(repo, "deploy/production-canary") is None


def test_git_tag_refuses_a_working_tree_release_and_undoes_a_failed_push(repo: Repo) -> None:
    one, two = repo.git("rev-parse", "HEAD~1"), repo.git("rev-parse", "HEAD")
    with pytest.raises(DeployError, match="has no commit"):
        GitTagTarget().deploy(_request(repo.root, {}, commit=None))
    GitTagTarget().deploy(_request(repo.root, {}, commit=one))
    with pytest.raises(DeployError, match="git push failed"):
        GitTagTarget().deploy(_request(repo.root, {"remote": "nowhere"}, commit=two))
    assert _tag(repo, "deploy/production") == one


def test_git_tag_pushes_to_a_remote(repo: Repo, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--bare", "-q", str(remote)], check=True)
    two = repo.git("rev-parse", "HEAD")
    outcome = GitTagTarget().deploy(_request(repo.root, {"remote": str(remote)}, commit=two))
    assert outcome.detail.endswith(f"and pushed to {remote}")
    pushed = subprocess.run(
        ["git", "-C", str(remote), "rev-parse", "refs/tags/deploy/production^{commit}"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert pushed.stdout.strip() == two


# -- command ---------------------------------------------------------------------------------

SCRIPT = """\
import json, os, sys
out = {k: os.environ[k] for k in os.environ if k.startswith("LLMOPS_")}
open(sys.argv[1], "w").write(json.dumps(out))
if os.environ["LLMOPS_ACTION"] == "rollback":
    print("health check failed: 503 from /ready", file=sys.stderr)
    sys.exit(3)
"""


def test_command_runs_the_argv_with_the_release_in_its_environment(tmp_path: Path) -> None:
    (tmp_path / "hook.py").write_text(SCRIPT)
    argv = [sys.executable, "hook.py", "seen.json", "; rm -rf /"]  # no shell: just an argument
    outcome = CommandTarget().deploy(_request(tmp_path, {"argv": argv}, canary=True))
    assert outcome.detail.startswith("ran ")
    seen = json.loads((tmp_path / "seen.json").read_text())
    assert seen["LLMOPS_RELEASE"] == "abc123def456"
    assert seen["LLMOPS_ENVIRONMENT"] == "production"
    assert seen["LLMOPS_ACTION"] == "deploy"
    assert json.loads(seen["LLMOPS_TRAFFIC"]) == [
        {"release": "0ld0ld0ld0ld", "percent": 90.0},
        {"release": "abc123def456", "percent": 10.0},
    ]
    assert json.loads(seen["LLMOPS_ARTIFACTS"]) == {"prompt/support": "v4"}


def test_command_failures_carry_the_stderr_tail(tmp_path: Path) -> None:
    (tmp_path / "hook.py").write_text(SCRIPT)
    argv = [sys.executable, "hook.py", "seen.json"]
    with pytest.raises(DeployError, match="exited 3: health check failed: 503 from /ready"):
        CommandTarget().deploy(_request(tmp_path, {"argv": argv}, action="rollback"))
    slow = [sys.executable, "-c", "import time; time.sleep(30)"]
    with pytest.raises(DeployError, match=r"no exit after 0.5s \(killed\)"):
        CommandTarget().deploy(_request(tmp_path, {"argv": slow, "timeout": 0.5}))
    with pytest.raises(DeployError, match="cannot run"):
        CommandTarget().deploy(_request(tmp_path, {"argv": ["./no-such-program"]}))
    with pytest.raises(DeployError, match=r"options\.argv: expected a list of strings"):
        CommandTarget().deploy(_request(tmp_path, {"argv": "deploy.sh --prod"}))


# -- webhook ---------------------------------------------------------------------------------

SECRET = "s3cret"


class _Receiver(BaseHTTPRequestHandler):
    answers: ClassVar[list[int]] = []
    received: ClassVar[list[tuple[bytes, bool]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        valid = hmac.compare_digest(self.headers.get("X-Llmops-Signature", ""), expected)
        type(self).received.append((body, valid))
        status = type(self).answers.pop(0) if type(self).answers else 200
        if not valid:
            status = 401
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"bad signature" if status == 401 else b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    _Receiver.answers, _Receiver.received = [], []
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/deploy"
    server.shutdown()
    server.server_close()


def _hook(url: str, **extra: object) -> dict[str, object]:
    return {"url": url, "secret_env": "HOOK_SECRET", "backoff": 0, **extra}


def test_webhook_posts_a_signed_body(tmp_path: Path, receiver: str) -> None:
    outcome = WebhookTarget().deploy(_request(tmp_path, _hook(receiver)))
    assert outcome.detail == f"POST {receiver}: 200"
    [(body, valid)] = _Receiver.received
    assert valid
    assert json.loads(body)["release"] == "abc123def456"
    assert json.loads(body)["traffic"] == [{"release": "abc123def456", "percent": 100.0}]


def test_webhook_retries_5xx_and_fails_on_4xx_or_a_wrong_secret(
    tmp_path: Path, receiver: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    target = WebhookTarget(sleep=slept.append)
    _Receiver.answers = [503, 502]
    assert target.deploy(_request(tmp_path, _hook(receiver, backoff=0.1))).changed
    assert len(_Receiver.received) == 3
    assert slept == [0.1, 0.2]  # exponential backoff
    _Receiver.answers = [500, 500, 500]
    with pytest.raises(DeployError, match=r"HTTP 500: ok \(after 3 attempts\)"):
        target.deploy(_request(tmp_path, _hook(receiver, retries=2)))
    _Receiver.answers = [404]
    with pytest.raises(DeployError, match="HTTP 404"):
        target.deploy(_request(tmp_path, _hook(receiver)))
    monkeypatch.setenv("HOOK_SECRET", "wrong")
    with pytest.raises(DeployError, match="HTTP 401: bad signature"):
        target.deploy(_request(tmp_path, _hook(receiver)))
    monkeypatch.delenv("HOOK_SECRET")
    with pytest.raises(DeployError, match=r"\$HOOK_SECRET \(options.secret_env\) is not set"):
        target.deploy(_request(tmp_path, _hook(receiver)))


def test_webhook_gives_up_on_a_dead_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    port = server.server_port
    server.server_close()  # nothing listens there now
    with pytest.raises(DeployError, match=r"cannot connect.*\(after 2 attempts\)"):
        WebhookTarget(sleep=lambda _s: None).deploy(
            _request(tmp_path, _hook(f"http://127.0.0.1:{port}/", retries=1))
        )
    assert os.environ["HOOK_SECRET"] == SECRET


def test_webhook_times_out_on_a_silent_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    with socket.socket() as silent:  # accepts connections (the backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        with pytest.raises(DeployError, match=r"no answer within 0.2s \(after 2 attempts\)"):
            WebhookTarget(sleep=lambda _s: None).deploy(
                _request(tmp_path, _hook(url, retries=1, timeout=0.2))
            )
