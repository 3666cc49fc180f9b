"""Timeline dock: city-wide curves over sim time, and a strip of notable events.

Curves come from the snapshot's ``metric_samples`` (one row every few ticks)
and are redrawn only when a new row arrives. The event strip marks
conversations and changed relationships; click a mark to see who it was.

Time travel lives here too, as in a video editor: a playhead to drag (it scrubs
with cheap ``Seek(exact=False)`` while moving, at most ~10 a second, and sends
one exact seek on release), checkpoint and fork markers on the strip, the head
of the line marked, and the line's future dimmed while looking at the past.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QGraphicsItem, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.common import formatting as fmt
from app.common.bridge import EngineBridge
from app.common.event_batch import EventBatch
from app.common.gil import short_gil_turns
from app.common.selection import PERSON, Selection
from app.docks.timeline_axes import ShortNumberAxis, SimTimeAxis
from engine.contracts import (
    BranchView,
    CheckpointView,
    ConversationHeld,
    Event,
    RelationshipChanged,
    TimeJumped,
    TimelineView,
    WorldSnapshot,
)

NEED_PENS = (("mean_energy", "Energy", "#3f9e94"), ("mean_hunger", "Hunger", "#ec9a4c"),
             ("mean_social", "Social", "#e89aae"), ("mean_fun", "Fun", "#c9a46a"))
# Columns the right-hand axis can show (any other non-need column is offered under its own name).
RIGHT_CURVES = {"mean_money": "Mean money", "gdp": "GDP", "gini": "Gini", "treasury": "Treasury",
                "walking": "Walking", "asleep": "Asleep"}
LEFT_ONLY = {"tick", "conversations", *(key for key, _label, _colour in NEED_PENS)}
STRIP_LIMIT = 3000
STRIP_REDRAW_SECONDS = 1.0  # thousands of marks: redraw the strip at most once a second
# While the engine runs, new curve samples come with nearly every snapshot at high speed, and each
# redraw repaints the two plots whole (~30 ms of the GUI thread): at most once a second then.
CURVES_REDRAW_SECONDS = 1.0
TIME_REDRAW_SECONDS = CURVES_REDRAW_SECONDS  # the playhead and head lines, while running at the head
LANES = {"ConversationHeld": (1.0, "#f6cf57"), "RelationshipChanged": (0.0, "#d35a4a")}
# The x axis runs a little past the head, so that playing moves it (and re-lays out the three plots'
# axes, the dock's dearest redraw) once per that much sim time rather than with every snapshot.
HEADROOM = 0.1  # of the head, and at least MIN_HEADROOM_TICKS
# Two sim hours at one-minute ticks: at max speed a town's first sim day moved the axis every 30 ticks,
# ~3 times a second, and each move repainted the three plots whole (~28 of them in gui.py's 20 s).
MIN_HEADROOM_TICKS = 120
TIME_LANE = 2.0  # checkpoints and forks, above the events
SCRUB_MS = 100  # while dragging, at most one cheap seek every 100 ms
# kind -> (symbol, size, colour); user checkpoints are big flags with their name as tooltip.
CHECKPOINT_LOOK = {"auto": ("o", 4, "#9a93a6"), "save": ("s", 7, "#4c8a45"), "user": ("star", 13, "#e0a81c"),
                   "edit": ("d", 8, "#3f7fbf"), "fork": ("t1", 10, "#7d5ba6")}
PAINT_SWITCH_INTERVAL_S = 0.0001  # see ``QuickTurnsPlots``
PAST_TEXT = "viewing the past — playing will start a new branch"


class QuickTurnsPlots(pg.GraphicsLayoutWidget):
    """The dock's plots, painted with short turns at the GIL: a repaint is ~15 of pyqtgraph's Python
    paint calls between Qt's, and at max speed each waited out the engine's turn (a repaint took
    31-35 ms of the GUI thread in a small town, 20-24 with short turns)."""

    def paintEvent(self, event: Any) -> None:
        with short_gil_turns(PAINT_SWITCH_INTERVAL_S):
            super().paintEvent(event)


def start_minute_of(snapshot: WorldSnapshot) -> int:
    """The minute (since day 1 00:00) at tick 0: the axes count from there."""
    return snapshot.sim_minute - snapshot.tick * snapshot.tick_seconds // 60


def line_of(branches: tuple[BranchView, ...], branch: int) -> list[tuple[int, int]]:
    """The segments (branch, up to tick) a branch's line is made of, oldest first."""
    by_id = {b.id: b for b in branches}
    segments: list[tuple[int, int]] = []
    upto = by_id[branch].head_tick if branch in by_id else 0
    while branch in by_id:
        segments.append((branch, upto))
        upto, branch = by_id[branch].fork_tick, by_id[branch].parent
    return segments[::-1]


