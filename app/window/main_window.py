"""The main window: the map in the middle, docks around it, menus, toolbar, status bar.

Layout only — no logic. :class:`app.shell.controller.Controller` connects what the
actions do; the map and each dock connect to the engine's feed themselves (``subscribe``).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QProgressBar, QWidget

from app.common.bridge import EngineBridge
from app.common.event_store import EventStore
from app.common.selection import Selection
from app.docks.chat import ChatDock
from app.docks.console import ConsoleDock
from app.docks.event_log import EventLogDock
from app.docks.inspector import InspectorDock
from app.docks.palette import PaletteDock
from app.docks.roomy import scrollable
from app.docks.social_graph import SocialGraphDock
from app.docks.timeline import TimelineDock
from app.map.view import MapView
from app.window.actions import build_actions, build_menus, build_toolbar
from app.window.layout import arrange

SQUEEZABLE = ("chat", "console")  # docks whose forms scroll rather than hold the window open (see app.docks.roomy)
LLM_OFF = "LLM: off — rule brain"


class MainWindow(QMainWindow):
    closing = Signal()

    def __init__(self, selection: Selection, events: EventStore, parent: QWidget | None = None):
        super().__init__(parent)
        #: Asked before the window closes; False keeps it open (the controller asks about unsaved work).
        self.close_check: Callable[[], bool] | None = None
        self.setWindowTitle("Townsfolk")
        self.setObjectName("townsfolkMainWindow")
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks
                            | QMainWindow.DockOption.AllowNestedDocks)
        self.map_view = MapView(self)
        self.setCentralWidget(self.map_view)
        self.window_actions = build_actions(self)
        build_menus(self, self.window_actions)
        self.toolbar, self.clock = build_toolbar(self, self.window_actions)

        self.inspector = InspectorDock(selection, events)
        self.graph = SocialGraphDock(selection)
        self.timeline = TimelineDock(selection)
        self.event_log = EventLogDock(selection, events)
        self.palette_dock = PaletteDock(self.map_view.scene.art)
        self.chat = ChatDock(selection)
        self.console = ConsoleDock()
        self.map_view.show_selection(selection)
        self.docks: dict[str, QDockWidget] = {}
        right, bottom = Qt.DockWidgetArea.RightDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea
        for key, title, widget, area in (
            ("inspector", "Inspector", self.inspector, right),
            ("graph", "Social graph", self.graph, right),
            ("timeline", "Timeline", self.timeline, bottom),
            ("events", "Event log", self.event_log, bottom),
            ("chat", "Chat", self.chat, bottom),
            ("console", "God console", self.console, bottom),
            ("palette", "Palette", self.palette_dock, Qt.DockWidgetArea.LeftDockWidgetArea),
        ):
            dock = QDockWidget(title, self)
            dock.setObjectName(f"{key}Dock")  # restoreState() finds docks by object name
            dock.setWidget(scrollable(widget) if key in SQUEEZABLE else widget)
            self.addDockWidget(area, dock)
            self.docks[key] = dock
            toggle = dock.toggleViewAction()
            toggle.setStatusTip(f"Show or hide the {title.lower()}")
            if self.window_actions.docks_menu is not None:  # build_menus made it
                self.window_actions.docks_menu.addAction(toggle)
        self.docks["graph"].visibilityChanged.connect(self.graph.set_on_screen)  # tabbed away: no new layouts
        self.docks["events"].visibilityChanged.connect(self.event_log.set_on_screen)  # nor new rows
        self.docks["timeline"].visibilityChanged.connect(self.timeline.set_on_screen)  # nor redraws
        # Tab groups are formed when the window is first shown: formed before, Qt (6.11) leaves a stale
        # copy of a group's first tab bar drawn over the window. A restored layout replaces all this.
        self._arranged = False
        self._wanted_size = self.size()

        self._busy_label = ""
        status = self.statusBar()
        self.rate_label = QLabel("paused")
        self.rate_label.setToolTip("Ticks per second the engine is running at, and frames per second the map draws")
        # Room for the widest reading up front: a label that grows with its text is clipped by a status bar
        # already laid out, and one that resizes every half second makes its neighbours jump.
        widest = self.rate_label.fontMetrics().horizontalAdvance("9999.9 ticks/s · 999 fps")
        self.rate_label.setMinimumWidth(widest + 16)  # + the 8 px margins either side set below
        self.population_label = QLabel("no world")
        self.llm_label = QLabel(LLM_OFF)
        self.llm_label.setObjectName("llmStatusLabel")
        self.llm_label.setToolTip("No language model is connected: everyone thinks with the built-in rule brain")
        self.save_label = QLabel("")
        # Loading gets its own permanent widgets: a status-bar message would hide an ordinary one.
        self.busy_label = QLabel("")
        self.busy_label.setObjectName("busyLabel")
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy until the loader says how far it got
        self.progress.setMaximumWidth(160)
        self.progress.setFormat("%p%")
        for busy in (self.busy_label, self.progress):
            busy.setVisible(False)
        for shown in (self.busy_label, self.progress, self.rate_label, self.population_label, self.llm_label,
                      self.save_label):
            shown.setContentsMargins(8, 0, 8, 0)
            status.addPermanentWidget(shown)

    def subscribe(self, bridge: EngineBridge) -> None:
        """The map and the docks made here hear the engine, each connecting what it needs.

        Chat and console are subscribed with the world tools that send for them.
        """
        self.event_log.subscribe(bridge, timeline=lambda: self.timeline.timeline)
        self.timeline.subscribe(bridge)
        self.map_view.subscribe(bridge)
        self.inspector.subscribe(bridge)
        self.graph.subscribe(bridge)
        bridge.read_part_when_shown("relationships", self.docks["graph"])

    def add_tabbed_dock(self, key: str, dock: QDockWidget, anchor: str) -> None:
        """A dock added later (branches, economy, ...); the default layout (app.window.layout) places it,
        or, once arranged, a tab beside ``anchor``'s."""
        self.addDockWidget(self.dockWidgetArea(self.docks[anchor]), dock)
        self.docks[key] = dock
        if self._arranged:
            self.tabifyDockWidget(self.docks[anchor], dock)

    def add_scrolling_dock(self, key: str, title: str, widget: QWidget, anchor: str) -> QDockWidget:
        """A later dock (economy, experiments, ...) around ``widget``: scrolling, a tab beside ``anchor``'s,
        with its show/hide entry in View > Docks."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"{key}Dock")  # restoreState() finds docks by object name
        dock.setWidget(scrollable(widget))  # small screens: the dock scrolls, the window still fits
        self.add_tabbed_dock(key, dock, anchor)
        toggle = dock.toggleViewAction()
        toggle.setStatusTip(f"Show or hide the {title.lower()} dock")
        if self.window_actions.docks_menu is not None:
            self.window_actions.docks_menu.addAction(toggle)
        return dock

    def keep_restored_layout(self) -> None:
        """The user's saved layout was restored: the default arrangement is not wanted."""
        self._arranged = True

    def reset_layout(self) -> None:
        """View > Reset layout: every dock back in its default place, for the window's size now."""
        self._arranged = True
        arrange(self, self.docks)
        self._tell_docks_on_screen_soon()

    def _tell_docks_on_screen_soon(self) -> None:
        QTimer.singleShot(0, self.tell_docks_on_screen)

    def tell_docks_on_screen(self) -> None:
        """Say to the listeners of each dock that is not on screen so, through its ``visibilityChanged``.

        When the window is shown Qt tells every dock it is visible, those behind another tab too, and
        tells a tab it went behind only when another is brought forward: the views of a dock that was
        never in front (the event log's list, the timeline's plots) went on redrawing for nobody, and
        the engine went on building its parts for them."""
        for dock in self.docks.values():
            if not dock.isVisible() or dock.visibleRegion().isEmpty():
                dock.visibilityChanged.emit(False)

    def setVisible(self, visible: bool) -> None:
        if visible and not self._arranged:
            # Until the docks are grouped they stand side by side, and showing would stretch the window
            # to hold them all: remember the size it was meant to have.
            self._wanted_size = self.size()
        super().setVisible(visible)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._arranged:
            self._arrange()
            layout = self.layout()
            if layout is not None:  # a main window always has one; Qt's types allow None
                layout.activate()  # the grouped docks' smaller minimum, before asking for the size back
            self.resize(self._wanted_size)
        # Shown, every dock hears it is visible, those behind another tab too (Qt tells a tab it went
        # behind only when another comes forward): once the window is up, they are told otherwise.
        self._tell_docks_on_screen_soon()

    def _arrange(self) -> None:
        self._arranged = True
        arrange(self, self.docks)

    @property
    def loading(self) -> bool:
        return bool(self._busy_label)

    def set_busy(self, message: str | None) -> None:
        """Show (or clear) the loading indicator in the status bar (busy until progress says how far)."""
        self._busy_label = message or ""
        self.progress.setRange(0, 0)
        self.busy_label.setText(self._busy_label)
        for widget in (self.busy_label, self.progress):
            widget.setVisible(bool(message))

    def set_progress(self, fraction: float, what: str) -> None:
        """How far loading got: a real percentage, and what it is doing now."""
        if not self.loading:
            return  # loading already finished (a late report)
        self.progress.setRange(0, 100)
        self.progress.setValue(round(fraction * 100))
        self.busy_label.setText(f"{self._busy_label.rstrip('…')} — {what}…")

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.close_check is not None and not self.close_check():
            event.ignore()  # the user chose to keep the window (unsaved changes: Cancel)
            return
        self.closing.emit()
        super().closeEvent(event)
