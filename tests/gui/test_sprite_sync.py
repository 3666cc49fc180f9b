"""Pure tests of the snapshot -> sprite logic, the camera and the graph layout (no display needed)."""

from __future__ import annotations

import numpy as np
import pytest

from app.common.event_batch import EventBatch
from app.common.event_store import EventStore
from app.docks.graph_layout import FULL_LIMIT, TOP_TIES, GraphRequest, choose_ties, compute_layout
from app.map import sprite_sync as sync
from app.map.camera import MapCamera
from engine.contracts import ConversationHeld


def test_tiles_to_world_flips_y() -> None:
    xy = sync.tiles_to_world(np.array([[0.5, 0.5], [2.0, 10.0]], dtype=np.float32), map_height=10)
    assert xy.tolist() == [[8.0, 152.0], [32.0, 0.0]]
    assert sync.world_to_tiles(8.0, 152.0, 10) == (0.5, 0.5)


def test_diff_cast() -> None:
    diff = sync.diff_cast(np.array([0, 1, 2, 3]), np.array([1, 2, 3, 7]))
    assert diff.added.tolist() == [7] and diff.removed.tolist() == [0] and diff.kept.tolist() == [1, 2, 3]
    assert sync.diff_cast(np.arange(3), np.arange(3)).unchanged


def test_people_sync_interpolates_and_snaps_jumps() -> None:
    people = sync.PeopleSync(map_height=100)
    pos = np.array([[1.0, 1.0], [5.0, 5.0]], dtype=np.float32)
    plan = people.update(0, pos, np.array([0, 2]), np.array([-1, -1]), now=0.0)
    assert plan.rebuild and len(plan.activity_changed) == 2
    moved = np.array([[2.0, 1.0], [50.0, 5.0]], dtype=np.float32)  # person 1 jumps 45 tiles
    people.interval = 1.0
    plan = people.update(1, moved, np.array([0, 3]), np.array([-1, 4]), now=10.0)
    assert not plan.rebuild and plan.activity_changed.tolist() == [1] and plan.moved == 2
    half = people.current_positions(now=10.0 + people.interval / 2)
    assert half[0, 0] == pytest.approx((1.0 + 0.5) * sync.TILE)  # glides
    assert half[1, 0] == pytest.approx(50.0 * sync.TILE)  # snapped
    assert people.current_positions(now=1000.0)[0, 0] == pytest.approx(2.0 * sync.TILE)
    assert people.alpha.tolist() == [255, sync.INDOOR_ALPHA]


def test_people_in_a_park_are_outdoors() -> None:
    people = sync.PeopleSync(map_height=10, park_buildings=np.array([False, True]))
    people.update(0, np.zeros((3, 2), np.float32), np.zeros(3), np.array([-1, 0, 1]), now=0.0)
    assert people.alpha.tolist() == [255, sync.INDOOR_ALPHA, 255]


def test_cast_change_rebuilds() -> None:
    people = sync.PeopleSync(map_height=10)
    people.update(0, np.zeros((2, 2), np.float32), np.zeros(2), np.full(2, -1), now=0.0)
    plan = people.update(1, np.zeros((3, 2), np.float32), np.zeros(3), np.full(3, -1), now=1.0)
    assert plan.rebuild and plan.cast.added.tolist() == [2]


def test_pick_person_prefers_outdoors_and_respects_radius() -> None:
    xy = np.array([[0.0, 0.0], [3.0, 0.0], [100.0, 0.0]], dtype=np.float32)
    assert sync.pick_person(xy, 1.0, 0.0, radius=5) == 0
    assert sync.pick_person(xy, 1.0, 0.0, radius=5, prefer=np.array([False, True, True])) == 1
    assert sync.pick_person(xy, 50.0, 0.0, radius=5) == -1


def test_pick_building_smallest_wins() -> None:
    rects = np.array([[0, 0, 100, 100], [10, 10, 20, 20]], dtype=np.float32)
    assert sync.pick_building(rects, 15, 15) == 1
    assert sync.pick_building(rects, 50, 50) == 0
    assert sync.pick_building(rects, 150, 50) == -1


