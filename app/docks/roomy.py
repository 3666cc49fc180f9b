"""Dock contents that give way on small screens.

A dock's minimum height is its tallest tab's; a form-heavy dock (the economy's
filters, the governance lists, the chat) would otherwise hold the whole window
taller than a 1280x800 laptop screen. Wrapped here, the contents fill the dock
when there is room and scroll when there is not.
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

ROOMY_HEIGHT = 1000  # screens at least this tall get the social graph under the inspector; smaller, a tab


def scrollable(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setObjectName(f"{widget.objectName() or type(widget).__name__}Scroll")
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    return area


def roomy_screen() -> bool:
    screen = QGuiApplication.primaryScreen()
    return screen is None or screen.availableGeometry().height() >= ROOMY_HEIGHT