def shared_until(branches: tuple[BranchView, ...], a: int, b: int) -> int:
    """The last tick two branches have in common (their lines agree up to there)."""
    tick = 0
    for (branch_a, end_a), (branch_b, end_b) in zip(line_of(branches, a), line_of(branches, b), strict=False):
        if branch_a != branch_b:
            break
        tick = min(end_a, end_b)
        if end_a != end_b:
            break
    return tick


def kept_until(timeline: TimelineView | None, event: TimeJumped) -> int:
    """After ``event`` (a fork or a branch switch), what was seen up to this tick still holds."""
    keep = event.tick
    if timeline is not None and event.reason == "switch":
        keep = min(keep, shared_until(timeline.branches, timeline.current, event.branch))
    return keep


LEGEND_INSET = 6  # px between a legend and its plot's left edge (its offset), kept on the right too
LEGEND_BRUSH = (251, 248, 240, 150)  # the paper's colour, the curves showing through: a legend covers a third of a plot


def fit_legend(plot: pg.PlotItem, most: int) -> None:
    """Give ``plot``'s legend the most columns (up to ``most``) whose row still fits inside the plot."""
    legend = plot.legend
    if legend is None or not legend.items:
        return
    gap = legend.layout.horizontalSpacing()
    left, _top, right, _bottom = legend.layout.getContentsMargins()
    widths = [sample.width() + gap + label.item.boundingRect().width() for sample, label in legend.items]
    room = plot.vb.width() - 2 * LEGEND_INSET - left - right
    columns = 1
    for n in range(min(most, len(widths)), 0, -1):
        columns = n
        if sum(max(widths[c::n]) for c in range(n)) + gap * (n - 1) <= room:
            break
    # A label is free to grow in pyqtgraph's layout, and the legend sizes itself from its items' widths
    # as they were: a label once stretched stayed so, and pushed the next column out of the plot (the
    # right axis's "GDP" drawn past its edge). Held to their text, the labels lay out as measured above.
    for _sample, label in legend.items:
        label.setMaximumWidth(label.item.boundingRect().width())
    legend.setColumnCount(columns)
    legend.layout.activate()
    legend.updateSize()


PLOT_MIN_HEIGHT = 80  # px: room for three labelled ticks on the left axis and the legend
# The plots share one time axis and pyqtgraph lines them up by screen position, so each needs the same
# room on its right: the talks plot's number axis (money, GDP, Gini...) is kept this wide and the others
# have a blank one as wide. Fixed, not fitted to the numbers: an axis that follows another's width does
# so through a signal that can fire while the window is being torn down.
RIGHT_AXIS_WIDTH = 58  # px: "9999", "12.5k" or "0.54" beside a rotated label