def test_choose_labels_bounded_and_selected_first() -> None:
    xy = np.array([[x, 0.0] for x in range(100)], dtype=np.float32)
    chosen = sync.choose_labels(xy, (0, 99, -10, 10), limit=10, always=99)
    assert len(chosen) == 10 and chosen[0] == 99
    assert set(chosen[1:]) <= set(range(40, 60))  # nearest the centre


def test_declutter_drops_overlaps() -> None:
    boxes = np.array([[0, 0, 10, 10], [5, 5, 15, 15], [20, 0, 30, 10]], dtype=np.float64)
    assert sync.declutter(boxes, pad=0).tolist() == [0, 2]


def test_bubbles() -> None:
    book = sync.BubbleBook(seconds=2.0, limit=2)
    book.conversation(1, 2, ((0, "Oh hi there, how have you been lately my friend?"), (1, "Fine!")), now=0.0)
    texts = {b.agent: b.text for b in book.active()}
    assert texts[1].endswith("…") and len(texts[1]) <= 29 and texts[2] == "Fine!"
    book.say(3, "hello", now=0.0)
    assert len(book.active()) == 2  # bounded: the oldest went
    assert book.expire(now=10.0) and not book.active()


def test_a_bubble_stays_up_long_enough_to_read() -> None:
    book = sync.BubbleBook(seconds=4.0, limit=2, read_seconds=2.0)
    book.say(1, "first", now=0.0)
    book.say(1, "second", now=0.5)  # at max speed: the next line comes before the first is read
    assert book.saying(1) == "first"
    book.say(1, "third", now=2.5)
    assert book.saying(1) == "third"
    book.say(2, "hi", now=2.6)
    book.say(3, "newcomer", now=3.0)  # the book is full, and its oldest bubble was up 0.5 s
    assert [b.agent for b in book.active()] == [1, 2]
    book.say(3, "newcomer", now=4.6)
    assert [b.agent for b in book.active()] == [2, 3]
    # Lines given in the same moment (one batch of events) are not up yet: the newest wins, as before.
    book.conversation(5, 6, ((0, "a"), (1, "b")), now=10.0)
    book.conversation(5, 6, ((0, "c"), (1, "d")), now=10.0)
    assert book.saying(5) == "c" and book.saying(6) == "d"
    assert book.being_read(5, now=11.0) and not book.being_read(5, now=12.5)


def test_level_of_detail_and_night() -> None:
    far, near = sync.level_of_detail(0.1, 10_000), sync.level_of_detail(4.0, 10_000)
    assert far.dots and not far.person_labels
    assert not near.dots and near.person_labels and near.icons
    assert sync.night_amount(12 * 60) == 0 and sync.night_amount(2 * 60) == 1
    assert 0 < sync.night_amount(19 * 60) < 1
    assert sync.tint(0.0, (140, 150, 210)) == (255, 255, 255)
    assert sync.tint(1.0, (140, 150, 210)) == (140, 150, 210)


def test_camera_zoom_about_keeps_point_fixed() -> None:
    cam = MapCamera(center_x=100, center_y=200, zoom=1.0, width=800, height=600)
    before = cam.screen_to_world(123, 456)
    cam.zoom_about(123, 456, 2.5)
    assert cam.zoom == 2.5
    assert cam.screen_to_world(123, 456) == pytest.approx(before)
    assert cam.world_to_screen(*before) == pytest.approx((123, 456))
    cam.fit(0, 0, 1600, 600)
    assert cam.zoom == pytest.approx(0.5 * 0.92)


