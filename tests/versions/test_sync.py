"""`versions sync` on real git repositories: numbering, commits, renames, reverts, deletions,
dirty trees, shallow clones, empty repositories and projects outside git."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from llmops_tui.domain.versions import WORKING, ArtifactKind
from tests.versions.repo import Repo

GREET_V1 = "Hello {{name}}, welcome to Acme.\n"
GREET_V2 = "Hi {{name}}! Welcome to Acme.\n"
GREET_V3 = "Hey {{name}}.\n"


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "project")


def test_versions_follow_git_history_with_commit_author_date_and_message(repo: Repo) -> None:
    first = repo.commit("Add greet", {"prompts/greet.md": GREET_V1}, author="Ann Author")
    second = repo.commit("greet: friendlier", {"prompts/greet.md": GREET_V2}, author="Bo Builder")
    repo.commit("unrelated", {"README.md": "hi\n"})
    report = repo.sync()

    assert report.source == "git"
    assert [v.ref for v in report.new_versions] == ["greet@v1", "greet@v2"]
    v1, v2 = report.new_versions
    assert (v1.commit, v1.author, v1.message) == (first, "Ann Author", "Add greet")
    assert (v2.commit, v2.author, v2.author_email) == (second, "Bo Builder", "bo@example.com")
    assert v1.committed_at is not None
    assert v2.committed_at is not None
    assert v2.committed_at > v1.committed_at
    assert v1.variables == ("name",)
    assert repo.numbers("greet") == ["v1", "v2"]


def test_a_revert_is_the_earlier_version_not_a_new_one(repo: Repo) -> None:
    repo.commit("v1", {"prompts/greet.md": GREET_V1})
    repo.commit("v2", {"prompts/greet.md": GREET_V2})
    repo.commit("Revert to v1", {"prompts/greet.md": GREET_V1})
    repo.commit("v3", {"prompts/greet.md": GREET_V3})
    repo.commit("whitespace only", {"prompts/greet.md": GREET_V3.rstrip("\n") + "  \r\n\n"})
    repo.sync()
    assert repo.numbers("greet") == ["v1", "v2", "v3"]


def test_a_rename_keeps_the_history_under_the_new_name(repo: Repo) -> None:
    repo.commit("v1", {"prompts/greet.md": GREET_V1})
    repo.git("mv", "prompts/greet.md", "prompts/welcome.md")
    repo.commit("rename greet to welcome")
    repo.commit("v2", {"prompts/welcome.md": GREET_V2})
    report = repo.sync()
    assert [v.ref for v in report.new_versions] == ["welcome@v1", "welcome@v2"]
    assert repo.store.versions.find("greet") == []
    assert repo.numbers("welcome") == ["v1", "v2"]
    [summary] = repo.store.versions.artifacts(ArtifactKind.PROMPT)
    assert summary.path == "prompts/welcome.md"


def test_a_rename_after_a_sync_moves_versions_and_labels(repo: Repo) -> None:
    repo.commit("v1", {"prompts/greet.md": GREET_V1})
    repo.sync()
    repo.store.labels.move(ArtifactKind.PROMPT, "greet", "production", 1, by="ann")
    (repo.root / "prompts" / "chat").mkdir()
    repo.git("mv", "prompts/greet.md", "prompts/chat/welcome.md")
    repo.commit("move into chat/")
    repo.sync()
    assert repo.numbers("chat/welcome") == ["v1"]
    assert repo.store.labels.of_artifact(ArtifactKind.PROMPT, "chat/welcome") == {"production": 1}


def test_a_deleted_artifact_keeps_its_versions_and_is_marked(repo: Repo) -> None:
    repo.commit("add", {"models/default.yaml": "model: gpt-4o\n", "prompts/a.md": "A\n"})
    (repo.root / "models" / "default.yaml").unlink()
    repo.commit("drop the model config")
    repo.sync()
    model = {a.name: a for a in repo.store.versions.artifacts()}["default"]
    assert model.deleted
    assert model.versions == 1
    assert repo.numbers("default") == ["v1"]
    repo.commit("bring it back", {"models/default.yaml": "model: gpt-4o-mini\n"})
    repo.sync()
    model = {a.name: a for a in repo.store.versions.artifacts()}["default"]
    assert not model.deleted
    assert repo.numbers("default") == ["v1", "v2"]


def test_uncommitted_edits_are_the_working_version_until_committed(repo: Repo) -> None:
    repo.commit("v1", {"prompts/greet.md": GREET_V1})
    repo.write("prompts/greet.md", GREET_V2)
    repo.write("prompts/new.md", "Brand new {{x}}\n")
    report = repo.sync()
    assert sorted(v.ref for v in report.working) == ["greet@working", "new@working"]
    assert repo.numbers("greet") == ["v1", "working"]
    repo.commit("v2")
    report = repo.sync()
    assert [v.ref for v in report.new_versions] == ["greet@v2", "new@v1"]
    assert report.working == ()
    assert repo.numbers("greet") == ["v1", "v2"]


def test_a_rescan_reads_only_new_commits(repo: Repo) -> None:
    repo.commit("v1", {"prompts/greet.md": GREET_V1})
    assert repo.sync().commits == 1
    again = repo.sync()
    assert (again.commits, again.new_versions, again.links) == (0, (), None)
    repo.commit("v2", {"prompts/greet.md": GREET_V2})
    later = repo.sync()
    assert later.commits == 1
    assert [v.ref for v in later.new_versions] == ["greet@v2"]


def test_a_shallow_clone_numbers_what_it_can_see(repo: Repo, tmp_path: Path) -> None:
    repo.commit("v1", {"prompts/greet.md": GREET_V1})
    repo.commit("v2", {"prompts/greet.md": GREET_V2})
    repo.commit("v3", {"prompts/greet.md": GREET_V3})
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "--quiet", "--depth", "1", f"file://{repo.root}", str(clone)],
        check=True,
        capture_output=True,
    )
    shallow = Repo(clone)
    report = shallow.sync()
    assert report.source == "git (shallow)"
    assert [(v.ref, v.message) for v in report.new_versions] == [("greet@v1", "v3")]


def test_a_repository_without_commits_has_only_working_versions(repo: Repo) -> None:
    repo.write("prompts/greet.md", GREET_V1)
    report = repo.sync()
    assert report.source == "git (no commits)"
    assert [v.ref for v in report.working] == ["greet@working"]
    assert repo.numbers("greet") == ["working"]


def test_outside_git_each_new_content_is_numbered_as_synced(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "plain", git=False)
    repo.write("prompts/greet.md", GREET_V1)
    first = repo.sync()
    assert first.source == "no git"
    assert [v.ref for v in first.new_versions] == ["greet@v1"]
    assert first.new_versions[0].commit is None
    repo.write("prompts/greet.md", GREET_V2)
    repo.sync()
    repo.write("prompts/greet.md", GREET_V1)
    repo.sync()
    assert repo.numbers("greet") == ["v1", "v2"]


def test_labels_move_and_every_move_is_recorded(repo: Repo) -> None:
    repo.commit("v1", {"prompts/greet.md": GREET_V1})
    repo.commit("v2", {"prompts/greet.md": GREET_V2})
    repo.sync()
    labels = repo.store.labels
    labels.move(ArtifactKind.PROMPT, "greet", "production", 1, by="ann", reason="launch")
    preview = labels.preview(ArtifactKind.PROMPT, "greet", "production", 2)
    assert (preview.from_version, preview.to_version) == (1, 2)
    labels.move(ArtifactKind.PROMPT, "greet", "production", 2, by="bo", reason="v2 is better")
    labels.move(ArtifactKind.PROMPT, "greet", "my-experiment", 1, by="bo")
    assert labels.of_artifact(ArtifactKind.PROMPT, "greet") == {"production": 2, "my-experiment": 1}
    history = labels.history(name="greet", label="production")
    assert [(m.from_version, m.to_version, m.moved_by, m.reason) for m in history] == [
        (None, 1, "ann", "launch"),
        (1, 2, "bo", "v2 is better"),
    ]
    rows = repo.store.versions.history(ArtifactKind.PROMPT, "greet")
    assert [(r.version.tag, r.labels) for r in rows] == [
        ("v2", ("production",)),
        ("v1", ("my-experiment",)),
    ]


def test_a_working_version_cannot_carry_a_label(repo: Repo) -> None:
    from llmops_tui.errors import LlmopsError

    repo.commit("v1", {"prompts/greet.md": GREET_V1})
    repo.write("prompts/greet.md", GREET_V2)
    repo.sync()
    with pytest.raises(LlmopsError, match="uncommitted"):
        repo.store.labels.move(ArtifactKind.PROMPT, "greet", "staging", WORKING, by="ann")


def test_releases_name_the_versions_at_a_ref_by_a_content_hash(repo: Repo) -> None:
    from llmops_tui.versions.refs import resolve_release

    repo.commit("v1", {"prompts/greet.md": GREET_V1, "models/m.yaml": "model: a\n"})
    repo.commit("v2", {"prompts/greet.md": GREET_V2})
    repo.commit("back to v1", {"prompts/greet.md": GREET_V1})
    report = repo.sync()
    head = resolve_release(repo.store, repo.project, "HEAD")
    first = resolve_release(repo.store, repo.project, "HEAD~2")
    middle = resolve_release(repo.store, repo.project, "HEAD~1")
    assert head.release_id == first.release_id == report.release_id
    assert middle.release_id != head.release_id
    assert [(e.name, e.number) for e in middle.entries] == [("m", 1), ("greet", 2)]
    assert resolve_release(repo.store, repo.project, head.release_id[:8]).release_id == (
        head.release_id
    )
