"""The map drawn from a frozen copy of the scene (``Scene.freeze``), and on the offscreen map, on the
render thread's own clock: the GUI thread hands the copy over and never waits for a frame."""

from __future__ import annotations

import dataclasses
import sys
import time

import numpy as np
import pytest

from tests.gui.conftest import here_on_the_offscreen_map, wait_until


def test_a_frozen_copy_keeps_what_the_frame_is_drawn_from_while_the_scene_changes(open_controller, worlds) -> None:  # type: ignore[no-untyped-def]
    controller = open_controller(worlds["town"])
    controller.play(False)
    view = controller.window.map_view
    scene = view.scene
    scene.selected_person = 3
    frame = scene.freeze(640.0, 400.0)
    now = time.perf_counter()  # people glide between snapshots: compare where they are at one moment
    camera, positions = (frame.camera.center_x, frame.camera.zoom), frame.people.current_positions(now).copy()
    assert (frame.camera.width, frame.camera.height) == (640.0, 400.0)
    quiet = next(i for i in range(frame.people.count) if not frame.bubbles.saying(i))

    view.pan_by(120, -40)
    view.zoom_by(2.0)
    view.select_building(0)
    scene.ghosts.append((0.0, 0.0, 16.0, 16.0, (255, 0, 0, 120)))
    scene.bubbles.say(quiet, "Lovely morning for it.", now)
    snapshot = scene.snapshot
    assert snapshot is not None
    view.set_snapshot(dataclasses.replace(snapshot, tick=snapshot.tick + 1, positions=snapshot.positions + 2.0))

    assert (frame.camera.center_x, frame.camera.zoom) == camera, "the copy's camera is its own"
    assert (frame.selected_person, frame.selected_building) == (3, -1)
    assert frame.ghosts == [] and frame.bubbles.saying(quiet) == ""
    assert np.array_equal(frame.people.current_positions(now), positions), "a later snapshot does not move the copy's people"
    assert not np.array_equal(scene.people.current_positions(now + 5), positions)
    assert frame.people.current_positions() is not scene.people.current_positions(), "each draws into its own buffer"


def test_the_gui_thread_hands_a_frame_over_without_waiting_for_the_render_thread(open_controller, worlds, request) -> None:  # type: ignore[no-untyped-def]
    if not here_on_the_offscreen_map(request):
        return
    from app.map.render_thread import render_thread

    controller = open_controller(worlds["town"])
    controller.play(False)
    view = controller.window.map_view
    frames = view.host.stats.frames
    busy = render_thread().submit(lambda: time.sleep(1.0))  # the render thread is busy for a while
    started = time.perf_counter()
    view.pan_by(30, 0)
    view.host.request_frame()
    assert time.perf_counter() - started < 0.5, "asking for a frame does not wait for the render thread"
    assert not busy.done()
    wait_until(lambda: view.host.stats.frames > frames, 10, "the frame, once the render thread is free")


def test_frames_follow_on_the_render_threads_clock_while_the_map_moves_then_rest(open_controller, worlds, request) -> None:  # type: ignore[no-untyped-def]
    if not here_on_the_offscreen_map(request):
        return
    from PySide6.QtWidgets import QApplication

    from app.map import host

    controller = open_controller(worlds["town"])
    controller.play(False)
    view = controller.window.map_view
    view._timer.stop()  # nobody asks again from the GUI thread
    try:
        view.select_person(0)
        view.set_follow(True)  # following someone, the picture counts as moving
        wait_until(lambda: view.host._looping is False, 5, "frames asked for before to be drawn")
        frames = view.host.stats.frames
        view.host.request_frame()
        # One copy, and frames after the first one from it on the render thread's clock (a dozen or more
        # in RUN_ON_S when the machine is quiet; two are enough to say so on a busy one).
        wait_until(lambda: view.host.stats.frames >= frames + 2, 5, "frames from one copy, on the render thread's clock")
        wait_until(lambda: view.host._looping is False, 5 + host.RUN_ON_S, "the loop to rest without word from the GUI")
        rested = view.host.stats.frames
        end = time.monotonic() + 0.3
        while time.monotonic() < end:
            QApplication.processEvents()
            time.sleep(0.01)
        assert view.host.stats.frames == rested, "no frames once it rests"
    finally:
        view._timer.start()


