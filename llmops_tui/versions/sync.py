"""`llmops versions sync`: register the artifact versions found in git and the working tree.

One pass, oldest commit first, over `git log --raw` of the artifact folders: each change's
blob is hashed once (normalised content, remembered per blob in the store), and a content an
artifact never had becomes its next version, carrying the commit that introduced it. A content
it had before (a revert) is that earlier version again, not a new one. Renames move the
artifact's history to its new name; deletions are recorded. The last commit scanned is kept,
so a re-scan reads only newer commits, and when nothing changed a sync is a few `git` calls
and a read of the working tree.

Then the working tree: a file whose content no commit has is the artifact's `working`
version. Outside git there are no commits, so each new content seen by a sync is numbered
as it is found; in a repository without commits everything is `working` until committed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from llmops_tui.config import ProjectConfig
from llmops_tui.domain.versions import (
    WORKING,
    ArtifactKind,
    ArtifactProblem,
    ArtifactState,
    ArtifactVersion,
    LinkReport,
    RegistrySnapshot,
    RegistryUpdate,
    StoredVersion,
)
from llmops_tui.identity import current_user
from llmops_tui.store import Store
from llmops_tui.versions.git import Commit, Git
from llmops_tui.versions.layout import Layout, content_hash, normalise
from llmops_tui.versions.parsers import ArtifactFileError, Parsed, parse
from llmops_tui.versions.releases import release_at, save_release

HEAD_KEY = "git.head"
SHALLOW_KEY = "git.shallow"
_Key = tuple[ArtifactKind, str]


@dataclass(frozen=True, slots=True)
class SyncReport:
    source: str
    """`git`, `git (shallow)`, `git (no commits)` or `no git`."""
    head: str | None
    commits: int
    """Commits read by this sync (0 when nothing changed since the last)."""
    new_versions: tuple[ArtifactVersion, ...]
    working: tuple[ArtifactVersion, ...]
    problems: tuple[str, ...]
    """Malformed artifact files in the working tree, one line each (`file:line: field: ...`);
    each is still registered: content is content."""
    links: LinkReport | None
    """Spans linked because versions were added (None when nothing new to link)."""
    release_id: str | None


@dataclass
class _Scan:
    """The registry as the scan goes: the snapshot plus what this sync adds."""

    snapshot: RegistrySnapshot
    now: datetime
    texts: dict[str, str] = field(default_factory=dict)
    new: dict[_Key, list[StoredVersion]] = field(default_factory=dict)
    renames: list[tuple[ArtifactKind, str, str]] = field(default_factory=list)
    touched: dict[_Key, ArtifactState] = field(default_factory=dict)
    new_blobs: dict[str, str] = field(default_factory=dict)

    def numbers(self, key: _Key) -> dict[str, int]:
        return self.snapshot.versions.setdefault(key, {})

    def add(
        self, key: _Key, path: str, digest: str, commit: Commit | None, number: int | None = None
    ) -> None:
        """Register `digest` as a version of `key` unless it already is one."""
        numbers = self.numbers(key)
        if digest in numbers and numbers[digest] != WORKING:
            return
        if number is None:
            number = max((n for n in numbers.values()), default=0) + 1
        numbers[digest] = number
        _, stored = _version(key, path, digest, self.texts[digest], commit, number, self.now)
        self.new.setdefault(key, []).append(stored)
        if stored.version.problem is not None:
            self.snapshot.problems[key[0], digest] = stored.version.problem

    def place(self, key: _Key, path: str, deleted_in: str | None = None) -> None:
        state = ArtifactState(key[0], key[1], path, deleted_in)
        self.snapshot.artifacts[key] = state
        self.touched[key] = state

    def rename(self, old: _Key, new: _Key) -> None:
        kind = old[0]
        self.renames.append((kind, old[1], new[1]))
        self.snapshot.versions[new] = self.snapshot.versions.pop(old, {})
        moved = self.new.pop(old, [])
        self.new[new] = [
            replace(s, version=replace(s.version, name=new[1])) for s in moved
        ] + self.new.get(new, [])
        self.snapshot.artifacts.pop(old, None)
        self.touched.pop(old, None)


def sync(project: ProjectConfig, store: Store, *, now: datetime, link: bool = True) -> SyncReport:
    """Bring the registry up to date with the project's git history and working tree."""
    store.initialise()
    layout = Layout(project.artifacts)
    git = Git.discover(project.root)
    with store.reader():  # keep the file open for the whole sync (one unit of work)
        snapshot = store.versions.known()
        scan = _Scan(snapshot, now)
        working_before = {
            key: digest
            for key, numbers in snapshot.versions.items()
            for digest, number in numbers.items()
            if number == WORKING
        }
        head = git.head() if git else None
        commits = 0
        shallow = bool(git and head and git.is_shallow())
        state: list[tuple[str, str]] = []
        if git is not None and head is not None:
            last = snapshot.state.get(HEAD_KEY)
            was_shallow = snapshot.state.get(SHALLOW_KEY) == "true"
            if last is not None and (was_shallow != shallow or not git.is_commit(last)):
                last = None  # history was rewritten or deepened: read it all again
            if last != head:
                history = git.log(layout.folders, since=last)
                commits = len(history)
                _replay(git, layout, scan, history)
                state = [(HEAD_KEY, head), (SHALLOW_KEY, "true" if shallow else "false")]
        for numbers in snapshot.versions.values():
            for digest in [d for d, n in numbers.items() if n == WORKING]:
                del numbers[digest]
        working, problems = _working_tree(project.root, layout, scan, numbered=git is None)
        working_after = {(w.version.kind, w.version.name): w.version.content_hash for w in working}
        new_versions = [s for stored in scan.new.values() for s in stored]
        changed_working = working_after != working_before
        if new_versions or scan.touched or scan.renames or changed_working or state:
            update = RegistryUpdate(
                renames=tuple(scan.renames),
                artifacts=tuple(scan.touched.values()),
                versions=tuple(new_versions),
                working=tuple(working) if changed_working else None,
                blobs=tuple(scan.new_blobs.items()),
                state=tuple(state),
            )
            store.versions.apply(update, now=now)
        release_id = None
        if git is not None and head is not None and state:
            release = release_at(git, layout, scan.snapshot, head, ref=None)
            save_release(store, release, now=now)
            release_id = release.release_id
    links = None
    if link and (new_versions or changed_working):
        links = store.links.link(backfill=True)
    source = "no git" if git is None else "git (no commits)" if head is None else "git"
    if shallow:
        source = "git (shallow)"
    return SyncReport(
        source=source,
        head=head,
        commits=commits,
        new_versions=tuple(s.version for s in new_versions),
        working=tuple(w.version for w in working),
        problems=tuple(problems),
        links=links,
        release_id=release_id,
    )


