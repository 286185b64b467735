"""Finding plugins, collecting what they register, and keeping a broken one from taking the
rest down.

Discovery order: the built-ins (`BUILTIN_PLUGINS`, registered through the same hooks a third
party uses), then entry points in the `llmops_tui` group, then module paths listed in
`plugins = [...]` of `llmops.toml` (imported with the project folder on `sys.path`, so a
module next to `llmops.toml` needs no packaging). Names are taken first come, first served in
that order.

A plugin that fails to import, that pluggy refuses (an implementation whose arguments the
hook does not offer), that raises inside a registration hook, or that registers a malformed
object costs one warning naming it and is skipped; a taken name costs one warning and that
one object; everything else loads. An implementation of a hook that doesn't exist (a typo
such as `register_provider`) is reported too, since pluggy would otherwise ignore it.
`LLMOPS_LOAD_PLUGINS=a,b` limits the entry-point and project plugins to those names (entry
point, distribution or module path; empty: none); `LLMOPS_TRACE_PLUGINS=1` prints every hook
call and its result to stderr (pluggy's hook-call monitoring).
"""

from __future__ import annotations

import difflib
import importlib
import importlib.metadata
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from llmops_tui import hookspecs
from llmops_tui.errors import PluginError
from llmops_tui.plugin_api import PROJECT_NAME, DeployTarget, Judge, Provider
from llmops_tui.plugin_registry import (
    PluginInfo,
    Registry,
    UnknownPluginObjectError,
    collect,
    registered_by,
)

BUILTIN_PLUGINS: tuple[str, ...] = (
    "llmops_tui.builtin_plugins.providers",
    "llmops_tui.builtin_plugins.judges",
    "llmops_tui.builtin_plugins.deploy_targets",
)
ALLOWLIST_ENV = "LLMOPS_LOAD_PLUGINS"
TRACE_ENV = "LLMOPS_TRACE_PLUGINS"


@dataclass
class Plugins:
    """What the plugins registered, and the warnings loading them produced."""

    manager: pluggy.PluginManager
    providers: Registry[Provider]
    judges: Registry[Judge]
    deploy_targets: Registry[DeployTarget]
    infos: list[PluginInfo]
    warnings: list[str] = field(default_factory=list)

    def notify(self, hook_name: str, **kwargs: Any) -> list[str]:
        """Call a notification hook on every plugin, each on its own: a failing one is
        returned as a warning (and appended to `warnings`) and the others still run."""
        problems = []
        for impl in getattr(self.manager.hook, hook_name).get_hookimpls():
            try:
                impl.function(**{k: v for k, v in kwargs.items() if k in impl.argnames})
            except Exception as error:
                reason = RuntimeError(f"{type(error).__name__}: {error}")
                problems.append(str(PluginError(impl.plugin_name, hook_name, reason)))
        self.warnings.extend(problems)
        return problems


@dataclass
class _Loading:
    """What discovery learns on the way: warnings, and where each plugin came from."""

    warnings: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    distributions: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    """plugin name -> (distribution, version), for entry points."""
    failed: list[PluginInfo] = field(default_factory=list)


def make_plugin_manager(
    *,
    load_entrypoints: bool = True,
    allowlist: Sequence[str] | None = None,
    project_plugins: Sequence[str] = (),
    project_root: Path | None = None,
    warnings: list[str] | None = None,
    sources: dict[str, str] | None = None,
) -> pluggy.PluginManager:
    """A manager with the built-ins, then (unless told not to) entry points, then the module
    paths of `llmops.toml`.

    Args:
        load_entrypoints: False for tests: only built-ins and what the test adds.
        allowlist: limits entry-point and project plugins to these names; None reads
            `$LLMOPS_LOAD_PLUGINS` (unset: no limit; empty: none).
        project_plugins: module paths from `llmops.toml`.
        project_root: put on `sys.path` while importing `project_plugins`.
        warnings: receives one line per plugin that could not be loaded.
        sources: receives `plugin name -> source`.
    """
    loading = _Loading()
    manager = _discover(loading, load_entrypoints, allowlist, project_plugins, project_root)
    if warnings is not None:
        warnings.extend(loading.warnings)
    if sources is not None:
        sources.update(loading.sources)
    return manager


