"""Social graph dock: relationships as a network; click a person to select them on the map.

Edges are coloured and weighted by affinity (green friends, red rivals); nodes
are coloured by community, district or occupation and sized by how central they
are. Filters (tie strength, friends or rivals, one district) narrow the graph.
Layouts, communities and centrality come from a worker thread
(:mod:`app.docks.graph_layout`) and are reused until the ties change and
enough time has passed, so the window never waits for networkx.

Clicking near an edge asks the engine how the two know each other (``QueryPair``)
and shows the ``PairReport`` under the graph.
"""

from __future__ import annotations

import html
import time
import zlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QPointF, Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QSlider, QTextBrowser, QVBoxLayout, QWidget

from app.common import formatting as fmt
from app.common.bridge import EngineBridge
from app.common.selection import PERSON, Selection
from app.docks.graph_layout import FULL_LIMIT, GraphLayout, GraphRequest, compute_layout
from app.docks.society_words import home_districts, person_name
from engine.contracts import Command, CommandRejected, Event, WorldSnapshot
from engine.contracts.society import PairReport, QueryPair

PALETTE = ["#d35a4a", "#3f9e94", "#7d5ba6", "#ec9a4c", "#4c8a45", "#e89aae", "#3f74b5", "#c9a46a",
           "#8f2f3a", "#97c45f", "#55536b", "#f6cf57"]
RELAYOUT_SECONDS = 10.0  # ties change every few ticks; a calm picture beats a jittery one
NAMES_UP_TO = 60
LONER = "#c9c6d2"  # people with no friend in the shown graph belong to no community
EDGE_PICK_PIXELS = 6.0  # a click this close to a line picks that tie
NODE_PICK_PIXELS = 8.0  # ...unless it is this close to a person (the node click wins)
MOST_CENTRAL = 5
FILTER_DELAY_MS = 150  # the strength slider asks for a new layout once it settles


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def pair_report_html(report: PairReport, snapshot: WorldSnapshot | None) -> str:
    """How two people know each other, as a short page."""
    static = snapshot.static if snapshot is not None else None
    a, b = html.escape(person_name(static, report.a)), html.escape(person_name(static, report.b))
    when = (lambda t: fmt.tick_time(snapshot, t)) if snapshot is not None else str
    last = "never" if report.last_tick < 0 else when(report.last_tick)
    lines = [f"<b>{a}</b> and <b>{b}</b>: {html.escape(report.label)}",
             f"affinity {report.affinity:+.2f} · familiarity {report.familiarity:.2f} · trust {report.trust:+.2f}",
             f"met {plural(report.meetings, 'time')}, last {last}; {plural(report.shared, 'event')} together"]
    lines += [f"· {when(t)}: {html.escape(text)}" for t, text in report.history]
    if report.shared_facts:
        lines.append("Both know: " + "; ".join(f"“{html.escape(f)}”" for f in report.shared_facts))
    return "<br>".join(lines)


class _Done(QObject):
    ready = Signal(object)


