"""World > Inject event… and World > News to the town…: make something happen, or tell people something.

An injected event happens at a tile: everyone within the radius notices it and
remembers it (``InjectEvent``); the engine answers ``WorldEventHappened`` with
the witnesses. News (``Broadcast``) reaches the whole town or one district.
Both go through the edit history, so Ctrl+Z takes the memories back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.common.selection import BUILDING, Selection
from engine.contracts import StaticWorld, WorldSnapshot
from engine.contracts.edits import Broadcast, Edit, InjectEvent

MAX_RADIUS = 200  # tiles; the engine's limit
Picker = Callable[[str, Callable[[tuple[int, int], tuple[str, int] | None], None]], None]


@dataclass(frozen=True)
class Preset:
    label: str
    text: str  # "{place}" becomes where it happens: "at Bramble Bakery", "near the Mill"...
    radius: int
    importance: int


PRESETS = (
    Preset("Fire", "A fire breaks out {place}", 8, 9),
    Preset("Festival", "A festival with music and food stalls starts {place}", 15, 7),
    Preset("Storm", "A violent storm breaks {place}, with thunder and sheets of rain", 40, 6),
    Preset("A new shop opens", "A new shop opens its doors {place}", 10, 5),
)


@dataclass(frozen=True)
class Place:
    x: int
    y: int
    words: str  # where, as a phrase: "at Bramble Bakery"


def place_at(static: StaticWorld, x: int, y: int, building: int = -1) -> Place:
    """The tile, named after the building on it (or the nearest one, or its district)."""
    standing = [b for b in static.buildings if not b.removed]
    if 0 <= building < len(static.buildings) and not static.buildings[building].removed:
        return Place(x, y, f"at {static.buildings[building].name}")
    for b in standing:
        if b.x <= x < b.x + b.width and b.y <= y < b.y + b.height:
            return Place(x, y, f"at {b.name}")
    if standing:
        nearest = min(standing, key=lambda b: (b.x + b.width / 2 - x) ** 2 + (b.y + b.height / 2 - y) ** 2)
        if (nearest.x + nearest.width / 2 - x) ** 2 + (nearest.y + nearest.height / 2 - y) ** 2 <= 12 ** 2:
            return Place(x, y, f"near {nearest.name}")
    rows, cols = static.district_map.shape
    district = int(static.district_map[y, x]) if 0 <= y < rows and 0 <= x < cols else -1
    if 0 <= district < len(static.districts):
        return Place(x, y, f"in {static.districts[district].name}")
    return Place(x, y, f"at the spot ({x}, {y})")


class InjectEventDialog(QDialog):
    """Non-modal: pick a place on the map while it is open, fire as many events as you like."""

    def __init__(self, parent: QWidget, selection: Selection, latest: Callable[[], WorldSnapshot | None],
                 pick: Picker, send: Callable[[Edit], int | None]):
        super().__init__(parent)
        self.setWindowTitle("Inject an event")
        self.setObjectName("injectEventDialog")
        self.setModal(False)
        self.selection, self._latest, self._pick, self._send = selection, latest, pick, send
        self.place: Place | None = None
        self._filled = ""  # the text a preset wrote; while untouched it follows the place
        self._preset: Preset | None = None
        self.sent: list[int] = []  # command ids of the events fired from here

        self.presets = QComboBox()
        self.presets.addItem("Choose a preset…", None)
        for preset in PRESETS:
            self.presets.addItem(preset.label, preset)
        self.presets.activated.connect(lambda _i: self.apply_preset(self.presets.currentData()))
        self.text = QLineEdit()
        self.text.setPlaceholderText("What happens, as people would say it")
        self.text.textChanged.connect(self._update_ok)
        self.place_label = QLabel("")
        self.place_label.setWordWrap(True)
        self.pick_button = QPushButton("Pick on map…")
        self.pick_button.setToolTip("Click a spot on the map: the event happens there")
        self.pick_button.clicked.connect(self.start_pick)
        place_row = QHBoxLayout()
        place_row.addWidget(self.place_label, 1)
        place_row.addWidget(self.pick_button)
        self.radius_slider = QSlider(Qt.Orientation.Horizontal)
        self.radius_slider.setRange(1, 60)
        self.radius = QSpinBox()
        self.radius.setRange(1, MAX_RADIUS)
        self.radius.setSuffix(" tiles")
        self.radius_slider.valueChanged.connect(self.radius.setValue)
        self.radius.valueChanged.connect(lambda v: self.radius_slider.setValue(min(v, self.radius_slider.maximum())))
        self.radius.setValue(8)
        radius_row = QHBoxLayout()
        radius_row.addWidget(self.radius_slider, 1)
        radius_row.addWidget(self.radius)
        self.importance = QSpinBox()
        self.importance.setRange(1, 10)
        self.importance.setValue(8)
        self.importance.setToolTip("How much it matters to those who see it (1: trivial, 10: life-changing)")
        self.outcome = QLabel("")
        self.outcome.setObjectName("injectResult")
        self.outcome.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Preset:", self.presets)
        form.addRow("What happens:", self.text)
        form.addRow("Where:", place_row)
        form.addRow("Noticed within:", radius_row)
        form.addRow("Importance:", self.importance)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.fire_button = buttons.addButton("Make it happen", QDialogButtonBox.ButtonRole.ApplyRole)
        self.fire_button.setObjectName("fireEvent")
        self.fire_button.setDefault(True)
        self.fire_button.clicked.connect(self.fire)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.outcome)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    # ------------------------------------------------------------------ place

    def reset_place(self) -> None:
        """Where it happens unless picked: at the selected building's door, else the middle of the map."""
        snapshot = self._latest()
        if snapshot is None:
            return
        static = snapshot.static
        if self.selection.kind == BUILDING and 0 <= self.selection.index < len(static.buildings):
            x, y = static.buildings[self.selection.index].entrance
            self.set_place(place_at(static, x, y, self.selection.index))
        else:
            rows, cols = static.terrain.shape
            self.set_place(place_at(static, cols // 2, rows // 2))

    def start_pick(self) -> None:
        self._pick("Click where the event happens", self._picked)
        self.place_label.setText("Click the map…")

    def _picked(self, tile: tuple[int, int], hit: tuple[str, int] | None) -> None:
        snapshot = self._latest()
        if snapshot is None:
            return
        building = hit[1] if hit is not None and hit[0] == "building" else -1
        self.set_place(place_at(snapshot.static, tile[0], tile[1], building))
        self.raise_()

    def set_place(self, place: Place) -> None:
        self.place = place
        self.place_label.setText(f"{place.words[0].upper()}{place.words[1:]} — tile ({place.x}, {place.y})")
        if self._preset is not None and self.text.text() == self._filled:
            self._fill_text(self._preset)  # still the preset's words: follow the new place
        self._update_ok()

    # ------------------------------------------------------------------ presets and firing

    def apply_preset(self, preset: Preset | None) -> None:
        if preset is None:
            return
        self._preset = preset
        self._fill_text(preset)
        self.radius.setValue(preset.radius)
        self.importance.setValue(preset.importance)

    def _fill_text(self, preset: Preset) -> None:
        where = self.place.words if self.place is not None else "in town"
        self._filled = preset.text.format(place=where)
        self.text.setText(self._filled)

    def _update_ok(self) -> None:
        self.fire_button.setEnabled(bool(self.text.text().strip()) and self.place is not None)

    def fire(self) -> None:
        if self.place is None or not self.text.text().strip():
            return
        edit = InjectEvent(text=self.text.text().strip(), x=self.place.x, y=self.place.y,
                           radius=float(self.radius.value()), importance=float(self.importance.value()))
        command_id = self._send(edit)
        if command_id is None:
            self.outcome.setText("No world is open.")
            return
        self.sent.append(command_id)
        self.outcome.setText("Happening…")

    def show_witnesses(self, count: int, text: str) -> None:
        self.outcome.setText(f"{count} {'person' if count == 1 else 'people'} noticed: {text}")

    def show_refusal(self, reason: str) -> None:
        self.outcome.setText(f"Nothing happened: {reason}")


class NewsDialog(QDialog):
    """Tell the whole town, or one district, something: everyone there hears it and remembers."""

    def __init__(self, parent: QWidget, latest: Callable[[], WorldSnapshot | None], send: Callable[[Edit], int | None]):
        super().__init__(parent)
        self.setWindowTitle("News to the town")
        self.setObjectName("newsDialog")
        self.setModal(False)
        self._latest, self._send = latest, send
        self.text = QLineEdit()
        self.text.setPlaceholderText("e.g. the mayor has resigned")
        self.district = QComboBox()
        self.outcome = QLabel("")
        self.outcome.setWordWrap(True)
        form = QFormLayout()
        form.addRow("News:", self.text)
        form.addRow("Who hears it:", self.district)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.tell_button = buttons.addButton("Tell them", QDialogButtonBox.ButtonRole.ApplyRole)
        self.tell_button.setDefault(True)
        self.tell_button.clicked.connect(self.tell)
        self.text.textChanged.connect(lambda t: self.tell_button.setEnabled(bool(t.strip())))
        self.tell_button.setEnabled(False)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.outcome)
        layout.addWidget(buttons)
        self.resize(460, self.sizeHint().height())

    def refresh_districts(self) -> None:
        chosen = self.district.currentData()
        self.district.clear()
        self.district.addItem("The whole town", -1)
        snapshot = self._latest()
        if snapshot is not None:
            for district in snapshot.static.districts:
                self.district.addItem(district.name, district.id)
        again = self.district.findData(chosen)
        self.district.setCurrentIndex(max(0, again))

    def tell(self) -> None:
        text = self.text.text().strip()
        if not text:
            return
        command_id = self._send(Broadcast(text=text, district=int(self.district.currentData())))
        self.outcome.setText("Telling them…" if command_id is not None else "No world is open.")

    def show_outcome(self, summary: str) -> None:
        self.outcome.setText(summary[:1].upper() + summary[1:])
