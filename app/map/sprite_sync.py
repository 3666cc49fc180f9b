"""Pure logic between engine snapshots and the map's sprite buffers (no GL, unit-tested).

The scene owns the GPU side; everything here works on numpy arrays:

* ``diff_cast`` — which people to add / keep / remove when the cast changes.
* ``PeopleSync`` — tile positions -> world pixels, interpolated between ticks,
  plus per-person alpha (people indoors are drawn faded over their roof).
* ``pick_person`` / ``pick_building`` — hit tests in numpy, never via sprites.
* ``choose_labels`` — which names to draw this frame (a bounded number).
* ``BubbleBook`` — speech bubbles: who says what, until when.
* ``level_of_detail`` and ``night_amount`` — what to draw at a zoom and an hour.
* ``crowding`` — who is folded into a building's count badge; ``density_grid`` — the crowd
  seen from far away, as people per cell.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

TILE = 16  # world pixels per tile
SNAP_TILES = 3.0  # a move longer than this between ticks is a jump (entering a building): don't glide
INDOOR_ALPHA = 150
BADGE_MIN = 4  # this many inside one building: a count on its roof instead of a pile of faded sprites
PARK_BADGE_MIN = 12  # a park's people are outdoors: only a crowd there becomes a count
DENSITY_CELL = 4  # tiles per side of a density cell, zoomed out


def tiles_to_world(positions: np.ndarray, map_height: int, tile: int = TILE) -> np.ndarray:
    """(n, 2) tile coordinates (y down) -> (n, 2) float32 world pixels (y up)."""
    out = np.empty((len(positions), 2), dtype=np.float32)
    out[:, 0] = positions[:, 0] * tile
    out[:, 1] = (map_height - positions[:, 1]) * tile
    return out


def world_to_tiles(wx: float, wy: float, map_height: int, tile: int = TILE) -> tuple[float, float]:
    return wx / tile, map_height - wy / tile


@dataclass(frozen=True)
class CastDiff:
    added: np.ndarray  # person ids new in this snapshot
    removed: np.ndarray  # person ids gone
    kept: np.ndarray  # person ids in both

    @property
    def unchanged(self) -> bool:
        return len(self.added) == 0 and len(self.removed) == 0


def diff_cast(old_ids: np.ndarray, new_ids: np.ndarray) -> CastDiff:
    old_ids, new_ids = np.asarray(old_ids, dtype=np.int64), np.asarray(new_ids, dtype=np.int64)
    return CastDiff(
        added=np.setdiff1d(new_ids, old_ids, assume_unique=True),
        removed=np.setdiff1d(old_ids, new_ids, assume_unique=True),
        kept=np.intersect1d(old_ids, new_ids, assume_unique=True),
    )


@dataclass
class SyncPlan:
    """What one snapshot changes on the sprite side."""

    rebuild: bool  # the cast changed: rebuild the per-person sprite lists
    cast: CastDiff
    activity_changed: np.ndarray  # indices whose activity differs from the last snapshot
    moved: int  # how many people moved since the last snapshot


class PeopleSync:
    """Per-person render state fed from snapshots, interpolated between ticks."""

    def __init__(self, map_height: int, park_buildings: np.ndarray | None = None, tile: int = TILE):
        self.map_height = map_height
        self.tile = tile
        self.park = np.zeros(0, dtype=bool) if park_buildings is None else np.asarray(park_buildings, dtype=bool)
        self.ids = np.zeros(0, dtype=np.int64)
        self.prev = np.zeros((0, 2), dtype=np.float32)
        self.cur = np.zeros((0, 2), dtype=np.float32)
        self.activity = np.zeros(0, dtype=np.int8)
        self.location = np.zeros(0, dtype=np.int32)
        self.alpha = np.zeros(0, dtype=np.uint8)  # 255 outdoors, faded indoors, 0 counted in a badge
        self.badges = np.zeros(0, dtype=np.int64)  # per building: how many its badge counts (0: no badge)
        self.tick = -1
        self.received = 0.0
        self.interval = 1.0  # seconds between ticks, measured
        self._out = np.zeros((0, 2), dtype=np.float32)

    @property
    def count(self) -> int:
        return len(self.ids)

    def update(self, tick: int, positions: np.ndarray, activity: np.ndarray, location: np.ndarray,
               ids: np.ndarray | None = None, now: float | None = None) -> SyncPlan:
        now = time.perf_counter() if now is None else now
        ids = np.arange(len(positions), dtype=np.int64) if ids is None else np.asarray(ids, dtype=np.int64)
        cast = diff_cast(self.ids, ids) if len(self.ids) != len(ids) or not np.array_equal(self.ids, ids) \
            else CastDiff(np.zeros(0, np.int64), np.zeros(0, np.int64), ids)
        rebuild = not cast.unchanged or len(ids) != len(self.ids)
        world = tiles_to_world(positions, self.map_height, self.tile)
        if rebuild or tick < self.tick:
            # A new cast or a jump back in time: nothing sensible to glide from.
            self.prev = world
            changed = np.arange(len(ids))
            moved = len(ids)
        elif tick == self.tick:
            changed = np.flatnonzero(activity != self.activity)
            moved = int(np.count_nonzero(np.any(world != self.cur, axis=1)))
            self.prev = self.current_positions(now).copy()
        else:
            self.prev = self.current_positions(now).copy()
            jump = np.abs(world - self.prev).max(axis=1) > SNAP_TILES * self.tile
            self.prev[jump] = world[jump]
            changed = np.flatnonzero(activity != self.activity)
            moved = int(np.count_nonzero(np.any(world != self.cur, axis=1)))
            elapsed = now - self.received
            if self.tick >= 0 and 0 < elapsed < 5:
                # Glide for as long as snapshots take to arrive (smoothed, so a hiccup doesn't lurch).
                self.interval = 0.7 * self.interval + 0.3 * min(1.0, max(1 / 120, elapsed))
        self.ids = ids
        self.cur = world
        self.activity = np.asarray(activity, dtype=np.int8).copy()
        self.location = np.asarray(location, dtype=np.int32).copy()
        self.alpha = self._alpha(self.location)
        self.badges, hidden = crowding(self.location, self.park)
        self.alpha[hidden] = 0
        self.tick = tick
        self.received = now
        if len(self._out) != len(ids):
            self._out = np.zeros((len(ids), 2), dtype=np.float32)
        return SyncPlan(rebuild, cast, changed, moved)

    def _alpha(self, location: np.ndarray) -> np.ndarray:
        alpha = np.full(len(location), 255, dtype=np.uint8)
        indoor = location >= 0
        if len(self.park):
            in_park = np.zeros(len(location), dtype=bool)
            valid = indoor & (location < len(self.park))
            in_park[valid] = self.park[location[valid]]
            indoor &= ~in_park
        alpha[indoor] = INDOOR_ALPHA
        return alpha

    def progress(self, now: float | None = None) -> float:
        """0 at the previous tick's positions, 1 at this tick's."""
        now = time.perf_counter() if now is None else now
        return float(min(1.0, max(0.0, (now - self.received) / max(self.interval, 1e-3))))

    def current_positions(self, now: float | None = None) -> np.ndarray:
        """World positions interpolated between the last two snapshots (a reused buffer)."""
        if len(self._out) != len(self.cur):
            self._out = np.zeros((len(self.cur), 2), dtype=np.float32)
        t = self.progress(now)
        if t >= 1.0 or len(self.prev) != len(self.cur):
            self._out[:] = self.cur
        else:
            np.subtract(self.cur, self.prev, out=self._out)
            self._out *= t
            self._out += self.prev
        return self._out

    def animating(self, now: float | None = None) -> bool:
        return self.progress(now) < 1.0


def crowding(location: np.ndarray, park: np.ndarray, least: int = BADGE_MIN,
             least_in_park: int = PARK_BADGE_MIN) -> tuple[np.ndarray, np.ndarray]:
    """Per building, how many people its badge counts (0: no badge); and, per person, whether
    they are counted in a badge (and so not drawn). A park is outdoors: a few strolling there are
    drawn, a crowd (a festival, a lunch hour) becomes a count like any building's."""
    location = np.asarray(location, dtype=np.int64)
    inside = location >= 0
    size = max(len(park), int(location.max()) + 1 if len(location) else 0)
    counts = np.bincount(location[inside], minlength=size)
    threshold = np.full(size, least, dtype=np.int64)
    threshold[: len(park)][np.asarray(park, dtype=bool)] = least_in_park
    counts[counts < threshold] = 0
    hidden = np.zeros(len(location), dtype=bool)
    hidden[inside] = counts[location[inside]] > 0
    return counts, hidden