def load_plugins(
    project_plugins: Sequence[str] = (),
    *,
    load_entrypoints: bool = True,
    allowlist: Sequence[str] | None = None,
    extra: Iterable[tuple[str, object]] = (),
    project_root: Path | None = None,
) -> Plugins:
    """Load every plugin and collect what their registration hooks register.

    Args:
        project_plugins: module paths from `plugins = [...]` in `llmops.toml`.
        load_entrypoints: False to skip installed entry points (tests).
        allowlist: see `make_plugin_manager`.
        extra: (name, plugin) pairs registered last, as tests and `llmops_tui.testing` do.
        project_root: the folder of `llmops.toml`, for importing `project_plugins`.
    """
    loading = _Loading()
    manager = _discover(loading, load_entrypoints, allowlist, project_plugins, project_root)
    for name, plugin in extra:
        loading.sources[name] = "test"
        _register(manager, plugin, name, repr(name), loading)
    _warn_unknown_hooks(manager, loading.warnings)
    providers: Registry[Provider] = Registry("provider", Provider)
    judges: Registry[Judge] = Registry("judge", Judge)
    targets: Registry[DeployTarget] = Registry("deploy target", DeployTarget)
    registries: dict[str, Registry[Any]] = {
        "register_providers": providers,
        "register_judges": judges,
        "register_deploy_targets": targets,
    }
    broken = collect(manager, registries, loading.warnings)
    registered = registered_by(registries)
    infos = [
        _info(manager, name, plugin, loading, registered) for name, plugin in _plugins(manager)
    ]
    for name, problem in broken.items():
        source = loading.sources.get(name, "unknown")
        dist, version = loading.distributions.get(name, (None, None))
        infos.append(PluginInfo(name, source, version, (), (), dist, problem))
    warnings = list(dict.fromkeys(loading.warnings))  # one line per problem, however met
    return Plugins(manager, providers, judges, targets, infos + loading.failed, warnings)


