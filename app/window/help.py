"""Help > Controls and Shortcuts, and Help > Getting Started: a page and a short tour.

The shortcut table is read from the menus when the page opens, so it always
lists what the keys really do (a new action with a shortcut appears by itself);
the mouse controls, which no menu holds, are written out here.
"""

from __future__ import annotations

import html

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

MOUSE = (
    ("Click a person or a building", "Select them: the inspector shows who or what it is"),
    ("Hover a person", "Their name and what they are saying, in full"),
    ("Wheel", "Zoom about the cursor"),
    ("Right or middle drag; arrow keys or WASD on the map", "Pan"),
    ("Left drag on empty map", "Select a group (move it by dragging, Delete removes it)"),
    ("Drag a selected building", "Move it; drag its corner to resize"),
    ("Drag a palette card onto the map", "Place a building, a person or an object where you drop it"),
    ("Drag the playhead on the timeline", "Travel in time; play from the past to start a new branch"),
    ("Click a person or a line in the social graph", "Select them, or see how two people know each other"),
    ("Click the map while playing as someone", "They walk there; click a person to talk to them in the chat"),
)
NOTES = ("Time keys (Left/Right, Shift+Left/Right, Home/End, J/K/L) work while the map or the timeline has "
         "focus — click one first. On the map, bare arrows pan; use J and the Time menu there.",
         "Every god-mode change can be undone with Ctrl+Z.")

TOUR = (
    ("The town", "The map is the town, live. People walk, work, eat, sleep and talk; speech bubbles show what "
     "they say (hover someone to read it whole). Zoom with the wheel, pan with a right drag. At night the "
     "windows light up."),
    ("Someone to follow", "Click a person. The Inspector (right) tells who they are, what they are doing and "
     "why: their plan, memories, reflections and, with a language model, their thoughts. The Social graph "
     "tab shows their circle of friends and rivals. Press F to follow them around the map."),
    ("Time", "Play with Space, change speed in the toolbar. The Timeline (lower right) plots the town's needs "
     "and talk. Drag its playhead back to revisit any moment; play from there and history forks into a new "
     "branch, listed under Branches. Every dock shows the moment the map shows."),
    ("Playing god", "The Palette (a tab beside the Inspector) holds buildings, people and objects: drag a card "
     "onto the map. The God console (a tab beside the Timeline) takes plain English: “spawn a baker named "
     "Ada Lovelace near the cafe”. World > Inject Event makes something happen; Ctrl+Z undoes anything."),
    ("Finding your way back", "View > Reset Layout puts every dock back where it started. Help > Controls and "
     "Shortcuts lists every key. Thinking (Simulation menu) connects a language model; without one, people "
     "live on a simple rule brain."),
)


def _shortcut_rows(menu: QMenu, path: str) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    for action in menu.actions():
        sub = action.menu()
        title = action.text().replace("&", "")
        if isinstance(sub, QMenu):
            rows += _shortcut_rows(sub, f"{path} › {title}")
            continue
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts() if not k.isEmpty()]
        if keys and not action.isSeparator():
            rows.append((" or ".join(keys), f"{path} › {title.rstrip('.…')}", action.statusTip()))
    return rows


def shortcut_rows(window: QMainWindow) -> list[tuple[str, str, str]]:
    """(keys, where in the menus, what it does) for every menu action with a shortcut."""
    rows: list[tuple[str, str, str]] = []
    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu):
            rows += _shortcut_rows(menu, action.text().replace("&", ""))
    return rows


def controls_html(window: QMainWindow) -> str:
    def table(rows: list[tuple[str, ...]]) -> str:
        cells = "".join("<tr>" + "".join(f"<td valign='top' style='padding:2px 10px 2px 0'>{html.escape(c)}</td>"
                                         for c in row) + "</tr>" for row in rows)
        return f"<table>{cells}</table>"

    keys = [(k, f"{what} ({where})" if what else where, "") for k, where, what in shortcut_rows(window)]
    return ("<h3>Mouse</h3>" + table(list(MOUSE)) + "<h3>Keyboard</h3>" + table([r[:2] for r in keys])
            + "".join(f"<p>{html.escape(n)}</p>" for n in NOTES))


class ControlsDialog(QDialog):
    def __init__(self, window: QMainWindow, parent: QWidget | None = None):
        super().__init__(parent or window)
        self.setWindowTitle("Controls and Shortcuts")
        self.resize(720, 640)
        layout = QVBoxLayout(self)
        self.page = QTextBrowser()
        self.page.setObjectName("controlsPage")
        self.page.setHtml(controls_html(window))
        layout.addWidget(self.page)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class TourDialog(QDialog):
    """A few pages, Back and Next, about what a new player sees first."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Getting Started")
        self.resize(520, 300)
        self.page = 0
        layout = QVBoxLayout(self)
        self.title = QLabel()
        self.title.setStyleSheet("font-size:16px;font-weight:bold")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.counter = QLabel()
        self.counter.setStyleSheet("color:#55536b")
        layout.addWidget(self.title)
        layout.addWidget(self.text, 1)
        row = QHBoxLayout()
        row.addWidget(self.counter, 1)
        self.back = QPushButton("Back")
        self.next = QPushButton("Next")
        self.next.setDefault(True)
        self.back.clicked.connect(lambda: self.show_page(self.page - 1))
        self.next.clicked.connect(self._next)
        row.addWidget(self.back)
        row.addWidget(self.next)
        layout.addLayout(row)
        self.show_page(0)

    def show_page(self, page: int) -> None:
        self.page = max(0, min(len(TOUR) - 1, page))
        title, text = TOUR[self.page]
        self.title.setText(title)
        self.text.setText(text)
        self.counter.setText(f"{self.page + 1} of {len(TOUR)}")
        self.back.setEnabled(self.page > 0)
        self.next.setText("Done" if self.page == len(TOUR) - 1 else "Next")

    def _next(self) -> None:
        if self.page == len(TOUR) - 1:
            self.accept()
        else:
            self.show_page(self.page + 1)


def open_controls(window: QMainWindow) -> ControlsDialog:
    dialog = ControlsDialog(window)
    dialog.show()
    return dialog


def open_tour(window: QMainWindow) -> TourDialog:
    dialog = TourDialog(window)
    dialog.show()
    return dialog

