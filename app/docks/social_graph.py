"""Social graph dock: relationships as a network; click a person to select them on the map.

By default it shows the selected person's circle (them in the middle, the people they
know around them); with nobody selected, or on request, the whole town. A search box
finds someone by name. Names are printed only where they fit (see
:mod:`app.docks.graph_names`); the whole town's picture keeps its places between
refreshes (see :mod:`app.docks.graph_geometry`), and people not in the world at the
moment shown are left out.

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
from PySide6.QtWidgets import QLabel, QSizePolicy, QTextBrowser, QVBoxLayout, QWidget

from app.common.bridge import EngineBridge, Moment
from app.common.population import is_living, living
from app.common.selection import PERSON, Selection
from app.docks.graph_controls import GraphControls
from app.docks.graph_geometry import PIN_WHEN_KNOWN
from app.docks.graph_layout import FULL_LIMIT, GraphLayout, GraphRequest, compute_layout
from app.docks.graph_names import GraphNames
from app.docks.society_words import home_districts, pair_report_html, person_name
from engine.contracts import Command, CommandRejected, Event, WorldSnapshot
from engine.contracts.society import PairReport, QueryPair

PALETTE = ["#d35a4a", "#3f9e94", "#7d5ba6", "#ec9a4c", "#4c8a45", "#e89aae", "#3f74b5", "#c9a46a",
           "#8f2f3a", "#97c45f", "#55536b", "#f6cf57"]
RELAYOUT_SECONDS = 10.0  # ties change every few ticks; a calm picture beats a jittery one
LONER = "#c9c6d2"  # people with no friend in the shown graph belong to no community
EDGE_PICK_PIXELS = 6.0  # a click this close to a line picks that tie
NODE_PICK_PIXELS = 8.0  # ...unless it is this close to a person (the node click wins)
MOST_CENTRAL = 5
FILTER_DELAY_MS = 150  # the strength slider asks for a new layout once it settles


def same_picture(old: GraphLayout | None, new: GraphLayout) -> bool:
    """``new`` refreshes ``old`` (the view keeps its zoom) rather than showing something else: the same
    kind of picture, around the same person, with most of its people (a big town's best-knit corners
    change a few people at a time; a new filter or district changes most of them)."""
    if old is None or old.mode != new.mode or old.focus != new.focus:
        return False
    return len(np.intersect1d(old.nodes, new.nodes)) >= PIN_WHEN_KNOWN * len(new.nodes)


class _Done(QObject):
    ready = Signal(object)


class SocialGraphDock(QWidget):
    def __init__(self, selection: Selection, parent: QWidget | None = None):
        super().__init__(parent)
        self.selection = selection
        self.snapshot: WorldSnapshot | None = None
        self.on_screen = True  # kept by the dock's visibilityChanged (see ``set_on_screen``)
        self._fresh_waiting = False  # a fresh layout asked for while tabbed away
        self.layout_data: GraphLayout | None = None
        self.pair_report: PairReport | None = None
        self._send: Callable[[Command], int | None] = lambda _command: None
        self._pair_request = -1
        self._districts: list[int] = []  # each person's home district, for the district filter
        self._districts_version = -1
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        self.controls = GraphControls()
        layout.addWidget(self.controls)
        c = self.controls
        self.view, self.search, self.caption = c.view, c.search, c.caption
        self.colour_by, self.size_by, self.show_label, self.district = c.colour_by, c.size_by, c.show_label, c.district
        self.strength, self.strength_label = c.strength, c.strength_label
        self.view.currentIndexChanged.connect(lambda _i: self._request(force=True))
        self.colour_by.currentIndexChanged.connect(lambda _i: self._draw())
        for combo in (self.size_by, self.show_label, self.district):
            combo.currentIndexChanged.connect(lambda _i: self._request(force=True))
        self.strength.valueChanged.connect(self._on_strength)
        self.search.returnPressed.connect(self.find_person)
        c.completer.activated.connect(lambda text: self.find_person(text))
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(lambda: self._request(force=True))
        self.plot = pg.PlotWidget(background="#fbf8f0")
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.plot.setAspectLocked(True)
        self.plot.setMenuEnabled(False)
        self.plot.setToolTip("Click a person to select them on the map; click a line to see how two people know "
                             "each other")
        layout.addWidget(self.plot, 1)
        self.graph = pg.GraphItem()
        self.plot.addItem(self.graph)
        self.graph.scatter.sigClicked.connect(self._on_clicked)
        self.plot.scene().sigMouseClicked.connect(self._on_scene_clicked)
        self.central = QLabel()
        self.central.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # never widens the dock
        self.central.setWordWrap(True)
        self.central.setToolTip("The most central people in the graph shown; click a name to select them")
        self.central.linkActivated.connect(lambda link: self.selection.focus(PERSON, int(link)))
        layout.addWidget(self.central)
        self.pair_panel = QTextBrowser()
        self.pair_panel.setObjectName("pairReport")
        self.pair_panel.setMaximumHeight(120)
        self.pair_panel.setToolTip("Click an empty spot of the graph to close")
        self.pair_panel.setVisible(False)
        layout.addWidget(self.pair_panel)
        self.names = GraphNames(self.plot, self._pixels)
        self.plot.plotItem.vb.sigResized.connect(self.names.place)
        self.plot.plotItem.vb.sigRangeChangedManually.connect(self.names.place)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="townsfolk-graph")
        self._future: Future[GraphLayout] | None = None
        self._done = _Done()
        self._done.ready.connect(self._on_layout)
        self._laid_out_at = 0.0
        self._behind = False  # shown while running, or the ties were left unread: lay out the next current ones at once
        self._version = -1
        self._static_id = 0
        self._previous: dict[int, tuple[float, float]] = {}  # the town picture's last positions
        self._colours: np.ndarray = np.zeros(0, dtype=object)
        selection.changed.connect(self._on_selection)

    # ------------------------------------------------------------------ inputs

    def set_snapshot(self, snapshot: WorldSnapshot) -> None:
        first = self.snapshot is None
        self.snapshot = snapshot
        if first:
            self._static_id += 1
            self._colours = np.zeros(0, dtype=object)
            self.layout_data = None
            self._fill_districts(snapshot)
            self.pair_report = None
            self.pair_panel.setVisible(False)
            self._request_fresh()
            return
        if snapshot.static.version != self._districts_version:  # someone moved in or left, or the map changed
            self._fill_districts(snapshot)
            self._request_fresh()
            return
        ties = snapshot.relationships
        # Tabbed away, the ties' new layout waits until the graph is shown: laying out a big town
        # holds the GIL on the worker thread for a second or more, time the map and the engine need.
        if "relationships" in snapshot.unread:
            self._behind = True  # the engine left the ties as they were: the current ones are laid out once they come
            return
        if not self.on_screen:
            return
        if self._fresh_waiting:
            self._request_fresh()
        elif ties.version != self._version and (self._behind or time.monotonic() - self._laid_out_at > RELAYOUT_SECONDS):
            self._behind = not self._request()

    def set_on_screen(self, visible: bool) -> None:
        """Kept by the dock's ``visibilityChanged``; shown again, ties that changed meanwhile are laid out."""
        self.on_screen = visible
        snap = self.snapshot
        if not visible or snap is None:
            return
        if snap.running or "relationships" in snap.unread:
            # Running, this snapshot may be a refresh old, and its ties as the engine left them while nobody
            # showed them: the next snapshot's current ties are laid out at once, rather than these now and
            # the current ones only after RELAYOUT_SECONDS.
            self._behind = True
            return
        if self._fresh_waiting:
            self._request_fresh()
        elif snap.relationships.version != self._version:
            self._request()

    def _request_fresh(self) -> None:
        """A new world or new people: laid out afresh, now if the graph is shown, else when it is (a
        big town's first layout holds the GIL for seconds, while its map is being drawn)."""
        self._fresh_waiting = not self.on_screen
        if self.on_screen:
            self._request(force=True)

    def _fill_districts(self, snapshot: WorldSnapshot) -> None:
        self._districts_version = snapshot.static.version
        self._districts = home_districts(snapshot.static)
        self._colours = np.zeros(0, dtype=object)
        self.controls.set_names(sorted(p.name for p in living(snapshot.static)))
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
        bridge.world_attached.connect(self.reset_world)
        bridge.snapshot_changed.connect(self.set_snapshot)
        bridge.answers_arrived.connect(self.add_answers)
        bridge.moment_changed.connect(self.show_moment)
        self.set_sender(bridge.query)

    def reset_world(self) -> None:
        """A new world: nothing of the old one's picture is kept."""
        self.snapshot, self.layout_data, self._previous = None, None, {}
        self._static_id += 1
        self._draw()

    def show_moment(self, moment: Moment) -> None:
        """Another moment is shown (a seek, a branch, an undo): lay out its ties now, not in ten seconds.

        The pair report was about the old moment: it goes. Positions are kept, so the picture stays put."""
        if moment.reason == "open":
            return  # the first snapshot already asked for a layout
        self.pair_report, self._pair_request = None, -1
        self.pair_panel.setVisible(False)
        if self.snapshot is not None:
            self._fill_districts(self.snapshot)  # the search offers only who is in the world now
        self._request(force=True)

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
        self.strength_label.setText(f"Ties ≥ {value / 100:.2f}")
        self._filter_timer.start()

    def find_person(self, text: str | None = None) -> int:
        """Select the person whose name matches the search (whole name first, else a unique part); -1: none."""
        words = (self.search.text() if text is None else text).strip().lower()
        snap = self.snapshot
        if not words or snap is None:
            return -1
        people = living(snap.static)
        exact = [p.id for p in people if p.name.lower() == words]
        partial = [p.id for p in people if words in p.name.lower()]
        found = exact or (partial if len(partial) == 1 else [])
        if not found:
            self.caption.setText(f"Nobody called “{words}”" if not partial else
                                 f"{len(partial)} people match “{words}”: type more of the name")
            return -1
        self.selection.focus(PERSON, found[0])
        return found[0]

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
            self.strength_label.setText(f"Ties ≥ {min_strength:.2f}")
        self._request(force=True)

    def _members(self) -> np.ndarray | None:
        district = self.district.currentData()
        if district is None or int(district) < 0:
            return None
        return np.flatnonzero(np.array(self._districts, dtype=np.int64) == int(district))

    def _on_selection(self, kind: str, index: int) -> None:
        wanted = self._focus()
        if self.layout_data is None or self.layout_data.focus != wanted:
            self._request(force=True)
        self._draw()

    def _focus(self) -> int:
        """Whose circle is laid out: the selected person in the circle view (or in a big town); -1: nobody."""
        snap = self.snapshot
        if snap is None or not is_living(snap.static, self.selection.person):
            return -1
        if self.view.currentData() == "circle" or len(snap.static.people) > FULL_LIMIT:
            return self.selection.person
        return -1

    def _request(self, force: bool = False) -> bool:
        """Ask the worker for a layout of the snapshot's ties; False if one is being made already (or no world)."""
        snap = self.snapshot
        if snap is None or (self._future is not None and not self._future.done() and not force):
            return False
        ties = snap.relationships
        focus = self._focus()
        self._filter_timer.stop()
        alive = np.array([not p.removed for p in snap.static.people], dtype=bool)
        request = GraphRequest(len(snap.static.people), ties.a, ties.b, ties.affinity, focus, ties.version,
                               dict(self._previous), min_strength=self.strength.value() / 100,
                               label=self.show_label.currentData(), members=self._members(),
                               centrality=self.size_by.currentData(), circle=self.view.currentData() == "circle",
                               alive=alive)
        self._version = ties.version
        self._laid_out_at = time.monotonic()
        if self.layout_data is None or force:
            self.caption.setText("Laying out the town's ties…")
        static_id = self._static_id
        future = self._pool.submit(compute_layout, request)
        self._future = future
        future.add_done_callback(lambda f: self._done.ready.emit((static_id, f)))
        return True

    def _on_layout(self, payload: tuple[int, Future[GraphLayout]]) -> None:
        static_id, future = payload
        if (static_id != self._static_id or future is not self._future or future.cancelled()
                or future.exception() is not None):
            return
        old = self.layout_data
        self.layout_data = future.result()
        # A picture of the town (everyone, or a big town's best-knit corners) is remembered, so a refresh
        # moves only the newcomers; a big town's picture was laid out afresh every time, and the whole
        # picture jumped every RELAYOUT_SECONDS while the town ran.
        if self.layout_data.mode in ("all", "top"):
            self._previous = {int(n): (float(x), float(y)) for n, (x, y) in zip(self.layout_data.nodes,
                                                                                 self.layout_data.pos, strict=True)}
        self._draw(refit=not same_picture(old, self.layout_data))

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

    def _draw(self, refit: bool = False) -> None:
        data, snap = self.layout_data, self.snapshot
        self.names.clear()
        if data is None or snap is None or len(data.nodes) == 0:
            self.graph.setData(pos=np.zeros((0, 2)), adj=np.zeros((0, 2), dtype=int))
            self.caption.setText("No ties yet" if snap is not None else "")
            return
        colours = self.node_colours()
        selected = data.index_of(self.selection.person)
        base = 11.0 if len(data.nodes) < 150 else 6.0
        sizes = np.full(len(data.nodes), base)
        if len(data.centrality) == len(data.nodes):
            sizes = base * (0.6 + 1.4 * data.centrality)  # the most central are drawn twice the usual size
        pens = [pg.mkPen("#241b2f", width=0.8)] * len(data.nodes)
        if selected >= 0:
            sizes[selected] = 18
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
        names = [snap.static.people[int(n)].name for n in data.nodes]
        self.graph.setData(pos=data.pos, adj=data.edges if len(data.edges) else None, pen=edge_pen,
                           size=sizes, symbolBrush=[pg.mkBrush(c) for c in colours],
                           symbolPen=pens, data=data.nodes, pxMode=True, hoverable=True,
                           tip=lambda x, y, data: person_name(snap.static, int(data)))
        if refit:
            self.fit()
        self.names.make(data, names, self.selection.person)
        mode = {"all": "everyone" if self.view.currentData() == "town" or not len(data.edges)
                else "everyone (select someone to see their circle)",
                "ego": f"{person_name(snap.static, data.focus)}'s circle",
                "top": "the town's best-knit corners (select someone to see their circle)"}[data.mode]
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

    def fit(self) -> None:
        """Frame every node (with room for the names above them)."""
        data = self.layout_data
        if data is None or not len(data.nodes):
            return
        (x0, y0), (x1, y1) = data.pos.min(axis=0), data.pos.max(axis=0)
        pad = max(x1 - x0, y1 - y0, 0.5) * 0.08
        self.plot.plotItem.vb.setRange(xRange=(x0 - pad, x1 + pad), yRange=(y0 - pad, y1 + pad * 2), padding=0)

    def shown_labels(self) -> list[str]:
        """The names printed on the graph now."""
        return self.names.shown()

    def label_boxes(self) -> list[tuple[float, float, float, float]]:
        """Scene boxes of the printed names (tests check none overlap)."""
        return self.names.boxes()

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
