"""The timeline's strip and markers in the real window, after the town has run a while at full speed.

The strip has a mark a tick and lane (a big town has dozens of talks a tick), with a brush a lane
shared by its marks (a brush made per mark had pyqtgraph draw each afresh); hovering a mark says
who talked, hovering a checkpoint or a fork names it; clicking a mark selects who it was about; the
time axis keeps its range while the head moves within it, and the three plots line up on it (the
right axis, one fixed width, writes big numbers short); a move of the playhead shows the curves from
their pictures instead of drawing them again."""

from __future__ import annotations

import time
from itertools import pairwise

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from app.common import formatting as fmt
from app.common.selection import PERSON
from app.docks.timeline import LANES, MIN_HEADROOM_TICKS
from app.docks.timeline_axes import SimTimeAxis, short_numbers
from engine.contracts import ConversationHeld, Pause, Play, SetSpeed, SwitchBranch
from tests.gui.conftest import run_ticks, wait_until


def _on_screen(timeline, x: float, y: float) -> QPoint:  # type: ignore[no-untyped-def]
    """Where the strip's point (tick ``x``, lane ``y``) is in the plots' viewport."""
    scene_point = timeline.strip.vb.mapViewToScene(QPointF(x, y))
    return timeline.layout_widget.mapFromScene(scene_point)


def _strip_drawn(timeline) -> None:  # type: ignore[no-untyped-def]
    wait_until(lambda: len(timeline._events) > 0, 20, "talks and ties on the strip")
    wait_until(lambda: not timeline._strip_dirty, 5, "the strip drawn")


def test_the_strip_marks_each_tick_of_talks_and_ties_in_its_lane(controller, qtbot) -> None:  # type: ignore[no-untyped-def]
    timeline = controller.window.timeline
    run_ticks(controller, 120)
    _strip_drawn(timeline)
    events = list(timeline._events)
    data = timeline.marks.data[: len(timeline.marks.data)]
    places = sorted({(float(e.tick), LANES[e.kind][0]) for e in events})
    assert sorted(zip(data["x"].tolist(), data["y"].tolist(), strict=True)) == places, "a mark a tick and lane"
    assert sum(len(group) for group in data["data"]) == len(events), "every talk and tie is under a mark"
    for kind, (lane, colour) in LANES.items():
        brushes = [b for b, y in zip(data["brush"], data["y"], strict=True) if y == lane]
        assert len({id(b) for b in brushes}) <= 1, f"{kind}: one brush for the lane"
        assert all(b.color().name() == colour for b in brushes)

    # Hovering a talk's mark says who talked, and when.
    talk = next(e for e in reversed(events) if isinstance(e, ConversationHeld))
    mark = timeline.marks.pointsAt(QPointF(talk.tick, LANES["ConversationHeld"][0]))[0]
    tip = timeline.marks.opts["tip"](x=mark.pos().x(), y=mark.pos().y(), data=mark.data())
    first = mark.data()[0]
    assert tip.startswith(f"{fmt.tick_time(controller.bridge.latest, first.tick)}: ")
    assert fmt.person_name(controller.bridge.latest.static, first.a) in tip and "talked at" in tip

    # A click on it selects one of the talk's two people.
    chosen: list[tuple[str, int]] = []
    timeline.selection.focus_requested.connect(lambda kind, index: chosen.append((kind, index)))
    at = _on_screen(timeline, talk.tick, LANES["ConversationHeld"][0])
    qtbot.mouseClick(timeline.layout_widget.viewport(), Qt.MouseButton.LeftButton, pos=at)
    wait_until(lambda: chosen, 5, "the click to select someone")
    talks_here = [e for e in events if isinstance(e, ConversationHeld) and abs(e.tick - talk.tick) <= 3]
    assert chosen[-1][0] == PERSON
    assert chosen[-1][1] in {p for e in talks_here for p in (e.a, e.b)}


