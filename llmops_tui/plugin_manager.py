"""Finding plugins, collecting what they register, and keeping a broken one from taking the
rest down.

Discovery order: the built-ins (`BUILTIN_PLUGINS`, registered through the same hooks a third
party uses), then entry points in the `llmops_tui` group, then module paths listed in
`plugins = [...]` of `llmops.toml`. A plugin that fails to import, or raises inside a
registration hook, or registers a malformed object or a taken name, costs one warning naming
it; everything else loads. `LLMOPS_LOAD_PLUGINS=a,b` limits the entry-point and project
plugins to those names (empty: none); `LLMOPS_TRACE_PLUGINS=1` prints every hook call.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.metadata
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Generic, TypeVar

import pluggy

from llmops_tui import hookspecs
from llmops_tui.errors import LlmopsError, PluginError
from llmops_tui.plugin_api import PROJECT_NAME, DeployTarget, Judge, Provider

BUILTIN_PLUGINS: tuple[str, ...] = (
    "llmops_tui.builtin_plugins.providers",
    "llmops_tui.builtin_plugins.judges",
    "llmops_tui.builtin_plugins.deploy_targets",
)
ALLOWLIST_ENV = "LLMOPS_LOAD_PLUGINS"
TRACE_ENV = "LLMOPS_TRACE_PLUGINS"

T = TypeVar("T")


class UnknownPluginObjectError(LlmopsError):
    """A provider, judge or deploy target named in a command or `llmops.toml` isn't loaded."""


@dataclass(frozen=True, slots=True)
class PluginInfo:
    name: str
    source: str
    """`builtin`, `entry point` or `llmops.toml`."""
    version: str | None
    hooks: tuple[str, ...]
    registered: tuple[str, ...] = ()
    """`provider:echo`, `judge:contains`...: what this plugin registered."""


