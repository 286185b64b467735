"""What plugins registered, by kind and name, and how a registration hook's objects are
checked as they arrive.

Registration hooks are called one implementation at a time (not through pluggy's loop), so
a failure is charged to the plugin that caused it. A plugin whose hook raises, or which
registers an object that is not what the hook asks for, is *broken*: it is unregistered,
everything it registered is dropped, and it costs exactly one warning. A taken name is not a
bug in the plugin's code: that one object is refused, with a warning naming both plugins, and
the rest of what the plugin registered stays. The built-ins are collected first, so a third
party can never silently replace `echo` or `contains`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import pluggy

from llmops_tui.errors import LlmopsError, PluginError

T = TypeVar("T")


class UnknownPluginObjectError(LlmopsError):
    """A provider, judge or deploy target named in a command or `llmops.toml` isn't loaded."""


@dataclass(frozen=True, slots=True)
class PluginInfo:
    """One plugin as `llmops plugins` shows it."""

    name: str
    source: str
    """`builtin`, `entry point`, `llmops.toml` or `test`."""
    version: str | None
    hooks: tuple[str, ...]
    registered: tuple[str, ...] = ()
    """`provider:echo`, `judge:contains`...: what this plugin registered."""
    distribution: str | None = None
    """The installed distribution an entry-point plugin comes from (`llmops-openai`)."""
    error: str | None = None
    """Why the plugin was skipped (the warning), or None when it loaded."""


@dataclass
class Registry(Generic[T]):
    """The objects of one kind, by name, and which plugin registered each."""

    kind: str
    protocol: type
    objects: dict[str, T] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> T:
        """The object registered under `name`.

        Raises:
            UnknownPluginObjectError: nothing has that name (with the closest one, if any).
        """
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

    def drop_owner(self, plugin_name: str) -> None:
        for name in [n for n, owner in self.owners.items() if owner == plugin_name]:
            del self.objects[name]
            del self.owners[name]


def collect(
    manager: pluggy.PluginManager,
    registries: dict[str, Registry[Any]],
    warnings: list[str],
) -> dict[str, str]:
    """Call every registration hook of every plugin and fill `registries` (keyed by hook
    name). Returns the plugins found broken, with their warning; they are unregistered."""
    broken: dict[str, str] = {}
    for hook_name, registry in registries.items():
        for impl in getattr(manager.hook, hook_name).get_hookimpls():
            if impl.plugin_name in broken:
                continue
            problem = _call_one(impl, hook_name, registry, warnings)
            if problem is not None:
                broken[impl.plugin_name] = problem
    for plugin_name, problem in broken.items():
        warnings.append(problem)
        for registry in registries.values():
            registry.drop_owner(plugin_name)
        plugin = manager.get_plugin(plugin_name)
        if plugin is not None:
            manager.unregister(plugin, name=plugin_name)
    return broken


def _call_one(
    impl: pluggy.HookImpl, hook_name: str, registry: Registry[Any], warnings: list[str]
) -> str | None:
    """Run one plugin's registration hook; the warning that makes it broken, or None."""
    plugin_name = impl.plugin_name
    malformed: list[str] = []

    def register(obj: object) -> None:
        problem = _malformed(obj, registry)
        if problem:
            malformed.append(problem)
            # Stops the hook right there; recorded above in case the plugin swallows it.
            raise PluginError(plugin_name, hook_name, ValueError(problem))
        name: str = obj.name  # type: ignore[attr-defined]
        if name in registry.objects:
            warnings.append(
                f"plugin {plugin_name!r} registered {registry.kind} {name!r}, already "
                f"registered by {registry.owners[name]!r}; kept the first, ignored this one"
            )
            return
        registry.objects[name] = obj
        registry.owners[name] = plugin_name

    try:
        impl.function(**_arguments(impl, register))
    except Exception as error:
        if not malformed:
            return f"{PluginError(plugin_name, hook_name, _described(error))}; skipped"
    if malformed:
        return f"{PluginError(plugin_name, hook_name, ValueError(malformed[0]))}; skipped"
    return None


def _arguments(impl: pluggy.HookImpl, register: Callable[[object], None]) -> dict[str, Any]:
    # An implementation may take fewer arguments than the spec offers (pluggy's rule).
    return {"register": register} if "register" in impl.argnames else {}


def _described(error: Exception) -> Exception:
    # `KeyError('x')` prints as `'x'`: name the type so the one line says what happened.
    return RuntimeError(f"{type(error).__name__}: {error}")


def _malformed(obj: object, registry: Registry[Any]) -> str | None:
    name = getattr(obj, "name", None)
    if not isinstance(name, str) or not name:
        return f"a {registry.kind} needs a non-empty string `name`, got {name!r}"
    if not isinstance(obj, registry.protocol):
        missing = [attr for attr in _protocol_attrs(registry.protocol) if not hasattr(obj, attr)]
        what = f" (missing {', '.join(sorted(missing))})" if missing else ""
        return f"{registry.kind} {name!r} does not implement {registry.protocol.__name__}{what}"
    return None


def _protocol_attrs(protocol: type) -> set[str]:
    # `__protocol_attrs__` is Python 3.12+; on 3.11 read the annotations and methods.
    attrs = getattr(protocol, "__protocol_attrs__", None)
    if attrs is not None:
        return set(attrs)
    methods = {name for name in vars(protocol) if not name.startswith("_")}
    return methods | set(getattr(protocol, "__annotations__", {}))


def registered_by(registries: dict[str, Registry[Any]]) -> dict[str, list[str]]:
    """`plugin name -> ["provider:echo", ...]` across every registry."""
    found: dict[str, list[str]] = {}
    for registry in registries.values():
        kind = registry.kind.replace(" ", "_")
        for name, owner in registry.owners.items():
            found.setdefault(owner, []).append(f"{kind}:{name}")
    return found
