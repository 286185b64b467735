"""The little of git the registry needs, through the plain `git` command.

Why a subprocess and not a library: one `git log --raw` over the artifact folders lists every
change with its blob id in a single pass, and one `git cat-file --batch` streams every new
blob, so a 5,000-commit history is two processes (measured in `bench/versions.py`), and git's
own rename detection, shallow-clone and worktree handling come for free. Output is read with
`-z` so no path is ever mis-split or quoted.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from llmops_tui.errors import LlmopsError

_RECORD = "\x1e"
_FIELD = "\x1f"
LOG_FORMAT = f"--format={_RECORD}%H{_FIELD}%an{_FIELD}%ae{_FIELD}%at{_FIELD}%s"


@dataclass(frozen=True, slots=True)
class Change:
    """One file change of a commit: status A, M, D, T, R or C (renames/copies have `old`)."""

    status: str
    path: str
    blob: str | None
    """The new content's blob id; None for a deletion."""
    old: str | None = None


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    author: str
    email: str
    at: datetime
    subject: str
    changes: tuple[Change, ...]


class Git:
    """A repository seen from the project folder; paths are relative to the project."""

    def __init__(self, top: Path, prefix: str) -> None:
        self.top = top
        self.prefix = prefix
        """The project folder relative to the repository's top, with a trailing slash or ''."""

    @classmethod
    def discover(cls, project: Path) -> Git | None:
        """The repository holding `project`, or None when it is outside git (or no git)."""
        if shutil.which("git") is None:
            return None
        result = subprocess.run(
            ["git", "-C", str(project), "rev-parse", "--show-toplevel", "--show-prefix"],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            return None
        top, _, prefix = result.stdout.partition("\n")
        return cls(Path(top.strip()), prefix.strip())

    def run(self, *args: str, input_bytes: bytes | None = None, check: bool = True) -> bytes:
        result = subprocess.run(
            ["git", "-C", str(self.top), "-c", "core.quotepath=off", *args],
            input=input_bytes,
            capture_output=True,
            check=False,
        )
        if check and result.returncode != 0:
            message = result.stderr.decode(errors="replace").strip().splitlines()
            raise LlmopsError(f"git {args[0]}: {message[-1] if message else 'failed'}")
        return result.stdout

    def head(self) -> str | None:
        """The commit HEAD points at; None in a repository with no commits yet."""
        out = self.run("rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False)
        return out.decode().strip() or None

    def resolve(self, ref: str) -> str | None:
        """A commit id for `ref`, or None when git knows no such commit."""
        if ref.startswith("-"):
            return None
        out = self.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
        return out.decode().strip() or None

    def is_commit(self, sha: str) -> bool:
        return self.resolve(sha) == sha

    def is_shallow(self) -> bool:
        return self.run("rev-parse", "--is-shallow-repository").decode().strip() == "true"

    def log(self, folders: Iterable[str], *, since: str | None) -> list[Commit]:
        """Commits touching `folders` (project-relative), oldest first; only those after
        `since` when given."""
        specs = [self.prefix + folder for folder in folders]
        revision = f"{since}..HEAD" if since else "HEAD"
        out = self.run(
            "log", "-z", "--reverse", "--date-order", "-M", "--raw", "--no-abbrev",
            LOG_FORMAT, revision, "--", *specs,
        )  # fmt: skip
        return list(self._parse_log(out.decode("utf-8", errors="replace")))

    def _parse_log(self, text: str) -> Iterator[Commit]:
        for record in text.split(_RECORD)[1:]:
            header, _, body = record.partition("\0")
            sha, author, email, at, subject = header.split(_FIELD, 4)
            tokens = body.lstrip("\n").split("\0")
            changes: list[Change] = []
            i = 0
            while i < len(tokens) and tokens[i].startswith(":"):
                meta = tokens[i][1:].split(" ")
                status, blob = meta[4][0], meta[3]
                if status in "RC":
                    old, new = self._relative(tokens[i + 1]), self._relative(tokens[i + 2])
                    i += 3
                    if new is not None:
                        changes.append(Change(status, new, blob, old))
                    continue
                path = self._relative(tokens[i + 1])
                i += 2
                if path is not None:
                    changes.append(Change(status, path, None if status == "D" else blob))
            yield Commit(
                sha=sha,
                author=author,
                email=email,
                at=datetime.fromtimestamp(int(at), UTC).replace(tzinfo=None),
                subject=subject,
                changes=tuple(changes),
            )

    def _relative(self, path: str) -> str | None:
        if not path.startswith(self.prefix):
            return None
        return path[len(self.prefix) :]

    def blobs(self, ids: Iterable[str]) -> dict[str, bytes]:
        """The contents of these blobs, read through one `git cat-file --batch`."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        out = self.run(
            "cat-file", "--batch", input_bytes="".join(f"{b}\n" for b in wanted).encode()
        )
        found: dict[str, bytes] = {}
        pos = 0
        for blob in wanted:
            end = out.index(b"\n", pos)
            header = out[pos:end].split(b" ")
            pos = end + 1
            if len(header) < 3 or header[1] == b"missing":
                continue  # a shallow clone may lack old blobs
            size = int(header[2])
            found[blob] = out[pos : pos + size]
            pos += size + 1
        return found

    def tree(self, commit: str, folders: Iterable[str]) -> dict[str, str]:
        """Project-relative path -> blob id of the files under `folders` at `commit`."""
        specs = [self.prefix + folder for folder in folders]
        out = self.run("ls-tree", "-r", "-z", "--full-tree", commit, "--", *specs)
        files: dict[str, str] = {}
        for entry in out.decode("utf-8", errors="replace").split("\0"):
            meta, _, path = entry.partition("\t")
            parts = meta.split(" ")
            if len(parts) == 3 and parts[1] == "blob":
                relative = self._relative(path)
                if relative is not None:
                    files[relative] = parts[2]
        return files


def init_repository(root: Path) -> Git:
    """`git init` a folder (the demo workspace; tests) and return it as a `Git`."""
    result = subprocess.run(
        ["git", "init", "--quiet", "--initial-branch=main", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise LlmopsError(f"git init {root}: {result.stderr.strip() or 'failed'}")
    return Git(root.resolve(), "")


def commit_all(git: Git, message: str, *, author: str, email: str, at: datetime) -> str:
    """Stage everything and commit it as `author` at `at` (author and committer date alike,
    so a replayed history is the same commits every time). Returns the commit id."""
    stamp = f"{int(at.timestamp())} +0000"
    identity = {
        "GIT_AUTHOR_NAME": author,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_NAME": author,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_COMMITTER_DATE": stamp,
    }
    env = {**os.environ, **identity}
    for args in (
        ["add", "--all"],
        ["commit", "--quiet", "--no-verify", "--allow-empty", "-m", message],
    ):
        result = subprocess.run(
            ["git", "-C", str(git.top), "-c", "commit.gpgsign=false", *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        if result.returncode != 0:
            raise LlmopsError(f"git {args[0]}: {result.stderr.strip() or 'failed'}")
    head = git.head()
    assert head is not None
    return head
