"""The inspector's pages: who a person is (overview, with the god-mode editor in place) and a building.

Widgets only, built once; :class:`app.docks.inspector.InspectorDock` fills them from each snapshot.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.common import formatting as fmt
from app.common.art import load_art
from app.common.portraits import PortraitKey
from app.docks.person_editor import PersonEditor
from engine.contracts import StaticWorld

Hit = tuple[str, int] | None

NEED_COLOURS = ("#3f9e94", "#ec9a4c", "#e89aae", "#f6cf57")  # energy, hunger, social, fun
TRAIT_COLOUR = "#7d5ba6"
PORTRAIT_SCALE = 3  # the 32x32 portraits, by whole pixels
PORTRAIT_SIDE = 32
SEX_WORDS = {"female": "female", "male": "male"}
BAND_WORDS = {"child": "a child", "young": "young", "adult": "an adult", "elder": "an elder"}


def _bar(colour: str, maximum: int = 100) -> QProgressBar:
    bar = QProgressBar()
    bar.setRange(0, maximum)
    bar.setTextVisible(True)
    bar.setFixedHeight(14)
    bar.setStyleSheet(
        "QProgressBar{border:1px solid #55536b;border-radius:4px;background:#efe6d2;color:#241b2f;"
        "font-size:10px;text-align:center}"
        f"QProgressBar::chunk{{background:{colour};border-radius:3px}}")
    return bar


def building_at(static: StaticWorld, tile: tuple[int, int], hit: Hit) -> int:
    """The building a map click chose: the one hit, else the one whose footprint holds the tile; -1 if none."""
    if hit is not None and hit[0] == "building":
        return hit[1]
    x, y = tile
    for b in static.buildings:
        if not b.removed and b.x <= x < b.x + b.width and b.y <= y < b.y + b.height:
            return b.id
    return -1


def _pick_button(tip: str) -> QToolButton:
    button = QToolButton()
    button.setText("Pick on map…")
    button.setToolTip(tip)
    button.setEnabled(False)
    return button


def portrait(key: PortraitKey) -> QPixmap:
    """The face ``key`` names, scaled up by whole pixels."""
    art = load_art()
    frames = art.portraits[(key.sex, key.band)]
    image = frames[min(key.frame(art.portrait_looks), len(frames) - 1)]
    data = image.tobytes("raw", "RGBA")
    qimage = QImage(data, image.width, image.height, image.width * 4, QImage.Format.Format_RGBA8888).copy()
    return QPixmap.fromImage(qimage).scaled(image.width * PORTRAIT_SCALE, image.height * PORTRAIT_SCALE,
                                            Qt.AspectRatioMode.KeepAspectRatio,
                                            Qt.TransformationMode.FastTransformation)


class PersonPage(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.picture = QLabel()
        self.picture.setObjectName("inspectorPortrait")
        self.portrait_key: PortraitKey | None = None  # the face shown
        self.picture.setFixedSize(PORTRAIT_SIDE * PORTRAIT_SCALE + 8, PORTRAIT_SIDE * PORTRAIT_SCALE + 8)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setStyleSheet("background:#97c45f;border:2px solid #241b2f;border-radius:8px")
        top.addWidget(self.picture)
        heading = QVBoxLayout()
        self.name = QLabel()
        self.name.setObjectName("inspectorName")
        self.name.setStyleSheet("font-size:16px;font-weight:bold")
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.role = QLabel()
        self.doing = QLabel()
        self.doing.setWordWrap(True)
        self.doing.setStyleSheet("font-style:italic")
        for w in (self.name, self.role, self.doing):
            heading.addWidget(w)
        heading.addStretch(1)
        top.addLayout(heading, 1)
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setObjectName("editPerson")
        self.edit_button.setToolTip("Change their name, age, sex, job, story, goals, money and personality")
        self.edit_button.setEnabled(False)
        top.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        self.editor = PersonEditor()
        self.editor.setVisible(False)
        layout.addWidget(self.editor)
        self.bio = QLabel()
        self.bio.setWordWrap(True)
        self.bio.setStyleSheet("color:#55536b")
        layout.addWidget(self.bio)
        form = QFormLayout()
        self.money = QLabel()
        self.home = QLabel()
        self.home.setWordWrap(True)
        self.work = QLabel()
        self.work.setWordWrap(True)
        self.plan = QLabel()
        self.plan.setWordWrap(True)
        self.pick_home = _pick_button("Choose their new home with a click on the map")
        self.pick_work = _pick_button("Choose their new workplace with a click on the map")
        self.pick_work.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        work_menu = QMenu(self.pick_work)
        self.no_work = work_menu.addAction("Out of work")
        self.no_work.setToolTip("They no longer work anywhere")
        self.pick_work.setMenu(work_menu)
        form.addRow("Money", self.money)
        form.addRow("Home", self._with_button(self.home, self.pick_home))
        form.addRow("Work", self._with_button(self.work, self.pick_work))
        form.addRow("Plan", self.plan)
        layout.addLayout(form)
        self.notice = QLabel()
        self.notice.setObjectName("inspectorNotice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color:#8f2f3a")
        self.notice.setVisible(False)
        layout.addWidget(self.notice)
        layout.addWidget(self._heading("Needs"))
        grid = QGridLayout()
        self.needs = []
        for row, (label, colour) in enumerate(zip(fmt.NEEDS, NEED_COLOURS, strict=True)):
            grid.addWidget(QLabel(label), row, 0)
            bar = _bar(colour)
            grid.addWidget(bar, row, 1)
            self.needs.append(bar)
        layout.addLayout(grid)
        # Hidden while editing: the editor has sliders for the same five traits.
        self.personality = QWidget()
        personality = QVBoxLayout(self.personality)
        personality.setContentsMargins(0, 0, 0, 0)
        personality.addWidget(self._heading("Personality"))
        traits = QGridLayout()
        self.traits = []
        for row, label in enumerate(fmt.TRAITS):
            traits.addWidget(QLabel(label), row, 0)
            bar = _bar(TRAIT_COLOUR)
            traits.addWidget(bar, row, 1)
            self.traits.append(bar)
        personality.addLayout(traits)
        layout.addWidget(self.personality)
        layout.addWidget(self._heading("Whisper"))
        whisper = QHBoxLayout()
        self.whisper_text = QLineEdit()
        self.whisper_text.setObjectName("whisperText")
        self.whisper_text.setPlaceholderText("“I should call my sister tonight.”")
        self.whisper_text.setToolTip("They will take it for their own thought: a vivid memory")
        self.whisper_button = QPushButton("Whisper an inner thought")
        self.whisper_button.setObjectName("whisperButton")
        self.whisper_button.setEnabled(False)
        whisper.addWidget(self.whisper_text, 1)
        whisper.addWidget(self.whisper_button)
        layout.addLayout(whisper)
        layout.addWidget(self._heading("Recent events"))
        self.history = QListWidget()
        self.history.setMinimumHeight(90)
        self.history.setWordWrap(True)
        layout.addWidget(self.history, 1)

    @staticmethod
    def _heading(text: str) -> QLabel:
        label = QLabel(text)
        label.setStyleSheet("font-weight:bold;margin-top:6px")
        return label

    @staticmethod
    def _with_button(label: QLabel, button: QToolButton) -> QWidget:
        row = QWidget()
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(label, 1)
        box.addWidget(button)
        return row

    def show_portrait(self, key: PortraitKey) -> None:
        """Show the face ``key`` names (drawn again only when it changes: after an edit of age or sex)."""
        if key == self.portrait_key:
            return
        self.portrait_key = key
        self.picture.setPixmap(portrait(key))
        self.picture.setToolTip(f"Portrait: {SEX_WORDS.get(key.sex, key.sex)}, {BAND_WORDS[key.band]}")

    def set_editing(self, editing: bool) -> None:
        """The editor in place of the read-only bio and personality (the live numbers stay)."""
        self.editor.setVisible(editing)
        self.bio.setVisible(not editing)
        self.personality.setVisible(not editing)
        self.edit_button.setVisible(not editing)


class BuildingPage(QWidget):
    occupant_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.name = QLabel()
        self.name.setObjectName("inspectorBuildingName")
        self.name.setStyleSheet("font-size:16px;font-weight:bold")
        self.name.setWordWrap(True)
        layout.addWidget(self.name)
        form = QFormLayout()
        self.kind, self.hours, self.capacity, self.owner = QLabel(), QLabel(), QLabel(), QLabel()
        self.owner.setWordWrap(True)
        form.addRow("Type", self.kind)
        form.addRow("Hours", self.hours)
        form.addRow("Capacity", self.capacity)
        form.addRow("People", self.owner)
        layout.addLayout(form)
        self.inside_label = QLabel("Inside now")
        self.inside_label.setStyleSheet("font-weight:bold;margin-top:6px")
        layout.addWidget(self.inside_label)
        self.occupants = QListWidget()
        self.occupants.itemActivated.connect(self._on_item)
        self.occupants.itemClicked.connect(self._on_item)
        layout.addWidget(self.occupants, 1)
        self._shown: list[int] = []

    def _on_item(self, item: QListWidgetItem) -> None:
        self.occupant_clicked.emit(int(item.data(Qt.ItemDataRole.UserRole)))


def scrolled(page: QWidget) -> QScrollArea:
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(page)
    return scroll


