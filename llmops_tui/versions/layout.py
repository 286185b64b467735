"""Which files are artifacts, what they are called, and what counts as the same content.

Globs come from `[artifacts]` in llmops.toml (`prompts/**/*.md`...). A glob's folder is the
part before its first wildcard; an artifact's name is its path below that folder without the
extension (`prompts/support.md` -> `support`, `prompts/agents/triage.yaml` -> `agents/triage`).

Content is normalised before hashing so that only real edits make versions: a BOM, Windows
line endings, trailing spaces and trailing blank lines are not edits.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from llmops_tui.domain.versions import ArtifactKind

_WILDCARD = re.compile(r"[*?\[]")
HASH_CHARS = 16
"""Hex characters of a content hash kept: 64 bits, collision-free at any realistic size."""


@dataclass(frozen=True, slots=True)
class _Glob:
    kind: ArtifactKind
    folder: str
    """Project-relative folder the names are relative to ('' for the project itself)."""
    regex: re.Pattern[str]


def _translate(pattern: str) -> str:
    """A glob as a regex over '/'-separated paths: `**` spans folders, `*` and `?` do not."""
    out: list[str] = []
    parts = pattern.split("/")
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "**":
            out.append(".*" if last else "(?:[^/]+/)*")
            continue
        piece = "".join("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c) for c in part)
        out.append(piece if last else piece + "/")
    return "".join(out)


class Layout:
    """Maps project-relative paths to (kind, name)."""

    def __init__(self, globs: Mapping[ArtifactKind, tuple[str, ...]]) -> None:
        self._globs: list[_Glob] = []
        self._seen: dict[str, tuple[ArtifactKind, str] | None] = {}
        """A long history names the same paths thousands of times."""
        for kind, patterns in globs.items():
            for pattern in patterns:
                parts = pattern.split("/")
                fixed = []
                for part in parts[:-1]:
                    if _WILDCARD.search(part) or part == "**":
                        break
                    fixed.append(part)
                folder = "/".join(fixed)
                self._globs.append(_Glob(kind, folder, re.compile(_translate(pattern) + r"\Z")))

    @property
    def folders(self) -> list[str]:
        """The folders to look in (deduplicated, outermost only)."""
        found = sorted({g.folder for g in self._globs})
        if "" in found:
            return ["."]
        return [f for f in found if not any(f.startswith(o + "/") for o in found if o != f)]

    def identify(self, path: str) -> tuple[ArtifactKind, str] | None:
        """(kind, name) of an artifact file, None for any other path."""
        if path in self._seen:
            return self._seen[path]
        found = self._identify(path)
        self._seen[path] = found
        return found

    def _identify(self, path: str) -> tuple[ArtifactKind, str] | None:
        for glob in self._globs:
            if glob.regex.match(path):
                below = path[len(glob.folder) + 1 :] if glob.folder else path
                stem = PurePosixPath(below)
                name = str(stem.with_suffix("")) if stem.suffix else below
                return glob.kind, name
        return None

    def working_files(self, root: Path) -> Iterator[tuple[str, ArtifactKind, str]]:
        """(path, kind, name) of every artifact file on disk, skipping hidden folders."""
        for folder in self.folders:
            base = root / folder
            if not base.is_dir():
                continue
            for current, dirs, files in os.walk(base):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for file in sorted(files):
                    relative = (Path(current) / file).relative_to(root).as_posix()
                    found = self.identify(relative)
                    if found is not None:
                        yield relative, found[0], found[1]


def normalise(raw: bytes) -> str:
    """The text a version is: UTF-8, `\\n` line ends, no trailing spaces or blank lines."""
    text = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip(" \t") for line in text.split("\n")]
    return "\n".join(lines).strip("\n") + "\n"


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_CHARS]
