"""Opening the cockpit from the CLI.

Textual is imported only here, and only when the app opens, through importlib: `llmops stats`
in CI never pays for it, and the import-linter contract "headless code never imports Textual"
holds for everything the CLI imports at start-up.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import click

from llmops_tui.config import ProjectConfig
from llmops_tui.errors import LlmopsError
from llmops_tui.store import Store


def open_cockpit(
    path: Path, project: ProjectConfig | None, *, readonly: bool, watch: list[Path]
) -> None:
    """Run the app until the user quits."""
    if readonly and watch:
        raise LlmopsError("--watch loads data and --readonly forbids changes: pick one")
    name = project.name if project is not None else path.stem
    # Without --watch the cockpit reads through read-only connections that linger between
    # queries: paging stays fast and a `llmops watch` process can still write in between. Its
    # rare writes (a label move) take the file for one unit of work; --readonly forbids them.
    store = Store(path, readonly=readonly, shared_reads=not watch, linger=0.5)
    if not readonly and store.needs_upgrade():
        # Once after an upgrade of llmops: the new tables (the trace roll-up the Traces screen
        # pages through) are built before the app opens; --readonly reads the old schema.
        click.echo(f"upgrading {path} to this version's schema (once)...", err=True)
        store.initialise()
    elif watch:
        store.initialise()
    module = importlib.import_module("llmops_tui.tui.app")
    app = module.LlmopsApp(
        store,
        project=name,
        readonly=readonly,
        watch=watch,
        price_overrides=project.price_overrides if project is not None else None,
        config=project,
    )
    app.run()
