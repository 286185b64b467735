"""`git-tag`: a tag (`deploy/production`) marks the commit an environment runs.

A canary moves its own tag (`deploy/production-canary`): one tag can name one commit only,
and the stable tag must keep naming the stable release while the canary runs. Promote, deploy
and rollback move the main tag and delete the canary tag. Tags are annotated with who, what
and why. With `remote`, the tags are pushed (forced); a failed push puts the local tags back,
so the environment keeps its previous release everywhere.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from llmops_tui.builtin_plugins.deploy_targets.common import (
    check_options,
    option_number,
    option_str,
    project_path,
    tail,
)
from llmops_tui.domain.deploy import DeployOutcome, DeployRequest
from llmops_tui.plugin_api import DeployError


class GitTagTarget:
    name = "git-tag"
    description = "moves a git tag (deploy/<env>) to the release's commit; optional push"

    def deploy(self, request: DeployRequest) -> DeployOutcome:
        check_options(request, {"tag", "canary_tag", "remote", "repo", "timeout"})
        tag = option_str(request, "tag", f"deploy/{request.environment}")
        canary_tag = option_str(request, "canary_tag", f"{tag}-canary")
        remote = request.options.get("remote")
        if remote is not None and (not isinstance(remote, str) or not remote):
            raise DeployError(
                f"[environments.{request.environment}] options.remote: expected a remote name"
            )
        repo = _Repo(
            project_path(request, option_str(request, "repo", ".")),
            option_number(request, "timeout", 60),
        )
        commit = request.release.commit
        if commit is None:
            raise DeployError(
                f"release {request.release.release_id} has no commit (the working tree): "
                "commit it before deploying with git-tag"
            )
        is_canary = len(request.traffic) > 1
        moving, dropping = (canary_tag, None) if is_canary else (tag, canary_tag)
        before = {t: repo.points_at(t) for t in (tag, canary_tag)}
        if before[moving] == commit and (dropping is None or before[dropping] is None):
            return DeployOutcome(f"tag {moving} already at {commit[:10]}", changed=False)
        message = f"{request.action} release {request.release.release_id} to {request.environment}"
        message += f" by {request.actor}" + (f": {request.reason}" if request.reason else "")
        try:
            repo.git("tag", "--force", "--annotate", "--message", message, moving, commit)
            if dropping is not None and before[dropping] is not None:
                repo.git("tag", "--delete", dropping)
            if isinstance(remote, str):
                pushed = [f"+refs/tags/{moving}:refs/tags/{moving}"]
                if dropping is not None and before[dropping] is not None:
                    pushed.append(f":refs/tags/{dropping}")
                repo.git("push", "--quiet", remote, *pushed)
        except DeployError:
            repo.restore(before)
            raise
        where = f" and pushed to {remote}" if isinstance(remote, str) else ""
        return DeployOutcome(f"moved tag {moving} to {commit[:10]}{where}")


class _Repo:
    def __init__(self, path: Path, timeout: float) -> None:
        self.path = path
        self.timeout = timeout

    def git(self, *args: str, check: bool = True) -> str:
        env = dict(os.environ)
        # An annotated tag needs a committer; a CI machine may have none configured.
        env.setdefault("GIT_COMMITTER_NAME", "llmops")
        env.setdefault("GIT_COMMITTER_EMAIL", "llmops@localhost")
        try:
            result = subprocess.run(
                ["git", "-C", str(self.path), *args],
                capture_output=True,
                text=True,
                env=env,
                timeout=self.timeout,
                check=False,
            )
        except FileNotFoundError:
            raise DeployError("git-tag: git is not installed") from None
        except subprocess.TimeoutExpired:
            raise DeployError(f"git {args[0]}: no answer after {self.timeout:g}s") from None
        if check and result.returncode != 0:
            raise DeployError(f"git {args[0]} failed: {tail(result.stderr)}")
        return result.stdout.strip()

    def points_at(self, tag: str) -> str | None:
        out = self.git(
            "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{commit}}", check=False
        )
        return out or None

    def restore(self, before: dict[str, str | None]) -> None:
        for tag, commit in before.items():
            if commit is None:
                self.git("tag", "--delete", tag, check=False)
            else:
                self.git("tag", "--force", tag, commit, check=False)