class TimelineDock(QWidget):
    seek_requested = Signal(int, bool)  # tick, exact

    def __init__(self, selection: Selection, parent: QWidget | None = None):
        super().__init__(parent)
        self.selection = selection
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        self.header = QLabel("")
        self.header.setObjectName("timelineHeader")
        self.header.setStyleSheet("color:#7d5ba6;font-weight:bold;padding:0 4px")
        self.header.setVisible(False)
        top = QHBoxLayout()
        top.addWidget(self.header, 1)
        top.addStretch(1)
        top.addWidget(QLabel("Right axis"))
        self.right_curve = QComboBox()  # money, GDP, Gini, treasury...: whichever the user wants beside the talks
        self.right_curve.setObjectName("timelineRightCurve")
        self.right_curve.setToolTip("Which city-wide number the dashed curve (right axis) shows")
        self.right_curve.addItem(RIGHT_CURVES["mean_money"], "mean_money")
        self.right_curve.currentIndexChanged.connect(lambda _i: self._redraw_curves())
        top.addWidget(self.right_curve)
        layout.addLayout(top)
        self.layout_widget = QuickTurnsPlots()
        self.layout_widget.setBackground("#fbf8f0")
        layout.addWidget(self.layout_widget)
        self.axes = [SimTimeAxis(orientation="bottom") for _ in range(3)]
        self.needs = self.layout_widget.addPlot(row=0, col=0, axisItems={"bottom": self.axes[0]})
        self.needs.setLabel("left", "Needs")
        self.needs.setYRange(0, 1, padding=0.02)
        # In its bottom corner: a town's mean needs stay high (0.5-0.9), under a legend at the top.
        self.needs.addLegend(offset=(LEGEND_INSET, -2), labelTextColor="#241b2f", brush=LEGEND_BRUSH,
                             colCount=4, verSpacing=-6)
        self.curves = {key: self.needs.plot([], [], name=label, pen=pg.mkPen(colour, width=2))
                       for key, label, colour in NEED_PENS}
        self.activity = self.layout_widget.addPlot(
            row=1, col=0, axisItems={"bottom": self.axes[1], "right": ShortNumberAxis(orientation="right")})
        self.activity.setLabel("left", "Talks/h")
        self.activity.addLegend(offset=(LEGEND_INSET, 2), labelTextColor="#241b2f", brush=LEGEND_BRUSH,
                                colCount=2, verSpacing=-6)
        self.talk_curve = self.activity.plot([], [], name="Conversations per hour", pen=pg.mkPen("#7d5ba6", width=2),
                                             fillLevel=0, brush=pg.mkBrush(125, 91, 166, 50))
        self.activity.setMouseEnabled(y=False)  # its height fits the talks drawn (``_draw_curves``)
        # Money has its own scale: a second view box sharing the x axis, axis on the right.
        self.money_view = pg.ViewBox()
        self.activity.showAxis("right")
        self.activity.scene().addItem(self.money_view)
        self.activity.getAxis("right").linkToView(self.money_view)
        self.activity.getAxis("right").setLabel("$")
        self.money_view.setXLink(self.activity)
        self.money_curve = pg.PlotCurveItem(pen=pg.mkPen("#4c8a45", width=2, style=pg.QtCore.Qt.PenStyle.DashLine))
        self.money_view.addItem(self.money_curve)
        self.activity.legend.addItem(self.money_curve, "Mean money")
        self.activity.vb.sigResized.connect(lambda: self.money_view.setGeometry(self.activity.vb.sceneBoundingRect()))
        # A legend whose one row is wider than its plot stacks its entries instead of running off the edge.
        self.needs.vb.sigResized.connect(lambda: fit_legend(self.needs, len(NEED_PENS)))
        self.activity.vb.sigResized.connect(lambda: fit_legend(self.activity, 2))
        self.strip = self.layout_widget.addPlot(row=2, col=0, axisItems={"bottom": self.axes[2]})
        self.strip.setMaximumHeight(70)
        self.strip.setYRange(-0.6, 2.6, padding=0)
        self.strip.getAxis("left").setTicks([[(2.0, "time"), (1.0, "talks"), (0.0, "ties")]])
        self.strip.setMouseEnabled(y=False)
        self.marks = pg.ScatterPlotItem(size=7, pen=pg.mkPen("#241b2f", width=0.5), hoverable=True, tip=self._mark_tip)
        # One brush a lane, shared by its marks: pyqtgraph keys its picture of a mark by the brush
        # object, so a brush made per mark drew all 3,000 afresh every time (~140 ms a redraw).
        self._lanes = {kind: (lane, pg.mkBrush(colour)) for kind, (lane, colour) in LANES.items()}
        self.marks.sigClicked.connect(self._on_mark_clicked)
        self.strip.addItem(self.marks)
        for plot in (self.needs, self.activity, self.strip):
            plot.showGrid(x=True, y=True, alpha=0.15)
            plot.getAxis("left").setWidth(46)
            plot.showAxis("right")
            plot.getAxis("right").setWidth(RIGHT_AXIS_WIDTH)
            if plot is not self.activity:
                plot.getAxis("right").setStyle(showValues=False)
            # An axis draws its grid across the whole plot, so every move of the playhead repainted the
            # axes' text and lines; kept as a picture, they are redrawn only when their range changes.
            for name in ("left", "bottom", "right"):
                plot.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        # A move of the playhead repaints what lies under its line, which is every curve, and a curve
        # strokes its whole path however little of it shows: kept as pictures, the curves are drawn again
        # only when their samples (once a second while running) or the plot's range change, and a move
        # costs the lines' own paint. (The marks are not: pyqtgraph draws them in the view's own pixels.)
        for curve in (*(item.curve for item in self.curves.values()), self.talk_curve.curve, self.money_curve):
            curve.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        for plot in (self.needs, self.activity):  # one time axis, under the strip, is enough
            plot.getAxis("bottom").setStyle(showValues=False)
            plot.getAxis("bottom").setHeight(4)
        self.layout_widget.ci.layout.setSpacing(0)
        for plot in (self.needs, self.activity):  # never squeezed until their axis labels print over each other
            plot.setMinimumHeight(PLOT_MIN_HEIGHT)
        self.activity.setXLink(self.needs)
        self.strip.setXLink(self.needs)
        self._build_time_items()
        self._samples_seen = -1
        self._drawn_samples: tuple[tuple[str, ...], np.ndarray, int] | None = None
        self._curves_waiting: WorldSnapshot | None = None  # new samples not drawn yet (see ``set_snapshot``)
        self._curves_drawn_at = 0.0
        self._events: list[Event] = []
        self._strip_dirty = False
        self._strip_drawn_at = 0.0
        self._strip_timer = QTimer(self)  # marks that arrived after the last snapshot still get drawn
        self._strip_timer.timeout.connect(self._catch_up)
        self._strip_timer.start(int(STRIP_REDRAW_SECONDS * 1000))
        self.on_screen = True  # kept by the dock's visibilityChanged (see ``set_on_screen``)
        self._waiting: WorldSnapshot | None = None  # the newest snapshot, kept while the tab is behind another

    # ------------------------------------------------------------------ time travel items

    def _build_time_items(self) -> None:
        plots = (self.needs, self.activity, self.strip)
        self.future = [pg.LinearRegionItem(movable=False, brush=pg.mkBrush(36, 27, 47, 28),
                                           pen=pg.mkPen(None)) for _ in plots]
        self.head_lines = [pg.InfiniteLine(angle=90, pen=pg.mkPen("#7d5ba6", width=1, style=pg.QtCore.Qt.PenStyle.DashLine))
                           for _ in plots]
        self.head_lines[2].label = pg.InfLineLabel(self.head_lines[2], "head", position=0.75, color="#7d5ba6")
        self.playhead = [pg.InfiniteLine(angle=90, movable=True, pen=pg.mkPen("#241b2f", width=2),
                                         hoverPen=pg.mkPen("#d35a4a", width=3)) for _ in plots]
        for plot, region, head, line in zip(plots, self.future, self.head_lines, self.playhead, strict=True):
            for item in (region, head):
                item.setVisible(False)
                item.setZValue(-5)
                plot.addItem(item, ignoreBounds=True)
            line.setZValue(20)
            line.setToolTip("Playhead: drag to scrub through time, release to see the exact tick")
            line.sigDragged.connect(self._on_playhead_dragged)
            line.sigPositionChangeFinished.connect(self._on_playhead_released)
            plot.addItem(line, ignoreBounds=True)
        self.checkpoint_marks = pg.ScatterPlotItem(pen=pg.mkPen("#241b2f", width=0.5), hoverable=True,
                                                   tip=self._marker_tip)
        # A look per kind, its brush shared by all its marks (see ``_lanes``).
        self._checkpoint_looks = {kind: (symbol, size, pg.mkBrush(colour))
                                  for kind, (symbol, size, colour) in CHECKPOINT_LOOK.items()}
        self._fork_look = ("arrow_up", 11, pg.mkBrush("#7d5ba6"))
        self._markers_key: tuple[int, int] | None = None
        self._tip_snapshot: WorldSnapshot | None = None
        self.strip.addItem(self.checkpoint_marks)
        self.axes[2].on_click = lambda tick: self.seek_requested.emit(self._clamp(tick), True)
        self.timeline: TimelineView | None = None
        self.tick = 0
        self._drawn_key: tuple[int, int, int] | None = None
        self._drawn_past = False  # the lines last drawn showed a moment before the head
        self._time_waiting: WorldSnapshot | None = None  # a snapshot whose lines wait (``_time_can_wait``)
        self._time_drawn_at = 0.0
        self._x_end: int | None = None  # the x axis's right end, in ticks (see ``_fit_x_range``)
        self._dragging = False
        self._scrub_pending: int | None = None
        self._scrub_timer = QTimer(self)
        self._scrub_timer.setSingleShot(True)
        self._scrub_timer.setInterval(SCRUB_MS)
        self._scrub_timer.timeout.connect(self._flush_scrub)

    def _clamp(self, tick: int) -> int:
        head = self.timeline.head if self.timeline is not None else self.tick
        return max(0, min(int(tick), head))

    def _on_playhead_dragged(self, line: pg.InfiniteLine) -> None:
        self._dragging = True
        tick = self._clamp(round(line.value()))
        for other in self.playhead:
            if other is not line:
                other.setValue(tick)
        if self._scrub_timer.isActive():
            self._scrub_pending = tick  # sent when the throttle window ends
        else:
            self.seek_requested.emit(tick, False)
            self._scrub_timer.start()

    def _flush_scrub(self) -> None:
        if self._scrub_pending is not None and self._dragging:
            self.seek_requested.emit(self._scrub_pending, False)
            self._scrub_pending = None
            self._scrub_timer.start()

    def _on_playhead_released(self, line: pg.InfiniteLine) -> None:
        """Sharpen: one exact seek to where the playhead was let go."""
        self._dragging = False
        self._scrub_timer.stop()
        self._scrub_pending = None
        tick = self._clamp(round(line.value()))
        for each in self.playhead:
            each.setValue(tick)
        self.seek_requested.emit(tick, True)

    def _draw_time(self, snapshot: WorldSnapshot) -> None:
        """Playhead, head, dimmed future and markers; markers only when the timeline changed."""
        self.tick = snapshot.tick
        timeline = self.timeline = snapshot.timeline
        if timeline is not None and (self._drawn_key is None or timeline.head != self._drawn_key[1]):
            for line in self.playhead:  # first: a playhead is held within its bounds, the old head's
                line.setBounds((0, timeline.head))
        if not self._dragging:
            for line in self.playhead:
                line.setValue(snapshot.tick)
        if timeline is None:
            return
        past = self._drawn_past = snapshot.tick < timeline.head
        for region, head in zip(self.future, self.head_lines, strict=True):
            region.setVisible(past)
            if past:
                region.setRegion((snapshot.tick, timeline.head))
            head.setVisible(True)
            head.setValue(timeline.head)
        self.header.setText(PAST_TEXT if past else "")
        self.header.setVisible(past)
        key = (timeline.version, timeline.head, timeline.current)
        if key == self._drawn_key:
            return
        if self._drawn_key is None or key[1] != self._drawn_key[1]:
            self._fit_x_range(timeline.head)
        self._drawn_key = key
        self._draw_markers(timeline)

    def _fit_x_range(self, head: int) -> None:
        """Show from the start to a little past the head; kept while the head stays within it."""
        room = max(MIN_HEADROOM_TICKS, int(head * HEADROOM))
        if self._x_end is None or not head <= self._x_end <= head + 2 * room:
            self._x_end = head + room
            self.needs.setXRange(0, self._x_end, padding=0.01)

    def _draw_markers(self, timeline: TimelineView) -> None:
        """Checkpoints and forks; only when they changed (a town at max speed makes several a second, and
        a month holds thousands). Their tooltips are worded when hovered."""
        key = (timeline.version, timeline.current)
        if key == self._markers_key:
            return
        self._markers_key = key
        forks = [branch for branch in timeline.branches if branch.id != timeline.current and branch.parent >= 0]
        marks: list[CheckpointView | BranchView] = [*timeline.checkpoints, *forks]
        looks = [self._checkpoint_looks.get(cp.kind, self._checkpoint_looks["auto"]) for cp in timeline.checkpoints]
        looks += [self._fork_look] * len(forks)
        x = [cp.tick for cp in timeline.checkpoints] + [branch.fork_tick for branch in forks]
        y = [TIME_LANE] * len(timeline.checkpoints) + [TIME_LANE - 0.45] * len(forks)
        data = np.empty(len(marks), dtype=object)
        data[:] = marks
        self.checkpoint_marks.setData(x=np.array(x, dtype=np.float64), y=np.array(y, dtype=np.float64),
                                      symbol=[look[0] for look in looks], size=[look[1] for look in looks],
                                      brush=[look[2] for look in looks], data=data)

    def _marker_tip(self, x: float, y: float, data: CheckpointView | BranchView) -> str:
        """A marker's tooltip (pyqtgraph passes the mark's place and data by these names)."""
        snapshot = self._tip_snapshot
        if snapshot is None:
            return ""
        if isinstance(data, BranchView):
            return f"branch '{data.name}' forks here ({fmt.tick_time(snapshot, data.fork_tick)})"
        return f"{data.name or data.kind} checkpoint at {fmt.tick_time(snapshot, data.tick)}"

    def time_jumped(self, event: TimeJumped) -> None:
        """After a switch or a fork, marks of the old line's future no longer belong on screen."""
        if event.reason not in ("switch", "fork"):
            return
        keep = kept_until(self.timeline, event)
        if any(e.tick > keep for e in self._events):
            self._events = [e for e in self._events if e.tick <= keep]
            self._strip_dirty = True
        self._samples_seen = -1  # the next snapshot's samples are the new line's: redraw them
        self._drawn_key = self._markers_key = None

    def subscribe(self, bridge: EngineBridge) -> None:
        """Hear the engine: a new world's first snapshot resets the axes, every snapshot redraws."""
        self._new_world = True
        bridge.world_attached.connect(self._expect_new_world)
        bridge.snapshot_changed.connect(self._on_snapshot)
        bridge.events_arrived.connect(self.add_events)

    def _expect_new_world(self) -> None:
        self._new_world = True

    def _on_snapshot(self, snapshot: WorldSnapshot) -> None:
        if not self.on_screen:
            # Behind another tab its redraws (the playhead, the markers of every checkpoint, the curves) were
            # a tenth of the window's own time at max speed, for nobody: the newest snapshot waits for the tab.
            self.tick, self.timeline, self._waiting = snapshot.tick, snapshot.timeline, snapshot
            return
        self._waiting = None
        if self._new_world:
            self._new_world = False
            self.reset(snapshot)
        self.set_snapshot(snapshot)

    def set_on_screen(self, visible: bool) -> None:
        """Kept by the dock's ``visibilityChanged``: brought forward, the newest snapshot is drawn at once."""
        self.on_screen = visible
        if visible and self._waiting is not None:
            self._on_snapshot(self._waiting)

    def reset(self, snapshot: WorldSnapshot) -> None:
        start = start_minute_of(snapshot)
        for axis in self.axes:
            axis.tick_seconds, axis.start_minute = snapshot.tick_seconds, start
        self._samples_seen = -1
        self._curves_waiting = None
        self._events.clear()
        self.marks.clear()
        self._drawn_key = self._x_end = self._markers_key = None
        self.set_snapshot(snapshot)

    def set_snapshot(self, snapshot: WorldSnapshot) -> None:
        self._tip_snapshot = snapshot  # the tooltips' clock and names
        if self._time_can_wait(snapshot):
            self._time_waiting = snapshot  # ``tick`` and ``timeline`` stay what the lines show
        else:
            self._draw_time_now(snapshot)
        samples = snapshot.metric_samples
        if len(samples) != self._samples_seen and samples.ndim == 2 and samples.shape[1] == len(snapshot.metric_columns):
            self._curves_waiting = snapshot
            if not snapshot.running or time.monotonic() - self._curves_drawn_at > CURVES_REDRAW_SECONDS:
                self._draw_waiting_curves()
        if self._strip_dirty and time.monotonic() - self._strip_drawn_at > STRIP_REDRAW_SECONDS:
            self._draw_strip_if_dirty()

    def _time_can_wait(self, snapshot: WorldSnapshot) -> bool:
        """Running at the head, with nothing but the head moved since the lines were drawn: they move with
        the curves, once a second. Moved with every snapshot, each move repainted the plots (~10 ms of the
        GUI thread, ~4 times a second at max speed), for a line running ahead of curves drawn once a second."""
        timeline = snapshot.timeline
        return (snapshot.running and not self._dragging and not self._drawn_past and timeline is not None
                and self._drawn_key is not None and timeline.current == self._drawn_key[2]
                and snapshot.tick >= timeline.head and time.monotonic() - self._time_drawn_at < TIME_REDRAW_SECONDS)

    def _draw_time_now(self, snapshot: WorldSnapshot) -> None:
        self._time_waiting = None
        self._time_drawn_at = time.monotonic()
        self._draw_time(snapshot)

    def _draw_waiting_curves(self) -> None:
        snapshot, self._curves_waiting = self._curves_waiting, None
        if snapshot is not None:
            self._curves_drawn_at = time.monotonic()
            self._samples_seen = len(snapshot.metric_samples)
            self._draw_curves(snapshot.metric_columns, snapshot.metric_samples, snapshot.tick_seconds)

    def _catch_up(self) -> None:
        """Every second: what arrived after the last redraw (the lines, curves, marks) is drawn."""
        if self.on_screen:
            if self._time_waiting is not None:
                self._draw_time_now(self._time_waiting)
            self._draw_waiting_curves()
        self._draw_strip_if_dirty()

    def _redraw_curves(self) -> None:
        if self._drawn_samples is not None:
            self._draw_curves(*self._drawn_samples)

    def _offer_right_curves(self, columns: tuple[str, ...]) -> None:
        """New metric columns (the engine grows some) become choices for the right axis."""
        for name in columns:
            if name not in LEFT_ONLY and self.right_curve.findData(name) < 0:
                self.right_curve.addItem(RIGHT_CURVES.get(name, _curve_label(name)), name)

    def _draw_curves(self, columns: tuple[str, ...], samples: np.ndarray, tick_seconds: int) -> None:
        col = {name: i for i, name in enumerate(columns)}
        if "tick" not in col or len(samples) == 0:
            return
        self._drawn_samples = (columns, samples, tick_seconds)
        self._offer_right_curves(columns)
        ticks = samples[:, col["tick"]]
        for key, curve in self.curves.items():
            if key in col:
                curve.setData(ticks, samples[:, col[key]])
        if "conversations" in col and len(samples) > 1:
            talks = samples[:, col["conversations"]]
            hours = np.diff(ticks) * tick_seconds / 3600.0
            rate = np.diff(talks) / np.where(hours > 0, hours, 1)
            rate = np.maximum(rate, 0)
            self.talk_curve.setData(ticks[1:], rate)
            # Fitted here rather than auto-ranged: pyqtgraph re-fits an auto-ranged plot whenever anything
            # in it moves, the playhead included, and a re-fit drew both curves again (see ``__init__``).
            self.activity.setYRange(0, max(float(np.nanmax(rate, initial=0.0)), 1.0))
        right = self.right_curve.currentData()
        if right in col:
            self.money_curve.setData(ticks, samples[:, col[right]])
            self.money_view.enableAutoRange(axis=pg.ViewBox.YAxis)
            label = self.right_curve.currentText()
            legend_label = self.activity.legend.getLabel(self.money_curve)
            if legend_label is not None and legend_label.text != label:
                legend_label.setText(label)
                fit_legend(self.activity, 2)
                self.activity.getAxis("right").setLabel("$" if right in ("mean_money", "gdp", "treasury") else label)
                self.activity.getAxis("right").enableAutoSIPrefix(False)  # a Gini of 0.54, not "540 ×0.001"

    def add_events(self, events: EventBatch) -> None:
        """In order: marks from before a time jump may be dropped by it, those after it stay."""
        chunk: list[Event] = []
        for event in events.only(TimeJumped, ConversationHeld, RelationshipChanged):
            if isinstance(event, TimeJumped):
                self._add_notable(chunk)
                chunk = []
                self.time_jumped(event)
            elif isinstance(event, ConversationHeld | RelationshipChanged):
                chunk.append(event)
        self._add_notable(chunk)

    def _add_notable(self, notable: list[Event]) -> None:
        if notable:
            self._events.extend(notable)
            del self._events[:-STRIP_LIMIT]
            self._strip_dirty = True

    def _draw_strip_if_dirty(self) -> None:
        # Behind another tab (visible to Qt, but nothing of it on screen) the marks wait: the strip
        # timer draws them within a second of the tab coming forward.
        if self._strip_dirty and not self.visibleRegion().isEmpty():
            self._draw_strip()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._draw_strip_if_dirty()

    def _draw_strip(self) -> None:
        """A mark a tick and lane: a big town has dozens of talks a tick, drawn on one spot anyway."""
        self._strip_dirty = False
        self._strip_drawn_at = time.monotonic()
        if not self._events:
            self.marks.clear()
            return
        groups: dict[tuple[int, str], list[Event]] = {}
        for event in self._events:
            groups.setdefault((event.tick, event.kind), []).append(event)
        count = len(groups)
        looks = [self._lanes[kind] for _tick, kind in groups]
        ticks = np.fromiter((tick for tick, _kind in groups), dtype=np.float64, count=count)
        lanes = np.fromiter((lane for lane, _brush in looks), dtype=np.float64, count=count)
        events = np.empty(count, dtype=object)
        for i, group in enumerate(groups.values()):
            events[i] = tuple(group)
        self.marks.setData(x=ticks, y=lanes, brush=[brush for _lane, brush in looks], data=events)

    def _mark_tip(self, x: float, y: float, data: tuple[Event, ...]) -> str:
        """A mark's tooltip: its first talk or tie in words, and how many more there were then."""
        snapshot = self._tip_snapshot
        static = snapshot.static if snapshot is not None else None
        when = f"{fmt.tick_time(snapshot, data[0].tick)}: " if snapshot is not None else ""
        more = f"\n…and {len(data) - 1} more then" if len(data) > 1 else ""
        return f"{when}{fmt.describe_event(data[0], static)}{more}"

    def _on_mark_clicked(self, _item: Any, points: list[Any], *_args: Any) -> None:
        if len(points):
            people = fmt.event_people(points[0].data()[0])
            if people:
                self.selection.focus(PERSON, people[0])


def _curve_label(column: str) -> str:
    """A column's words: "market_day.price_index" (a plugin's metric) -> "Market day: price index"."""
    owner, dot, name = column.rpartition(".")
    words = name.replace("_", " ")
    return f"{owner.replace('_', ' ').capitalize()}: {words}" if dot else words.capitalize()