class SocialGraphDock(QWidget):
    def __init__(self, selection: Selection, parent: QWidget | None = None):
        super().__init__(parent)
        self.selection = selection
        self.snapshot: WorldSnapshot | None = None
        self.layout_data: GraphLayout | None = None
        self.pair_report: PairReport | None = None
        self._send: Callable[[Command], int | None] = lambda _command: None
        self._pair_request = -1
        self._districts: list[int] = []  # each person's home district, for the district filter
        self._districts_version = -1
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        # Two compact rows of controls: the graph dock is often short, and the plot needs the room.
        row = QHBoxLayout()
        self.colour_by = QComboBox()
        self.colour_by.setToolTip("What the colour of a person's node shows")
        for text, key in (("Colour: community", "community"), ("Colour: district", "district"),
                          ("Colour: occupation", "occupation")):
            self.colour_by.addItem(text, key)
        self.colour_by.currentIndexChanged.connect(lambda _i: self._draw())
        self.size_by = QComboBox()
        self.size_by.setToolTip("Bigger nodes are more central in the graph shown")
        self.size_by.addItem("Size: ties (degree)", "degree")
        self.size_by.addItem("Size: bridges (betweenness)", "betweenness")
        self.size_by.currentIndexChanged.connect(lambda _i: self._request(force=True))
        self.show_label = QComboBox()
        self.show_label.setToolTip("Which ties to show")
        self.show_label.addItem("Friends and rivals", "all")
        self.show_label.addItem("Friends", "friends")
        self.show_label.addItem("Rivals", "rivals")
        self.show_label.currentIndexChanged.connect(lambda _i: self._request(force=True))
        self.district = QComboBox()
        self.district.addItem("Whole town", -1)
        self.district.setToolTip("Only people living in this district")
        self.district.currentIndexChanged.connect(lambda _i: self._request(force=True))
        for combo in (self.colour_by, self.size_by, self.show_label, self.district):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
            row.addWidget(combo, 1)
        layout.addLayout(row)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("Ties ≥"))
        self.strength = QSlider(Qt.Orientation.Horizontal)
        self.strength.setRange(0, 100)
        self.strength.setToolTip("Minimum tie strength (|affinity|) shown")
        self.strength.setMaximumWidth(140)
        self.strength_label = QLabel("0.00")
        self.strength.valueChanged.connect(self._on_strength)
        filters.addWidget(self.strength)
        filters.addWidget(self.strength_label)
        self.caption = QLabel()
        self.caption.setStyleSheet("color:#55536b")
        filters.addWidget(self.caption, 1)
        layout.addLayout(filters)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(lambda: self._request(force=True))
        self.plot = pg.PlotWidget(background="#fbf8f0")
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.plot.setAspectLocked(True)
        self.plot.setToolTip("Click a person to select them on the map; click a line to see how two people know "
                             "each other")
        layout.addWidget(self.plot, 1)
        self.graph = pg.GraphItem()
        self.plot.addItem(self.graph)
        self.graph.scatter.sigClicked.connect(self._on_clicked)
        self.plot.scene().sigMouseClicked.connect(self._on_scene_clicked)
        self.central = QLabel()
        self.central.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # never widens the dock
        self.central.setToolTip("The most central people in the graph shown; click a name to select them")
        self.central.linkActivated.connect(lambda link: self.selection.focus(PERSON, int(link)))
        layout.addWidget(self.central)
        self.pair_panel = QTextBrowser()
        self.pair_panel.setObjectName("pairReport")
        self.pair_panel.setMaximumHeight(120)
        self.pair_panel.setToolTip("Click an empty spot of the graph to close")
        self.pair_panel.setVisible(False)
        layout.addWidget(self.pair_panel)
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
            self._fill_districts(snapshot)
            self.pair_report = None
            self.pair_panel.setVisible(False)
            self._request(force=True)
            return
        if snapshot.static.version != self._districts_version:  # someone moved in or the map changed
            self._districts_version = snapshot.static.version
            self._districts = home_districts(snapshot.static)
        ties = snapshot.relationships
        if ties.version != self._version and time.monotonic() - self._laid_out_at > RELAYOUT_SECONDS:
            self._request()

    def _fill_districts(self, snapshot: WorldSnapshot) -> None:
        self._districts_version = snapshot.static.version
        self._districts = home_districts(snapshot.static)
        chosen = self.district.currentData()
        self.district.blockSignals(True)
        self.district.clear()
        self.district.addItem("Whole town", -1)
        for info in snapshot.static.districts:
            self.district.addItem(info.name, info.id)
        self.district.setCurrentIndex(max(0, self.district.findData(chosen)))  # a map edit keeps the filter
        self.district.blockSignals(False)

    def subscribe(self, bridge: EngineBridge) -> None:
        """Hear the engine, and ask it about a pair through it."""
        bridge.snapshot_changed.connect(self.set_snapshot)
        bridge.answers_arrived.connect(self.add_answers)
        self.set_sender(bridge.query)

    def set_sender(self, send: Callable[[Command], int | None]) -> None:
        """How the dock asks the engine questions (the bridge's ``query``)."""
        self._send = send

    def add_answers(self, answers: list[Event]) -> None:
        for answer in answers:
            if isinstance(answer, PairReport) and answer.command_id == self._pair_request:
                self.show_pair(answer)
            elif isinstance(answer, CommandRejected) and answer.command_id == self._pair_request:
                self.pair_panel.setPlainText(f"Could not ask about them: {answer.reason}")

    def ask_pair(self, a: int, b: int) -> int | None:
        """Ask the engine how ``a`` and ``b`` know each other; the report shows when it arrives."""
        a, b = min(a, b), max(a, b)
        sent = self._send(QueryPair(a=a, b=b))
        if sent is not None:
            self._pair_request = sent
            static = self.snapshot.static if self.snapshot is not None else None
            self.pair_panel.setHtml(f"Asking how {html.escape(person_name(static, a))} and "
                                    f"{html.escape(person_name(static, b))} know each other…")
            self.pair_panel.setVisible(True)
        return sent

    def show_pair(self, report: PairReport) -> None:
        self.pair_report = report
        self.pair_panel.setHtml(pair_report_html(report, self.snapshot))
        self.pair_panel.setVisible(True)

    def _on_strength(self, value: int) -> None:
        self.strength_label.setText(f"{value / 100:.2f}")
        self._filter_timer.start()

    def set_filters(self, min_strength: float | None = None, label: str | None = None,
                    district: int | None = None) -> None:
        """Set the filters as the user would (tests use this); a new layout is requested at once."""
        for combo, value in ((self.show_label, label), (self.district, district)):
            if value is not None:
                combo.blockSignals(True)
                combo.setCurrentIndex(max(0, combo.findData(value)))
                combo.blockSignals(False)
        if min_strength is not None:
            self.strength.blockSignals(True)
            self.strength.setValue(round(min_strength * 100))
            self.strength.blockSignals(False)
            self.strength_label.setText(f"{min_strength:.2f}")
        self._request(force=True)

    def _members(self) -> np.ndarray | None:
        district = self.district.currentData()
        if district is None or int(district) < 0:
            return None
        return np.flatnonzero(np.array(self._districts, dtype=np.int64) == int(district))

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
        self._filter_timer.stop()
        previous = {}
        if self.layout_data is not None and self.layout_data.mode == "all":
            previous = {int(n): (float(x), float(y)) for n, (x, y) in zip(self.layout_data.nodes,
                                                                           self.layout_data.pos, strict=True)}
        request = GraphRequest(len(snap.static.people), ties.a, ties.b, ties.affinity, focus, ties.version, previous,
                               min_strength=self.strength.value() / 100, label=self.show_label.currentData(),
                               members=self._members(), centrality=self.size_by.currentData())
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

    def node_colours(self) -> list[str]:
        """The colour of each drawn node (in ``layout_data.nodes`` order)."""
        data = self.layout_data
        if data is None or self.snapshot is None:
            return []
        if self.colour_by.currentData() == "community" and len(data.communities) == len(data.nodes):
            return [PALETTE[c % len(PALETTE)] if c >= 0 else LONER for c in data.communities]
        return list(self._node_colours()[data.nodes])

    def _node_colours(self) -> np.ndarray:
        snap = self.snapshot
        assert snap is not None
        if len(self._colours) == len(snap.static.people) and self._colours_key == self.colour_by.currentData():
            return self._colours
        static = snap.static
        if self.colour_by.currentData() in ("district", "community"):
            keys = home_districts(static)
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
        colours = self.node_colours()
        selected = data.index_of(self.selection.person)
        base = 9.0 if len(data.nodes) < 150 else 6.0
        sizes = np.full(len(data.nodes), base)
        if len(data.centrality) == len(data.nodes):
            sizes = base * (0.6 + 1.4 * data.centrality)  # the most central are drawn twice the usual size
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
                           size=sizes, symbolBrush=[pg.mkBrush(c) for c in colours],
                           symbolPen=pens, data=data.nodes, pxMode=True)
        if len(data.nodes) <= NAMES_UP_TO:
            for node, (x, y) in zip(data.nodes, data.pos, strict=True):
                label = pg.TextItem(snap.static.people[int(node)].name.split(" ")[0], color="#241b2f", anchor=(0.5, 1.3))
                label.setPos(float(x), float(y))
                self.plot.addItem(label)
                self._labels.append(label)
        mode = {"all": "everyone", "ego": "the selected person's circle",
                "top": f"the {len(data.edges)} strongest ties (select someone to see their circle)"}[data.mode]
        groups = len({int(c) for c in data.communities if c >= 0})
        self.caption.setText(f"{len(data.nodes)} people, {len(data.edges)} ties, {groups} communities — {mode}")
        self._show_most_central(data, snap)

    def _show_most_central(self, data: GraphLayout, snap: WorldSnapshot) -> None:
        if len(data.centrality) != len(data.nodes) or not len(data.edges):
            self.central.setText("")
            return
        order = np.argsort(-data.centrality, kind="stable")[:MOST_CENTRAL]
        links = ", ".join(f"<a href='{int(data.nodes[i])}'>{html.escape(snap.static.people[int(data.nodes[i])].name)}"
                          f"</a>" for i in order if data.centrality[i] > 0)
        self.central.setText(f"Most central: {links}" if links else "")

    def most_central(self) -> list[int]:
        """Person ids of the short "most central" list, most central first."""
        data = self.layout_data
        if data is None or len(data.centrality) != len(data.nodes) or not len(data.edges):
            return []
        order = np.argsort(-data.centrality, kind="stable")[:MOST_CENTRAL]
        return [int(data.nodes[i]) for i in order if data.centrality[i] > 0]

    def node_position(self, person: int) -> tuple[float, float] | None:
        """Where a person's node is drawn, in plot coordinates (tests click there)."""
        if self.layout_data is None:
            return None
        i = self.layout_data.index_of(person)
        return None if i < 0 else (float(self.layout_data.pos[i, 0]), float(self.layout_data.pos[i, 1]))

    def _on_clicked(self, _scatter: Any, points: Any, *_args: Any) -> None:
        if len(points):
            self.selection.focus(PERSON, int(points[0].data()))

    def _pixels(self) -> np.ndarray:
        """Every node's position in scene pixels (the view has no rotation: an affine map is enough)."""
        assert self.layout_data is not None
        vb = self.plot.plotItem.vb
        origin, ex, ey = (vb.mapViewToScene(QPointF(*p)) for p in ((0.0, 0.0), (1.0, 0.0), (0.0, 1.0)))
        pos = self.layout_data.pos
        x = origin.x() + pos[:, 0] * (ex.x() - origin.x()) + pos[:, 1] * (ey.x() - origin.x())
        y = origin.y() + pos[:, 0] * (ex.y() - origin.y()) + pos[:, 1] * (ey.y() - origin.y())
        return np.column_stack([x, y])

    def _near_a_node(self, scene_x: float, scene_y: float) -> bool:
        if self.layout_data is None or not len(self.layout_data.nodes):
            return False
        return bool(np.min(np.hypot(*(self._pixels() - np.array([scene_x, scene_y])).T)) <= NODE_PICK_PIXELS)

    def edge_at(self, scene_x: float, scene_y: float) -> tuple[int, int] | None:
        """The tie whose line passes within a few pixels of a scene point (not on a person); None if none."""
        data = self.layout_data
        if data is None or not len(data.edges):
            return None
        if self._near_a_node(scene_x, scene_y):
            return None  # a person is under the cursor: that click selects them
        pixels = self._pixels()
        click = np.array([scene_x, scene_y])
        start, end = pixels[data.edges[:, 0]], pixels[data.edges[:, 1]]
        along = end - start
        length2 = np.maximum((along ** 2).sum(axis=1), 1e-9)
        t = np.clip(((click - start) * along).sum(axis=1) / length2, 0.0, 1.0)
        distance = np.hypot(*(start + along * t[:, None] - click).T)
        best = int(np.argmin(distance))
        if distance[best] > EDGE_PICK_PIXELS:
            return None
        return int(data.nodes[data.edges[best, 0]]), int(data.nodes[data.edges[best, 1]])

    def edge_midpoint(self, a: int, b: int) -> tuple[float, float] | None:
        """Plot coordinates of the middle of the a–b line (tests click there)."""
        pa, pb = self.node_position(a), self.node_position(b)
        if pa is None or pb is None:
            return None
        return (pa[0] + pb[0]) / 2, (pa[1] + pb[1]) / 2

    def _on_scene_clicked(self, event: Any) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        pair = self.edge_at(event.scenePos().x(), event.scenePos().y())
        if pair is not None:
            self.ask_pair(*pair)
        elif not self._near_a_node(event.scenePos().x(), event.scenePos().y()):
            self.pair_panel.setVisible(False)  # a click on empty space puts the report away

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
