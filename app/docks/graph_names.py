"""The names printed on the social graph: which people get one, and which of those fit.

At most ``NAMES_UP_TO`` names are made, for the people who most deserve one (the
chosen person, their circle, then the most central); each time the view moves
or resizes, :func:`app.docks.graph_labels.clear_labels` decides which of them
print without covering another. Every node's tooltip names its person anyway.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFontMetricsF

from app.docks.graph_labels import clear_labels
from app.docks.graph_layout import GraphLayout

NAMES_UP_TO = 60
INK = "#241b2f"


def name_order(data: GraphLayout, selected: int) -> list[int]:
    """Node indices, most deserving of a printed name first."""
    importance = data.centrality if len(data.centrality) == len(data.nodes) else np.zeros(len(data.nodes))
    first = {data.index_of(selected), data.index_of(data.focus)} - {-1}
    near: set[int] = set()
    if data.mode == "ego" and data.focus >= 0:
        centre = data.index_of(data.focus)
        near = {int(y) if int(x) == centre else int(x) for x, y in data.edges if centre in (int(x), int(y))}
    return sorted(range(len(data.nodes)), key=lambda i: (i not in first, i not in near, -float(importance[i]), i))


class GraphNames:
    def __init__(self, plot: pg.PlotWidget, pixels: Callable[[], np.ndarray]):
        """``pixels``: every node's position on screen now (the dock knows its view box)."""
        self.plot = plot
        self.pixels = pixels
        self.labels: list[pg.TextItem] = []
        self.nodes: list[int] = []  # the node index each label names
        self.positions = np.zeros((0, 2))

    def clear(self) -> None:
        for label in self.labels:
            self.plot.removeItem(label)
        self.labels, self.nodes = [], []

    def make(self, data: GraphLayout, names: list[str], selected: int) -> None:
        """New labels for a new layout (the chosen person by full name, the rest by first name)."""
        self.clear()
        self.nodes = name_order(data, selected)[:NAMES_UP_TO]
        self.positions = data.pos
        for i in self.nodes:
            full = names[i]
            short = full if data.mode == "ego" and int(data.nodes[i]) == data.focus else full.split(" ")[0]
            label = pg.TextItem(short, color=INK, anchor=(0.5, 1.0))
            label.setToolTip(full)
            self.plot.addItem(label)
            self.labels.append(label)
        self.place()

    def place(self) -> None:
        """Show the names that fit without covering each other."""
        if not self.labels:
            return
        chosen = np.array(self.nodes, dtype=np.int64)
        for label, (x, y) in zip(self.labels, self.positions[chosen], strict=True):
            label.setPos(float(x), float(y))
        metrics = QFontMetricsF(self.plot.font())
        texts = [label.textItem.toPlainText() for label in self.labels]
        shown = set(clear_labels(self.pixels()[chosen], texts, range(len(chosen)),
                                 lambda text: (metrics.horizontalAdvance(text), metrics.height())))
        for i, label in enumerate(self.labels):
            label.setVisible(i in shown)

    def shown(self) -> list[str]:
        return [label.textItem.toPlainText() for label in self.labels if label.isVisible()]

    def boxes(self) -> list[tuple[float, float, float, float]]:
        """Scene boxes of the printed names."""
        out = []
        for label in self.labels:
            if label.isVisible():
                rect = label.mapRectToScene(label.boundingRect())
                out.append((rect.left(), rect.top(), rect.right(), rect.bottom()))
        return out