def test_short_gil_turns_shortens_the_switch_interval_inside_and_puts_it_back() -> None:
    from app.common.gil import short_gil_turns

    before = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.0005)
        with short_gil_turns(0.0001):
            assert sys.getswitchinterval() == pytest.approx(0.0001)
        assert sys.getswitchinterval() == pytest.approx(0.0005)
        with short_gil_turns(0.0001):
            sys.setswitchinterval(0.0002)  # someone else (the agent API's server starting) set their own
        assert sys.getswitchinterval() == pytest.approx(0.0002), "theirs is kept"
        sys.setswitchinterval(0.00005)
        with short_gil_turns(0.0001):
            assert sys.getswitchinterval() == pytest.approx(0.00005), "never made longer"
    finally:
        sys.setswitchinterval(before)


def test_the_offscreen_map_draws_its_frames_with_short_gil_turns(open_controller, worlds, request) -> None:  # type: ignore[no-untyped-def]
    if not here_on_the_offscreen_map(request):
        return
    from app.map.render_thread import FRAME_SWITCH_INTERVAL_S

    controller = open_controller(worlds["town"])
    controller.play(False)
    view = controller.window.map_view
    scene = view.scene
    seen: list[float] = []
    paint = type(scene).paint

    def paint_noting_the_interval(self, ctx, width, height):  # type: ignore[no-untyped-def]
        seen.append(sys.getswitchinterval())
        paint(self, ctx, width, height)

    from app.map import host

    # The render loop draws its own frames, each with short turns too: let it rest first, so the
    # interval read after this frame is not one of its frames still being drawn.
    view._timer.stop()
    try:
        wait_until(lambda: view.host._looping is False, 5 + host.RUN_ON_S, "the render loop to rest")
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(type(scene), "paint", paint_noting_the_interval)
            view.host.render_frame()
        wait_until(lambda: view.host._looping is False, 5 + host.RUN_ON_S, "the loop this frame woke to rest")
    finally:
        view._timer.start()
    assert seen and seen[0] == pytest.approx(FRAME_SWITCH_INTERVAL_S)
    assert sys.getswitchinterval() > FRAME_SWITCH_INTERVAL_S  # and the window's own once the frames are done


def test_frames_keep_to_their_grid_making_up_late_ones_up_to_a_bound() -> None:
    from app.map.host import FRAME_S, FRAMES_MADE_UP, next_frame_due

    assert next_frame_due(10.0, 10.0 + FRAME_S / 2) == pytest.approx(10.0 + FRAME_S), "on time: the next on the grid"
    # A frame that took longer than its slot: the next one is due already (it starts at once), and the
    # grid stays where it was, so the frames after it catch up.
    assert next_frame_due(10.0, 10.0 + 1.5 * FRAME_S) == pytest.approx(10.0 + FRAME_S)
    # A long stall: the next frames start at once, but only FRAMES_MADE_UP of them; then the grid
    # starts again from the stall's end instead of owing every slot it missed.
    stalled_until = 10.0 + 20 * FRAME_S
    due = next_frame_due(10.0, stalled_until)
    assert due == pytest.approx(stalled_until - FRAMES_MADE_UP * FRAME_S)
    at_once = 0
    while due < stalled_until - 1e-9:  # each frame taking no time: those due before the stall's end are the burst
        at_once += 1
        due = next_frame_due(due, stalled_until)
    assert at_once == FRAMES_MADE_UP
    assert due == pytest.approx(stalled_until), "then on a grid from the stall's end"


def test_the_render_thread_stops_after_the_job_under_way_and_drops_those_put_off() -> None:
    from app.map.render_thread import RenderThread

    worker = RenderThread(name="render-thread-under-test")
    done: list[str] = []
    started = worker.submit(lambda: time.sleep(0.3) or done.append("frame"))
    later = worker.submit(lambda: worker.submit_at(time.perf_counter() + 60, lambda: done.append("put off")))
    time.sleep(0.05)  # the frame is under way
    worker.stop(timeout=5)
    assert started.done() and later.done() and done == ["frame"], "the frame under way ran to its end"
    assert not worker._thread.is_alive(), "and the thread ended, without the job put off for later"
    worker.stop()  # stopping again (at exit, say) does nothing
