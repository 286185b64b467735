"""The version registry's vocabulary: artifacts, their versions, labels, releases, links.

An artifact is a file under one of the project's artifact folders (a prompt template, a model
or retrieval config, an eval dataset), named by its path below that folder without extension.
A version is a distinct normalised content of it, numbered v1, v2, ... in order of first
appearance in git history; number 0 is the `working` version (edits not yet committed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

WORKING = 0
"""The version number of uncommitted content; shown as `working`."""

STANDARD_LABELS = ("production", "staging", "canary")
"""Labels every project has; any other name is a custom label."""


class ArtifactKind(StrEnum):
    PROMPT = "prompt"
    MODEL = "model"
    RETRIEVAL = "retrieval"
    DATASET = "dataset"


def version_tag(number: int) -> str:
    """`v3`, or `working` for uncommitted content."""
    return "working" if number == WORKING else f"v{number}"


@dataclass(frozen=True, slots=True)
class ArtifactVersion:
    kind: ArtifactKind
    name: str
    number: int
    """1, 2, ... in order of first appearance; `WORKING` (0) for uncommitted content."""
    content_hash: str
    path: str
    """The file's path (relative to the project) when this content first appeared."""
    commit: str | None
    author: str | None
    author_email: str | None
    committed_at: datetime | None
    """UTC; None for the working version."""
    message: str | None
    """The first line of the commit message."""
    variables: tuple[str, ...] = ()
    """Template variables of a prompt (`{{name}}`), in order of first use."""
    row_count: int | None = None
    """Rows of a dataset."""
    schema: dict[str, str] | None = None
    """A dataset's columns and their types (`"string"`, `"number"`, `"string|null"`...)."""
    problem: str | None = None
    """Why this content could not be parsed, as it follows the file name in a one-line error
    (`:9: messages[1].role: expected a string`); the version still counts."""

    @property
    def tag(self) -> str:
        return version_tag(self.number)

    @property
    def ref(self) -> str:
        """`name@v3`: what the CLI and the filter language accept."""
        return f"{self.name}@{self.tag}"


@dataclass(frozen=True, slots=True)
class ArtifactSummary:
    """One row of the artifact list: an artifact, its newest versions and its labels."""

    kind: ArtifactKind
    name: str
    path: str
    versions: int
    """Committed versions (the working version is not counted)."""
    latest: int | None
    """The highest committed version number."""
    has_working: bool
    deleted: bool
    labels: tuple[tuple[str, int], ...]
    """(label, version) pairs, by label name."""


@dataclass(frozen=True, slots=True)
class VersionMetrics:
    """Production figures of one version from its linked spans (all environments unless asked)."""

    requests: int
    errors: int
    p95_ms: float | None
    cost_usd: float | None
    unpriced: int
    feedback_count: int
    feedback_mean: float | None
    """Mean of feedback scores (user feedback and judge scores share the `feedback` table)."""
    first_at: datetime | None
    last_at: datetime | None

    @property
    def error_rate(self) -> float | None:
        return self.errors / self.requests if self.requests else None

    @property
    def cost_per_request(self) -> float | None:
        priced = self.requests - self.unpriced
        if self.cost_usd is None or priced <= 0:
            return None
        return self.cost_usd / priced


@dataclass(frozen=True, slots=True)
class VersionRow:
    """One line of an artifact's version history, newest first."""

    version: ArtifactVersion
    labels: tuple[str, ...]
    metrics: VersionMetrics


@dataclass(frozen=True, slots=True)
class VersionText:
    version: ArtifactVersion
    text: str


@dataclass(frozen=True, slots=True)
class LabelMove:
    """One move of a label. For artifact labels `kind`/`name` name the artifact and the
    versions are set; for release labels `kind` is `"release"` and the release ids are set."""

    kind: str
    name: str
    label: str
    from_version: int | None
    to_version: int | None
    from_release: str | None
    to_release: str | None
    moved_at: datetime
    moved_by: str
    reason: str | None

    @property
    def changed(self) -> bool:
        return (self.from_version, self.from_release) != (self.to_version, self.to_release)

    def describe(self) -> str:
        """`production: support v3 -> v4` (or `new` when the label did not exist)."""
        if self.kind == "release":
            before = self.from_release or "new"
            return f"{self.label}: release {before} -> {self.to_release}"
        before = version_tag(self.from_version) if self.from_version is not None else "new"
        after = version_tag(self.to_version) if self.to_version is not None else "-"
        return f"{self.label}: {self.name} {before} -> {after}"