def test_graph_layout_modes() -> None:
    rng = np.random.default_rng(1)
    n = FULL_LIMIT + 500
    a = rng.integers(0, n, 3000).astype(np.int32)
    b = ((a + rng.integers(1, 50, 3000)) % n).astype(np.int32)
    aff = rng.uniform(-1, 1, 3000).astype(np.float32)
    mode, ties = choose_ties(GraphRequest(n, a, b, aff))
    assert mode == "top" and len(ties) <= TOP_TIES
    layout = compute_layout(GraphRequest(n, a, b, aff, focus=int(a[0])))
    assert layout.mode == "ego" and layout.index_of(int(a[0])) >= 0
    assert layout.pos.shape == (len(layout.nodes), 2) and layout.edges.max() < len(layout.nodes)
    small = compute_layout(GraphRequest(30, np.array([0, 1]), np.array([1, 2]), np.array([0.5, -0.2])))
    assert small.mode == "all" and len(small.nodes) == 30


def test_event_store_history() -> None:
    store = EventStore(limit=3, per_person=2)
    events = [ConversationHeld(t, 1, 2, 0, ((0, "hi"),)) for t in range(5)]
    assert store.add(events) == 2
    assert len(store) == 3 and [e.tick for e in store.for_person(2)] == [3, 4]


def test_crowded_buildings_become_a_count_and_their_people_are_not_drawn() -> None:
    park = np.array([False, False, True])
    location = np.array([0] * sync.BADGE_MIN + [1] * (sync.BADGE_MIN - 1) + [2] * (sync.PARK_BADGE_MIN - 1) + [-1])
    counts, hidden = sync.crowding(location, park)
    assert counts.tolist() == [sync.BADGE_MIN, 0, 0]  # a small household and a few strollers stay drawn
    assert hidden.tolist() == [True] * sync.BADGE_MIN + [False] * (len(location) - sync.BADGE_MIN)
    counts, hidden = sync.crowding(np.append(location, 2), park)  # one more in the park: a crowd
    assert counts[2] == sync.PARK_BADGE_MIN and hidden[location.size]
    people = sync.PeopleSync(10, park)
    people.update(0, np.zeros((len(location), 2)), np.zeros(len(location)), location)
    assert (people.alpha[: sync.BADGE_MIN] == 0).all() and people.badges[0] == sync.BADGE_MIN


def test_density_counts_people_per_cell_from_the_top_left() -> None:
    grid = sync.density_grid(np.array([[0.5, 0.5], [3.9, 3.9], [4.0, 0.0], [9.0, 9.0]]), (10, 10), cell=4)
    assert grid.shape == (3, 3)
    assert grid[0, 0] == 2 and grid[0, 1] == 1 and grid[2, 2] == 1 and grid.sum() == 4
    colours = sync.heat_colours(grid, full=2)
    assert colours[1, 1, 3] == 0 and colours[0, 0, 3] > colours[0, 1, 3] > 0  # empty clear, busier stronger


class CountedWording:
    """A talk's lines worded on first read, as the engine's are; counts the readings."""

    read = 0

    def __init__(self, a: int, b: int) -> None:
        self.said = ((0, f"{a} to {b}: hello there"), (1, f"{b} to {a}: hello"))

    def lines(self) -> tuple[tuple[int, str], ...]:
        CountedWording.read += 1
        return self.said

    def opening(self) -> str:
        return self.said[0][1]


def test_a_busy_batch_of_talk_words_only_the_talks_whose_bubbles_stay() -> None:
    from app.map.scene import Scene

    rng = np.random.default_rng(3)
    talks = [ConversationHeld(tick=100 + i // 40, a=int(a), b=int(b), building=0, said=CountedWording(int(a), int(b)))
             for i, (a, b) in enumerate(rng.integers(0, 300, size=(400, 2)))]
    scene = Scene()
    CountedWording.read = 0
    scene.add_events(EventBatch(talks))
    worded = CountedWording.read

    every = sync.BubbleBook()  # every recent talk said in order, as before
    for talk in talks:
        if talk.tick >= talks[-1].tick - 10:
            every.conversation(talk.a, talk.b, talk.said.lines(), 0.0)
    assert [(b.agent, b.full) for b in scene.bubbles.active()] == [(b.agent, b.full) for b in every.active()]
    assert worded < 40  # of 400 talks: only those whose speakers are among the book's 48 newest
