"""Event log dock: a filterable list of what happened; click an entry to see it on the map.

The model reads straight from the :class:`EventStore` (a bounded deque) and
formats rows lazily, so a flood of events at max speed costs one insert per poll.
Behind another tab the log only fills the store: the filter's per-row check and the
scroll to the newest entry were a fifth of the GUI thread's time at max speed in a
big town, for a list nobody saw. Brought forward, it catches up in one reset.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QListView, QVBoxLayout, QWidget

from app.common import formatting as fmt
from app.common.bridge import EngineBridge, Moment
from app.common.event_store import EventStore
from app.common.selection import BUILDING, PERSON, Selection
from app.docks.timeline import kept_until, start_minute_of
from engine.contracts import Event, StaticWorld, TimeJumped, TimelineView, WorldSnapshot

KIND_ROLE = Qt.ItemDataRole.UserRole + 1
EVENT_ROLE = Qt.ItemDataRole.UserRole + 2
DEFAULT_FILTER = "notable"  # conversations, relationships, commands: activities drown everything else
FILTERS = {
    "notable": ("Notable", {"ConversationHeld", "RelationshipChanged", "CommandRejected", "WorldSaved",
                            "ReflectionMade", "LLMStatusChanged", "FactSeeded", "GatheringHeld", "PropertySold",
                            "ProposalMade", "VoteHeld", "PolicyChanged", "ElectionHeld", "WorldEventHappened",
                            "IncidentChanged", "ChatReply", "EditApplied", "PluginNews", "PluginSwitchedOff"}),
    "all": ("Everything", None),
    **{kind: (label, {kind}) for kind, label in fmt.EVENT_LABELS.items()},
}
_Index = QModelIndex | QPersistentModelIndex


class EventLogModel(QAbstractListModel):
    def __init__(self, store: EventStore, parent: Any = None):
        super().__init__(parent)
        self.store = store
        self.static: StaticWorld | None = None
        self.tick_seconds = 60
        self.start_minute = 6 * 60
        #: Off screen, events go to the store with no word to the views; ``catch_up`` resets them.
        self.stale = False

    def catch_up(self) -> None:
        if self.stale:
            self.beginResetModel()
            self.stale = False
            self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt API)
        return 0 if parent.isValid() else len(self.store)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.store):
            return None
        event = self.store.events[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            when = fmt.sim_time(event.tick, self.tick_seconds, self.start_minute)
            return f"{when}   {fmt.describe_event(event, self.static)}"
        if role == KIND_ROLE:
            return event.kind
        if role == EVENT_ROLE:
            return event
        return None

    def append(self, events: list[Event]) -> None:
        if not events:
            return
        if self.stale:
            self.store.add(events)
            return
        limit = self.store.events.maxlen or 0
        if len(events) >= limit:
            self.beginResetModel()
            self.store.add(events)
            self.endResetModel()
            return
        dropping = max(0, len(self.store) + len(events) - limit)
        if dropping:
            self.beginRemoveRows(QModelIndex(), 0, dropping - 1)
            for _ in range(dropping):
                self.store.events.popleft()
            self.endRemoveRows()
        first = len(self.store)
        self.beginInsertRows(QModelIndex(), first, first + len(events) - 1)
        self.store.add(events)
        self.endInsertRows()

    def drop_after(self, tick: int) -> None:
        self.beginResetModel()
        self.store.drop_after(tick)
        self.stale = False
        self.endResetModel()

    def reset(self, static: StaticWorld | None) -> None:
        self.beginResetModel()
        self.store.clear()
        self.stale = False
        self.static = static
        self.endResetModel()


class _Filter(QSortFilterProxyModel):
    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.kinds: set[str] | None = FILTERS[DEFAULT_FILTER][1]
        self.text = ""
        self.until: int | None = None  # looking at the past: what happened after the tick shown is hidden

    def filterAcceptsRow(self, row: int, parent: _Index) -> bool:
        # Called for every event that arrives (thousands a second at max speed): the kind and the
        # tick straight from the store, the words only when searching.
        model = self.sourceModel()
        assert isinstance(model, EventLogModel)  # the dock pairs this filter with its own model
        event = model.store.events[row]
        if self.kinds is not None and event.kind not in self.kinds:
            return False
        if self.until is not None and event.tick > self.until:
            return False
        if self.text:
            return self.text in str(model.data(model.index(row, 0, parent), Qt.ItemDataRole.DisplayRole)).lower()
        return True


class EventLogDock(QWidget):
    def __init__(self, selection: Selection, store: EventStore, parent: QWidget | None = None):
        super().__init__(parent)
        self.selection = selection
        self.model = EventLogModel(store, self)
        self.proxy = _Filter(self)
        self.proxy.setSourceModel(self.model)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        row = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Filter: a name, a place, a word…")
        self.search.setClearButtonEnabled(True)
        self.kind = QComboBox()
        for key, (label, _kinds) in FILTERS.items():
            self.kind.addItem(label, key)
        self.kind.setToolTip("Which kinds of events to list")
        row.addWidget(self.search, 1)
        row.addWidget(self.kind)
        layout.addLayout(row)
        self.view = QListView()
        self.view.setModel(self.proxy)
        self.view.setUniformItemSizes(True)
        self.view.setToolTip("Click an entry to find it on the map")
        layout.addWidget(self.view, 1)
        self._follow_tail = True
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(200)
        self._debounce.timeout.connect(self._apply_text)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.kind.currentIndexChanged.connect(self._on_kind)
        self.view.clicked.connect(self._on_clicked)
        self.view.activated.connect(self._on_clicked)
        self.view.verticalScrollBar().valueChanged.connect(self._on_scroll)

    def subscribe(self, bridge: EngineBridge, timeline: Callable[[], TimelineView | None]) -> None:
        """Hear the engine. ``timeline`` is the line the timeline dock shows: leaving a branch
        drops what only the old line saw, up to where the two lines part."""
        self._timeline = timeline
        self._new_world = True
        bridge.world_attached.connect(self._expect_new_world)
        bridge.snapshot_changed.connect(self._on_snapshot)
        bridge.events_arrived.connect(self._on_events)
        bridge.moment_changed.connect(self.show_moment)

    def show_moment(self, moment: Moment) -> None:
        """In the past, the log ends at the moment shown (the future stays on its branch, hidden);
        at the head of a branch it shows everything again."""
        line = self._timeline()
        head = line.head if line is not None else moment.tick
        until = moment.tick if moment.tick < head else None
        if until != self.proxy.until:
            self.proxy.beginFilterChange()
            self.proxy.until = until
            self.proxy.endFilterChange()

    def _expect_new_world(self) -> None:
        self._new_world = True

    def _on_snapshot(self, snapshot: WorldSnapshot) -> None:
        if self._new_world:
            self._new_world = False
            self.set_world(snapshot.static, snapshot.tick_seconds, start_minute_of(snapshot))

    def _on_events(self, events: list[Event]) -> None:
        for event in events:
            if isinstance(event, TimeJumped) and event.reason in ("switch", "fork"):
                self.drop_after(kept_until(self._timeline(), event))
        self.add_events(events)

    def set_world(self, static: StaticWorld, tick_seconds: int, start_minute: int) -> None:
        self.model.reset(static)
        self.model.tick_seconds, self.model.start_minute = tick_seconds, start_minute

    def drop_after(self, tick: int) -> None:
        """A branch was left: its future is not part of the line shown now."""
        self.model.drop_after(tick)

    def add_events(self, events: list[Event]) -> None:
        self.model.append(events)
        if self._follow_tail and not self.model.stale:
            self.view.scrollToBottom()

    def set_on_screen(self, visible: bool) -> None:
        """Kept by the dock's ``visibilityChanged``: behind a tab or closed, the list stops
        following events; brought forward, it shows all the store holds, at the newest if it was."""
        if not visible:
            self.model.stale = True
            return
        self.model.catch_up()
        if self._follow_tail:
            self.view.scrollToBottom()

    def _on_scroll(self, value: int) -> None:
        # Stay at the newest entry unless the user scrolled up to read.
        self._follow_tail = value >= self.view.verticalScrollBar().maximum() - 2

    def _apply_text(self) -> None:
        self.proxy.beginFilterChange()
        self.proxy.text = self.search.text().strip().lower()
        self.proxy.endFilterChange()

    def _on_kind(self) -> None:
        self.proxy.beginFilterChange()
        self.proxy.kinds = FILTERS[self.kind.currentData()][1]
        self.proxy.endFilterChange()

    def _on_clicked(self, index: QModelIndex) -> None:
        event = self.proxy.data(index, EVENT_ROLE)
        if event is None:
            return
        people = fmt.event_people(event)
        if people:
            self.selection.focus(PERSON, people[0])
        elif fmt.event_building(event) >= 0:
            self.selection.focus(BUILDING, fmt.event_building(event))
