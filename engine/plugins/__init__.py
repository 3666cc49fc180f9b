"""Plugins: new buildings, behaviours, events, policies, metrics and scenarios, added as packages.

The public face: the hooks a plugin implements (``hookimpl`` and the specs in ``hookspecs``),
what it may declare (``kinds``), the installed plugins (``installed``), and the plugins of
one simulation (``PluginHost``). See docs/plugins.md.
"""

from engine.plugins.hookspecs import hookimpl
from engine.plugins.host import PluginHost, drop, recorded, use
from engine.plugins.kinds import (
    ActivityKind,
    BuildingKind,
    Contributions,
    EventKind,
    MetricKind,
    PluginRecord,
    PolicyKind,
    Scenario,
)
from engine.plugins.registry import GROUP, Registry, installed
from engine.plugins.town import Town

__all__ = [
    "GROUP",
    "ActivityKind",
    "BuildingKind",
    "Contributions",
    "EventKind",
    "MetricKind",
    "PluginHost",
    "PluginRecord",
    "PolicyKind",
    "Registry",
    "Scenario",
    "Town",
    "drop",
    "hookimpl",
    "installed",
    "recorded",
    "use",
]
