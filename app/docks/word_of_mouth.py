"""Word of mouth: what the town is saying, how far it has spread, and a way to start a rumour.

Facts come with the snapshot (``society.facts``); the share of the town that knows one is
``knowers / population``. "Start a rumour…" builds a ``SeedFact`` spoken by the selected
person (or whoever the user picks) and sends it as an undoable edit.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.common import formatting as fmt
from app.common.selection import BUILDING, Selection
from app.docks.policy_dialog import RumourDialog
from app.docks.society_words import building_name, fact_when, person_name, share_text
from app.docks.tables import Cell, fill_table, make_table, row_data
from engine.contracts import WorldSnapshot
from engine.contracts.edits import Edit
from engine.contracts.society import FactView


def fact_rows(facts: tuple[FactView, ...], snapshot: WorldSnapshot) -> list[tuple[Cell, ...]]:
    static = snapshot.static
    population = sum(1 for p in static.people if not p.removed)
    rows: list[tuple[Cell, ...]] = []
    for fact in facts:
        share = fact.knowers / population if population else 0.0
        when = fact_when(fact, lambda t: fmt.tick_time(snapshot, t, short=True))
        attended = f"{fact.attended:,}" if fact.kind == "event" and fact.start_tick >= 0 else ""
        rows.append((Cell(fact.text, data=fact.id, tip=fact.text),
                     Cell(person_name(static, fact.origin)),
                     Cell(fact.kind),
                     Cell(share_text(fact.knowers, population), share),
                     Cell(building_name(static, fact.building) if fact.building >= 0 else ""),
                     Cell(when, fact.start_tick),
                     Cell(attended, fact.attended)))
    return rows


class WordOfMouthTab(QWidget):
    def __init__(self, selection: Selection, send_edit: Callable[[Edit], object], parent: QWidget | None = None):
        super().__init__(parent)
        self.selection = selection
        self.send_edit = send_edit
        self.snapshot: WorldSnapshot | None = None
        self.facts: tuple[FactView, ...] = ()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.summary = QLabel("Nobody has heard anything yet.")
        self.summary.setStyleSheet("color:#55536b")
        self.rumour = QPushButton("Start a rumour…")
        self.rumour.setToolTip("Have someone say something for the town to pass on; a time and a place "
                               "in the words make it an event people may go to")
        self.rumour.clicked.connect(self.open_rumour_dialog)
        row.addWidget(self.summary, 1)
        row.addWidget(self.rumour)
        layout.addLayout(row)
        self.table = make_table(("What is said", "First said by", "Kind", "Known by", "Where", "When", "Came"))
        self.table.cellClicked.connect(self._on_clicked)
        layout.addWidget(self.table, 1)

    def show_facts(self, snapshot: WorldSnapshot, facts: tuple[FactView, ...], density: float) -> None:
        self.snapshot = snapshot
        if facts == self.facts and self.table.rowCount() == len(facts):
            return
        self.facts = facts
        fill_table(self.table, fact_rows(facts, snapshot))
        events = sum(1 for f in facts if f.kind == "event")
        self.summary.setText(f"{len(facts)} things going round, {events} of them events — "
                             f"{100 * density:.0f}% of possible pairs know each other")

    def open_rumour_dialog(self) -> RumourDialog | None:
        """Ask who says what; sends the ``SeedFact`` when accepted. Returns the dialog (tests drive it)."""
        if self.snapshot is None:
            return None
        dialog = RumourDialog(self.snapshot.static, self.selection.person, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.send_edit(dialog.edit()))
        dialog.open()
        return dialog

    def _on_clicked(self, row: int, _column: int) -> None:
        fact = next((f for f in self.facts if f.id == row_data(self.table, row)), None)
        if fact is not None and fact.building >= 0:
            self.selection.focus(BUILDING, fact.building)
