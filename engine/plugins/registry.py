"""Which plugins are installed: found through entry points, loaded once, their declarations read.

An installed package declares ``[project.entry-points."townsfolk.plugins"] NAME = "module"``;
the module holds its hooks. A plugin that fails to import, or whose declarations raise or
name something already taken, is kept in the list with its error and never runs.
"""

from __future__ import annotations

import importlib.metadata as md
import threading
from typing import Any

import pluggy

from engine.plugins import hookspecs
from engine.plugins.kinds import Contributions, PluginRecord

GROUP = "townsfolk.plugins"
DECLARATIONS = {
    "buildings": "townsfolk_buildings",
    "activities": "townsfolk_activities",
    "events": "townsfolk_event_kinds",
    "policies": "townsfolk_policies",
    "metrics": "townsfolk_metrics",
    "scenarios": "townsfolk_scenarios",
}


class Registry:
    """Installed plugins by name, in name order (so every run meets them in the same order)."""

    def __init__(self) -> None:
        self.records: dict[str, PluginRecord] = {}
        self.manager = pluggy.PluginManager(hookspecs.PROJECT)
        self.manager.add_hookspecs(hookspecs)

    def add(self, name: str, module: Any, version: str = "0") -> PluginRecord:
        """Register one plugin object; a problem with it is kept as its error, never raised."""
        record = PluginRecord(name, version, None)
        self.records[name] = record
        self.records = dict(sorted(self.records.items()))
        try:
            self.manager.register(module, name=name)
        except Exception as error:  # pluggy's validation: a misnamed hook, a wrong argument
            record.error = f"plugin '{name}' could not be registered: {error}"
            return record
        record.module = module
        try:
            record.contributions = self._declarations(name, module)
        except Exception as error:
            record.error = f"plugin '{name}' failed while declaring what it adds: {type(error).__name__}: {error}"
        if record.error:
            self.manager.unregister(module)
            record.module = None
        return record

    def _declarations(self, name: str, module: Any) -> Contributions:
        found: dict[str, tuple[Any, ...]] = {}
        for field, hook in DECLARATIONS.items():
            fn = getattr(module, hook, None)
            found[field] = tuple(fn() or ()) if callable(fn) else ()
        contributions = Contributions(**found)
        taken = {key: other for other, rec in self.records.items() if other != name and rec.module is not None
                 for key in _keys(rec.contributions)}
        for key in _keys(contributions):
            if key in taken:
                raise ValueError(f"'{key}' is already added by plugin '{taken[key]}'")
        return contributions

    def load_installed(self) -> None:
        """Every plugin installed in this Python (entry points of the group ``townsfolk.plugins``)."""
        for point in sorted(md.entry_points(group=GROUP), key=lambda p: p.name):
            if point.name in self.records:
                continue
            version = point.dist.version if point.dist is not None else "0"
            try:
                module = point.load()
            except Exception as error:
                self.records[point.name] = PluginRecord(point.name, version, None,
                                                        error=f"plugin '{point.name}' could not be loaded: "
                                                              f"{type(error).__name__}: {error}")
                continue
            self.add(point.name, module, version)
        self.records = dict(sorted(self.records.items()))  # (add keeps the order too: this is for load failures)

    def working(self, name: str) -> PluginRecord | None:
        record = self.records.get(name)
        return record if record is not None and record.module is not None and not record.error else None

    def describe(self) -> list[dict[str, Any]]:
        """Every plugin: name, version, what it adds, its error (JSON-ready)."""
        return [{"name": r.name, "version": r.version, "ok": not r.error, "error": r.error,
                 "adds": r.contributions.as_dict(), "summary": r.contributions.words()}
                for r in self.records.values()]


def _keys(c: Contributions) -> list[str]:
    return [f"{kind}:{item.key}" for kind, items in (("building", c.buildings), ("activity", c.activities),
                                                     ("event", c.events), ("policy", c.policies),
                                                     ("metric", c.metrics), ("scenario", c.scenarios))
            for item in items]


_installed: Registry | None = None
_lock = threading.Lock()


def installed() -> Registry:
    """The plugins installed in this Python, loaded the first time they are asked for."""
    global _installed
    with _lock:
        if _installed is None:
            registry = Registry()
            registry.load_installed()
            _installed = registry
        return _installed
