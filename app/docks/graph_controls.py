"""The social graph's controls: what to show, a name search, colours, sizes and filters.

Laid out in short rows of two so that no combo box is cut, even in a narrow dock:
each box is as wide as its longest entry.
"""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QGridLayout, QLabel, QLineEdit, QSlider, QWidget

VIEWS = (("The selected person's circle", "circle"), ("The whole town", "town"))


def _combo(tip: str, items: tuple[tuple[str, object], ...]) -> QComboBox:
    combo = QComboBox()
    combo.setToolTip(tip)
    for text, data in items:
        combo.addItem(text, data)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)  # never cut ("Colour: commu")
    return combo


class GraphControls(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(2)
        self.view = _combo("Whose ties to show: the selected person's circle (nobody selected: the whole town), "
                           "or everyone", VIEWS)
        self.search = QLineEdit()
        self.search.setObjectName("graphSearch")
        self.search.setPlaceholderText("Find a person…")
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip("Type a name and press Enter to select them and see their circle")
        self.completer = QCompleter([], self.search)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.search.setCompleter(self.completer)
        self.colour_by = _combo("What the colour of a person's node shows",
                                (("Colour: community", "community"), ("Colour: district", "district"),
                                 ("Colour: occupation", "occupation")))
        self.size_by = _combo("Bigger nodes are more central in the graph shown",
                              (("Size: ties", "degree"), ("Size: bridges", "betweenness")))
        self.show_label = _combo("Which ties to show", (("Friends and rivals", "all"), ("Friends", "friends"),
                                                        ("Rivals", "rivals")))
        self.district = _combo("Only people living in this district", (("Whole town", -1),))
        self.strength = QSlider(Qt.Orientation.Horizontal)
        self.strength.setRange(0, 100)
        self.strength.setToolTip("Minimum tie strength (|affinity|) shown")
        self.strength_label = QLabel("Ties ≥ 0.00")
        self.caption = QLabel()
        self.caption.setStyleSheet("color:#55536b")
        self.caption.setWordWrap(True)
        for row, (left, right) in enumerate(((self.view, self.search), (self.colour_by, self.size_by),
                                             (self.show_label, self.district), (self.strength_label, self.strength))):
            grid.addWidget(left, row, 0)
            grid.addWidget(right, row, 1)
        grid.addWidget(self.caption, 4, 0, 1, 2)
        grid.setColumnStretch(1, 1)

        self._names: list[str] = []

    def set_names(self, names: list[str]) -> None:
        """The names the search completes (the people in the world at the moment shown)."""
        if names != self._names:
            self._names = names
            self.completer.setModel(QStringListModel(names, self.completer))
