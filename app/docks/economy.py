"""Economy dock: the town's money at a glance, who owns and earns what, and the ledger itself.

Everything but the ledger comes from ``snapshot.society.economy`` and is redrawn at most
twice a second, and only when its ``version`` moved. The ledger is too long to ride on the
snapshot, so the dock asks for one filtered page at a time (``QueryLedger``) and shows the
``LedgerResult`` that comes back.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.common import formatting as fmt
from app.common.bridge import EngineBridge, Moment
from app.common.population import population
from app.common.selection import BUILDING, PERSON, Selection
from app.docks.pacing import RefreshPacer
from app.docks.society_words import account_name, building_name, district_name, person_name
from app.docks.tables import Cell, cell_text, fill_table, make_table, row_data
from engine.contracts import Command, CommandRejected, Event, WorldSnapshot
from engine.contracts.edits import Edit, SetThoughtEconomy
from engine.contracts.society import TRANSACTION_KINDS, EconomyView, LedgerResult, QueryLedger

LEDGER_PAGE = 100


def headline(view: EconomyView, people: int) -> dict[str, str]:
    """The dock's headline numbers in words."""
    return {
        "GDP (last day)": fmt.money(view.gdp),
        "Gini": f"{view.gini:.2f}",
        "Money held by people": fmt.money(view.money_supply),
        "Transactions": f"{view.transactions:,}",
        "People in debt": f"{view.in_debt:,} of {people:,}",
    }


def business_rows(view: EconomyView, snapshot: WorldSnapshot) -> list[tuple[Cell, ...]]:
    static = snapshot.static
    return [(Cell(building_name(static, b.building), data=b.building),
             Cell(person_name(static, b.owner, "the district")),
             Cell(fmt.money(b.price), b.price),
             Cell(f"{b.stock}/{b.stock_capacity}", b.stock),
             Cell(f"{b.sold_today:,}", b.sold_today),
             Cell(fmt.money(b.balance), b.balance)) for b in view.businesses]


def property_rows(view: EconomyView, snapshot: WorldSnapshot) -> list[tuple[Cell, ...]]:
    static = snapshot.static
    return [(Cell(building_name(static, p.building), data=p.building),
             Cell(person_name(static, p.owner, "the district (public)")),
             Cell(fmt.money(p.value), p.value),
             Cell(fmt.money(p.rent), p.rent),
             Cell("for sale" if p.for_sale else "", int(p.for_sale))) for p in view.properties]


def people_rows(snapshot: WorldSnapshot) -> list[tuple[Cell, ...]]:
    static, money = snapshot.static, snapshot.money
    return [(Cell(person.name, data=person.id), Cell(person.occupation),
             Cell(fmt.money(int(money[person.id])), int(money[person.id])))
            for person in static.people if not person.removed and person.id < len(money)]


def ledger_rows(result: LedgerResult, snapshot: WorldSnapshot | None) -> list[tuple[Cell, ...]]:
    static = snapshot.static if snapshot is not None else None
    when = (lambda t: fmt.tick_time(snapshot, t, short=True)) if snapshot is not None else str
    return [(Cell(when(row.tick), row.index, data=row.index), Cell(row.kind),
             Cell(account_name(static, row.payer, row.payer_name)),
             Cell(account_name(static, row.payee, row.payee_name)),
             Cell(fmt.money(row.amount), row.amount)) for row in result.rows]