@dataclass
class Registry(Generic[T]):
    """The objects of one kind, by name, and which plugin registered each."""

    kind: str
    protocol: type
    objects: dict[str, T] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> T:
        try:
            return self.objects[name]
        except KeyError:
            close = difflib.get_close_matches(name, list(self.objects), n=1)
            suggestion = f" (did you mean {close[0]!r}?)" if close else ""
            known = ", ".join(sorted(self.objects)) or "none"
            raise UnknownPluginObjectError(
                f"unknown {self.kind} {name!r}{suggestion}; loaded: {known}",
                hint="`llmops plugins` lists what is loaded and from where",
            ) from None

    def names(self) -> list[str]:
        return sorted(self.objects)


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
        returned as a warning and the others still run."""
        problems = []
        for impl in getattr(self.manager.hook, hook_name).get_hookimpls():
            try:
                impl.function(**{k: v for k, v in kwargs.items() if k in impl.argnames})
            except Exception as error:
                problems.append(str(PluginError(impl.plugin_name, hook_name, error)))
        self.warnings.extend(problems)
        return problems


def make_plugin_manager(
    *,
    load_entrypoints: bool = True,
    allowlist: Sequence[str] | None = None,
    project_plugins: Sequence[str] = (),
    warnings: list[str] | None = None,
    sources: dict[str, str] | None = None,
) -> pluggy.PluginManager:
    """A manager with the built-ins, then (unless told not to) entry points, then the module
    paths of `llmops.toml`. `allowlist` (default: `$LLMOPS_LOAD_PLUGINS` when set) limits the
    last two to the names it lists. Import failures land in `warnings` as one line each."""
    warnings = warnings if warnings is not None else []
    sources = sources if sources is not None else {}
    manager = pluggy.PluginManager(PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    if os.environ.get(TRACE_ENV):
        manager.trace.root.setwriter(lambda text: sys.stderr.write(str(text)))
        manager.enable_tracing()
    for module_name in BUILTIN_PLUGINS:
        manager.register(importlib.import_module(module_name), name=module_name)
        sources[module_name] = "builtin"
    if allowlist is None and ALLOWLIST_ENV in os.environ:
        allowlist = [n.strip() for n in os.environ[ALLOWLIST_ENV].split(",") if n.strip()]
    allowed = None if allowlist is None else set(allowlist)
    if load_entrypoints:
        for entry_point in importlib.metadata.entry_points(group=PROJECT_NAME):
            if allowed is not None and entry_point.name not in allowed:
                continue
            if manager.get_plugin(entry_point.name) is not None:
                continue
            label = _distribution_label(entry_point)
            try:
                plugin = entry_point.load()
            except Exception as error:
                warnings.append(
                    f"plugin {label} failed to load and was skipped: "
                    f"{type(error).__name__}: {error}"
                )
                continue
            _register(manager, plugin, entry_point.name, label, warnings)
            sources[entry_point.name] = "entry point"
    for module_path in project_plugins:
        if allowed is not None and module_path not in allowed:
            continue
        try:
            module = importlib.import_module(module_path)
        except Exception as error:
            warnings.append(
                f"plugin {module_path!r} (llmops.toml) failed to load and was skipped: "
                f"{type(error).__name__}: {error}"
            )
            continue
        _register(manager, module, module_path, repr(module_path), warnings)
        sources[module_path] = "llmops.toml"
    return manager


def load_plugins(
    project_plugins: Sequence[str] = (),
    *,
    load_entrypoints: bool = True,
    allowlist: Sequence[str] | None = None,
    extra: Iterable[tuple[str, object]] = (),
) -> Plugins:
    """Load every plugin and collect what their registration hooks register. `extra` adds
    (name, plugin) pairs, as tests and `llmops_tui.testing` do."""
    warnings: list[str] = []
    sources: dict[str, str] = {}
    manager = make_plugin_manager(
        load_entrypoints=load_entrypoints,
        allowlist=allowlist,
        project_plugins=project_plugins,
        warnings=warnings,
        sources=sources,
    )
    for name, plugin in extra:
        _register(manager, plugin, name, repr(name), warnings)
        sources[name] = "test"
    registered: dict[str, list[str]] = {}
    providers: Registry[Provider] = Registry("provider", Provider)
    judges: Registry[Judge] = Registry("judge", Judge)
    targets: Registry[DeployTarget] = Registry("deploy target", DeployTarget)
    for hook_name, registry in (
        ("register_providers", providers),
        ("register_judges", judges),
        ("register_deploy_targets", targets),
    ):
        _collect(manager, hook_name, registry, warnings, registered)
    infos = [
        PluginInfo(
            name=name,
            source=sources.get(name, "unknown"),
            version=_version(plugin),
            hooks=tuple(sorted(impl.name for impl in manager.get_hookcallers(plugin) or ())),
            registered=tuple(registered.get(name, ())),
        )
        for name, plugin in manager.list_name_plugin()
    ]
    return Plugins(manager, providers, judges, targets, infos, warnings)


def _collect(
    manager: pluggy.PluginManager,
    hook_name: str,
    registry: Registry[Any],
    warnings: list[str],
    registered: dict[str, list[str]],
) -> None:
    # Each implementation is called on its own so that a failure is charged to its plugin.
    for impl in reversed(getattr(manager.hook, hook_name).get_hookimpls()):
        plugin_name = impl.plugin_name

        def register(obj: object, plugin_name: str = plugin_name) -> None:
            problem = _malformed(obj, registry)
            if problem:
                raise PluginError(plugin_name, hook_name, ValueError(problem))
            name: str = obj.name  # type: ignore[attr-defined]
            if name in registry.objects:
                warnings.append(
                    f"plugin {plugin_name!r} registered {registry.kind} {name!r}, already "
                    f"registered by {registry.owners[name]!r}; the first one is kept"
                )
                return
            registry.objects[name] = obj
            registry.owners[name] = plugin_name
            kind = registry.kind.replace(" ", "_")
            registered.setdefault(plugin_name, []).append(f"{kind}:{name}")

        try:
            impl.function(register=register)
        except PluginError as error:
            warnings.append(f"{error}; skipped")
        except Exception as error:
            warnings.append(f"{PluginError(plugin_name, hook_name, error)}; skipped")


def _malformed(obj: object, registry: Registry[Any]) -> str | None:
    name = getattr(obj, "name", None)
    if not isinstance(name, str) or not name:
        return f"a {registry.kind} needs a non-empty string `name`, got {name!r}"
    if not isinstance(obj, registry.protocol):
        return f"{registry.kind} {name!r} does not implement {registry.protocol.__name__}"
    return None


def _register(
    manager: pluggy.PluginManager,
    plugin: object,
    name: str,
    label: str,
    warnings: list[str],
) -> None:
    try:
        manager.register(plugin, name=name)
    except Exception as error:
        warnings.append(f"plugin {label} was skipped: {type(error).__name__}: {error}")


def _distribution_label(entry_point: importlib.metadata.EntryPoint) -> str:
    dist = entry_point.dist
    if dist is not None:
        return f"{dist.name!r} ({entry_point.name})"
    return repr(entry_point.name)


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
