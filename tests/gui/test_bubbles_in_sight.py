"""Speech bubbles go to the talks the map shows: close up in a town, the newest talks are mostly
elsewhere, and must not crowd out the people looked at."""

from __future__ import annotations

import numpy as np


def test_close_up_the_people_on_screen_speak_though_newer_talks_are_elsewhere(open_controller, worlds) -> None:  # type: ignore[no-untyped-def]
    from app.common.event_batch import EventBatch
    from app.map.scene import BUBBLE_RECENT_TICKS
    from engine.contracts import ConversationHeld

    controller = open_controller(worlds["town"])
    controller.play(False)
    scene = controller.window.map_view.scene
    where = scene.people.cur
    here = where[0]
    scene.camera.zoom = 3.0
    scene.camera.look_at(float(here[0]), float(here[1]))
    left, right, bottom, top = scene.camera.world_rect()
    on_screen = (where[:, 0] > left) & (where[:, 0] < right) & (where[:, 1] > bottom) & (where[:, 1] < top)
    far = np.hypot(where[:, 0] - here[0], where[:, 1] - here[1]) > 2 * max(right - left, top - bottom)
    near_people = [int(i) for i in np.flatnonzero(on_screen)][:2]
    far_people = [int(i) for i in np.flatnonzero(far)]
    assert len(near_people) == 2 and len(far_people) >= 2 * scene.bubbles.limit + 2

    def talk(tick: int, a: int, b: int) -> ConversationHeld:
        return ConversationHeld(tick, a, b, -1, ((0, f"Hello from {a}."), (1, f"And from {b}.")))

    tick = 1000
    events = [talk(tick, *near_people)]
    # More newer talks elsewhere than the book holds, all within the ticks still being said.
    pairs = zip(far_people[0::2], far_people[1::2], strict=False)
    events += [talk(tick + 1 + n % BUBBLE_RECENT_TICKS, a, b) for n, (a, b) in enumerate(pairs)]
    scene.add_events(EventBatch(events))

    speaking = set(scene.bubbles.bubbles)
    assert set(near_people) <= speaking, "the people looked at say their lines"
    assert speaking == set(near_people), "no bubbles for talks off screen"
    assert scene.bubbles.saying(near_people[0]) == f"Hello from {near_people[0]}."

    scene.zoom_to_fit()  # the whole town in view: the newest talks anywhere, as many as the book holds
    scene.add_events(EventBatch(events[1:]))
    assert len(scene.bubbles.bubbles) == scene.bubbles.limit


def test_a_bubble_by_the_edge_of_the_map_is_shown_whole(open_controller, worlds) -> None:  # type: ignore[no-untyped-def]
    import time

    from tests.gui.conftest import wait_until

    controller = open_controller(worlds["village"])
    controller.play(False)
    view = controller.window.map_view
    scene = view.scene
    speaker = 0
    x, y = (float(v) for v in scene.people.cur[speaker])
    scene.camera.zoom = 2.0
    left, right, bottom, top = scene.camera.world_rect()
    # The speaker 20 screen px inside the top right corner: the bubble would run off both edges.
    scene.camera.look_at(x - (right - left) / 2 + 20 / 2.0, y - (top - bottom) / 2 + 20 / 2.0)
    scene.bubbles.say(speaker, "A long line that would run off the edge of the map, cut mid-word.", time.perf_counter())
    pool = scene._gpu["bubbles"]

    def shown() -> bool:
        view.render_now()
        return pool.used == 1

    wait_until(shown, 5, "the bubble drawn")
    (cx, cy), (w, h) = pool.sprites.pos[0][:2], pool.sprites.size[0][:2]
    left, right, bottom, top = scene.camera.world_rect()
    assert left <= cx - w / 2 and cx + w / 2 <= right + 1e-3, "whole, left to right"
    assert cy + h / 2 <= top + 1e-3, "whole, below the top edge"
    assert cx - w / 2 < x < cx + w / 2, "still over its speaker"