def density_grid(tiles_xy: np.ndarray, shape: tuple[int, int], cell: int = DENSITY_CELL,
                 weights: np.ndarray | None = None) -> np.ndarray:
    """(rows, cols) float32 people per cell of ``cell`` x ``cell`` tiles, row 0 at the map's top."""
    rows, cols = -(-shape[0] // cell), -(-shape[1] // cell)
    xy = np.asarray(tiles_xy, dtype=np.float64)
    if len(xy) == 0:
        return np.zeros((rows, cols), dtype=np.float32)
    c = np.clip((xy[:, 0] // cell).astype(np.int64), 0, cols - 1)
    r = np.clip((xy[:, 1] // cell).astype(np.int64), 0, rows - 1)
    counts = np.bincount(r * cols + c, weights=weights, minlength=rows * cols)
    return counts.reshape(rows, cols).astype(np.float32)


def heat_colours(grid: np.ndarray, full: float) -> np.ndarray:
    """(rows, cols, 4) uint8 RGBA of a density grid: clear where nobody is, then a faint warm yellow
    to an opaque red at ``full`` people a cell (a square-root scale: a lone walker shows, faintly,
    and the town stays readable under the quiet parts)."""
    level = np.sqrt(np.clip(grid / max(full, 1.0), 0.0, 1.0))[..., None]
    cool, mid, hot = (np.array(c, dtype=np.float32) for c in ((250, 226, 120), (240, 150, 60), (205, 55, 60)))
    rgb = np.where(level < 0.5, cool + (mid - cool) * (level * 2), mid + (hot - mid) * (level * 2 - 1))
    alpha = np.where(grid[..., None] > 0, 25 + 200 * level, 0)
    return np.concatenate([rgb, alpha], axis=-1).round().astype(np.uint8)


def pick_person(world_xy: np.ndarray, wx: float, wy: float, radius: float,
                visible: np.ndarray | None = None, prefer: np.ndarray | None = None) -> int:
    """Index of the person nearest (wx, wy) within ``radius`` world pixels, or -1.

    ``prefer`` (a bool mask, e.g. people outdoors) wins over the rest when both are in reach.
    """
    if len(world_xy) == 0:
        return -1
    # Sprites are drawn centred a little above their feet: hit-test that centre.
    d2 = (world_xy[:, 0] - wx) ** 2 + (world_xy[:, 1] - wy) ** 2
    if visible is not None:
        d2 = np.where(visible, d2, np.inf)
    inside = d2 <= radius * radius
    if not inside.any():
        return -1
    if prefer is not None and (inside & prefer).any():
        d2 = np.where(prefer, d2, np.inf)
    return int(np.argmin(d2))


def building_rects(buildings: list | tuple, map_height: int, tile: int = TILE) -> np.ndarray:
    """(m, 4) float32 left, bottom, right, top world pixels of each building footprint."""
    rects = np.zeros((len(buildings), 4), dtype=np.float32)
    for i, b in enumerate(buildings):
        rects[i] = (b.x * tile, (map_height - b.y - b.height) * tile, (b.x + b.width) * tile, (map_height - b.y) * tile)
    return rects


def pick_building(rects: np.ndarray, wx: float, wy: float) -> int:
    """Index of the building whose footprint holds (wx, wy), or -1 (the smallest wins)."""
    if len(rects) == 0:
        return -1
    inside = (rects[:, 0] <= wx) & (wx < rects[:, 2]) & (rects[:, 1] <= wy) & (wy < rects[:, 3])
    hits = np.flatnonzero(inside)
    if len(hits) == 0:
        return -1
    areas = (rects[hits, 2] - rects[hits, 0]) * (rects[hits, 3] - rects[hits, 1])
    return int(hits[np.argmin(areas)])


def in_view(world_xy: np.ndarray, rect: tuple[float, float, float, float], margin: float = 0.0) -> np.ndarray:
    left, right, bottom, top = rect
    x, y = world_xy[:, 0], world_xy[:, 1]
    return (x >= left - margin) & (x <= right + margin) & (y >= bottom - margin) & (y <= top + margin)


def choose_labels(world_xy: np.ndarray, rect: tuple[float, float, float, float], limit: int,
                  eligible: np.ndarray | None = None, always: int = -1) -> np.ndarray:
    """Indices that may get a label this frame, best first: on screen, nearest the centre, at most ``limit``.

    ``always`` (the selected one) comes first whenever it is on screen.
    """
    mask = in_view(world_xy, rect, margin=8.0)
    if eligible is not None:
        mask &= eligible
    if 0 <= always < len(world_xy) and mask[always]:
        mask[always] = False
        first = np.array([always], dtype=np.int64)
    else:
        first = np.zeros(0, dtype=np.int64)
    chosen = np.flatnonzero(mask)
    cx, cy = (rect[0] + rect[1]) / 2, (rect[2] + rect[3]) / 2
    d2 = (world_xy[chosen, 0] - cx) ** 2 + (world_xy[chosen, 1] - cy) ** 2
    room = max(0, limit - len(first))
    if len(chosen) > room:
        part = np.argpartition(d2, room - 1)[:room] if room else np.zeros(0, dtype=np.int64)
        chosen, d2 = chosen[part], d2[part]
    return np.concatenate([first, chosen[np.argsort(d2, kind="stable")]]).astype(np.int64)


def declutter(boxes: np.ndarray, pad: float = 1.0) -> np.ndarray:
    """Indices of boxes kept, in order, dropping any that overlaps one already kept.

    ``boxes`` is (k, 4) left, bottom, right, top, best first (callers sort by priority).
    """
    kept: list[int] = []
    if len(boxes) == 0:
        return np.zeros(0, dtype=np.int64)
    accepted = np.zeros((len(boxes), 4), dtype=np.float64)
    for i, (left, bottom, right, top) in enumerate(boxes):
        if kept:
            a = accepted[: len(kept)]
            hit = (a[:, 0] < right + pad) & (left - pad < a[:, 2]) & (a[:, 1] < top + pad) & (bottom - pad < a[:, 3])
            if hit.any():
                continue
        accepted[len(kept)] = (left, bottom, right, top)
        kept.append(i)
    return np.array(kept, dtype=np.int64)


def short_place_name(name: str) -> str:
    """'Novak House, 4 Oak Street' -> 'Novak House' (the map shows the short form)."""
    return name.split(",", 1)[0].strip()


def first_words(text: str, limit: int = 28) -> str:
    """The start of a line, cut at a word boundary, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(",.;:!?") + "…"


@dataclass
class Bubble:
    agent: int
    text: str  # what the bubble shows: the start of the line
    until: float
    full: str = ""  # the whole line, for the hover text


@dataclass
class BubbleBook:
    """Speech bubbles currently shown: one per person, the newest line wins, a bounded number.

    A bubble is left up at least ``read_seconds`` before a newer line of the same person's, or a
    newcomer to a full book, takes its place: at max speed a small town's people speak several lines a
    second, which nobody can read, and every new line is a picture to draw and upload.
    """

    seconds: float = 4.0
    limit: int = 48
    read_seconds: float = 2.0
    bubbles: OrderedDict[int, Bubble] = field(default_factory=OrderedDict)

    def being_read(self, agent: int, now: float) -> bool:
        """True while ``agent``'s bubble has been up for less than ``read_seconds``."""
        bubble = self.bubbles.get(agent)
        return bubble is not None and self._being_read(bubble, now)

    def _being_read(self, bubble: Bubble, now: float) -> bool:
        shown_at = bubble.until - self.seconds  # a line given in the same moment is not up yet
        return shown_at < now < shown_at + self.read_seconds

    def say(self, agent: int, text: str, now: float, delay: float = 0.0) -> None:
        old = self.bubbles.get(agent)
        if old is not None and self._being_read(old, now):
            return
        if old is None and len(self.bubbles) >= self.limit and self._being_read(next(iter(self.bubbles.values())), now):
            return
        self.bubbles.pop(agent, None)
        self.bubbles[agent] = Bubble(agent, first_words(text), now + delay + self.seconds, " ".join(text.split()))
        while len(self.bubbles) > self.limit:
            self.bubbles.popitem(last=False)

    def conversation(self, a: int, b: int, lines: tuple[tuple[int, str], ...], now: float) -> None:
        """Show each speaker's first line (the second speaker a beat later)."""
        said: set[int] = set()
        for speaker, text in lines:
            agent = a if speaker == 0 else b
            if agent not in said:
                self.say(agent, text, now, delay=0.0 if not said else 0.4)
                said.add(agent)

    def saying(self, agent: int) -> str:
        """The whole line someone's bubble shows the start of; "" when they are not speaking."""
        bubble = self.bubbles.get(agent)
        return bubble.full if bubble is not None else ""

    def expire(self, now: float) -> bool:
        """Drop finished bubbles; True if any went."""
        gone = [k for k, bubble in self.bubbles.items() if bubble.until <= now]
        for key in gone:
            del self.bubbles[key]
        return bool(gone)

    def active(self) -> list[Bubble]:
        return list(self.bubbles.values())

    def clear(self) -> None:
        self.bubbles.clear()


@dataclass(frozen=True)
class Detail:
    """What the map draws at a zoom level (zoom = screen pixels per world pixel)."""

    dots: bool  # far: a dot per person instead of sprites
    density: bool  # far in a big town: a density heat instead of the dots
    icons: bool  # activity icons above heads
    person_labels: bool
    building_labels: bool
    bubbles: bool


def level_of_detail(zoom: float, population: int) -> Detail:
    crowd = population > 2000
    return Detail(
        dots=zoom < (0.55 if crowd else 0.3),
        density=crowd and zoom < 0.55,
        icons=zoom >= (1.6 if crowd else 1.0),
        person_labels=zoom >= (2.0 if crowd else 1.5),
        building_labels=zoom >= (1.1 if crowd else 0.6),
        bubbles=zoom >= (1.0 if crowd else 0.6),
    )


def night_amount(minute_of_day: float) -> float:
    """0 in full day, 1 in deep night, with dusk 18:00-21:00 and dawn 5:00-7:30 in between."""
    m = minute_of_day % 1440
    if 7.5 * 60 <= m < 18 * 60:
        return 0.0
    if 18 * 60 <= m < 21 * 60:
        return (m - 18 * 60) / (3 * 60)
    if 5 * 60 <= m < 7.5 * 60:
        return 1.0 - (m - 5 * 60) / (2.5 * 60)
    return 1.0


def tint(night: float, night_colour: tuple[int, int, int]) -> tuple[int, int, int]:
    """The colour sprites are multiplied by: white by day, ``night_colour`` at night."""
    red, green, blue = night_colour
    return round(255 + (red - 255) * night), round(255 + (green - 255) * night), round(255 + (blue - 255) * night)
