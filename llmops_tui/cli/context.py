"""What every command needs: the project, its database, its prices, its plugins."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import click

from llmops_tui.config import ProjectConfig, load_optional_project, resolve_db_path
from llmops_tui.costs import StoreRates
from llmops_tui.plugin_manager import Plugins, load_plugins
from llmops_tui.pricing import Pricer
from llmops_tui.store import Store


@dataclass
class CliContext:
    db_option: str | None
    debug: bool
    readonly: bool = False
    """The global `--readonly`: every mutating command refuses, in one line."""
    cwd: Path = field(default_factory=Path.cwd)
    _project: ProjectConfig | None = None
    _project_loaded: bool = False
    _plugins: Plugins | None = None
    _warned: int = 0

    @property
    def project(self) -> ProjectConfig | None:
        if not self._project_loaded:
            self._project = load_optional_project(self.cwd)
            self._project_loaded = True
        return self._project

    def db_path(self) -> Path:
        return resolve_db_path(self.db_option, self.project)

    def store(self, *, readonly: bool = False) -> Store:
        return Store(self.db_path(), readonly=readonly)

    def rates(self) -> StoreRates:
        overrides = self.project.price_overrides if self.project else {}
        return StoreRates(Pricer(overrides))

    def plugins(self) -> Plugins:
        """The built-ins, installed entry points and the project's `plugins = [...]`, loaded
        once per command. Each loading warning (a broken plugin, a taken name) is printed
        once to stderr as `warning: ...`; the command goes on without that plugin."""
        if self._plugins is None:
            project = self.project
            self._plugins = load_plugins(
                project.plugins if project else (),
                project_root=project.root if project else None,
            )
        self.echo_plugin_warnings()
        return self._plugins

    def echo_plugin_warnings(self) -> None:
        """Print the plugin warnings not printed yet (a notification hook that failed after
        loading adds to them)."""
        if self._plugins is None:
            return
        for warning in self._plugins.warnings[self._warned :]:
            click.echo(f"warning: {warning}", err=True)
        self._warned = len(self._plugins.warnings)


pass_context = click.make_pass_decorator(CliContext)
