"""Social graph dock: relationships as a network; click a person to select them on the map.

Edges are coloured and weighted by affinity (green friends, red rivals); nodes
are coloured by district or occupation. Layouts come from a worker thread
(:mod:`app.docks.graph_layout`) and are reused until the ties change and
enough time has passed, so the window never waits for networkx.
"""

from __future__ import annotations

import time
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.docks.graph_layout import FULL_LIMIT, GraphLayout, GraphRequest, compute_layout
from app.selection import PERSON, Selection
from engine.contracts import WorldSnapshot

PALETTE = ["#d35a4a", "#3f9e94", "#7d5ba6", "#ec9a4c", "#4c8a45", "#e89aae", "#3f74b5", "#c9a46a",
           "#8f2f3a", "#97c45f", "#55536b", "#f6cf57"]
RELAYOUT_SECONDS = 10.0  # ties change every few ticks; a calm picture beats a jittery one
NAMES_UP_TO = 60


class _Done(QObject):
    ready = Signal(object)


class SocialGraphDock(QWidget):
    def __init__(self, selection: Selection, parent: QWidget | None = None):
        super().__init__(parent)
        self.selection = selection
        self.snapshot: WorldSnapshot | None = None
        self.layout_data: GraphLayout | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        row = QHBoxLayout()
        row.addWidget(QLabel("Colour by"))
        self.colour_by = QComboBox()
        self.colour_by.addItem("District", "district")
        self.colour_by.addItem("Occupation", "occupation")
        self.colour_by.currentIndexChanged.connect(lambda _i: self._draw())
        row.addWidget(self.colour_by)
        self.caption = QLabel()
        self.caption.setStyleSheet("color:#55536b")
        row.addWidget(self.caption, 1)
        layout.addLayout(row)
        self.plot = pg.PlotWidget(background="#fbf8f0")
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.plot.setAspectLocked(True)
        self.plot.setToolTip("Click a person to select them on the map")
        layout.addWidget(self.plot, 1)
        self.graph = pg.GraphItem()
        self.plot.addItem(self.graph)
        self.graph.scatter.sigClicked.connect(self._on_clicked)
        self._labels: list[pg.TextItem] = []
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="townsfolk-graph")
        self._future: Future[GraphLayout] | None = None
        self._done = _Done()
        self._done.ready.connect(self._on_layout)
        self._laid_out_at = 0.0
        self._version = -1
        self._static_id = 0
        self._colours: np.ndarray = np.zeros(0, dtype=object)
        selection.changed.connect(self._on_selection)

    # ------------------------------------------------------------------ inputs

    def set_snapshot(self, snapshot: WorldSnapshot) -> None:
        new_world = self.snapshot is None or snapshot.static is not self.snapshot.static
        self.snapshot = snapshot
        if new_world:
            self._static_id += 1
            self._colours = np.zeros(0, dtype=object)
            self.layout_data = None
            self._request(force=True)
            return
        ties = snapshot.relationships
        if ties.version != self._version and time.monotonic() - self._laid_out_at > RELAYOUT_SECONDS:
            self._request()

    def _on_selection(self, kind: str, index: int) -> None:
        big = self.snapshot is not None and len(self.snapshot.static.people) > FULL_LIMIT
        if big and kind == PERSON and (self.layout_data is None or self.layout_data.focus != index):
            self._request(force=True)
        self._draw()

    def _request(self, force: bool = False) -> None:
        snap = self.snapshot
        if snap is None or (self._future is not None and not self._future.done() and not force):
            return
        ties = snap.relationships
        focus = self.selection.person if len(snap.static.people) > FULL_LIMIT else -1
        previous = {}
        if self.layout_data is not None and self.layout_data.mode == "all":
            previous = {int(n): (float(x), float(y)) for n, (x, y) in zip(self.layout_data.nodes,
                                                                           self.layout_data.pos, strict=True)}
        request = GraphRequest(len(snap.static.people), ties.a, ties.b, ties.affinity, focus, ties.version, previous)
        self._version = ties.version
        self._laid_out_at = time.monotonic()
        if self.layout_data is None or force:
            self.caption.setText("Laying out the town's ties…")
        static_id = self._static_id
        future = self._pool.submit(compute_layout, request)
        self._future = future
        future.add_done_callback(lambda f: self._done.ready.emit((static_id, f)))

    def _on_layout(self, payload: tuple[int, Future[GraphLayout]]) -> None:
        static_id, future = payload
        if static_id != self._static_id or future is not self._future or future.exception() is not None:
            return
        self.layout_data = future.result()
        self._draw()

    # ------------------------------------------------------------------ drawing

    def _node_colours(self) -> np.ndarray:
        snap = self.snapshot
        assert snap is not None
        if len(self._colours) == len(snap.static.people) and self._colours_key == self.colour_by.currentData():
            return self._colours
        static = snap.static
        if self.colour_by.currentData() == "district":
            hood_district = {hid: d.id for d in static.districts for hid, _name in d.neighbourhoods}
            keys = [hood_district.get(static.buildings[p.home].neighbourhood, -1)
                    if 0 <= p.home < len(static.buildings) else -1 for p in static.people]
        else:
            keys = [zlib.crc32(p.occupation.encode()) for p in static.people]
        self._colours = np.array([PALETTE[k % len(PALETTE)] if k >= 0 else "#8b8a9e" for k in keys], dtype=object)
        self._colours_key = self.colour_by.currentData()
        return self._colours

    _colours_key: Any = None

    def _draw(self) -> None:
        data, snap = self.layout_data, self.snapshot
        for label in self._labels:
            self.plot.removeItem(label)
        self._labels.clear()
        if data is None or snap is None or len(data.nodes) == 0:
            self.graph.setData(pos=np.zeros((0, 2)), adj=np.zeros((0, 2), dtype=int))
            self.caption.setText("No ties yet" if snap is not None else "")
            return
        colours = self._node_colours()
        selected = data.index_of(self.selection.person)
        sizes = np.full(len(data.nodes), 9.0 if len(data.nodes) < 150 else 6.0)
        pens = [pg.mkPen("#241b2f", width=0.8)] * len(data.nodes)
        if selected >= 0:
            sizes[selected] = 16
            pens = list(pens)
            pens[selected] = pg.mkPen("#f6cf57", width=3)
        edge_pen = np.zeros(len(data.edges), dtype=[("red", np.ubyte), ("green", np.ubyte), ("blue", np.ubyte),
                                                    ("alpha", np.ubyte), ("width", float)])
        friendly = data.affinity >= 0
        edge_pen["red"] = np.where(friendly, 76, 211)
        edge_pen["green"] = np.where(friendly, 138, 90)
        edge_pen["blue"] = np.where(friendly, 69, 74)
        edge_pen["alpha"] = (60 + 160 * np.clip(np.abs(data.affinity), 0, 1)).astype(np.ubyte)
        edge_pen["width"] = 0.5 + 2.5 * np.clip(np.abs(data.affinity), 0, 1)
        self.graph.setData(pos=data.pos, adj=data.edges if len(data.edges) else None, pen=edge_pen,
                           size=sizes, symbolBrush=[pg.mkBrush(c) for c in colours[data.nodes]],
                           symbolPen=pens, data=data.nodes, pxMode=True)
        if len(data.nodes) <= NAMES_UP_TO:
            for node, (x, y) in zip(data.nodes, data.pos, strict=True):
                label = pg.TextItem(snap.static.people[int(node)].name.split(" ")[0], color="#241b2f", anchor=(0.5, 1.3))
                label.setPos(float(x), float(y))
                self.plot.addItem(label)
                self._labels.append(label)
        mode = {"all": "everyone", "ego": "the selected person's circle",
                "top": f"the {len(data.edges)} strongest ties (select someone to see their circle)"}[data.mode]
        self.caption.setText(f"{len(data.nodes)} people, {len(data.edges)} ties — {mode}")

    def node_position(self, person: int) -> tuple[float, float] | None:
        """Where a person's node is drawn, in plot coordinates (tests click there)."""
        if self.layout_data is None:
            return None
        i = self.layout_data.index_of(person)
        return None if i < 0 else (float(self.layout_data.pos[i, 0]), float(self.layout_data.pos[i, 1]))

    def _on_clicked(self, _scatter: Any, points: Any, *_args: Any) -> None:
        if len(points):
            self.selection.focus(PERSON, int(points[0].data()))

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
