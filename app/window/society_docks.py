"""The society in the window: the economy and governance docks, and the social graph's questions.

``install_society_docks`` builds the two docks, puts them on the right (tabbed with the
inspector, so the map keeps its room), lists them in View, and lets each subscribe to the
bridge (and the economy to the selection); their edits go through the undo history's ``send``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QDockWidget

from app.common.bridge import EngineBridge
from app.common.selection import Selection
from app.docks.economy import EconomyDock
from app.docks.governance import GovernanceDock
from app.window.main_window import MainWindow
from engine.contracts.edits import Edit


@dataclass
class SocietyDocks:
    economy: EconomyDock
    governance: GovernanceDock
    economy_dock: QDockWidget
    governance_dock: QDockWidget


def install_society_docks(window: MainWindow, bridge: EngineBridge, selection: Selection,
                          send: Callable[[Edit], int | None], world_loaded: SignalInstance) -> SocietyDocks:
    economy = EconomyDock(selection, bridge.query, send)
    governance = GovernanceDock(selection, send)
    made = {}
    for key, title, widget in (("economy", "Economy", economy), ("governance", "Governance", governance)):
        dock = window.add_scrolling_dock(key, title, widget, anchor="inspector")
        dock.visibilityChanged.connect(widget.set_on_screen)  # tabbed away: no refreshes nobody sees
        made[key] = dock
    if "inspector" in window.docks:
        window.docks["inspector"].raise_()  # the inspector stays in front on a first start

    economy.subscribe(bridge, world_loaded)
    governance.subscribe(bridge, world_loaded)
    for dock in made.values():
        bridge.read_part_when_shown("society", dock)
    return SocietyDocks(economy, governance, made["economy"], made["governance"])
