"""A real git repository in tmp_path, committed to with fixed authors and dates."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from llmops_tui.config import ProjectConfig, load_project
from llmops_tui.store import Store
from llmops_tui.versions.sync import SyncReport, sync

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 6, 1, 12, 0)


class Repo:
    """A project folder (optionally a git repository) with an llmops.toml."""

    def __init__(self, root: Path, *, git: bool = True) -> None:
        self.root = root
        self.commits = 0
        root.mkdir(parents=True, exist_ok=True)
        (root / "llmops.toml").write_text('[project]\nname = "t"\n', encoding="utf-8")
        if git:
            self.git("init", "--quiet", "--initial-branch=main")
        self.store = Store(root / ".llmops" / "llmops.duckdb")

    def git(self, *args: str, author: str = "Ann Author") -> str:
        at = START + timedelta(hours=self.commits)
        stamp = f"{int(at.timestamp())} +0000"
        env = {
            "GIT_AUTHOR_NAME": author,
            "GIT_AUTHOR_EMAIL": f"{author.split()[0].lower()}@example.com",
            "GIT_COMMITTER_NAME": author,
            "GIT_COMMITTER_EMAIL": "ci@example.com",
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_DATE": stamp,
            "HOME": str(self.root),
            "PATH": "/usr/bin:/bin:/usr/local/bin",
        }
        result = subprocess.run(
            ["git", "-C", str(self.root), "-c", "commit.gpgsign=false", *args],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        return result.stdout.strip()

    def write(self, path: str, text: str) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def commit(
        self, message: str, files: dict[str, str] | None = None, *, author: str = "Ann Author"
    ) -> str:
        """Write `files` (path -> text) and commit everything in the tree."""
        for path, text in (files or {}).items():
            self.write(path, text)
        self.commits += 1
        self.git("add", "--all")
        self.git("commit", "--quiet", "--allow-empty", "-m", message, author=author)
        return self.git("rev-parse", "HEAD")

    @property
    def project(self) -> ProjectConfig:
        return load_project(self.root)

    def sync(self) -> SyncReport:
        return sync(self.project, self.store, now=NOW)

    def numbers(self, name: str) -> list[str]:
        """The artifact's version tags, oldest first (working last)."""
        found = self.store.versions.find(name)
        assert len(found) == 1, found
        kind, name = found[0]
        rows = self.store.versions.history(kind, name)
        return [r.version.tag for r in reversed(rows) if r.version.number] + [
            r.version.tag for r in rows if not r.version.number
        ]