def test_hovering_a_checkpoint_or_a_fork_names_it(controller) -> None:  # type: ignore[no-untyped-def]
    time = controller.time
    timeline = controller.window.timeline
    head = run_ticks(controller, 90)
    main = controller.bridge.latest.timeline.current
    time.seek(40)
    wait_until(lambda: controller.bridge.latest.tick == 40 and not controller.bridge.latest.running, 20, "seek")
    run_ticks(controller, 5)  # from the past: a new branch
    wait_until(lambda: len(controller.bridge.latest.timeline.branches) == 2, 20, "the fork")
    controller.bridge.send(SwitchBranch(branch=main))
    wait_until(lambda: controller.bridge.latest.timeline.current == main
               and controller.bridge.latest.tick == head, 20, "back on the main line")
    view = controller.bridge.latest.timeline
    marks = timeline.checkpoint_marks
    wait_until(lambda: len(marks.data) == len(view.checkpoints) + 1, 10, "a marker per checkpoint and the fork")
    checkpoint = view.checkpoints[len(view.checkpoints) // 2]
    fork = next(b for b in view.branches if b.id != main)

    def tip_at(x: float, y: float) -> str:
        """What hovering there shows: pyqtgraph's hover finds the marks under the pointer and words each
        with the item's ``tip`` (a real hover's hit test hangs on when the strip was last painted)."""
        points = marks.pointsAt(QPointF(x, y))
        assert len(points), f"no marker at {x}, {y}"
        return "\n\n".join(marks.opts["tip"](x=p.pos().x(), y=p.pos().y(), data=p.data()) for p in points)

    assert "forks here" in tip_at(fork.fork_tick, 2.0 - 0.45)
    assert "checkpoint at Day 1" in tip_at(checkpoint.tick, 2.0)


def test_the_time_axis_keeps_its_range_while_the_head_moves_within_it(controller) -> None:  # type: ignore[no-untyped-def]
    timeline = controller.window.timeline
    head = run_ticks(controller, 10)
    wait_until(lambda: timeline.timeline is not None and timeline.timeline.head == head, 10, "the head drawn")
    low, high = timeline.needs.vb.viewRange()[0]
    assert low <= 0 and high >= head + 10, "room past the head"
    head = run_ticks(controller, int(high) - head - 2)
    wait_until(lambda: timeline.timeline.head == head, 10, "the new head drawn")
    assert np.allclose(timeline.needs.vb.viewRange()[0], (low, high)), "the axis did not move"
    head = run_ticks(controller, MIN_HEADROOM_TICKS)  # past the end: the range grows
    wait_until(lambda: timeline.timeline.head == head, 10, "the newer head drawn")
    # Grown when a head drawn on the way passed the end, and by at least the least room past that head.
    grown = timeline.needs.vb.viewRange()[0][1]
    assert grown >= high + MIN_HEADROOM_TICKS - 1 and grown > head, "the head in view, with room past the old end"


def _head_on_screen(timeline, head: int) -> list[float]:  # type: ignore[no-untyped-def]
    """Where the tick ``head`` is on screen in each of the three plots."""
    return [plot.vb.mapViewToScene(QPointF(head, 0)).x() for plot in (timeline.needs, timeline.activity, timeline.strip)]


def _lined_up(timeline, head: int) -> bool:  # type: ignore[no-untyped-def]
    """The head at one place in every plot, and inside each."""
    xs = _head_on_screen(timeline, head)
    boxes = [plot.vb.sceneBoundingRect() for plot in (timeline.needs, timeline.activity, timeline.strip)]
    return max(xs) - min(xs) < 1 and all(box.left() < x < box.right() for box, x in zip(boxes, xs, strict=True))


@pytest.fixture
def curve_paints(monkeypatch) -> list[object]:  # type: ignore[no-untyped-def]
    """The curves painted, in order. Qt keeps the Python ``paint`` it found for a class the first time,
    so this notes a plain method each paint calls (once for its pen) instead."""
    import pyqtgraph as pg

    painted: list[object] = []
    choose = pg.PlotCurveItem._shouldUseDrawLineSegments
    monkeypatch.setattr(pg.PlotCurveItem, "_shouldUseDrawLineSegments",
                        lambda self, pen: (painted.append(self), choose(self, pen))[1])
    return painted


def test_moving_the_playhead_does_not_draw_the_curves_again(curve_paints, controller) -> None:  # type: ignore[no-untyped-def]
    import pyqtgraph as pg

    timeline = controller.window.timeline
    head = run_ticks(controller, 60)
    wait_until(lambda: timeline.timeline is not None and timeline.timeline.head == head, 10, "the head drawn")
    wait_until(lambda: _lined_up(timeline, head), 10, "the plots laid out")  # a new layout redraws everything
    curves = {*(item.curve for item in timeline.curves.values()), timeline.talk_curve.curve, timeline.money_curve}
    assert all(curve.getData()[0] is not None and len(curve.getData()[0]) > 1 for curve in curves), "curves drawn"
    uncached = pg.PlotCurveItem([0, head], [0.5, 0.5])  # the control: a curve across the plot, without a picture
    timeline.needs.addItem(uncached)
    timeline._draw_waiting_curves()  # samples that came since the last redraw, now rather than within the second
    timeline._redraw_curves()
    wait_until(lambda: curves | {uncached} <= set(curve_paints), 10, "the curves and the control drawn")

    for tick in (head // 3, head // 2, head - 1):  # scrubbing, or the head moving while the town runs
        curve_paints.clear()
        for line in timeline.playhead:
            line.setValue(tick)
        wait_until(lambda: uncached in curve_paints, 10, "what lies under the playhead drawn again as it moves")
        assert not curves & set(curve_paints), "the timeline's curves are shown from their pictures"

    latest = controller.bridge.latest
    timeline._draw_curves(latest.metric_columns, latest.metric_samples[:-1], latest.tick_seconds)
    wait_until(lambda: curves & set(curve_paints), 10, "new samples to draw the curves again")


def test_the_three_plots_line_up_and_each_shows_the_head(controller) -> None:  # type: ignore[no-untyped-def]
    timeline = controller.window.timeline
    head = run_ticks(controller, 60)
    wait_until(lambda: timeline.timeline is not None and timeline.timeline.head == head, 10, "the head drawn")
    # The talks plot had a money axis on its right the others had not: narrower, it lined up with them
    # on screen by cutting off its newest stretch, the head and the playhead with it.
    wait_until(lambda: _lined_up(timeline, head), 10, "the head at one place in every plot, inside each")
    plots = (timeline.needs, timeline.activity, timeline.strip)
    assert len({round(plot.vb.sceneBoundingRect().width()) for plot in plots}) == 1, "one width for all three"


@pytest.mark.parametrize(("values", "spacing", "labels"), [
    ([0, 500_000, 1_000_000, 1_500_000], 500_000, ["0.0M", "0.5M", "1.0M", "1.5M"]),  # one unit, not "500k", "1M"
    ([0, 20_000, 40_000], 20_000, ["0k", "20k", "40k"]),
    ([10_000, 12_500, 15_000], 2_500, ["10.0k", "12.5k", "15.0k"]),  # as many digits as the step needs
    ([-2e9, 0, 2e9], 2e9, ["-2G", "0G", "2G"]),
])
def test_the_right_axis_writes_big_numbers_in_a_few_characters(values, spacing, labels) -> None:  # type: ignore[no-untyped-def]
    assert short_numbers(values, spacing) == labels


def test_the_time_axis_names_the_day_only_where_it_changes(qapp) -> None:  # type: ignore[no-untyped-def]
    axis = SimTimeAxis(orientation="bottom")
    axis.tick_seconds, axis.start_minute = 600, 6 * 60  # ticks of 10 minutes from 06:00 on day 1
    hours = [6 * value for value in (0, 4, 8, 12, 16, 20, 24)]  # every four hours
    axis.resize(400, 30)
    axis.setRange(-20, 200)
    assert axis.tickStrings(hours, 1.0, 24) == ["D1 06:00", "10:00", "14:00", "18:00", "22:00", "D2 02:00", "06:00"]
    # pyqtgraph asks for ticks at the range's ends too, and drops a label that would stick out past them:
    # the first label it draws has the day.
    axis.setRange(0, 200)
    assert axis.tickStrings(hours, 1.0, 24)[:3] == ["D1 06:00", "D1 10:00", "14:00"]


def test_while_running_at_the_head_the_lines_move_with_the_curves(controller, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Moved with every snapshot, the playhead and head lines repainted the plots ~4 times a second at max
    speed, running ahead of curves drawn once a second; they now move together, and at once on a pause."""
    timeline, bridge = controller.window.timeline, controller.bridge
    run_ticks(controller, 5)
    bridge.send(SetSpeed(ticks_per_second=0))
    bridge.send(Play())
    snapshots, positions = set(), []
    deadline = time.monotonic() + 3.0
    while time.monotonic() < deadline:
        qtbot.wait(20)
        snapshots.add(bridge.latest.tick)
        positions.append(timeline.playhead[0].value())
    moves = sum(1 for before, after in pairwise(positions) if after != before)
    assert len(snapshots) > 12 and moves <= 5, f"{moves} moves of the lines for {len(snapshots)} snapshots"
    bridge.send(Pause())
    wait_until(lambda: not bridge.latest.running, 10, "the town paused")
    wait_until(lambda: timeline.playhead[0].value() == bridge.latest.tick, 5, "the lines at the paused tick")
