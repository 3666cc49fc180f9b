"""The society in the window: the economy and governance docks, and the social graph's questions.

``install_society_docks`` builds the two docks, puts them on the right (tabbed with the
inspector, so the map keeps its room), lists them in View, and connects them to the bridge,
the undo history and the selection. The social graph dock already exists; this gives it a
way to ask the engine about a pair and routes the answers back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDockWidget

from app.docks.economy import EconomyDock
from app.docks.governance import GovernanceDock
from app.docks.roomy import scrollable

if TYPE_CHECKING:
    from app.shell.controller import Controller


@dataclass
class SocietyDocks:
    economy: EconomyDock
    governance: GovernanceDock
    economy_dock: QDockWidget
    governance_dock: QDockWidget


def install_society_docks(controller: Controller) -> SocietyDocks:
    window, bridge, selection = controller.window, controller.bridge, controller.selection
    economy = EconomyDock(selection, bridge.query, controller.history.send)
    governance = GovernanceDock(selection, controller.history.send)
    made = {}
    for key, title, widget in (("economy", "Economy", economy), ("governance", "Governance", governance)):
        dock = QDockWidget(title, window)
        dock.setObjectName(f"{key}Dock")  # restoreState() finds docks by object name
        dock.setWidget(scrollable(widget))  # small screens: the dock scrolls, the window still fits
        dock.visibilityChanged.connect(widget.set_on_screen)  # tabbed away: no refreshes nobody sees
        window.add_tabbed_dock(key, dock, anchor="inspector")
        toggle = dock.toggleViewAction()
        toggle.setStatusTip(f"Show or hide the {title.lower()} dock")
        if window.actions.docks_menu is not None:
            window.actions.docks_menu.addAction(toggle)
        made[key] = dock
    if "inspector" in window.docks:
        window.docks["inspector"].raise_()  # the inspector stays in front on a first start

    def on_snapshot(snapshot: object) -> None:
        economy.set_snapshot(snapshot)  # type: ignore[arg-type]
        governance.set_snapshot(snapshot)  # type: ignore[arg-type]

    def on_answers(answers: list) -> None:  # type: ignore[type-arg]
        economy.add_answers(answers)
        window.graph.add_answers(answers)

    def on_loaded(_loaded: object) -> None:
        economy.reset_world()
        governance.reset_world()
        if bridge.latest is not None:  # a paused world may send no other snapshot for a while
            on_snapshot(bridge.latest)

    bridge.snapshot_changed.connect(on_snapshot)
    bridge.answers_arrived.connect(on_answers)
    bridge.events_arrived.connect(governance.add_events)
    selection.changed.connect(economy.show_selected)
    controller.world_loaded.connect(on_loaded)
    window.graph.set_sender(bridge.query)
    return SocietyDocks(economy, governance, made["economy"], made["governance"])
