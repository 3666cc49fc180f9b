"""The Palette dock: building types, a "new person" card, objects (trees, benches, lamps,
fountains, flower beds, and a "Remove object" card) and terrain brushes. Choosing one arms a map tool.

Emits ``armed(kind, value)``: ("building", "cafe"), ("person", "new"), ("prop", "fountain"),
("prop", "remove"), ("terrain", Terrain value) or ("none", None) when the choice is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QMimeData, QPoint, Qt, Signal
from PySide6.QtGui import QColor, QDrag, QIcon, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.common import palette_mime
from engine.contracts import BuildingType, Terrain

BUILDINGS = tuple(t.name.lower() for t in BuildingType)  # home, apartment, ..., town_hall
BRUSHES = (("Road", Terrain.ROAD), ("Grass", Terrain.GRASS), ("Water", Terrain.WATER), ("Plaza", Terrain.PLAZA),
           ("Sand", Terrain.SAND), ("Forest", Terrain.FOREST))
BRUSH_COLOURS = {Terrain.GRASS: (120, 170, 80), Terrain.WATER: (70, 130, 200), Terrain.ROAD: (150, 140, 130),
                 Terrain.PLAZA: (215, 200, 170), Terrain.SAND: (230, 210, 140), Terrain.FOREST: (50, 110, 60)}
PERSON_CARD = ("person", "new")
PROPS = (("Tree", "tree"), ("Bench", "bench"), ("Lamp", "lamp"), ("Fountain", "fountain"), ("Flower bed", "flowers"))
REMOVE_PROP_CARD = ("prop", "remove")  # "remove": app.map.ghosts.ERASE_PROP
KIND_ROLE = Qt.ItemDataRole.UserRole
VALUE_ROLE = Qt.ItemDataRole.UserRole + 1


def _swatch(rgb: tuple[int, int, int]) -> QIcon:
    pixmap = QPixmap(20, 20)
    pixmap.fill(QColor(*rgb))
    return QIcon(pixmap)


def _person_icon(art) -> QIcon | None:
    people = getattr(art, "people", None) if art is not None else None
    return _image_icon(people[0]) if people else None


def _building_icon(art, name: str) -> QIcon | None:
    image = getattr(art, "buildings_day", {}).get(name) if art is not None else None
    return _image_icon(image) if image is not None else None


def _prop_icon(art, kind: str) -> QIcon | None:
    image = getattr(art, "props_day", {}).get(kind) if art is not None else None
    return _image_icon(image) if image is not None else None


def _image_icon(image) -> QIcon:
    """A PIL image as an icon."""
    rgba = image.convert("RGBA")
    data = rgba.tobytes()
    qimage = QImage(data, rgba.width, rgba.height, 4 * rgba.width, QImage.Format.Format_RGBA8888).copy()
    return QIcon(QPixmap.fromImage(qimage))


DRAG_ICON = 28  # px: the card's picture beside the cursor while dragging
DRAG_GAP = 10  # px between that picture and the cursor


def drag_image(icon: QIcon) -> tuple[QPixmap, QPoint]:
    """A small, see-through picture of the card, up and to the left of the cursor (the hot spot lies
    outside it): the card's full-size image under the cursor would hide the footprint preview on the map."""
    picture = icon.pixmap(DRAG_ICON, DRAG_ICON)
    faded = QPixmap(picture.size())
    faded.fill(Qt.GlobalColor.transparent)
    painter = QPainter(faded)
    painter.setOpacity(0.75)
    painter.drawPixmap(0, 0, picture)
    painter.end()
    return faded, QPoint(faded.width() + DRAG_GAP, faded.height() + DRAG_GAP)


class PaletteList(QListWidget):
    """Cards can be dragged out onto the map (they carry their kind and value)."""

    def __init__(self) -> None:
        super().__init__()
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)

    def mimeTypes(self) -> list[str]:
        return [palette_mime.MIME]

    def startDrag(self, actions: Qt.DropAction) -> None:
        item = self.currentItem()
        if item is None or item.data(KIND_ROLE) is None:
            return
        drag = QDrag(self)
        drag.setMimeData(self.mimeData([item]))
        pixmap, hotspot = drag_image(item.icon())
        drag.setPixmap(pixmap)
        drag.setHotSpot(hotspot)
        drag.exec(actions, Qt.DropAction.CopyAction)

    def mimeData(self, items: Sequence[QListWidgetItem]) -> QMimeData:
        cards = [item for item in items if item.data(KIND_ROLE) is not None]
        if not cards:
            return QMimeData()
        return palette_mime.encode(cards[0].data(KIND_ROLE), cards[0].data(VALUE_ROLE))


class PaletteDock(QWidget):
    armed = Signal(str, object)

    def __init__(self, art=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.list = PaletteList()
        self.list.setObjectName("paletteList")
        self.setMinimumWidth(160)
        self.list.setIconSize(self.list.iconSize().expandedTo(QPixmap(24, 24).size()))
        hint = QLabel("Drag a card onto the map, or pick one and click the map. Esc or right click drops it; "
                      "Ctrl+Z undoes. With nothing picked, drag on empty map to select several.")
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list)
        layout.addWidget(hint)
        self._header("Buildings")
        for name in BUILDINGS:
            self._item(name.replace("_", " ").capitalize(), "building", name, _building_icon(art, name))
        self._header("People")
        self._item("New person", *PERSON_CARD, _person_icon(art))
        card = self.find_card(*PERSON_CARD)
        if card is not None:
            card.setToolTip("Click the map to bring a newcomer there (they get a fresh name and a home nearby)")
        self._header("Objects")
        for label, kind in PROPS:
            self._item(label, "prop", kind, _prop_icon(art, kind))
        self._item("Remove object", *REMOVE_PROP_CARD, _swatch((240, 120, 60)))
        card = self.find_card(*REMOVE_PROP_CARD)
        if card is not None:
            card.setToolTip("Click an object on the map to take it away (Ctrl+Z puts it back)")
        self._header("Terrain")
        for label, terrain in BRUSHES:
            self._item(label, "terrain", int(terrain), _swatch(BRUSH_COLOURS[terrain]))
        self._item("Eraser (grass)", "terrain", int(Terrain.GRASS), _swatch(BRUSH_COLOURS[Terrain.GRASS]))
        self.list.currentItemChanged.connect(self._on_current)

    def _header(self, text: str) -> None:
        item = QListWidgetItem(text)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        font = item.font()
        font.setBold(True)
        item.setFont(font)
        self.list.addItem(item)

    def _item(self, text: str, kind: str, value: object, icon: QIcon | None) -> None:
        item = QListWidgetItem(text)
        item.setData(KIND_ROLE, kind)
        item.setData(VALUE_ROLE, value)
        if icon is not None:
            item.setIcon(icon)
        self.list.addItem(item)

    def find_card(self, kind: str, value: object) -> QListWidgetItem | None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(KIND_ROLE) == kind and item.data(VALUE_ROLE) == value:
                return item
        return None

    def choose(self, kind: str, value: object) -> None:
        item = self.find_card(kind, value)
        if item is not None:
            self.list.setCurrentItem(item)

    def drop(self) -> None:
        """Nothing chosen (the map went back to selecting)."""
        if self.list.currentItem() is not None:
            self.list.setCurrentRow(-1)  # no card current (Qt types setCurrentItem as never None)
        self.list.clearSelection()

    def _on_current(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        if item is None or item.data(KIND_ROLE) is None:
            self.armed.emit("none", None)
        else:
            self.armed.emit(item.data(KIND_ROLE), item.data(VALUE_ROLE))
