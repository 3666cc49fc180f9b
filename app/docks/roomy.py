"""Dock contents that give way on small screens.

A dock's minimum height is its tallest tab's; a form-heavy dock (the economy's
filters, the governance lists, the chat) would otherwise hold the whole window
taller than a 1280x800 laptop screen. Wrapped here, the contents fill the dock
when there is room and scroll when there is not.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


def scrollable(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setObjectName(f"{widget.objectName() or type(widget).__name__}Scroll")
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    return area