def _discover(
    loading: _Loading,
    load_entrypoints: bool,
    allowlist: Sequence[str] | None,
    project_plugins: Sequence[str],
    project_root: Path | None,
) -> pluggy.PluginManager:
    manager = pluggy.PluginManager(PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    if os.environ.get(TRACE_ENV, "") not in ("", "0"):
        manager.trace.root.setwriter(lambda text: sys.stderr.write(str(text)))
        manager.enable_tracing()
    for module_name in BUILTIN_PLUGINS:
        manager.register(importlib.import_module(module_name), name=module_name)
        loading.sources[module_name] = "builtin"
    if allowlist is None and ALLOWLIST_ENV in os.environ:
        allowlist = [n.strip() for n in os.environ[ALLOWLIST_ENV].split(",") if n.strip()]
    allowed = None if allowlist is None else set(allowlist)
    if load_entrypoints:
        _load_entry_points(manager, allowed, loading)
    with _on_sys_path(project_root):
        for module_path in project_plugins:
            if allowed is not None and module_path not in allowed:
                continue
            _load_module(manager, module_path, loading)
    return manager


def _load_entry_points(
    manager: pluggy.PluginManager, allowed: set[str] | None, loading: _Loading
) -> None:
    for entry_point in importlib.metadata.entry_points(group=PROJECT_NAME):
        dist = entry_point.dist
        dist_name = dist.name if dist is not None else None
        if allowed is not None and not ({entry_point.name, dist_name} & allowed):
            continue
        if manager.get_plugin(entry_point.name) is not None:
            continue  # the same distribution seen twice on sys.path
        label = f"{dist_name!r} ({entry_point.name})" if dist_name else repr(entry_point.name)
        version = dist.version if dist is not None else None
        loading.distributions[entry_point.name] = (dist_name or entry_point.name, version)
        loading.sources[entry_point.name] = "entry point"
        try:
            plugin = entry_point.load()
        except Exception as error:
            _failed(loading, entry_point.name, label, error)
            continue
        _register(manager, plugin, entry_point.name, label, loading)


def _load_module(manager: pluggy.PluginManager, module_path: str, loading: _Loading) -> None:
    loading.sources[module_path] = "llmops.toml"
    label = f"{module_path!r} (llmops.toml)"
    if manager.get_plugin(module_path) is not None:
        loading.warnings.append(f"plugin {label} is listed twice; it is loaded once")
        return
    try:
        module = importlib.import_module(module_path)
    except Exception as error:
        _failed(loading, module_path, label, error)
        return
    _register(manager, module, module_path, label, loading)


def _failed(loading: _Loading, name: str, label: str, error: BaseException) -> None:
    warning = f"plugin {label} failed to load and was skipped: {type(error).__name__}: {error}"
    loading.warnings.append(warning)
    dist, version = loading.distributions.get(name, (None, None))
    loading.failed.append(
        PluginInfo(name, loading.sources.get(name, "unknown"), version, (), (), dist, warning)
    )


def _register(
    manager: pluggy.PluginManager, plugin: object, name: str, label: str, loading: _Loading
) -> bool:
    if manager.is_registered(plugin):
        # Listed in llmops.toml and installed as an entry point: one copy is loaded.
        loading.warnings.append(
            f"plugin {label} is already loaded as {manager.get_name(plugin)!r}; "
            "it needs listing only once"
        )
        return False
    try:
        manager.register(plugin, name=name)
    except Exception as error:
        # pluggy refuses a hookimpl whose arguments the spec doesn't offer, or a taken name.
        # pluggy's validation message spans lines (which hook, the definition, the problem).
        reason = "; ".join(line.strip() for line in str(error).splitlines() if line.strip())
        warning = f"plugin {label} was skipped: {type(error).__name__}: {reason}"
        loading.warnings.append(warning)
        dist, version = loading.distributions.get(name, (None, None))
        loading.failed.append(
            PluginInfo(name, loading.sources.get(name, "unknown"), version, (), (), dist, warning)
        )
        return False
    return True


def _warn_unknown_hooks(manager: pluggy.PluginManager, warnings: list[str]) -> None:
    """The `check_pending()` of pluggy, as warnings: an implementation of no known hook."""
    specs = [name for name, _ in _hook_callers(manager) if _has_spec(manager, name)]
    for name, caller in _hook_callers(manager):
        if caller.has_spec():
            continue
        for impl in caller.get_hookimpls():
            if impl.optionalhook:
                continue
            close = difflib.get_close_matches(name, specs, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            warnings.append(
                f"plugin {impl.plugin_name!r} implements {name}, which is not an llmops hook"
                f"{hint}; it is never called"
            )


def _hook_callers(manager: pluggy.PluginManager) -> Iterator[tuple[str, pluggy.HookCaller]]:
    for name, caller in vars(manager.hook).items():
        if isinstance(caller, pluggy.HookCaller):
            yield name, caller


def _has_spec(manager: pluggy.PluginManager, name: str) -> bool:
    caller = getattr(manager.hook, name, None)
    return isinstance(caller, pluggy.HookCaller) and caller.has_spec()


def _plugins(manager: pluggy.PluginManager) -> list[tuple[str, object]]:
    return [(name, plugin) for name, plugin in manager.list_name_plugin() if name is not None]


def _info(
    manager: pluggy.PluginManager,
    name: str,
    plugin: object,
    loading: _Loading,
    registered: dict[str, list[str]],
) -> PluginInfo:
    dist, version = loading.distributions.get(name, (None, None))
    return PluginInfo(
        name=name,
        source=loading.sources.get(name, "unknown"),
        version=version or _version(plugin),
        hooks=tuple(sorted(caller.name for caller in manager.get_hookcallers(plugin) or ())),
        registered=tuple(registered.get(name, ())),
        distribution=dist,
    )


@contextmanager
def _on_sys_path(folder: Path | None) -> Iterator[None]:
    entry = str(folder) if folder is not None else None
    added = entry is not None and entry not in sys.path
    if added:
        sys.path.insert(0, str(entry))
    try:
        yield
    finally:
        if added:
            sys.path.remove(str(entry))


def _version(plugin: object) -> str | None:
    if isinstance(plugin, ModuleType):
        package = plugin.__name__.split(".")[0]
        if package == "llmops_tui":
            from llmops_tui import __version__

            return __version__
        try:
            return importlib.metadata.version(package.replace("_", "-"))
        except importlib.metadata.PackageNotFoundError:
            return getattr(plugin, "__version__", None)
    return getattr(plugin, "__version__", None)


__all__ = [
    "BUILTIN_PLUGINS",
    "PluginInfo",
    "Plugins",
    "Registry",
    "UnknownPluginObjectError",
    "load_plugins",
    "make_plugin_manager",
]