def _replay(git: Git, layout: Layout, scan: _Scan, history: list[Commit]) -> None:
    wanted = [
        change.blob
        for commit in history
        for change in commit.changes
        if change.blob is not None
        and change.blob not in scan.snapshot.blobs
        and layout.identify(change.path) is not None
    ]
    for blob, raw in git.blobs(wanted).items():
        text = normalise(raw)
        digest = content_hash(text)
        scan.texts.setdefault(digest, text)
        scan.snapshot.blobs[blob] = digest
        scan.new_blobs[blob] = digest
    for commit in history:
        for change in commit.changes:
            found = layout.identify(change.path)
            if change.old is not None and change.status == "R":
                old = layout.identify(change.old)
                if old is not None and old != found:
                    live = found is not None and _live(scan, found)
                    if found is not None and old[0] == found[0] and not live:
                        scan.rename(old, found)
                    else:
                        scan.place(old, change.old, deleted_in=commit.sha)
            if found is None:
                continue
            if change.status == "D":
                if found in scan.snapshot.artifacts:
                    scan.place(found, change.path, deleted_in=commit.sha)
                continue
            known = scan.snapshot.blobs.get(change.blob or "")
            if known is None or change.blob is None:
                continue  # a blob a shallow clone does not have
            digest = known
            scan.place(found, change.path)
            if scan.numbers(found).get(digest, WORKING) != WORKING:
                continue  # content this artifact had before: a revert, not a new version
            if digest not in scan.texts:  # a blob hashed by an earlier sync, new here
                again = git.blobs([change.blob]).get(change.blob)
                if again is None:
                    continue
                scan.texts[digest] = normalise(again)
            scan.add(found, change.path, digest, commit)


def _live(scan: _Scan, key: _Key) -> bool:
    state = scan.snapshot.artifacts.get(key)
    return state is not None and state.deleted_in is None


def _working_tree(
    root: Path, layout: Layout, scan: _Scan, *, numbered: bool
) -> tuple[list[StoredVersion], list[str]]:
    """Working versions (or, outside git, new numbered versions) and the problems of the
    artifact files on disk, one line each."""
    working: list[StoredVersion] = []
    problems: list[str] = []
    for path, kind, name in layout.working_files(root):
        key = (kind, name)
        try:
            raw = (root / path).read_bytes()
        except OSError as error:
            problems.append(str(ArtifactProblem(path, f"cannot read: {error.strerror or error}")))
            continue
        text = normalise(raw)
        digest = content_hash(text)
        scan.texts.setdefault(digest, text)
        if key not in scan.snapshot.artifacts or (not _live(scan, key) and numbered):
            scan.place(key, path)
        numbers = scan.numbers(key)
        if digest not in numbers:
            if numbered:
                scan.add(key, path, digest, None)
            else:
                _, stored = _version(key, path, digest, text, None, WORKING, scan.now)
                working.append(stored)
                if stored.version.problem is not None:
                    scan.snapshot.problems[kind, digest] = stored.version.problem
        problem = scan.snapshot.problems.get((kind, digest))
        if problem is not None:
            problems.append(path + problem)
    return working, problems


def _version(
    key: _Key,
    path: str,
    digest: str,
    text: str,
    commit: Commit | None,
    number: int,
    now: datetime,
) -> tuple[ArtifactVersion, StoredVersion]:
    kind, name = key
    problem: str | None = None
    try:
        parsed = parse(kind, path, text)
    except ArtifactFileError as error:
        parsed = Parsed()
        problem = str(error.problem).removeprefix(path)  # the file may move; the fault stays
    outside_git = commit is None and number != WORKING
    version = ArtifactVersion(
        kind=kind,
        name=name,
        number=number,
        content_hash=digest,
        path=path,
        commit=commit.sha if commit else None,
        author=commit.author if commit else (current_user() if outside_git else None),
        author_email=commit.email if commit else None,
        committed_at=commit.at if commit else (now if outside_git else None),
        message=commit.subject
        if commit
        else ("registered by versions sync" if outside_git else None),
        variables=parsed.variables,
        row_count=parsed.row_count,
        schema=parsed.schema,
        problem=problem,
    )
    return version, StoredVersion(version, text, parsed.match_literals)
