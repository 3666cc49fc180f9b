"""Inspector dock: the selected person (overview and mind tabs) or building.

Refreshed from each snapshot, but only the numbers change: widgets are built
once and updated in place, so it stays cheap at 30 Hz. The person's mind —
plan, memories, reflections, thoughts — lives in :mod:`app.docks.mind_tabs`,
which asks the engine for it only while a tab is shown.

God mode (once ``set_editor`` gave it the undo history's ``send`` and the map's
``pick``): "Edit…" opens :class:`~app.docks.person_editor.PersonEditor` in place
of the read-only facts, "Pick on map…" sets home or workplace from the next map
click, and a line at the bottom whispers an inner thought. Every change is one
edit through the undo history, so Ctrl+Z takes it back.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QLabel,
    QListWidgetItem,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.common import formatting as fmt
from app.common.art import load_art
from app.common.bridge import EngineBridge, Moment
from app.common.event_batch import EventBatch
from app.common.event_store import EventStore
from app.common.formatting import plan_words
from app.common.population import is_living
from app.common.portraits import PortraitKey, choose_portraits
from app.common.selection import BUILDING, PERSON, Selection
from app.docks.inspector_pages import BuildingPage, Hit, PersonPage, building_at, scrolled
from app.docks.mind_feed import Send
from app.docks.mind_tabs import MindTabs, made_edits
from engine.contracts import BuildingType, CommandRejected, EditApplied, Event, WorldSnapshot
from engine.contracts.edits import Edit, EditPerson, Whisper

SendEdit = Callable[[Edit], int | None]
Pick = Callable[[str, Callable[[tuple[int, int], Hit], None]], None]

class InspectorDock(QWidget):
    """The widget inside the Inspector dock."""

    def __init__(self, selection: Selection, events: EventStore, parent: QWidget | None = None):
        super().__init__(parent)
        self.selection = selection
        self.events = events
        self.snapshot: WorldSnapshot | None = None
        self.stack = QStackedWidget()
        self.empty = QLabel("Click someone on the map to see who they are and what they are up to.")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.empty.setStyleSheet("color:#55536b;padding:16px")
        self.person = PersonPage()
        self.person_tabs = MindTabs(self.person)
        # On the mind tabs the overview's big name is hidden: a slim line says whose mind this is.
        self.mind_header = QLabel()
        self.mind_header.setObjectName("mindHeader")
        self.mind_header.setStyleSheet("font-weight:bold;padding:4px 6px 0 6px")
        self.mind_header.setVisible(False)
        self.mind_header.setWordWrap(True)
        self.person_view = QWidget()
        person_layout = QVBoxLayout(self.person_view)
        person_layout.setContentsMargins(0, 0, 0, 0)
        person_layout.setSpacing(0)
        person_layout.addWidget(self.mind_header)
        person_layout.addWidget(self.person_tabs, 1)
        self.person_tabs.currentChanged.connect(self._on_tab)
        self.building = BuildingPage()
        self.building.occupant_clicked.connect(lambda i: self.selection.focus(PERSON, i))
        self.building_page = scrolled(self.building)
        for page in (self.empty, self.person_view, self.building_page):
            self.stack.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self._history_key: tuple[int, int, int] = (-1, -1, -1)  # person, last event's tick, events
        self._people_cache: tuple[object, tuple[list[str], list[str]]] = (None, ([], []))
        self._portraits: tuple[object, dict[int, PortraitKey]] = (None, {})
        self.send_edit: SendEdit | None = None
        self.pick: Pick | None = None
        self._editing = -1  # the person the editor is open for
        self._edit_command: int | None = None  # the editor's edit on its way to the engine
        page = self.person
        page.edit_button.clicked.connect(self.start_editing)
        page.editor.apply_requested.connect(self._send_person_edit)
        page.editor.closed.connect(self.stop_editing)
        page.pick_home.clicked.connect(lambda: self._pick_place("home"))
        page.pick_work.clicked.connect(lambda: self._pick_place("workplace"))
        page.no_work.triggered.connect(self._leave_job)
        page.whisper_button.clicked.connect(self.whisper)
        page.whisper_text.returnPressed.connect(self.whisper)
        page.whisper_text.textChanged.connect(lambda _t: self._update_god_buttons())
        selection.changed.connect(self._on_selection)

    def _on_selection(self, kind: str, index: int) -> None:
        self._history_key = (-1, -1, -1)
        if (kind, index) != (PERSON, self._editing):
            self.stop_editing()
        self.person.notice.setVisible(False)
        self.person_tabs.set_agent(index if kind == PERSON else -1)  # first: showing the tabs may ask at once
        self.refresh(force=True)

    def _on_tab(self, index: int) -> None:
        overview = self.person_tabs.widget(index) is self.person_tabs.overview
        self.mind_header.setVisible(not overview)
        if overview:
            self.refresh(force=True)  # it was not kept up while hidden: never show an old moment's numbers

    def subscribe(self, bridge: EngineBridge) -> None:
        """Hear the engine (a new world starts blank) and ask it about the selected person."""
        bridge.world_attached.connect(self.reset_world)
        bridge.snapshot_changed.connect(self.set_snapshot)
        bridge.events_arrived.connect(self.add_events)
        bridge.answers_arrived.connect(self.add_answers)
        bridge.moment_changed.connect(self.show_moment)
        self.set_sender(bridge.query)

    def show_moment(self, moment: Moment) -> None:
        """Another moment: the person shown may not exist in it; the mind tabs ask again about this one."""
        if moment.reason == "open":
            return
        self._history_key = (-1, -1, -1)
        self.person_tabs.moment_changed()
        self.refresh(force=True)

    def set_sender(self, send: Send) -> None:
        """How the mind tabs ask the engine (the bridge's quiet ``query``)."""
        self.person_tabs.set_sender(send)

    def set_editor(self, send: SendEdit, pick: Pick) -> None:
        """God mode: ``send`` an edit through the undo history; ``pick`` asks the map for one click."""
        self.send_edit, self.pick = send, pick
        self.person_tabs.set_editor(send)
        self._update_god_buttons()

    def _update_god_buttons(self) -> None:
        page, can = self.person, self.send_edit is not None
        page.edit_button.setEnabled(can)
        page.pick_home.setEnabled(can and self.pick is not None)
        page.pick_work.setEnabled(can and self.pick is not None)
        page.whisper_button.setEnabled(can and bool(page.whisper_text.text().strip()))

    def reset_world(self) -> None:
        self.snapshot = None
        self.stop_editing()
        self.person_tabs.reset()

    # -- god mode ------------------------------------------------------------------------------

    def _selected_person(self) -> int:
        snap, sel = self.snapshot, self.selection
        if snap is None or sel.kind != PERSON or not 0 <= sel.index < len(snap.static.people):
            return -1
        return sel.index

    def start_editing(self) -> None:
        agent = self._selected_person()
        if agent < 0 or self.send_edit is None or self.snapshot is None:
            return
        snap = self.snapshot
        self._editing = agent
        self._edit_command = None
        info = snap.static.people[agent]
        self.person.editor.load(info, int(snap.money[agent]), info.goals)
        self.person.set_editing(True)
        self.person.editor.name.setFocus()

    def stop_editing(self) -> None:
        self._editing = -1
        self._edit_command = None
        self.person.set_editing(False)

    def editing(self) -> bool:
        return self._editing >= 0

    def _send_person_edit(self, edit: EditPerson) -> None:
        sent = self.send_edit(edit) if self.send_edit is not None else None
        if sent is None:
            self.person.editor.refused("no world is running")
        else:
            self._edit_command = sent

    def _pick_place(self, field: str) -> None:
        agent = self._selected_person()
        if agent < 0 or self.pick is None:
            return
        name = self.snapshot.static.people[agent].name if self.snapshot else "them"
        what = "new home" if field == "home" else "new workplace"
        self.person.notice.setVisible(False)
        self.pick(f"Click the {what} of {name} on the map",
                  lambda tile, hit: self._picked(agent, field, tile, hit))

    def _picked(self, agent: int, field: str, tile: tuple[int, int], hit: Hit) -> None:
        if self.snapshot is None or self.send_edit is None:
            return
        building = building_at(self.snapshot.static, tile, hit)
        if building < 0:
            self._notice("That click was not on a building: nothing changed.")
            return
        moved = EditPerson(agent=agent, home=building) if field == "home" else EditPerson(agent=agent, workplace=building)
        self.send_edit(moved)

    def _leave_job(self) -> None:
        agent = self._selected_person()
        if agent >= 0 and self.send_edit is not None:
            self.send_edit(EditPerson(agent=agent, workplace=-1))

    def whisper(self) -> None:
        agent, text = self._selected_person(), self.person.whisper_text.text().strip()
        if agent < 0 or not text or self.send_edit is None:
            return
        if self.send_edit(Whisper(agent=agent, text=text)) is not None:
            self.person.whisper_text.clear()

    def _notice(self, text: str) -> None:
        self.person.notice.setText(text)
        self.person.notice.setVisible(True)

    def _track_edits(self, events: EventBatch, edits: list[Edit]) -> None:
        """The engine's answer to the editor's Apply."""
        if self._edit_command is None:
            return
        for event in events.only(EditApplied, CommandRejected):
            if isinstance(event, EditApplied | CommandRejected) and event.command_id == self._edit_command:
                self._edit_command = None
                if isinstance(event, EditApplied):
                    self.person.editor.applied()
                else:
                    self.person.editor.refused(event.reason)

    def set_snapshot(self, snapshot: WorldSnapshot) -> None:
        self.snapshot = snapshot
        self.person_tabs.set_snapshot(snapshot)
        if self.isVisible():
            self.refresh()

    def add_events(self, events: EventBatch) -> None:
        edits = made_edits(events)
        self._track_edits(events, edits)
        self.person_tabs.add_events(events, edits)

    def add_answers(self, answers: list[Event]) -> None:
        self.person_tabs.add_answers(answers)

    def refresh(self, force: bool = False) -> None:
        """Show the selection; the overview's numbers update only while it is the tab shown (or ``force``)."""
        snap, sel = self.snapshot, self.selection
        if snap is None or sel.index < 0:
            self.stack.setCurrentWidget(self.empty)
            return
        # Someone not in the world at this moment is not shown, unless their edit form is open: what was
        # typed stays, with the engine's reason for refusing it.
        shown = is_living(snap.static, sel.index) or (sel.index == self._editing < len(snap.static.people))
        if sel.kind == PERSON and shown:
            if force or self.person_tabs.currentWidget() is self.person_tabs.overview:
                self._show_person(snap, sel.index)
            self.stack.setCurrentWidget(self.person_view)
        elif sel.kind == BUILDING and sel.index < len(snap.static.buildings):
            self._show_building(snap, sel.index)
            self.stack.setCurrentWidget(self.building_page)
        else:
            self.stack.setCurrentWidget(self.empty)

    def _place(self, snap: WorldSnapshot, index: int) -> str:
        return snap.static.buildings[index].name if 0 <= index < len(snap.static.buildings) else "—"

    def _show_person(self, snap: WorldSnapshot, i: int) -> None:
        page, info = self.person, snap.static.people[i]
        page.show_portrait(self._portraits_of(snap)[i])
        page.name.setText(info.name)
        self.mind_header.setText(f"{info.name} — {info.occupation}")
        page.role.setText(f"{info.occupation.capitalize()}, {info.age}")
        page.bio.setText(info.bio)
        first = info.name.split(" ")[0]
        where = int(snap.location[i])
        doing = fmt.activity_verb(int(snap.activity[i]))
        place = f" at {self._place(snap, where)}" if where >= 0 else ""
        page.doing.setText(f"{first} is {doing}{place}.")
        page.money.setText(fmt.money(int(snap.money[i])))
        page.home.setText(self._place(snap, info.home))
        page.work.setText(self._place(snap, info.workplace) if info.workplace >= 0 else "—")
        page.plan.setText(plan_words(snap, i))
        for bar, value in zip(page.needs, snap.needs[i], strict=True):
            bar.setValue(round(float(value) * 100))
        for bar, value in zip(page.traits, info.traits, strict=True):
            bar.setValue(round(float(value) * 100))
        history = self.events.history(i)
        key = (i, history[-1].tick if history else -1, len(history))
        if key != self._history_key:
            self._history_key = key
            page.history.clear()
            for event in reversed(history):
                text = fmt.describe_event(event, snap.static)
                minute = snap.minute_at(event.tick)
                page.history.addItem(f"{fmt.clock(minute)}  {text}")

    def _portraits_of(self, snap: WorldSnapshot) -> dict[int, PortraitKey]:
        """Everyone's portrait, worked out once for each cast (a face depends on who else shares its kind)."""
        if self._portraits[0] is not snap.static.people:
            self._portraits = (snap.static.people, choose_portraits(snap.static.people, load_art()))
        return self._portraits[1]

    def _people_of(self, snap: WorldSnapshot, b: int) -> tuple[list[str], list[str]]:
        """Residents and staff of a building (cached: the cast changes rarely, snapshots 30 times a second)."""
        key = (id(snap.static), b)
        if self._people_cache[0] != key:
            people = snap.static.people
            self._people_cache = (key, ([p.name for p in people if p.home == b],
                                        [p.name for p in people if p.workplace == b]))
        return self._people_cache[1]

    def _show_building(self, snap: WorldSnapshot, b: int) -> None:
        page, info = self.building, snap.static.buildings[b]
        page.name.setText(info.name)
        page.kind.setText(fmt.building_kind(info.type).capitalize())
        page.hours.setText(fmt.hours_text(info.opens, info.closes))
        page.capacity.setText(str(info.capacity))
        residents, staff = self._people_of(snap, b)
        lines = []
        if BuildingType(info.type).is_residential or residents:
            lines.append(f"Home of {len(residents)}: " + ", ".join(residents[:6]) + ("…" if len(residents) > 6 else ""))
        if staff:
            lines.append(f"{len(staff)} work here: " + ", ".join(staff[:6]) + ("…" if len(staff) > 6 else ""))
        page.owner.setText("\n".join(lines) or "—")
        inside = [int(i) for i in (snap.location == b).nonzero()[0]]
        page.inside_label.setText(f"Inside now ({len(inside)})")
        if inside != page._shown:
            page._shown = inside
            page.occupants.clear()
            for i in inside[:300]:
                person = snap.static.people[i]
                item = QListWidgetItem(f"{person.name} — {fmt.activity_verb(int(snap.activity[i]))}")
                item.setData(Qt.ItemDataRole.UserRole, i)
                item.setForeground(QColor("#241b2f"))
                page.occupants.addItem(item)