class EconomyDock(QWidget):
    def __init__(self, selection: Selection, query: Callable[[Command], int | None] | None = None,
                 send_edit: Callable[[Edit], object] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.selection = selection
        self.query = query or (lambda _command: None)
        self.send_edit = send_edit or (lambda _edit: None)
        self.snapshot: WorldSnapshot | None = None
        self.view: EconomyView | None = None
        self.ledger: LedgerResult | None = None
        self._shown_key: tuple[int, int] | None = None  # (static version, economy version) on screen
        self._static_id: int | None = None
        self._ledger_request = -1
        self._ledger_version = -1
        self.pacer = RefreshPacer(self.refresh, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        self.status = QLabel("The economy appears once the world is running.")
        self.status.setStyleSheet("color:#55536b")
        layout.addWidget(self.status)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)
        self._build_overview()
        self.businesses = make_table(("Business", "Owner", "Price", "Stock", "Sold today", "Balance"))
        self.businesses.cellClicked.connect(lambda r, _c: self._select(BUILDING, self.businesses, r))
        self.tabs.addTab(self.businesses, "Businesses")
        self.properties = make_table(("Home", "Owner", "Value", "Rent/day", "For sale"))
        self.properties.cellClicked.connect(lambda r, _c: self._select(BUILDING, self.properties, r))
        self.tabs.addTab(self.properties, "Property")
        self._build_people()
        self._build_ledger()
        self.tabs.currentChanged.connect(lambda _i: self._fill_current_tab())

    # ------------------------------------------------------------------ building

    def _build_overview(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        form = QFormLayout()
        self.numbers: dict[str, QLabel] = {}
        for name in ("GDP (last day)", "Gini", "Money held by people", "Transactions", "People in debt"):
            label = QLabel("—")
            label.setObjectName(f"economy:{name}")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.numbers[name] = label
            form.addRow(name, label)
        layout.addLayout(form)
        row = QHBoxLayout()
        self.thought_box = QCheckBox("Thought economy")
        self.thought_box.setToolTip("Every language-model call costs its thinker money; people in debt cannot think")
        self.thought_price = QSpinBox()
        self.thought_price.setRange(1, 100_000)
        self.thought_price.setValue(50)
        self.thought_price.setSuffix(" ¢ per 1,000 tokens")
        self.thought_box.toggled.connect(lambda _on: self._send_thought_economy())
        self.thought_price.editingFinished.connect(self._price_edited)
        row.addWidget(self.thought_box)
        row.addWidget(self.thought_price)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(QLabel("District treasuries"))
        self.treasuries = make_table(("District", "Treasury"))
        layout.addWidget(self.treasuries, 1)
        self.tabs.addTab(page, "Overview")

    def _build_people(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        self.people_search = QLineEdit()
        self.people_search.setPlaceholderText("Search people by name or occupation…")
        self.people_search.setClearButtonEnabled(True)
        self.people_search.textChanged.connect(lambda _t: self._filter_people())
        layout.addWidget(self.people_search)
        self.people = make_table(("Person", "Occupation", "Balance"))
        self.people.sortItems(2, Qt.SortOrder.DescendingOrder)
        self.people.cellClicked.connect(lambda r, _c: self._select(PERSON, self.people, r))
        layout.addWidget(self.people, 1)
        self.people_page = page
        self.tabs.addTab(page, "People")

    def _build_ledger(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        filters = QHBoxLayout()
        self.kind_filter = QComboBox()
        self.kind_filter.addItem("All kinds", "")
        for kind in TRANSACTION_KINDS:
            self.kind_filter.addItem(kind, kind)
        self.person_filter = QComboBox()
        self.person_filter.setEditable(True)  # type a name: 600 people do not fit a plain list
        self.person_filter.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.building_filter = QComboBox()
        self.district_filter = QComboBox()
        for combo, tip in ((self.kind_filter, "Only this kind of payment"),
                           (self.person_filter, "Only payments to or from this person"),
                           (self.building_filter, "Only payments to or from this business or home"),
                           (self.district_filter, "Only payments to or from this district's treasury")):
            combo.setToolTip(tip)
            combo.currentIndexChanged.connect(lambda _i: self.fetch_ledger(0))
            filters.addWidget(combo, 1)
        layout.addLayout(filters)
        self.ledger_table = make_table(("When", "Kind", "From", "To", "Amount"), sortable=False, stretch=3)
        layout.addWidget(self.ledger_table, 1)
        pager = QHBoxLayout()
        self.newer = QPushButton("◀ Newer")
        self.older = QPushButton("Older ▶")
        self.newer.clicked.connect(lambda: self.fetch_ledger(max(0, self.ledger_offset - LEDGER_PAGE)))
        self.older.clicked.connect(lambda: self.fetch_ledger(self.ledger_offset + LEDGER_PAGE))
        self.ledger_label = QLabel("")
        pager.addWidget(self.newer)
        pager.addWidget(self.ledger_label, 1)
        pager.addWidget(self.older)
        layout.addLayout(pager)
        self.ledger_offset: int = 0
        self.ledger_page = page
        self.tabs.addTab(page, "Ledger")

    def _fill_filters(self, snapshot: WorldSnapshot) -> None:
        """The ledger's person, building and district choices for a (new) world."""
        static = snapshot.static
        kept = {}
        for combo in (self.person_filter, self.building_filter, self.district_filter):
            combo.blockSignals(True)
            kept[combo] = combo.currentData()
            combo.clear()
        self.person_filter.addItem("Anyone", -1)
        for person in sorted((p for p in static.people if not p.removed), key=lambda p: p.name):
            self.person_filter.addItem(person.name, person.id)
        self.building_filter.addItem("Any building", -1)
        for b in sorted((b for b in static.buildings if not b.removed), key=lambda b: b.name):
            self.building_filter.addItem(f"{b.name} ({fmt.building_kind(b.type)})", b.id)
        self.district_filter.addItem("Any treasury", -1)
        for d in static.districts:
            self.district_filter.addItem(f"{d.name} treasury", d.id)
        for combo, data in kept.items():  # a building placed elsewhere must not reset the reader's filters
            combo.setCurrentIndex(max(0, combo.findData(data)))
            combo.blockSignals(False)

    # ------------------------------------------------------------------ inputs

    def subscribe(self, bridge: EngineBridge, world_loaded: SignalInstance) -> None:
        """Hear the engine and the selection. A loaded world starts blank and shows its latest
        snapshot at once: a paused world may send no other for a while."""
        bridge.snapshot_changed.connect(self.set_snapshot)
        bridge.answers_arrived.connect(self.add_answers)
        bridge.moment_changed.connect(self.show_moment)
        self.selection.changed.connect(self.show_selected)

        def on_loaded(_loaded: object) -> None:
            self.reset_world()
            if bridge.latest is not None:
                self.set_snapshot(bridge.latest)

        world_loaded.connect(on_loaded)

    def set_snapshot(self, snapshot: WorldSnapshot) -> None:
        if snapshot.static.version != self._static_id:
            self._static_id = snapshot.static.version
            self._fill_filters(snapshot)
            self._shown_key = None
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
        """A new world is open: forget the old one's tables and ledger."""
        self.snapshot, self.view, self.ledger = None, None, None
        self._shown_key, self._static_id = None, None
        self._ledger_request, self._ledger_version = -1, -1
        self.ledger_offset = 0

    def show_moment(self, _moment: Moment) -> None:
        """Another moment is shown: redraw from its snapshot, and ask for its ledger again."""
        self._shown_key, self._ledger_version = None, -1
        self.ledger = None
        self.pacer.request()

    def _key(self) -> tuple[int, int] | None:
        snap = self.snapshot
        if snap is None or snap.society is None:
            return None
        return (snap.static.version, snap.society.economy.version)

    def add_answers(self, answers: list[Event]) -> None:
        for answer in answers:
            if isinstance(answer, LedgerResult) and answer.command_id == self._ledger_request:
                self.show_ledger(answer)
            elif isinstance(answer, CommandRejected) and answer.command_id == self._ledger_request:
                self.ledger_label.setText(f"Could not read the ledger: {answer.reason}")

    # ------------------------------------------------------------------ drawing

    def refresh(self) -> None:
        snap = self.snapshot
        if snap is None or snap.society is None:
            self.status.setText("The economy appears once the world is running.")
            return
        key = self._key()
        if key == self._shown_key:
            return
        self._shown_key = key
        view = self.view = snap.society.economy
        people = population(snap.static)
        self.status.setText(f"{len(view.businesses)} businesses, {len(view.properties)} homes, "
                            f"{people:,} people")
        for name, text in headline(view, people).items():
            self.numbers[name].setText(text)
        if not self.thought_price.hasFocus():
            self.thought_box.blockSignals(True)
            self.thought_box.setChecked(view.thought_economy)
            self.thought_box.blockSignals(False)
            if view.thought_price > 0:
                self.thought_price.setValue(view.thought_price)
        fill_table(self.treasuries, [(Cell(district_name(snap.static, d), data=d), Cell(fmt.money(v), v))
                                     for d, v in view.treasuries])
        self._fill_current_tab()

    def _fill_current_tab(self) -> None:
        """Only the tab on screen is filled: a big town's people table is not rebuilt for nobody to see."""
        snap, view, page = self.snapshot, self.view, self.tabs.currentWidget()
        if snap is None or view is None:
            return
        if page is self.businesses:
            fill_table(self.businesses, business_rows(view, snap))
        elif page is self.properties:
            fill_table(self.properties, property_rows(view, snap))
        elif page is self.people_page:
            if fill_table(self.people, people_rows(snap)):
                self._filter_people()
        elif page is self.ledger_page:
            self._ledger_if_stale()

    def _ledger_if_stale(self) -> None:
        """The ledger page follows the books while it is on screen (newest first, so page one moves)."""
        if self.view is None or self.tabs.currentWidget() is not self.ledger_page:
            return
        if self.view.version != self._ledger_version:
            self.fetch_ledger(self.ledger_offset)

    def fetch_ledger(self, offset: int = 0) -> int | None:
        """Ask the engine for one page of the ledger with the current filters."""
        self.ledger_offset = max(0, offset)
        self._ledger_version = self.view.version if self.view is not None else -1
        command = QueryLedger(kind=self.kind_filter.currentData() or "", person=self._chosen(self.person_filter),
                              building=self._chosen(self.building_filter),
                              district=self._chosen(self.district_filter), limit=LEDGER_PAGE,
                              offset=self.ledger_offset)
        sent = self.query(command)
        if sent is not None:
            self._ledger_request = sent
            self.ledger_label.setText("Reading the ledger…")
        return sent

    @staticmethod
    def _chosen(combo: QComboBox) -> int:
        data = combo.currentData()
        return int(data) if data is not None else -1

    def show_ledger(self, result: LedgerResult) -> None:
        self.ledger = result
        fill_table(self.ledger_table, ledger_rows(result, self.snapshot))
        first = self.ledger_offset + 1 if result.rows else 0
        last = self.ledger_offset + len(result.rows)
        since = ""
        if result.window_start_tick > 0 and self.snapshot is not None:
            since = f" since {fmt.tick_time(self.snapshot, result.window_start_tick)}"
        self.ledger_label.setText(f"{first:,}–{last:,} of {result.total:,} payments{since}, newest first")
        self.newer.setEnabled(self.ledger_offset > 0)
        self.older.setEnabled(last < result.total)

    def _filter_people(self) -> None:
        words = self.people_search.text().strip().lower()
        for r in range(self.people.rowCount()):
            text = " ".join(cell_text(self.people, r, c).lower() for c in (0, 1))
            self.people.setRowHidden(r, bool(words) and words not in text)

    def show_selected(self, kind: str, index: int) -> None:
        """Follow the app's selection: highlight that person's or building's row."""
        tables = {PERSON: (self.people,), BUILDING: (self.businesses, self.properties)}.get(kind, ())
        for table in tables:
            for r in range(table.rowCount()):
                if row_data(table, r) == index:
                    table.selectRow(r)
                    item = table.item(r, 0)
                    if item is not None:
                        table.scrollToItem(item)
                    break

    def _select(self, kind: str, table: QTableWidget, row: int) -> None:
        data = row_data(table, row)
        if data is not None and int(data) >= 0:
            self.selection.focus(kind, int(data))

    # ------------------------------------------------------------------ god mode

    def _price_edited(self) -> None:
        if self.thought_box.isChecked() and (self.view is None or self.view.thought_price != self.thought_price.value()):
            self._send_thought_economy()

    def _send_thought_economy(self) -> None:
        self.send_edit(SetThoughtEconomy(enabled=self.thought_box.isChecked(), price=self.thought_price.value()))

    # ------------------------------------------------------------------ for tests and other docks

    def business_ids(self) -> list[int]:
        return [int(row_data(self.businesses, r)) for r in range(self.businesses.rowCount())]

    def ledger_kinds(self) -> set[str]:
        return {cell_text(self.ledger_table, r, 1) for r in range(self.ledger_table.rowCount())}
