"""What every command needs: the project, its database, its prices."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import click

from llmops_tui.config import ProjectConfig, load_optional_project, resolve_db_path
from llmops_tui.costs import StoreRates
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


pass_context = click.make_pass_decorator(CliContext)