@dataclass(frozen=True, slots=True)
class ReleaseEntry:
    kind: ArtifactKind
    name: str
    content_hash: str
    number: int
    """The version number of this content (`WORKING` when uncommitted)."""


@dataclass(frozen=True, slots=True)
class Release:
    """The artifact versions at a git ref or in the working tree; `release_id` hashes the
    manifest, so equal contents are the same release whichever ref names it."""

    release_id: str
    ref: str | None
    commit: str | None
    entries: tuple[ReleaseEntry, ...]


@dataclass(frozen=True, slots=True)
class ArtifactProblem:
    """A malformed artifact file: one line naming file, line and field."""

    path: str
    message: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        what = f"{self.field}: {self.message}" if self.field else self.message
        return f"{where}: {what}"


@dataclass(frozen=True, slots=True)
class LinkReport:
    """What a linking pass did: spans linked by attributes and by text, and the prompt-bearing
    spans (a prompt attribute or a system message) that matched no registered version."""

    by_attribute: int
    by_text: int
    unlinked: int


@dataclass(frozen=True, slots=True)
class PromptMatcher:
    """A prompt version's system template compiled for matching rendered messages: the
    literal text between its variables. A rendered message matches when it starts with the
    first literal, ends with the last, and holds the others in order."""

    name: str
    content_hash: str
    literals: tuple[str, ...]

    @property
    def specificity(self) -> int:
        """Literal characters: with two matching templates the more specific one wins."""
        return sum(len(part) for part in self.literals)


@dataclass(frozen=True, slots=True)
class StoredVersion:
    """A version as the registry writes it: its metadata, normalised text and matcher."""

    version: ArtifactVersion
    content: str
    match_literals: tuple[str, ...] | None = None
    """The prompt's system template split at its variables; None when it has none."""


@dataclass(frozen=True, slots=True)
class ArtifactState:
    """Where an artifact's file is now; `deleted_in` is the commit that removed it."""

    kind: ArtifactKind
    name: str
    path: str
    deleted_in: str | None = None


@dataclass(frozen=True, slots=True)
class RegistryUpdate:
    """Everything one `versions sync` learned, written in one transaction."""

    renames: tuple[tuple[ArtifactKind, str, str], ...] = ()
    """(kind, old name, new name), applied first, in order: the history follows the file."""
    artifacts: tuple[ArtifactState, ...] = ()
    versions: tuple[StoredVersion, ...] = ()
    working: tuple[StoredVersion, ...] | None = None
    """Replaces every working version when given (None leaves them alone)."""
    blobs: tuple[tuple[str, str], ...] = ()
    """(git blob id, content hash)."""
    state: tuple[tuple[str, str], ...] = ()


DEFAULT_GLOBS: dict[ArtifactKind, tuple[str, ...]] = {
    ArtifactKind.PROMPT: (
        "prompts/**/*.md",
        "prompts/**/*.txt",
        "prompts/**/*.yaml",
        "prompts/**/*.yml",
        "prompts/**/*.json",
    ),
    ArtifactKind.MODEL: (
        "models/**/*.yaml",
        "models/**/*.yml",
        "models/**/*.toml",
        "models/**/*.json",
    ),
    ArtifactKind.RETRIEVAL: (
        "retrieval/**/*.yaml",
        "retrieval/**/*.yml",
        "retrieval/**/*.toml",
        "retrieval/**/*.json",
    ),
    ArtifactKind.DATASET: ("datasets/**/*.jsonl", "datasets/**/*.csv"),
}
"""Where each kind of artifact lives unless `[artifacts]` in llmops.toml says otherwise."""


@dataclass(slots=True)
class RegistrySnapshot:
    """What the store already knows when a sync starts (mutable: the scan extends it)."""

    blobs: dict[str, str] = field(default_factory=dict)
    """git blob id -> content hash."""
    versions: dict[tuple[ArtifactKind, str], dict[str, int]] = field(default_factory=dict)
    """(kind, name) -> {content hash: version number} (0 for the working version)."""
    artifacts: dict[tuple[ArtifactKind, str], ArtifactState] = field(default_factory=dict)
    problems: dict[tuple[ArtifactKind, str], str] = field(default_factory=dict)
    """(kind, content hash) -> why that content could not be parsed."""
    state: dict[str, str] = field(default_factory=dict)
