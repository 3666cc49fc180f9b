"""The default arrangement of the docks: the map first, every dock readable in a tab.

No dock lies under the map: one column on the right, about 30% of the window's width,
split in two tab groups — the town's people and places (inspector, social graph,
economy, governance, palette) above, the town over time (timeline, event log, chat,
console, branches, experiments, survey,
compare) below. The map keeps the window's whole height: at 1280x800 it
gets about 60% of the window, at 1920x1080 about 65%. (A timeline group under the
map was tried: at 1080 px it left the map half the window and the timeline's plots
a few pixels each.)

Each group is a tab group, so each dock gets the group's whole area instead of a
sliver; tab titles are never shortened (the bar scrolls instead).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabBar

RIGHT = Qt.DockWidgetArea.RightDockWidgetArea
COLUMN_SHARE = 0.3  # of the window's width, for the right column...
COLUMN_WIDTH = (380, 560)  # ...within these bounds
TOP_SHARE = 0.5  # of the column's height, for the upper group
GROUPS = (("inspector", "graph", "economy", "governance", "palette"),
          ("timeline", "events", "chat", "console", "branches", "experiments", "survey", "compare"))


def arrange(window: QMainWindow, docks: dict[str, QDockWidget]) -> None:
    """Put every dock in its default place, shown and docked, the first tab of each group in front."""
    width, height = window.width(), window.height()
    window.setCorner(Qt.Corner.BottomRightCorner, RIGHT)  # the column runs the window's whole height
    window.setCorner(Qt.Corner.TopRightCorner, RIGHT)
    groups = [[docks[k] for k in keys if k in docks] for keys in GROUPS]
    known = {id(d) for members in groups for d in members}
    groups[0] += [d for d in docks.values() if id(d) not in known]  # one the arrangement does not name yet
    groups = [members for members in groups if members]
    for members in groups:
        for dock in members:
            dock.setFloating(False)
            window.removeDockWidget(dock)
    for members in groups:
        window.addDockWidget(RIGHT, members[0], Qt.Orientation.Vertical)
        members[0].show()
    for members in groups:
        for dock in members[1:]:
            window.tabifyDockWidget(members[0], dock)
            dock.show()
        members[0].raise_()
    column = round(min(max(width * COLUMN_SHARE, COLUMN_WIDTH[0]), COLUMN_WIDTH[1]))
    heads = [members[0] for members in groups]
    window.resizeDocks(heads[:1], [column], Qt.Orientation.Horizontal)
    if len(heads) == 2:
        window.resizeDocks(heads, [round(height * TOP_SHARE), round(height * (1 - TOP_SHARE))],
                           Qt.Orientation.Vertical)
    for bar in window.findChildren(QTabBar):
        if bar.parent() is window:  # the docks' tab bars (not those inside a dock)
            bar.setElideMode(Qt.TextElideMode.ElideNone)
            bar.setUsesScrollButtons(True)
