"""The plugin manager: the installed plugins, which the open world uses, what each adds, and their errors.

It asks the engine (``QueryPlugins``) and changes the world's choice with ``ChoosePlugins``; a
change is saved with the world and applies the next time it opens. With no world open it
lists what is installed. A plugin the engine switched off mid-run is shown with its message
and said in the status bar as it happens.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMainWindow,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.common.bridge import EngineBridge
from app.common.event_batch import EventBatch
from engine import api
from engine.contracts import ChoosePlugins, Event, PluginsReport, PluginSwitchedOff, PluginView, QueryPlugins

USE, NAME, STATE, ADDS = range(4)
HELP = ("Plugins add buildings, behaviours, events, council policies, metrics and scenarios. Tick one to use it in "
        "this world: the choice is saved with the world and applies the next time it is opened. "
        "Install a plugin with <code>pip install</code>; see docs/plugins.md to write one.")


def state_words(view: PluginView) -> str:
    if view.problem:
        return view.problem
    if view.running:
        return "running"
    return "on from the next opening" if view.used else "off"


def views_from_install() -> tuple[PluginView, ...]:
    """With no world open: what is installed, none of it in use."""
    return tuple(PluginView(p["name"], p["version"], tuple(p["summary"]), True, False, False, p["error"])
                 for p in api.plugins_info())


class PluginManagerDialog(QDialog):
    def __init__(self, bridge: EngineBridge, parent: QWidget | None = None):
        super().__init__(parent)
        self.bridge = bridge
        self.setObjectName("pluginManager")
        self.setWindowTitle("Plugins")
        self.views: tuple[PluginView, ...] = ()
        self._asked: int | None = None
        note = QLabel(HELP)
        note.setWordWrap(True)
        note.setTextFormat(Qt.TextFormat.RichText)
        self.table = QTreeWidget()
        self.table.setObjectName("pluginTable")
        self.table.setHeaderLabels(["Use", "Plugin", "State", "Adds"])
        self.table.setRootIsDecorated(False)
        self.table.setWordWrap(True)  # a plugin's additions one to a line, and long errors in full
        self.table.setColumnWidth(USE, 48)
        self.table.setColumnWidth(NAME, 170)
        self.table.setColumnWidth(STATE, 200)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Apply | QDialogButtonBox.StandardButton.Close)
        self.apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.apply_button.setToolTip("Save the choice with the world (it applies when the world next opens)")
        self.apply_button.clicked.connect(self.apply)
        self.buttons.rejected.connect(self.close)
        self.status = QLabel()
        self.status.setObjectName("pluginStatus")
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(820, 420)
        bridge.answers_arrived.connect(self._on_answers)

    def refresh(self) -> None:
        self._asked = self.bridge.query(QueryPlugins())
        if self._asked is None:  # no world open
            self.show_views(views_from_install())
            self.status.setText("No world is open: these are the plugins installed.")

    def show_views(self, views: tuple[PluginView, ...]) -> None:
        self.views = views
        self.table.clear()
        for view in views:
            item = QTreeWidgetItem(["", f"{view.name} {view.version}", state_words(view), "\n".join(view.adds)])
            item.setData(NAME, Qt.ItemDataRole.UserRole, view.name)
            usable = view.installed and not (view.problem and not view.running and not view.used)
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if usable and self.bridge.attached:
                flags |= Qt.ItemFlag.ItemIsUserCheckable
            item.setFlags(flags)
            item.setCheckState(USE, Qt.CheckState.Checked if view.used else Qt.CheckState.Unchecked)
            item.setToolTip(ADDS, "\n".join(view.adds) or "nothing declared")
            item.setToolTip(STATE, state_words(view))
            if view.problem:
                item.setForeground(STATE, Qt.GlobalColor.darkRed)
            self.table.addTopLevelItem(item)
        self.apply_button.setEnabled(self.bridge.attached and bool(views))
        if not views:
            self.status.setText("No plugins are installed. See docs/plugins.md.")

    def chosen(self) -> dict[str, bool]:
        out = {}
        for i in range(self.table.topLevelItemCount()):
            item = self.table.topLevelItem(i)
            assert item is not None
            out[str(item.data(NAME, Qt.ItemDataRole.UserRole))] = item.checkState(USE) == Qt.CheckState.Checked
        return out

    def set_used(self, name: str, used: bool) -> None:
        for i in range(self.table.topLevelItemCount()):
            item = self.table.topLevelItem(i)
            if item is not None and item.data(NAME, Qt.ItemDataRole.UserRole) == name:
                item.setCheckState(USE, Qt.CheckState.Checked if used else Qt.CheckState.Unchecked)

    def apply(self) -> None:
        was = {v.name: v.used for v in self.views}
        now = self.chosen()
        use = tuple(n for n, on in now.items() if on and not was.get(n))
        drop = tuple(n for n, on in now.items() if not on and was.get(n))
        if not (use or drop) or not self.bridge.attached:
            return
        self._asked = self.bridge.send(ChoosePlugins(use=use, drop=drop))
        self.status.setText("Saved with the world at its next save; the plugins change the next time it is opened.")

    def _on_answers(self, answers: list[Event]) -> None:
        for answer in answers:
            if isinstance(answer, PluginsReport) and answer.command_id == self._asked:
                self.show_views(answer.plugins)


class PluginManager(QObject):
    """Opens the manager and says in the status bar when the engine switches a plugin off."""

    def __init__(self, window: QMainWindow, bridge: EngineBridge, parent: QObject | None = None):
        super().__init__(parent)
        self.window = window
        self.bridge = bridge
        self.dialog: PluginManagerDialog | None = None
        self.errors: list[str] = []
        bridge.events_arrived.connect(self._on_events)

    def open(self) -> PluginManagerDialog:
        if self.dialog is None:
            self.dialog = PluginManagerDialog(self.bridge, self.window)
        self.dialog.refresh()
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def _on_events(self, events: EventBatch) -> None:
        for event in events.only(PluginSwitchedOff):
            if isinstance(event, PluginSwitchedOff):
                self.errors.append(event.reason)
                self.window.statusBar().showMessage(event.reason, 30000)
                if self.dialog is not None and self.dialog.isVisible():
                    self.dialog.refresh()
