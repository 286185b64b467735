"""The one way a user error reaches the CLI or the TUI.

Anything a user can cause (a bad file, a bad flag, a locked database) is raised as an
`LlmopsError` subclass and printed as one line; anything else is a bug and keeps its
traceback (shown with `--debug`).
"""

from __future__ import annotations


class LlmopsError(Exception):
    """A problem the user can fix; `str()` is the one line shown to them."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class ConfigError(LlmopsError):
    """`llmops.toml` is missing a field, has an unknown one, or a value of the wrong type."""


class IngestError(LlmopsError):
    """An input can't be read at all (as opposed to a bad line, which becomes a reject)."""

    def __init__(
        self,
        path: str,
        reason: str,
        *,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        where = f"{path}:{line}" if line is not None else path
        what = f"{field}: {reason}" if field else reason
        super().__init__(f"{where}: {what}", hint=hint)
        self.path = path
        self.line = line
        self.field = field
        self.reason = reason


class StoreError(LlmopsError):
    """The database can't be opened or written (locked, read-only, corrupt)."""


class MigrationError(StoreError):
    """The database schema doesn't match this version of llmops-tui."""


class PluginError(LlmopsError):
    """A plugin failed to load or raised inside a hook."""

    def __init__(self, plugin: str, hook: str, error: BaseException) -> None:
        super().__init__(f"plugin {plugin!r} failed in {hook}: {error}")
        self.plugin = plugin
        self.hook = hook
