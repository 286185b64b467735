"""`llmops versions`: the artifacts in git, their versions, labels and diffs.

Thin like every command group: parse, call the registry (`llmops_tui.versions`) or the store,
print (or `--json`). An unknown artifact, version or label is an `UnknownRefError`: one line,
exit code 2.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Any

import click

from llmops_tui.cli.context import CliContext, pass_context
from llmops_tui.cli.output import count, echo_json, table
from llmops_tui.config import ProjectConfig
from llmops_tui.domain.versions import (
    WORKING,
    ArtifactKind,
    ArtifactVersion,
    Release,
    version_tag,
)
from llmops_tui.errors import ConfigError, LlmopsError
from llmops_tui.identity import current_user
from llmops_tui.store import Store
from llmops_tui.versions.refs import resolve, resolve_version
from llmops_tui.versions.sync import SyncReport, sync


@click.group("versions")
def versions_group() -> None:
    """Prompts, model and retrieval configs and eval datasets, versioned from git.

    REF is ART (newest version), ART@V (V is vN, N, working or a label), a release label, a
    release id, a git ref (main, HEAD~2, a tag) or `working`.
    """


def _project(ctx: CliContext) -> ProjectConfig:
    if ctx.project is None:
        raise ConfigError(
            "no llmops.toml in this folder or any parent", hint="run `llmops init` first"
        )
    return ctx.project


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@versions_group.command("sync")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_context
def sync_command(ctx: CliContext, as_json: bool) -> None:
    """Register new versions from git history and the working tree; link spans to them.

    Exits 2 when an artifact file is malformed (after registering all the others).
    """
    report = sync(_project(ctx), ctx.store(), now=_now())
    if as_json:
        echo_json(_sync_json(report))
    else:
        _print_sync(report)
    if report.problems:
        sys.exit(2)


def _sync_json(report: SyncReport) -> dict[str, Any]:
    return {
        "source": report.source,
        "head": report.head,
        "commits": report.commits,
        "new_versions": [_version_json(v) for v in report.new_versions],
        "working": [_version_json(v) for v in report.working],
        "problems": list(report.problems),
        "release_id": report.release_id,
        "links": None
        if report.links is None
        else {
            "by_attribute": report.links.by_attribute,
            "by_text": report.links.by_text,
            "unlinked": report.links.unlinked,
        },
    }


def _print_sync(report: SyncReport) -> None:
    where = f" at {report.head[:10]}" if report.head else ""
    click.echo(f"{report.source}{where}: read {count(report.commits)} new commits")
    for v in report.new_versions:
        origin = f"{v.commit[:10]} {v.message}" if v.commit else (v.message or "")
        click.echo(f"  new {v.kind.value} {v.ref}  {origin}")
    for v in report.working:
        click.echo(f"  {v.kind.value} {v.ref}  (uncommitted edits)")
    if not report.new_versions and not report.working:
        click.echo("  no new versions")
    if report.links is not None:
        links = report.links
        click.echo(
            f"linked {count(links.by_attribute)} spans by prompt attributes and "
            f"{count(links.by_text)} by system-message text; {count(links.unlinked)} "
            "prompt-bearing spans match no registered version"
        )
    for problem in report.problems:
        click.echo(f"error: {problem}", err=True)


@versions_group.command("list")
@click.option("--kind", type=click.Choice([k.value for k in ArtifactKind]), help="Only this kind.")
@click.option("--json", "as_json", is_flag=True, help="Print artifacts and versions as JSON.")
@pass_context
def list_command(ctx: CliContext, kind: str | None, as_json: bool) -> None:
    """Each artifact with its versions and labels."""
    store = _reader(ctx)
    artifacts = store.versions.artifacts(ArtifactKind(kind) if kind else None)
    if as_json:
        echo_json(
            [
                {
                    "kind": a.kind.value,
                    "name": a.name,
                    "path": a.path,
                    "deleted": a.deleted,
                    "labels": {label: version_tag(n) for label, n in a.labels},
                    "versions": [
                        _version_json(row.version)
                        for row in reversed(store.versions.history(a.kind, a.name))
                    ],
                }
                for a in artifacts
            ]
        )
        return
    if not artifacts:
        click.echo("no artifacts registered (run `llmops versions sync`)")
        return
    rows = []
    for a in artifacts:
        tags = [f"v{n}" for n in range(1, (a.latest or 0) + 1)] if a.versions else []
        if a.has_working:
            tags.append("working")
        rows.append(
            [
                a.kind.value,
                a.name + (" (deleted)" if a.deleted else ""),
                " ".join(tags) or "-",
                ", ".join(f"{label}={version_tag(n)}" for label, n in a.labels) or "-",
            ]
        )
    click.echo(table(["kind", "artifact", "versions", "labels"], rows, right=set()))


@versions_group.command("show")
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True, help="Print the version or release as JSON.")
@pass_context
def show_command(ctx: CliContext, ref: str, as_json: bool) -> None:
    """Show a version (ART, ART@V) with its content, or a release (any other REF)."""
    store = _reader(ctx)
    found = _resolve(ctx, store, ref)
    if isinstance(found, Release):
        _show_release(found, as_json)
        return
    text = store.versions.text(found.kind, found.name, found.number).text
    labels = sorted(
        label
        for label, n in store.labels.of_artifact(found.kind, found.name).items()
        if n == found.number
    )
    if as_json:
        echo_json(_version_json(found) | {"labels": labels, "content": text})
        return
    click.echo(f"{found.kind.value} {found.ref}  {found.path}")
    if found.commit:
        click.echo(f"commit   {found.commit}")
        click.echo(f"author   {found.author} <{found.author_email}>")
        click.echo(f"date     {found.committed_at:%Y-%m-%d %H:%M} UTC")
        click.echo(f"message  {found.message}")
    elif found.number == WORKING:
        click.echo("uncommitted edits in the working tree")
    if labels:
        click.echo(f"labels   {', '.join(labels)}")
    if found.variables:
        click.echo(f"variables {', '.join(found.variables)}")
    if found.row_count is not None:
        click.echo(f"rows     {count(found.row_count)}")
    if found.schema:
        click.echo("schema   " + ", ".join(f"{k}: {t}" for k, t in found.schema.items()))
    if found.problem:
        click.echo(f"problem  {found.path}{found.problem}")
    click.echo("")
    click.echo(text, nl=False)


def _show_release(release: Release, as_json: bool) -> None:
    if as_json:
        echo_json(
            {
                "release_id": release.release_id,
                "ref": release.ref,
                "commit": release.commit,
                "artifacts": [
                    {
                        "kind": e.kind.value,
                        "name": e.name,
                        "version": version_tag(e.number) if e.number else None,
                        "content_hash": e.content_hash,
                    }
                    for e in release.entries
                ],
            }
        )
        return
    at = f" ({release.ref or 'commit'} {release.commit[:10]})" if release.commit else ""
    click.echo(f"release {release.release_id}{at}")
    rows = [
        [e.kind.value, e.name, version_tag(e.number) if e.number else "unregistered"]
        for e in release.entries
    ]
    click.echo(table(["kind", "artifact", "version"], rows, right=set()))


@versions_group.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--side-by-side", "-y", is_flag=True, help="Two columns instead of a unified diff.")
@pass_context
def diff_command(ctx: CliContext, old: str, new: str, side_by_side: bool) -> None:
    """Compare two versions (ART@A ART@B), or two releases (which artifacts changed)."""
    from rich.console import Console

    from llmops_tui.versions import diff

    store = _reader(ctx)
    a, b = _resolve(ctx, store, old), _resolve(ctx, store, new)
    if isinstance(a, Release) or isinstance(b, Release):
        if not (isinstance(a, Release) and isinstance(b, Release)):
            raise LlmopsError("diff compares two versions or two releases, not one of each")
        _diff_releases(a, b)
        return
    text_a = store.versions.text(a.kind, a.name, a.number).text
    text_b = store.versions.text(b.kind, b.name, b.number).text
    console = Console(highlight=False, soft_wrap=not side_by_side)
    if side_by_side:
        console.print(diff.side_by_side(text_a, text_b, old_name=a.ref, new_name=b.ref))
    else:
        console.print(diff.unified(text_a, text_b, old_name=a.ref, new_name=b.ref), end="")


def _diff_releases(a: Release, b: Release) -> None:
    old = {(e.kind, e.name): e for e in a.entries}
    new = {(e.kind, e.name): e for e in b.entries}
    rows = []
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        if before and after and before.content_hash == after.content_hash:
            continue
        rows.append(
            [
                key[0].value,
                key[1],
                version_tag(before.number) if before else "-",
                version_tag(after.number) if after else "-",
            ]
        )
    click.echo(f"release {a.release_id} -> {b.release_id}")
    if not rows:
        click.echo("same artifacts")
        return
    click.echo(table(["kind", "artifact", "from", "to"], rows, right=set()))


@versions_group.command("label")
@click.argument("ref")
@click.argument("label")
@click.option("--reason", help="Why: kept in the label history (incident timelines read it).")
@pass_context
def label_command(ctx: CliContext, ref: str, label: str, reason: str | None) -> None:
    """Point LABEL (production, staging, canary or your own) at ART@V or at a release."""
    store = ctx.store()
    store.initialise()
    found = _resolve(ctx, store, ref)
    user = current_user()
    if isinstance(found, Release):
        store.releases.save(found, now=_now())
        move = store.labels.move_release(label, found.release_id, by=user, reason=reason)
    else:
        move = store.labels.move(
            found.kind, found.name, label, found.number, by=user, reason=reason
        )
    click.echo(move.describe() if move.changed else f"{label}: already on {ref}; nothing moved")


def _resolve(ctx: CliContext, store: Store, ref: str) -> ArtifactVersion | Release:
    if ctx.project is None:
        return resolve_version(store, ref)
    return resolve(store, ctx.project, ref)


def _reader(ctx: CliContext) -> Store:
    store = ctx.store()
    if not store.exists():
        raise LlmopsError(
            f"{store.path}: no database yet", hint="run `llmops versions sync` in the project"
        )
    return store


def _version_json(v: ArtifactVersion) -> dict[str, Any]:
    return {
        "kind": v.kind.value,
        "name": v.name,
        "version": v.tag,
        "content_hash": v.content_hash,
        "path": v.path,
        "commit": v.commit,
        "author": v.author,
        "date": v.committed_at,
        "message": v.message,
        "variables": list(v.variables),
        "row_count": v.row_count,
        "schema": v.schema,
        "problem": f"{v.path}{v.problem}" if v.problem else None,
    }
