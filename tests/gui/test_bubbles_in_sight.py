"""Speech bubbles go to the talks the map shows: close up in a town, the newest talks are mostly
elsewhere, and must not crowd out the people looked at."""

from __future__ import annotations

import numpy as np


def test_close_up_the_people_on_screen_speak_though_newer_talks_are_elsewhere(open_controller, worlds) -> None:  # type: ignore[no-untyped-def]
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
    scene.add_events(events)

    speaking = set(scene.bubbles.bubbles)
    assert set(near_people) <= speaking, "the people looked at say their lines"
    assert speaking == set(near_people), "no bubbles for talks off screen"
    assert scene.bubbles.saying(near_people[0]) == f"Hello from {near_people[0]}."

    scene.zoom_to_fit()  # the whole town in view: the newest talks anywhere, as many as the book holds
    scene.add_events(events[1:])
    assert len(scene.bubbles.bubbles) == scene.bubbles.limit
