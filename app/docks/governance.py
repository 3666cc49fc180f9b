"""Governance dock: each district's council, what is being proposed and decided, elections, word of mouth.

Drawn from ``snapshot.society.governance`` at most twice a second, and only when its
``version`` moved. The buttons build edits (``Propose``, ``WithdrawProposal``, ``SetPolicy``)
and send them through the undo history, so Ctrl+Z takes a proposal back.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.common import formatting as fmt
from app.common.bridge import EngineBridge, Moment
from app.common.event_batch import EventBatch
from app.common.selection import PERSON, Selection
from app.docks.pacing import RefreshPacer
from app.docks.policy_dialog import PolicyDialog
from app.docks.society_words import district_name, person_name
from app.docks.tables import Cell, fill_table, make_table, row_data
from app.docks.word_of_mouth import WordOfMouthTab
from engine.contracts import WorldSnapshot
from engine.contracts.edits import Edit, WithdrawProposal
from engine.contracts.events import ElectionHeld, PolicyChanged, ProposalMade, VoteHeld
from engine.contracts.society import CouncilView, GovernanceView, ProposalView, SocietyView

PERSON_ROLE = Qt.ItemDataRole.UserRole
DISTRICT_ROLE = Qt.ItemDataRole.UserRole + 1


def names(snapshot: WorldSnapshot, people: tuple[int, ...]) -> str:
    return ", ".join(person_name(snapshot.static, p) for p in people) or "nobody"


def council_lines(council: CouncilView, snapshot: WorldSnapshot) -> dict[str, str]:
    """A district's council in words (the tree's branch titles)."""
    return {
        "title": f"{council.name} — treasury {fmt.money(council.treasury)}",
        "members": f"Council ({len(council.members)} of {council.seats} seats)",
        "election": f"Next election {fmt.tick_time(snapshot, council.next_election_tick)}",
        "policies": "; ".join(p.text for p in council.policies) or "no policies",
    }


def open_rows(proposals: tuple[ProposalView, ...], snapshot: WorldSnapshot) -> list[tuple[Cell, ...]]:
    static = snapshot.static
    return [(Cell(p.text, data=p.id, tip=p.reason), Cell(district_name(static, p.district)),
             Cell(person_name(static, p.proposer)), Cell(p.reason, tip=p.reason),
             Cell(fmt.tick_time(snapshot, p.made_tick, short=True), p.made_tick))
            for p in proposals if p.state == "open"]


def decided_rows(proposals: tuple[ProposalView, ...], snapshot: WorldSnapshot) -> list[tuple[Cell, ...]]:
    static = snapshot.static
    return [(Cell(p.text, data=p.id, tip=p.reason), Cell(district_name(static, p.district)),
             Cell(p.state, tip=f"{len(p.yes)} for, {len(p.no)} against"),
             Cell(names(snapshot, p.yes), len(p.yes)), Cell(names(snapshot, p.no), len(p.no)),
             Cell(fmt.tick_time(snapshot, p.decided_tick, short=True) if p.decided_tick >= 0 else "",
                  p.decided_tick))
            for p in proposals if p.state != "open"]


def _top_items(tree: QTreeWidget) -> list[QTreeWidgetItem]:
    """The tree's top-level rows (Qt types each lookup as possibly None; within the count none is)."""
    return [item for i in range(tree.topLevelItemCount()) if (item := tree.topLevelItem(i)) is not None]


def election_rows(view: GovernanceView, snapshot: WorldSnapshot) -> list[tuple[Cell, ...]]:
    static = snapshot.static
    rows: list[tuple[Cell, ...]] = []
    for e in view.elections:
        tally = ", ".join(f"{person_name(static, who)} {votes}" for who, votes in e.tally)
        rows.append((Cell(fmt.tick_time(snapshot, e.tick, short=True), e.tick, data=e.tick),
                     Cell(district_name(static, e.district)), Cell(names(snapshot, e.winners)),
                     Cell(tally, tip=tally), Cell(f"{100 * e.turnout:.0f}%", e.turnout)))
    return rows


