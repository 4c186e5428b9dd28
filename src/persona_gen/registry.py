"""Registries: a literal table of built-ins, imported lazily, plus entry-point plugins.

Nothing registers itself as an import side effect. Each pluggable kind (generators,
behaviours, sinks, importers) keeps a table of ``name -> "module:attribute"``; other packages
add entries through the entry-point group named for that kind.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar

from persona_gen.errors import PluginError, UnknownNameError

__all__ = ["Contract", "Registry", "class_problem"]

T = TypeVar("T")


Contract = Callable[[Any], "str | None"]
"""What is wrong with a plugin's object, in words (None: nothing)."""


class Registry(Generic[T]):
    """Named implementations of one pluggable kind, loaded on first use. A plugin's object
    is held to ``contract`` when it is loaded (a class that breaks it failed later, wherever
    it was first used, with an AttributeError)."""

    def __init__(
        self,
        kind: str,
        builtins: Mapping[str, str],
        group: str,
        contract: Contract | None = None,
    ) -> None:
        self.kind = kind
        self.group = group
        self._contract = contract
        self._builtins = frozenset(builtins)
        self._targets = dict(builtins)
        self._loaded: dict[str, T] = {}
        self._plugins_scanned = False

    def _scan_plugins(self) -> None:
        # Only when a name is not built in, or all are listed: a plugin never replaces a
        # built-in, and importing importlib.metadata and reading every installed package's
        # entry points cost ~35 ms of each run's start-up.
        if self._plugins_scanned:
            return
        self._plugins_scanned = True
        from importlib.metadata import entry_points

        for ep in entry_points(group=self.group):
            self._targets.setdefault(ep.name, ep.value)

    def names(self) -> list[str]:
        """Every registered name, built-ins first in their table order."""
        self._scan_plugins()
        return list(self._targets)

    def __contains__(self, name: object) -> bool:
        if name in self._builtins:
            return True
        self._scan_plugins()
        return name in self._targets

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def get(self, name: str, where: str = "") -> T:
        """The implementation registered as ``name``; a "did you mean" error if there is none."""
        if name in self._loaded:
            return self._loaded[name]
        if name not in self._builtins:
            self._scan_plugins()
        target = self._targets.get(name)
        if target is None:
            raise UnknownNameError(self.kind, name, self._targets, where)
        value: T = self._import(name, target)
        self._loaded[name] = value
        return value

    def _import(self, name: str, target: str) -> T:
        try:
            value: T = _resolve(target)
        except Exception as exc:  # (a plugin's import may raise anything)
            if name in self._builtins:  # a built-in that does not import is a bug: traceback
                raise
            raise PluginError(  # another package's: maybe broken, or half uninstalled
                f"{self._plugin(name, target)} cannot be loaded: {type(exc).__name__}: {exc}"
            ) from exc
        if name not in self._builtins and self._contract is not None:
            problem = self._contract(value)
            if problem is not None:
                raise PluginError(f"{self._plugin(name, target)} is not usable: {problem}")
        return value

    def _plugin(self, name: str, target: str) -> str:
        return f"{self.kind} '{name}' (entry point '{target}' of group '{self.group}')"


def _resolve(target: str) -> Any:
    """The object an entry point's ``module:attribute.path`` names."""
    module_name, _, attribute = target.partition(":")
    value: Any = importlib.import_module(module_name)
    for part in attribute.split(".") if attribute else ():
        value = getattr(value, part)
    return value


def class_problem(
    value: Any, base: type, attributes: Mapping[str, type | tuple[type, ...]]
) -> str | None:
    """Why ``value`` is not a subclass of ``base`` setting ``attributes`` (name -> type of
    value), in words; None when it is."""
    needed = f"a subclass of {base.__module__}.{base.__name__}"
    if not isinstance(value, type):
        return f"it names a {type(value).__name__}, not a class ({needed})"
    if not issubclass(value, base):
        return f"class '{value.__name__}' is not {needed}"
    wrong = [
        name
        for name, kind in attributes.items()
        if not isinstance(getattr(value, name, None), kind)
    ]
    if wrong:
        return f"class '{value.__name__}' does not set {', '.join(wrong)} as {base.__name__} needs"
    return None
