"""Event log dock: a filterable list of what happened; click an entry to see it on the map.

The store (:class:`EventStore`, a bounded deque) holds every event the window has seen;
the model lists those its filter lets through, and words a row only when the view asks.
At max speed in a big town ~11,000 events a second arrive, and the log was the GUI
thread's largest cost there, holding up the map's frames and key presses. What each
crossing from Qt into Python costs is mostly the wait to win the GIL back from the busy
engine thread, so the log keeps those crossings few:

- the filter runs over each batch in one Python pass as it arrives (a
  ``QSortFilterProxyModel`` filtering called into Python once per event);
- the view lays out through a plain ``QSortFilterProxyModel`` that filters nothing: it
  answers the view's row counts and indexes from C++ (asked of this model directly,
  that was one call into Python per listed row at every layout);
- new rows join the list every ``LISTED_EVERY_MS``, in one insert, not at every poll.

Behind another tab the log only fills the store, and brought forward it catches up in
one reset.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, QTimer
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QListView, QVBoxLayout, QWidget

from app.common import formatting as fmt
from app.common.bridge import EngineBridge, Moment
from app.common.event_batch import EventBatch
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
LISTED_EVERY_MS = 200  # at max speed new rows join the list in steps this far apart, not at every poll


@dataclass
class EventFilter:
    """Which events the log lists: of these kinds (``None``: any), up to ``until`` (looking at the
    past: what happened after the tick shown is hidden), and with ``text`` in their line."""

    kinds: set[str] | None = None
    text: str = ""
    until: int | None = None

    def keep(self, events: Iterable[Event], line: Callable[[Event], str]) -> list[Event]:
        """The events let through, in order. The kind and the tick are read straight off each event;
        a line is worded only while searching."""
        kinds, until, text = self.kinds, self.until, self.text
        kept = [e for e in events if (kinds is None or e.kind in kinds) and (until is None or e.tick <= until)]
        if text:
            kept = [e for e in kept if text in line(e).lower()]
        return kept


class EventLogModel(QAbstractListModel):
    """The events of the store its filter lets through, oldest first."""

    def __init__(self, store: EventStore, parent: Any = None):
        super().__init__(parent)
        self.store = store
        self.filter = EventFilter(kinds=FILTERS[DEFAULT_FILTER][1])
        self.rows: deque[Event] = deque()
        self.pending: list[Event] = []  # let through, not yet listed (``flush``)
        self.static: StaticWorld | None = None
        self.tick_seconds = 60
        self.start_minute = 6 * 60
        #: Off screen, events go to the store with no word to the views; ``catch_up`` lists them.
        self.stale = False

    def line(self, event: Event) -> str:
        when = fmt.sim_time(event.tick, self.tick_seconds, self.start_minute)
        return f"{when}   {fmt.describe_event(event, self.static)}"

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt API)
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        event = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.line(event)
        if role == KIND_ROLE:
            return event.kind
        if role == EVENT_ROLE:
            return event
        return None

    def append(self, events: list[Event]) -> None:
        """Keep ``events`` in the store, and those the filter lets through for the next ``flush``."""
        if not events:
            return
        events = events[-(self.store.events.maxlen or len(events)):]  # more than the store holds: only its last
        self.store.add(events)
        if not self.stale:
            self.pending += self.filter.keep(events, self.line)

    def flush(self) -> None:
        """List what came since the last flush, in one insert, and stop listing what fell off the
        store's front (so a filter changed later lists the same events as one kept all along)."""
        if self.stale or not self.store.events:
            return
        oldest = self.store.events[0].tick
        gone = 0
        while gone < len(self.rows) and self.rows[gone].tick < oldest:
            gone += 1
        if gone:
            self.beginRemoveRows(QModelIndex(), 0, gone - 1)
            for _ in range(gone):
                self.rows.popleft()
            self.endRemoveRows()
        kept = [e for e in self.pending if e.tick >= oldest]
        self.pending = []
        if kept:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(kept) - 1)
            self.rows.extend(kept)
            self.endInsertRows()

    def refilter(self) -> None:
        """List the store again through the filter (it changed, or the store did behind the model's back)."""
        self.beginResetModel()
        self.rows = deque(self.filter.keep(self.store.events, self.line))
        self.pending = []
        self.stale = False
        self.endResetModel()

    def catch_up(self) -> None:
        if self.stale:
            self.refilter()

    def drop_after(self, tick: int) -> None:
        self.store.drop_after(tick)
        self._relist()

    def reset(self, static: StaticWorld | None) -> None:
        self.store.clear()
        self.static = static
        self._relist()

    def _relist(self) -> None:
        """The store changed behind the model's back: listed again, or, off screen, nothing listed until
        ``catch_up`` (a new world or a branch left while the log is behind another tab keeps it quiet)."""
        if not self.stale:
            self.refilter()
            return
        self.beginResetModel()
        self.rows, self.pending = deque(), []
        self.endResetModel()


class EventLogDock(QWidget):
    def __init__(self, selection: Selection, store: EventStore, parent: QWidget | None = None):
        super().__init__(parent)
        self.selection = selection
        self.model = EventLogModel(store, self)
        self.listed = QSortFilterProxyModel(self)  # filters nothing: the view's row counts stay in C++
        self.listed.setSourceModel(self.model)
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
        self.view.setModel(self.listed)
        self.view.setUniformItemSizes(True)
        self.view.setToolTip("Click an entry to find it on the map")
        layout.addWidget(self.view, 1)
        self._follow_tail = True
        self._listing = QTimer(self)
        self._listing.setSingleShot(True)
        self._listing.setInterval(LISTED_EVERY_MS)
        self._listing.timeout.connect(self._list_pending)
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
        if until != self.model.filter.until:
            self.model.filter.until = until
            self.model.refilter()

    def _expect_new_world(self) -> None:
        self._new_world = True

    def _on_snapshot(self, snapshot: WorldSnapshot) -> None:
        if self._new_world:
            self._new_world = False
            self.set_world(snapshot.static, snapshot.tick_seconds, start_minute_of(snapshot))

    def _on_events(self, events: EventBatch) -> None:
        for event in events.only(TimeJumped):
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
        if self.model.pending and not self._listing.isActive():
            self._listing.start()

    def _list_pending(self) -> None:
        self.model.flush()
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
        self.model.filter.text = self.search.text().strip().lower()
        self.model.refilter()

    def _on_kind(self) -> None:
        self.model.filter.kinds = FILTERS[self.kind.currentData()][1]
        self.model.refilter()

    def _on_clicked(self, index: QModelIndex) -> None:
        event = self.listed.data(index, EVENT_ROLE)
        if event is None:
            return
        people = fmt.event_people(event)
        if people:
            self.selection.focus(PERSON, people[0])
        elif fmt.event_building(event) >= 0:
            self.selection.focus(BUILDING, fmt.event_building(event))
