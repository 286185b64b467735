"""Releases: the artifact versions at a git ref or in the working tree, named by a hash.

A release's id is the first 12 hex characters of the SHA-256 of its manifest, one
`kind/name content-hash` line per artifact, sorted. The same files give the same id whichever
commit, branch or machine they come from, so a release id recorded in a deploy or an eval
run always means the same prompts and configs.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from llmops_tui.domain.versions import (
    ArtifactKind,
    RegistrySnapshot,
    Release,
    ReleaseEntry,
)
from llmops_tui.store import Store
from llmops_tui.versions.git import Git
from llmops_tui.versions.layout import Layout, content_hash, normalise

RELEASE_ID_CHARS = 12


def manifest_id(entries: list[tuple[ArtifactKind, str, str]]) -> str:
    lines = sorted(f"{kind.value}/{name} {digest}" for kind, name, digest in entries)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:RELEASE_ID_CHARS]


def _release(
    entries: list[tuple[ArtifactKind, str, str]],
    snapshot: RegistrySnapshot,
    *,
    ref: str | None,
    commit: str | None,
) -> Release:
    return Release(
        release_id=manifest_id(entries),
        ref=ref,
        commit=commit,
        entries=tuple(
            ReleaseEntry(kind, name, digest, _number(snapshot, kind, name, digest))
            for kind, name, digest in sorted(entries)
        ),
    )


def _number(snapshot: RegistrySnapshot, kind: ArtifactKind, name: str, digest: str) -> int:
    """The version number of a content; an artifact renamed since has its history under the
    new name, so a content no version of `name` has is looked for under the kind's others."""
    number = snapshot.versions.get((kind, name), {}).get(digest)
    if number is not None:
        return number
    found = {
        n
        for (k, _), numbers in snapshot.versions.items()
        if k is kind
        for d, n in numbers.items()
        if d == digest
    }
    return found.pop() if len(found) == 1 else 0


def release_at(
    git: Git,
    layout: Layout,
    snapshot: RegistrySnapshot,
    commit: str,
    *,
    ref: str | None,
) -> Release:
    """The release at `commit`: blobs already hashed are looked up, others read once."""
    files = git.tree(commit, layout.folders)
    unknown = [blob for blob in files.values() if blob not in snapshot.blobs]
    for blob, raw in git.blobs(unknown).items():
        snapshot.blobs[blob] = content_hash(normalise(raw))
    entries: list[tuple[ArtifactKind, str, str]] = []
    for path, blob in files.items():
        found = layout.identify(path)
        digest = snapshot.blobs.get(blob)
        if found is not None and digest is not None:
            entries.append((found[0], found[1], digest))
    return _release(entries, snapshot, ref=ref, commit=commit)


def working_release(root: Path, layout: Layout, snapshot: RegistrySnapshot) -> Release:
    """The release the working tree holds (uncommitted edits included)."""
    entries = [
        (kind, name, content_hash(normalise((root / path).read_bytes())))
        for path, kind, name in layout.working_files(root)
    ]
    return _release(entries, snapshot, ref="working", commit=None)


def save_release(store: Store, release: Release, *, now: datetime) -> None:
    store.releases.save(release, now=now)


__all__ = ["manifest_id", "release_at", "save_release", "working_release"]
