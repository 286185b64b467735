"""What a `REF` on the command line means: one resolver for every command.

- `ART@V`: a version of an artifact. `ART` is its name (`support`) or `kind/name`
  (`prompt/support`) when kinds share a name; `V` is `v3`, `3`, `working` or a label
  (`production`). `ART` alone is its newest committed version.
- A release label (`production` when set on a release), a release id (or a prefix of at least
  six characters), a git ref (`main`, `HEAD~2`, a tag, a commit) or `working` (the working
  tree): a release.

Anything else is an `UnknownRefError`, one line, exit code 2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from llmops_tui.config import ProjectConfig
from llmops_tui.domain.versions import WORKING, ArtifactKind, ArtifactVersion, Release
from llmops_tui.errors import LlmopsError
from llmops_tui.store import Store
from llmops_tui.versions.git import Git
from llmops_tui.versions.layout import Layout
from llmops_tui.versions.releases import release_at, working_release

_NUMBER = re.compile(r"[vV]?(\d+)")


class UnknownRefError(LlmopsError):
    """A reference names no artifact, version, label, release or git ref."""


@dataclass(frozen=True, slots=True)
class ArtifactRef:
    kind: ArtifactKind
    name: str


def find_artifact(store: Store, text: str) -> ArtifactRef:
    found = store.versions.find(text) if store.exists() else []
    if not found:
        raise UnknownRefError(
            f"unknown artifact {text!r}",
            hint="`llmops versions list` shows them; `llmops versions sync` registers new files",
        )
    if len(found) > 1:
        choices = ", ".join(f"{kind.value}/{name}" for kind, name in found)
        raise UnknownRefError(f"artifact {text!r} is ambiguous: say {choices}")
    return ArtifactRef(*found[0])


def resolve_version(store: Store, text: str) -> ArtifactVersion:
    """`ART` or `ART@V` to a registered version."""
    art, at, spec = text.rpartition("@") if "@" in text else (text, "", "")
    artifact = find_artifact(store, art)
    numbers = [row.version.number for row in store.versions.history(artifact.kind, artifact.name)]
    if not at:
        committed = [n for n in numbers if n != WORKING]
        if not committed:
            if WORKING in numbers:
                return store.versions.version(artifact.kind, artifact.name, WORKING)
            raise UnknownRefError(f"{art}: no versions registered yet")
        return store.versions.version(artifact.kind, artifact.name, max(committed))
    number = _version_number(store, artifact, spec)
    if number not in numbers:
        tag = "working" if number == WORKING else f"v{number}"
        known = ", ".join("working" if n == WORKING else f"v{n}" for n in sorted(numbers))
        raise UnknownRefError(f"unknown version {art}@{tag} (it has {known or 'none'})")
    return store.versions.version(artifact.kind, artifact.name, number)


def _version_number(store: Store, artifact: ArtifactRef, spec: str) -> int:
    if spec == "working":
        return WORKING
    match = _NUMBER.fullmatch(spec)
    if match:
        return int(match.group(1))
    labels = store.labels.of_artifact(artifact.kind, artifact.name)
    if spec in labels:
        return labels[spec]
    known = ", ".join(sorted(labels)) or "none"
    raise UnknownRefError(
        f"unknown version or label {spec!r} of {artifact.name} (labels: {known})",
        hint="V is vN, N, working or a label",
    )


def resolve(store: Store, project: ProjectConfig, text: str) -> ArtifactVersion | Release:
    """Any REF: an artifact version (`ART`, `ART@V`) or a release."""
    if "@" in text or (store.exists() and store.versions.find(text)):
        return resolve_version(store, text)
    return resolve_release(store, project, text)


def resolve_release(store: Store, project: ProjectConfig, text: str) -> Release:
    layout = Layout(project.artifacts)
    if store.exists():
        labelled = store.labels.release_for(text)
        if labelled is not None:
            release = store.releases.get(labelled)
            if release is not None:
                return release
        stored = store.releases.get(text)
        if stored is not None:
            return stored
    snapshot = store.versions.known()
    if text == "working":
        return working_release(project.root, layout, snapshot)
    git = Git.discover(project.root)
    commit = git.resolve(text) if git is not None else None
    if git is None or commit is None:
        raise UnknownRefError(
            f"unknown reference {text!r}: not an artifact, label, release id or git ref"
        )
    return release_at(git, layout, snapshot, commit, ref=text)