class GovernanceDock(QWidget):
    def __init__(self, selection: Selection, send_edit: Callable[[Edit], object] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.selection = selection
        self.send_edit = send_edit or (lambda _edit: None)
        self.snapshot: WorldSnapshot | None = None
        self.view: GovernanceView | None = None
        self._shown_key: tuple[int, int, int] | None = None
        self.pacer = RefreshPacer(self.refresh, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        buttons = QHBoxLayout()
        self.propose = QPushButton("Propose…")
        self.propose.setToolTip("Table a proposal for a district council to vote on")
        self.decree = QPushButton("Decree…")
        self.decree.setToolTip("Set a policy at once, without a vote")
        self.withdraw = QPushButton("Withdraw")
        self.withdraw.setToolTip("Take back the open proposal selected below")
        self.withdraw.setEnabled(False)
        self.propose.clicked.connect(lambda: self.open_policy_dialog(decree=False))
        self.decree.clicked.connect(lambda: self.open_policy_dialog(decree=True))
        self.withdraw.clicked.connect(self.withdraw_selected)
        self.status = QLabel("Councils appear once the world is running.")
        self.status.setStyleSheet("color:#55536b")
        self.status.setWordWrap(True)
        for widget in (self.propose, self.decree, self.withdraw):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)  # a line of its own: beside the buttons it held a narrow dock too wide
        self.news = QLabel("")
        self.news.setObjectName("councilNews")
        self.news.setWordWrap(True)
        self.news.setStyleSheet("color:#7d5ba6")
        layout.addWidget(self.news)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)
        self.councils = QTreeWidget()
        self.councils.setHeaderHidden(True)
        self.councils.itemClicked.connect(self._on_council_item)
        self.tabs.addTab(self.councils, "Councils")
        proposals = QWidget()
        column = QVBoxLayout(proposals)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(QLabel("Open"))
        self.open_table = make_table(("Proposal", "District", "Proposed by", "Reason", "Made"), stretch=3)
        self.open_table.itemSelectionChanged.connect(
            lambda: self.withdraw.setEnabled(self.selected_proposal() >= 0))
        column.addWidget(self.open_table, 2)
        column.addWidget(QLabel("Decided"))
        self.decided_table = make_table(("Proposal", "District", "Result", "Yes", "No", "Decided"))
        column.addWidget(self.decided_table, 3)
        self.tabs.addTab(proposals, "Proposals")
        self.elections = make_table(("When", "District", "Elected", "Tally", "Turnout"), stretch=3)
        self.tabs.addTab(self.elections, "Elections")
        self.word_of_mouth = WordOfMouthTab(selection, self.send_edit)
        self.tabs.addTab(self.word_of_mouth, "Word of mouth")

    # ------------------------------------------------------------------ inputs

    def subscribe(self, bridge: EngineBridge, world_loaded: SignalInstance) -> None:
        """Hear the engine. A loaded world starts blank and shows its latest snapshot at once:
        a paused world may send no other for a while."""
        bridge.snapshot_changed.connect(self.set_snapshot)
        bridge.events_arrived.connect(self.add_events)
        bridge.moment_changed.connect(self.show_moment)

        def on_loaded(_loaded: object) -> None:
            self.reset_world()
            if bridge.latest is not None:
                self.set_snapshot(bridge.latest)

        world_loaded.connect(on_loaded)

    def set_snapshot(self, snapshot: WorldSnapshot) -> None:
        self.snapshot = snapshot
        if self._key() != self._shown_key:
            self.pacer.request()

    def set_on_screen(self, visible: bool) -> None:
        """Its dock was shown or hidden (closed, or another tab brought to the front)."""
        self.pacer.set_on_screen(visible)

    @property
    def on_screen(self) -> bool:
        return self.pacer.on_screen

    def reset_world(self) -> None:
        self.snapshot, self.view, self._shown_key = None, None, None
        self.news.setText("")

    def show_moment(self, _moment: Moment) -> None:
        """Another moment is shown: its news line would be from another time, so it goes; redraw."""
        self.news.setText("")
        self._shown_key, self.view = None, None
        self.pacer.request()

    def add_events(self, events: EventBatch) -> None:
        """The latest council news, in one line above the tabs."""
        snap = self.snapshot
        latest = next(reversed(events.only(VoteHeld, PolicyChanged, ElectionHeld, ProposalMade)), None)
        if snap is not None and latest is not None:
            self.news.setText(f"{fmt.tick_time(snap, latest.tick, short=True)}: {fmt.describe_event(latest, snap.static)}")

    def _key(self) -> tuple[int, int, int] | None:
        snap = self.snapshot
        if snap is None or snap.society is None:
            return None
        # Facts have no version of their own: the tuple is rebuilt when they change, so its identity will do.
        return (snap.static.version, snap.society.governance.version, id(snap.society.facts))

    # ------------------------------------------------------------------ drawing

    def refresh(self) -> None:
        snap = self.snapshot
        if snap is None or snap.society is None:
            return
        key = self._key()
        if key == self._shown_key:
            return
        self._shown_key = key
        society: SocietyView = snap.society
        if self.view is None or society.governance.version != self.view.version:
            self.view = society.governance
            self._draw_governance(self.view, snap)
        self.word_of_mouth.show_facts(snap, society.facts, society.density)

    def _draw_governance(self, view: GovernanceView, snap: WorldSnapshot) -> None:
        open_count = sum(1 for p in view.proposals if p.state == "open")
        self.status.setText(f"{len(view.councils)} councils, {open_count} open proposals")
        self._draw_councils(view, snap)
        fill_table(self.open_table, open_rows(view.proposals, snap))
        fill_table(self.decided_table, decided_rows(view.proposals, snap))
        fill_table(self.elections, election_rows(view, snap))
        self.withdraw.setEnabled(self.selected_proposal() >= 0)

    def _draw_councils(self, view: GovernanceView, snap: WorldSnapshot) -> None:
        tree = self.councils
        expanded = {item.data(0, DISTRICT_ROLE) for item in _top_items(tree) if item.isExpanded()}
        first_time = tree.topLevelItemCount() == 0
        scroll = tree.verticalScrollBar().value()
        chosen = self._current_district()  # redrawn when treasuries move: the user's choice stays
        tree.blockSignals(True)
        tree.clear()
        for council in view.councils:
            words = council_lines(council, snap)
            top = QTreeWidgetItem([words["title"]])
            top.setData(0, DISTRICT_ROLE, council.district)
            members = QTreeWidgetItem(top, [words["members"]])
            for person in council.members:
                item = QTreeWidgetItem(members, [person_name(snap.static, person)])
                item.setData(0, PERSON_ROLE, person)
                item.setToolTip(0, "Click to select on the map")
            QTreeWidgetItem(top, [words["election"]])
            policies = QTreeWidgetItem(top, ["Policies in force"])
            for policy in council.policies:
                QTreeWidgetItem(policies, [policy.text])
            tree.addTopLevelItem(top)
            top.setExpanded(first_time or council.district in expanded)
            members.setExpanded(True)  # (only an item already in the tree can be expanded)
            policies.setExpanded(True)
            if council.district == chosen:
                tree.setCurrentItem(top)
        tree.blockSignals(False)
        tree.verticalScrollBar().setValue(scroll)

    def _on_council_item(self, item: QTreeWidgetItem, _column: int) -> None:
        person = item.data(0, PERSON_ROLE)
        if person is not None and int(person) >= 0:
            self.selection.focus(PERSON, int(person))

    # ------------------------------------------------------------------ god mode

    def selected_proposal(self) -> int:
        """The id of the open proposal selected in the table, -1 for none."""
        data = row_data(self.open_table, self.open_table.currentRow())
        return int(data) if data is not None and self.open_table.selectionModel().hasSelection() else -1

    def withdraw_selected(self) -> None:
        proposal = self.selected_proposal()
        if proposal >= 0:
            self.send_edit(WithdrawProposal(proposal_id=proposal))

    def open_policy_dialog(self, decree: bool = False) -> PolicyDialog | None:
        """Propose (or decree) through a dialog; the edit is sent when it is accepted. Returns the dialog."""
        if self.snapshot is None:
            return None
        district = self._current_district()
        councils = self.view.councils if self.view is not None else ()
        dialog = PolicyDialog(self.snapshot.static, decree=decree, district=district, councils=councils, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.send_edit(dialog.edit()))
        dialog.open()
        return dialog

    def _current_district(self) -> int:
        item = self.councils.currentItem()
        while item is not None and item.parent() is not None:
            item = item.parent()
        data = item.data(0, DISTRICT_ROLE) if item is not None else None
        return int(data) if data is not None else -1

    # ------------------------------------------------------------------ for tests

    def council_members(self) -> dict[int, list[int]]:
        """district -> person ids, as the tree shows them."""
        out: dict[int, list[int]] = {}
        for top in _top_items(self.councils):
            members = top.child(0)
            assert members is not None  # every district's row holds its members' row
            out[int(top.data(0, DISTRICT_ROLE))] = [int(member.data(0, PERSON_ROLE)) for j in range(members.childCount())
                                                       if (member := members.child(j)) is not None]
        return out

    def open_proposal_ids(self) -> list[int]:
        return [int(row_data(self.open_table, r)) for r in range(self.open_table.rowCount())]
