"""The city map scene: sprite lists built once per world, fed from snapshots every frame.

Snapshots and events arrive on the GUI thread at any time (``set_snapshot``,
``add_events``); they only update numpy state. All GL work happens in
``paint``, which a host calls with its context current (never touch GL from a
mouse handler: there the context current may be another widget's, or none).

Draw order: ground, buildings and then objects (trees, benches, ...; day, then night
cross-faded on top), what is happening in town (flames and smoke, bunting, rain:
``app.map.incidents``), selection
(with the resize handle of a selected building), group highlight, tool ghosts, people (sprites; far out,
dots, or for a big town a density heat with the districts' names), activity icons, count badges on
crowded buildings (their people are not drawn: ``sync.crowding``), building names, person names,
speech bubbles. Night is a multiply tint on ground and people, and the
night building art (lit windows) faded in.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image
from pyglet.math import Mat4

from app.common.art import Art, load_art, person_variant
from app.common.event_batch import EventBatch
from app.map import sprite_sync as sync
from app.map.backdrop import Backdrop
from app.map.boot import arcade_module
from app.map.camera import MapCamera
from app.map.ground import TileGround
from app.map.incidents import Marks, incident_marks
from app.map.layers import CulledSprites, DotLayer, GridLayer, LabelPool, NumpySprites, PictureLayer, make_texture
from app.map.rects import RectBatch
from app.map.textures import (
    GroundTiles,
    badge_image,
    bubble_image,
    building_image,
    far_terrain_image,
    ground_tiles,
    label_image,
    prop_image,
    stamp_buildings,
    terrain_sketch,
)
from engine.contracts import BuildingType, ConversationHeld, StaticWorld, WorldSnapshot

arcade = arcade_module()

BACKGROUND = (46, 58, 92, 255)  # the palette's night blue, around the map's edge
SELECT_YELLOW = (246, 207, 87, 255)
GROUP_FILL = (246, 207, 87, 70)  # a rubber-band group: the selection's yellow, translucent
HANDLE_PX = 9.0  # the resize handle's side in screen pixels (at least)
DOT_COLOURS = np.array([  # by Activity: a legible heat when zoomed out
    (125, 140, 200), (239, 230, 210), (251, 248, 240), (236, 154, 76), (211, 90, 74),
    (232, 154, 174), (151, 196, 95), (246, 207, 87), (111, 168, 220)], dtype=np.uint8)
PERSON_LIFT = 5.0  # world px: sprites stand on their position instead of being centred on it
PERSON_LABELS, BUILDING_LABELS, BUBBLES = 160, 140, 48
BADGES, DISTRICT_LABELS = 120, 40
HEAT_FULL = 40.0  # people in one density cell (4x4 tiles) drawn at the reddest
NEW_LABELS_PER_FRAME = 6  # labels drawn for the first time per frame; the rest follow in the next frames
BUBBLE_RECENT_TICKS = 10
SIGHT_MARGIN_PX = 80  # screen px beyond the edge within which a talker is as good as on screen
PICK_REACH = 12.0  # screen px around a person's sprite that still picks them
FAR_GROUND_ZOOM = 0.4
FAR_SCALE = 4  # the far pictures are a quarter of the map's size
NEAREST_FROM = 0.75  # screen px a far texel covers from which it is sampled nearest (a third of linear's cost)
_GROUND_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="townsfolk-ground")


@dataclass
class FrameTimes:
    """Milliseconds spent in the last frame's stages (the benchmark reports them)."""

    sync_ms: float = 0.0  # snapshot -> sprite buffers
    draw_ms: float = 0.0
    extra: dict[str, float] = field(default_factory=dict)


@dataclass
class _Drawn:
    """What the drawing side keeps from frame to frame. One per scene, shared by the scene and every
    frozen copy of it (``Scene.freeze``): a copy is drawn on the render thread, and what it leaves
    for the next frame must reach the next copy."""

    built: StaticWorld | None = None  # the world whose sprite lists are on the GPU
    frames: int = 0
    labels_waiting: bool = False  # some labels were left for the next frame (see NEW_LABELS_PER_FRAME)
    activity_of: int = -1  # the snapshot (``Scene._serial``) whose activities are in the sprite buffers
    heat_of: int = -1  # ... and whose people are in the density heat
    ground_of: int = 0  # the painting job (``Scene._ground_number``) whose ground is on the GPU


def _paint_ground(art: Art, static: StaticWorld) -> tuple[GroundTiles, Any, Any]:
    """The ground's tile numbers (the GPU draws it from them at full size), and two quarter-size
    pictures of the whole town for far zoom.

    Far out, the buildings are baked into the picture (day, and night with the ground
    pre-tinted): one textured quad instead of thousands of tiny sprites. Runs on a worker thread.
    """
    tiles = ground_tiles(art, static.terrain, static.district_map)
    far = far_terrain_image(art, tiles, FAR_SCALE)
    tint = np.array([*art.night_tint, 255], dtype=np.uint16)
    far_night = Image.fromarray(((np.asarray(far).astype(np.uint16) * tint) // 255).astype(np.uint8))
    t = art.tile_size
    faces: dict[tuple[int, int, int, bool], Any] = {}
    for b in static.buildings:
        if b.removed:
            continue
        for night, picture in ((False, far), (True, far_night)):
            key = (b.type, b.width, b.height, night)
            if key not in faces:
                face = building_image(art, b.type, b.width, b.height, night)
                faces[key] = face.resize((max(1, face.width // FAR_SCALE), max(1, face.height // FAR_SCALE)),
                                         Image.Resampling.BOX)
            picture.alpha_composite(faces[key], (b.x * t // FAR_SCALE, b.y * t // FAR_SCALE))
    small = max(1, t // FAR_SCALE)
    tiny: dict[tuple[str, bool], Any] = {}
    for p in static.props:
        if p.removed:
            continue
        for night, picture in ((False, far), (True, far_night)):
            if (p.kind, night) not in tiny:
                tiny[p.kind, night] = prop_image(art, p.kind, night).resize((small, small), Image.Resampling.BOX)
            picture.alpha_composite(tiny[p.kind, night], (p.x * t // FAR_SCALE, p.y * t // FAR_SCALE))
    return tiles, far, far_night


class Scene:
    def __init__(self, art: Art | None = None):
        self.art = art or load_art()
        self.camera = MapCamera()
        self.pixel_ratio = 1.0
        self.static: StaticWorld | None = None
        self.snapshot: WorldSnapshot | None = None
        self.people: sync.PeopleSync | None = None
        self.bubbles = sync.BubbleBook()
        self.selected_person = -1
        self.selected_building = -1
        self.follow = False
        self.ghosts: list[tuple] = []  # god-mode tools: (left, bottom, width, height, rgba) in world px
        self.group: tuple[tuple[str, int], ...] = ()  # a rubber-band selection: ("person"|"building", index)
        self.show_handle = True  # a selected building shows its resize handle
        self.show_people = True  # off: the map without anyone on it (tests compare the two)
        self.show_incidents = True  # off: no fires, festivals, storms drawn (tests compare the two)
        self.times = FrameTimes()
        self.ctx: Any = None
        self._drawn = _Drawn()
        self._rects = np.zeros((0, 4), dtype=np.float32)
        self._variants = np.zeros(0, dtype=np.int64)
        self._gpu: dict[str, Any] = {}
        self._serial = 0  # snapshots taken so far: a new number says the people's buffers are out of date
        self._fit_pending = True
        self._ground_job: Future[Any] | None = None
        self._ground_number = 0  # painting jobs submitted so far
        self._placed: list[LabelPool] = []  # the label pools placed this frame, to draw in this order
        self._sketch_first = False  # a new world's first frame far out: the sketch only, no sprites to build
        self._backdrop: Backdrop | None = None  # made with the GL context

    # ------------------------------------------------------------------ data in (GUI thread)

    def set_snapshot(self, snapshot: WorldSnapshot) -> bool:
        """Take the newest snapshot; True if it is another world's (its first frame is due now)."""
        static = snapshot.static
        opened = False
        if static is not self.static:  # the engine publishes a new StaticWorld only when it changed
            opened = self._set_static(static)
        assert self.people is not None  # _set_static made it for the first world
        plan = self.people.update(snapshot.tick, snapshot.positions, snapshot.activity, snapshot.location)
        if plan.rebuild:
            self._variants = np.array([person_variant(p.id, len(self.art.people), p.age) for p in static.people])
        self._serial += 1
        self.snapshot = snapshot
        return opened

    def _set_static(self, static: StaticWorld) -> bool:
        new_world = self.static is None or self.static.name != static.name or \
            self.static.terrain.shape != static.terrain.shape
        self.static = static
        h = static.terrain.shape[0]
        park = np.array([b.type == BuildingType.PARK for b in static.buildings], dtype=bool)
        self.people = sync.PeopleSync(h, park)
        self._rects = sync.building_rects(static.buildings, h)
        for i, b in enumerate(static.buildings):
            if b.removed:  # demolished: nothing to draw or pick, far off the map
                self._rects[i] = (-1e6, -1e6, -1e6, -1e6)
        self.bubbles.clear()
        # Painting the ground picture takes ~0.1-0.6 s for a big town: do it off the GUI thread.
        self._paint_ground_of(static)
        if new_world:
            self.selected_person = self.selected_building = -1
            self.group = ()
            self.follow = False
            self._fit_pending = True
            self._sketch_first = True
        return new_world

    def _paint_ground_of(self, static: StaticWorld) -> None:
        self._ground_number += 1
        self._ground_job = _GROUND_POOL.submit(_paint_ground, self.art, static)

    def add_events(self, events: EventBatch) -> None:
        now = time.perf_counter()
        talks = events.only(ConversationHeld)
        if not talks:
            return
        # A batch may span many ticks (max speed, or a step of hundreds): only the last
        # few sim minutes are still "being said"; older lines would pile up at once.
        newest = max(e.tick for e in talks)
        book = self.bubbles
        recent = self._within_sight([e for e in talks if e.tick >= newest - BUBBLE_RECENT_TICKS
                                     and not (book.being_read(e.a, now) and book.being_read(e.b, now))])
        # Only the newest talks keep a bubble (the book holds ``limit`` people, the newest line each), and a
        # talk's lines are worded when first read: walk back until the book would be full and word just those.
        shown: set[int] = set()
        start = len(recent)
        while start > 0 and len(shown) < self.bubbles.limit:
            start -= 1
            shown.update((recent[start].a, recent[start].b))
        for event in recent[start:]:
            self.bubbles.conversation(event.a, event.b, event.lines, now)

    def _within_sight(self, talks: list[ConversationHeld]) -> list[ConversationHeld]:
        """The talks someone on screen (or about to walk on) takes part in. In a big town close up, the
        newest talks are nearly all elsewhere: they would fill the bubble book with bubbles nobody
        sees, and crowd out the people looked at."""
        if self.people is None or not talks:
            return talks
        where = self.people.cur  # as of the latest snapshot: a walker moves a few pixels in between
        pairs = np.array([(e.a, e.b) for e in talks], dtype=np.int64)
        known = (pairs < len(where)).all(axis=1)
        pairs[~known] = 0
        seen = sync.in_view(where, self.camera.world_rect(), margin=SIGHT_MARGIN_PX / self.camera.zoom)
        keep = known & seen[pairs].any(axis=1)
        return [talks[i] for i in np.flatnonzero(keep)]

    # ------------------------------------------------------------------ queries (pure numpy)

    @property
    def map_size(self) -> tuple[float, float]:
        if self.static is None:
            return 0.0, 0.0
        h, w = self.static.terrain.shape
        return float(w * sync.TILE), float(h * sync.TILE)

    def zoom_to_fit(self) -> None:
        w, h = self.map_size
        if w and h:
            self.camera.fit(0, 0, w, h)
            self._fit_pending = False

    def person_xy(self, index: int, now: float | None = None) -> tuple[float, float] | None:
        if self.people is None or not 0 <= index < self.people.count:
            return None
        x, y = self.people.current_positions(now)[index]
        return float(x), float(y) + PERSON_LIFT

    def building_xy(self, index: int) -> tuple[float, float] | None:
        if not 0 <= index < len(self._rects):
            return None
        left, bottom, right, top = self._rects[index]
        return float(left + right) / 2, float(bottom + top) / 2

    def pick(self, sx: float, sy: float) -> tuple[str, int] | None:
        """What is under screen point (sx, sy): ("person", i), ("building", i) or None."""
        if self.people is None:
            return None
        wx, wy = self.camera.screen_to_world(sx, sy)
        xy = self.people.current_positions().copy()
        xy[:, 1] += PERSON_LIFT
        # At least PICK_REACH screen pixels, so people a few pixels tall at the starting zoom are clicked, not
        # the building they stand by (a person in reach wins over any building).
        radius = max(9.0, PICK_REACH / self.camera.zoom)
        outdoors = self.people.alpha == 255
        drawn = self.people.alpha > 0  # those counted in a building's badge are not there to click
        person = sync.pick_person(xy, wx, wy, radius, visible=drawn, prefer=outdoors)
        if person >= 0:
            return ("person", person)
        building = sync.pick_building(self._rects, wx, wy)
        return ("building", building) if building >= 0 else None

    @property
    def building_rects(self) -> np.ndarray:
        """(m, 4) left, bottom, right, top world px of each building (demolished ones far off the map)."""
        return self._rects

    def people_world_xy(self) -> np.ndarray:
        """Where each person is drawn now, in world px (the point a click on them aims at)."""
        if self.people is None:
            return np.zeros((0, 2), dtype=np.float32)
        xy = self.people.current_positions().copy()
        xy[:, 1] += PERSON_LIFT
        return xy

    def handle_rect(self) -> tuple[float, float, float, float] | None:
        """The selected building's resize handle, centred on its bottom-right corner on screen:
        (left, bottom, width, height) in world px, or None."""
        index = self.selected_building
        if not self.show_handle or not 0 <= index < len(self._rects) or self._rects[index, 0] < -1e5:
            return None
        side = HANDLE_PX / self.camera.zoom
        right, bottom = float(self._rects[index, 2]), float(self._rects[index, 1])
        return right - side / 2, bottom - side / 2, side, side

    def on_handle(self, sx: float, sy: float, slack_px: float = 3.0) -> bool:
        """Is screen point (sx, sy) on the resize handle (give or take a few pixels)?"""
        rect = self.handle_rect()
        if rect is None:
            return False
        wx, wy = self.camera.screen_to_world(sx, sy)
        slack = slack_px / self.camera.zoom
        left, bottom, width, height = rect
        return left - slack <= wx <= left + width + slack and bottom - slack <= wy <= bottom + height + slack

    def overlays(self, xy: np.ndarray) -> list[tuple[float, float, float, float, tuple, bool]]:
        """What the selection adds on top of the buildings: the group's boxes and the resize
        handle, as (left, bottom, width, height, rgba, filled) in world px."""
        out: list[tuple[float, float, float, float, tuple, bool]] = []
        person_box = max(10.0, 12.0 / self.camera.zoom)
        for kind, index in self.group:
            if kind == "building" and 0 <= index < len(self._rects) and self._rects[index, 0] > -1e5:
                x0, y0, x1, y1 = (float(v) for v in self._rects[index])
                out.append((x0, y0, x1 - x0, y1 - y0, GROUP_FILL, True))
            elif kind == "person" and 0 <= index < len(xy):
                x, y = float(xy[index, 0]), float(xy[index, 1]) + PERSON_LIFT
                out.append((x - person_box / 2, y - person_box / 2, person_box, person_box, GROUP_FILL, True))
        handle = self.handle_rect()
        if handle is not None:
            out.append((*handle, SELECT_YELLOW, True))
        return out

    def animating(self) -> bool:
        burning = self.snapshot is not None and bool(self.snapshot.incidents)  # flames, smoke and rain move
        return bool(self.people and self.people.animating()) or bool(self.bubbles.bubbles) or self.follow or burning \
            or self._labels_waiting

    @property
    def _labels_waiting(self) -> bool:
        return self._drawn.labels_waiting

    def freeze(self, width: float, height: float) -> Scene:
        """A copy of what the next frame is drawn from, for the render thread to draw (``paint``) while
        this thread goes on changing the scene: the camera (sized, fitted and following here, so picks
        on this thread see what is drawn), the people's interpolation state, the speech bubbles and what
        is selected. The snapshot and the world are never changed once made; the GPU side (sprite lists,
        backdrop, ``_Drawn``) is the render thread's and shared, not copied."""
        self.camera.resize(width, height)
        if self._fit_pending:
            self.zoom_to_fit()
        people = self.people
        if self.follow and people is not None and 0 <= self.selected_person < people.count:
            x, y = people.current_positions()[self.selected_person]
            self.camera.look_at(float(x), float(y) + PERSON_LIFT)
        self.bubbles.expire(time.perf_counter())
        if self._ground_job is not None and self._drawn.ground_of == self._ground_number:
            self._ground_job = None  # its pictures are on the GPU: let go of them
        frame = copy.copy(self)
        frame.camera = copy.copy(self.camera)
        if people is not None:
            # PeopleSync.update puts new arrays in place of the old: a shallow copy keeps a consistent set.
            frame.people = copy.copy(people)
            frame.people._out = np.zeros_like(people._out)  # current_positions' buffer, written on drawing
        frame.bubbles = dataclasses.replace(self.bubbles, bubbles=OrderedDict(self.bubbles.bubbles))
        frame.ghosts = list(self.ghosts)
        frame._placed = []
        self._sketch_first = False  # the copy draws the first frame
        return frame

    # ------------------------------------------------------------------ GL

    def gl_ready(self, ctx: Any) -> None:
        self.ctx = ctx
        art = self.art
        make = make_texture
        self._gpu = {
            "people": [make(img, f"person_{i}") for i, img in enumerate(art.people)],
            "icons": [make(art.icons[k], f"icon_{k}") for k in art.icons],
            "dot": make(art.dot, "dot"),
            "ring": make(art.selected, "selected"),
            "rects": RectBatch(ctx),
        }
        self._backdrop = Backdrop(ctx)
        self._drawn.built = None
        if self.static is not None and self._ground_job is None:  # a new context: the ground again
            self._paint_ground_of(self.static)

    def _build(self, static: StaticWorld) -> None:
        """Build every sprite list for this world (on a world change, or the cast's)."""
        ctx, art, gpu = self.ctx, self.art, self._gpu
        t = sync.TILE
        if (self._ground_job is not None and self._drawn.ground_of != self._ground_number) or "ground" not in gpu:
            gpu["ground"] = None  # uploaded by _build_ground once the worker has painted it

        gpu["day"] = gpu["night"] = gpu["props_day"] = gpu["props_night"] = None  # see _build_buildings

        n = len(static.people)
        people = NumpySprites(n, gpu["people"][0])
        ids = np.array([people.texture_id(tx) for tx in gpu["people"]], dtype=np.float32)
        people.tex[:] = ids[self._variants % len(ids)] if len(self._variants) == n else ids[0]
        people.touch(tex=True)
        dots = DotLayer(self.ctx, n)
        icons = NumpySprites(n, gpu["icons"][0])
        icons.size[:] = 10
        icons.touch(size=True)
        gpu["people_list"], gpu["dots"], gpu["icons_list"] = people, dots, icons
        gpu["icon_ids"] = np.array([icons.texture_id(tx) for tx in gpu["icons"]], dtype=np.float32)
        rows, cols = -(-static.terrain.shape[0] // sync.DENSITY_CELL), -(-static.terrain.shape[1] // sync.DENSITY_CELL)
        cell = sync.DENSITY_CELL * t
        gpu["heat"] = GridLayer(ctx, rows, cols, (0.0, static.terrain.shape[0] * t - rows * cell,
                                                  cols * cell, rows * cell))
        # Until the worker has painted the ground: a pixel per tile, so the first frame shows the town.
        h, w = static.terrain.shape
        gpu["sketch"] = GridLayer(ctx, h, w, (0.0, 0.0, w * t, h * t), smooth=False)
        gpu["sketch"].write(stamp_buildings(terrain_sketch(art, static.terrain, static.district_map), art,
                                            static.buildings))
        self._drawn.heat_of = -1
        ring = arcade.SpriteList(capacity=1)
        ring.append(arcade.Sprite(gpu["ring"]))
        gpu["ring_list"] = ring

        blank = gpu["dot"]
        scale = self.pixel_ratio
        people_names = {i: p.name.split(" ")[0] if n > 500 else p.name for i, p in enumerate(static.people)}
        names = {b.id: sync.short_place_name(b.name) for b in static.buildings}
        # One texture a text, shared by everyone who bears it: 10,000 people have ~100 first names, so
        # after the first few frames close up no name is drawn with Pillow again.
        person_label = functools.cache(lambda text: make_texture(label_image(text, scale=scale), f"pl_{text}_{scale}"))
        sign = functools.cache(lambda text: make_texture(label_image(text, bold=True, pill=True, scale=scale),
                                                         f"bl_{text}_{scale}"))
        gpu["person_labels"] = LabelPool[int](PERSON_LABELS, blank, lambda k: person_label(people_names.get(k, "?")))
        gpu["building_labels"] = LabelPool[int](BUILDING_LABELS, blank, lambda k: sign(names.get(k, "?")))
        gpu["badges"] = LabelPool[int](BADGES, blank, lambda k: make_texture(
            badge_image(k, scale=scale), f"badge_{k}_{scale}"))
        districts = {d.id: d.name for d in static.districts}
        gpu["district_labels"] = LabelPool[int](DISTRICT_LABELS, blank, lambda k: make_texture(
            label_image(districts.get(k, "?"), bold=True, pill=True, scale=scale * 1.3),
            f"dl_{k}_{districts.get(k)}_{scale}"))
        gpu["bubbles"] = LabelPool[tuple[int, str]](BUBBLES, blank, lambda k: make_texture(
            bubble_image(art, k[1], scale=scale), f"bubble_{k[1]}_{scale}"))
        self._drawn.activity_of = -1
        self._drawn.built = static
        ctx.gc()

    def _build_buildings(self, static: StaticWorld) -> None:
        """A sprite per standing building and object, day and night (a big town's take ~0.1-0.3 s: the
        first frame of a new world is drawn from the sketch instead, see ``paint``)."""
        art, gpu, t = self.art, self._gpu, sync.TILE
        faces: dict[tuple[int, int, int, bool], Any] = {}
        day, night = arcade.SpriteList(capacity=len(static.buildings)), arcade.SpriteList(capacity=len(static.buildings))
        standing = [(b, rect) for b, rect in zip(static.buildings, self._rects, strict=True) if not b.removed]
        for b, rect in standing:  # demolished ones are not drawn
            for is_night, layer in ((False, day), (True, night)):
                key = (b.type, b.width, b.height, is_night)
                if key not in faces:
                    faces[key] = make_texture(building_image(art, b.type, b.width, b.height, is_night),
                                              f"building_{key}")
                s = arcade.BasicSprite(faces[key])
                s.width, s.height = b.width * t, b.height * t
                s.position = ((rect[0] + rect[2]) / 2, (rect[1] + rect[3]) / 2)
                layer.append(s)
        boxes = np.array([rect for _b, rect in standing], dtype=np.float32).reshape(-1, 4)
        gpu["day"], gpu["night"] = CulledSprites(day, boxes), CulledSprites(night, boxes)
        gpu["props_day"], gpu["props_night"] = self._build_props(static)

    def _build_props(self, static: StaticWorld) -> tuple[Any, Any]:
        """One sprite per standing object, day and night (removed ones are not drawn)."""
        t, rows = sync.TILE, static.terrain.shape[0]
        standing = [p for p in static.props if not p.removed]
        day, night = arcade.SpriteList(capacity=max(1, len(standing))), arcade.SpriteList(capacity=max(1, len(standing)))
        textures: dict[tuple[str, bool], Any] = {}
        for p in standing:
            for is_night, layer in ((False, day), (True, night)):
                key = (p.kind, is_night)
                if key not in textures:
                    textures[key] = make_texture(prop_image(self.art, p.kind, is_night), f"prop_{p.kind}_{is_night}")
                sprite = arcade.BasicSprite(textures[key])
                sprite.width = sprite.height = t
                sprite.position = ((p.x + 0.5) * t, (rows - p.y - 0.5) * t)
                layer.append(sprite)
        boxes = np.array([(p.x * t, (rows - p.y - 1) * t, (p.x + 1) * t, (rows - p.y) * t) for p in standing],
                         dtype=np.float32).reshape(-1, 4)
        return CulledSprites(day, boxes), CulledSprites(night, boxes)

    def _build_ground(self, static: StaticWorld, job: Future[Any]) -> None:
        """Upload the ground pictures ``job`` painted on a worker thread (the PIL images are let go)."""
        ctx, gpu = self.ctx, self._gpu
        h, w = static.terrain.shape
        t = sync.TILE
        tiles, far, far_night = job.result()
        rect = (0.0, 0.0, float(w * t), float(h * t))
        gpu["ground"] = TileGround(ctx, tiles, rect)
        gpu["ground_far"] = PictureLayer(ctx, far, rect, night=far_night)

    @property
    def ready(self) -> bool:
        """Everything of the current world is on the GPU (the ground included)."""
        return self._drawn.built is self.static and self.static is not None and self._gpu.get("ground") is not None \
            and self._gpu.get("day") is not None

    def paint(self, ctx: Any, width: float, height: float) -> None:
        started = time.perf_counter()
        self.camera.resize(width, height)
        ctx.active_framebuffer.clear(color=BACKGROUND)
        static, people = self.static, self.people
        if static is None or people is None:
            return
        if self._drawn.built is not static or self._gpu.get("people_list") is None \
                or self._gpu["people_list"].count != people.count:
            self._build(static)
        if self._gpu.get("ground") is None and self._ground_job is not None and self._ground_job.done():
            self._build_ground(static, self._ground_job)
            self._drawn.ground_of = self._ground_number
            self._ground_job = None  # the pictures are on the GPU now: let go of them (``freeze`` does for a copy's scene)
        if self._fit_pending:
            self.zoom_to_fit()
        sketch_only = self._sketch_first and self._gpu.get("ground") is None and self.camera.zoom < FAR_GROUND_ZOOM
        self._sketch_first = False
        if self._gpu.get("day") is None and not sketch_only:
            self._build_buildings(static)
        now = time.perf_counter()
        xy = people.current_positions(now)
        if self.follow and 0 <= self.selected_person < people.count:
            self.camera.look_at(xy[self.selected_person, 0], xy[self.selected_person, 1] + PERSON_LIFT)
        detail = sync.level_of_detail(self.camera.zoom, people.count)
        self._update_people(xy, detail)
        synced = time.perf_counter()
        self._draw(ctx, xy, detail, now)
        self.times.sync_ms = (synced - started) * 1000
        self.times.draw_ms = (time.perf_counter() - synced) * 1000
        self._drawn.frames += 1
        if self._drawn.frames % 600 == 0:
            ctx.gc()

    def _update_people(self, xy: np.ndarray, detail: sync.Detail) -> None:
        gpu, people, snapshot = self._gpu, self.people, self.snapshot
        assert people is not None
        if self._drawn.activity_of != self._serial and snapshot is not None and len(snapshot.activity) == people.count:
            act = np.clip(snapshot.activity.astype(np.int64), 0, len(gpu["icon_ids"]) - 1)
            icons, dots, sprites = gpu["icons_list"], gpu["dots"], gpu["people_list"]
            icons.tex[:] = gpu["icon_ids"][act]
            # Indoors, an icon over the roof still says what they do; keep it, faded like the person.
            icons.color[:, 3] = people.alpha
            icons.touch(tex=True, color=True)
            dots.color[: people.count, :3] = DOT_COLOURS[act]
            dots.color[: people.count, 3] = people.alpha
            dots.colours_changed()
            sprites.color[:, 3] = people.alpha
            sprites.touch(color=True)
            self._drawn.activity_of = self._serial
        if detail.density:
            if self._drawn.heat_of != self._serial and snapshot is not None:
                grid = sync.density_grid(snapshot.positions, self.static.terrain.shape if self.static else (1, 1))
                gpu["heat"].write(sync.heat_colours(grid, HEAT_FULL))
                self._drawn.heat_of = self._serial
        elif detail.dots:
            gpu["dots"].set_positions(xy, dy=PERSON_LIFT)
        else:
            gpu["people_list"].set_positions(xy, dy=PERSON_LIFT)
            if detail.icons:
                gpu["icons_list"].set_positions(xy, dy=PERSON_LIFT + 13)

    def _draw(self, ctx: Any, xy: np.ndarray, detail: sync.Detail, now: float) -> None:
        gpu, cam, static, people = self._gpu, self.camera, self.static, self.people
        assert static is not None and people is not None
        # New labels go into the texture atlas the people's sprites also read: written after those
        # sprites were drawn, a software rasterizer must finish drawing the frame so far first, in
        # the middle of the draw calls. Placed first, they are drawn last, over everything else.
        labels = self._place_labels(xy, detail, now)
        left, right, bottom, top = cam.world_rect()
        ctx.projection_matrix = Mat4.orthogonal_projection(left, right, bottom, top, -100, 100)
        ctx.view_matrix = Mat4()
        minute = self.snapshot.minute_of_day if self.snapshot is not None else 12 * 60
        night = sync.night_amount(minute)
        tint = sync.tint(night, self.art.night_tint)
        for name in ("day", "props_day", "people_list", "icons_list"):
            layer = gpu[name].list if isinstance(gpu[name], NumpySprites | CulledSprites) else gpu[name]
            if layer is not None:
                layer.color = (*tint, 255)
        far = cam.zoom < FAR_GROUND_ZOOM and gpu["ground"] is not None
        # Over a big town, the density heat goes into the ground's own pass close up (a software
        # rasterizer pays ~10-25 ms for each full-screen pass): it is then under what follows.
        heat = gpu["heat"] if self.show_people and detail.density and gpu["ground"] is not None else None
        if gpu["ground"] is None:
            gpu["sketch"].draw()
        if far:
            # Far out: the quarter-size town pictures. Sampling the full-size ground scatters texel
            # reads all over memory (an atlas has no mipmaps) and thousands of tiny building
            # sprites cost more than they show; a software rasterizer pays dearly for both.
            # By night the night picture is mixed in, in the same pass.
            # The picture is kept from frame to frame (``_draw_kept``); the heat, new with every snapshot,
            # is laid over it.
            smooth = cam.zoom * FAR_SCALE < NEAREST_FROM
            far_ground = gpu["ground_far"]
            self._draw_kept(ctx, ("far", tint, round(255 * night), smooth, far_ground),
                            lambda: far_ground.draw(tint, night_amount=night, smooth=smooth))
            if heat is not None:
                far_ground.draw_overlay(heat)
        elif gpu["day"] is not None:  # not yet built in a new world's first frame: the sketch shows them
            # Kept from frame to frame while nothing of it changes: not with the heat in the ground's pass.
            # The sprites' atlas grows as labels are added, and where sprites sample it moves by a hair.
            atlas = gpu["day"].list.atlas
            key = None if heat is not None or gpu["ground"] is None else \
                ("near", tint, round(255 * night), cam.zoom < 1.0, gpu["ground"], gpu["day"], gpu["props_day"],
                 atlas, atlas.size)
            self._draw_kept(ctx, key, lambda: self._draw_near(tint, night, heat))
        if self.show_incidents and self.snapshot is not None and self.snapshot.incidents:
            _draw_marks(incident_marks(self.snapshot.incidents, self._rects, static.terrain.shape[0], sync.TILE, now))
        rects: RectBatch = gpu["rects"]
        border = max(1.5, 2.5 / cam.zoom)  # the selected building's outline; the group's and the handle's alike
        if 0 <= self.selected_building < len(self._rects):
            x0, y0, x1, y1 = (float(v) for v in self._rects[self.selected_building])
            rects.outline(x0, y0, x1 - x0, y1 - y0, SELECT_YELLOW, border)
        for left, bottom, width, height, rgba, filled in self.overlays(xy):
            if filled:
                rects.fill(left, bottom, width, height, rgba)
            rects.outline(left, bottom, width, height, SELECT_YELLOW, border)
        for left, bottom, width, height, rgba in self.ghosts:
            rects.fill(left, bottom, width, height, rgba)
            rects.outline(left, bottom, width, height, rgba[:3], max(1.0, 1.5 / cam.zoom))
        rects.draw()
        selected = self.selected_person
        if 0 <= selected < len(xy):
            ring = gpu["ring_list"][0]
            ring.position = (float(xy[selected, 0]), float(xy[selected, 1]) + PERSON_LIFT - 1)
            ring.scale = max(1.0, 12.0 / (20 * cam.zoom))
            gpu["ring_list"].draw(pixelated=True)
        if not self.show_people:
            pass
        elif detail.density:
            if heat is None:  # not drawn with the ground: the ground is still being painted
                gpu["heat"].draw()
        elif detail.dots:
            # A little bigger than a pixel at any zoom, in framebuffer pixels.
            gpu["dots"].draw(size_px=(2.0 if people.count > 2000 else 3.0) * self.pixel_ratio)
        else:
            # Only those in view and not counted in a badge: the rest would cost the geometry shader.
            left, right, bottom, top = cam.world_rect()
            margin = 32.0  # world px: a sprite standing just outside still shows its head
            rows = np.flatnonzero(sync.in_view(xy, (left, right, bottom, top), margin) & (people.alpha > 0))
            gpu["people_list"].draw(pixelated=True, rows=rows)
            if detail.icons:
                gpu["icons_list"].draw(pixelated=True, rows=rows)
        for pool in labels:
            pool.draw()

    def _draw_kept(self, ctx: Any, key: tuple | None, draw: Callable[[], None]) -> None:
        """``draw`` what stays still between frames, or copy it from the backdrop if it was drawn for
        the same ``key`` (and camera, and frame size) before. ``key`` None: drawn, not kept."""
        target = ctx.active_framebuffer
        if key is None or self._backdrop is None:
            draw()
            return
        key = (self.camera.world_rect(), tuple(target.size), *key)
        if not self._backdrop.holds(key):
            self._backdrop.begin(key, tuple(target.size)).clear(color=BACKGROUND)
            draw()
        self._backdrop.copy_into(target)

    def _draw_near(self, tint: tuple[int, int, int], night: float, heat: GridLayer | None) -> None:
        """Ground, buildings and objects close up (the density heat, if any, in the ground's pass)."""
        gpu, cam = self._gpu, self.camera
        view = cam.world_rect()
        if gpu["ground"] is not None:
            gpu["ground"].draw(tint, smooth=cam.zoom < 1.0, overlay=heat)
        gpu["day"].draw(view)
        if night > 0:
            gpu["night"].list.alpha = round(255 * night)
            gpu["night"].draw(view)
        gpu["props_day"].draw(view)
        if night > 0:
            gpu["props_night"].list.alpha = round(255 * night)
            gpu["props_night"].draw(view)

    def _labels(self, pool: LabelPool, keys: list, anchors: np.ndarray, lift_px: float,
                alpha: np.ndarray | None = None, shift_tail: bool = False) -> None:
        """Place labels best-first, dropping any that would overlap one already placed; the pool is
        drawn later (see ``_draw``)."""
        zoom, scale = self.camera.zoom, self.pixel_ratio
        ready, waiting = pool.ready(keys, NEW_LABELS_PER_FRAME)
        self._drawn.labels_waiting |= waiting
        if waiting:
            keys, anchors = [keys[i] for i in ready], anchors[ready]
            alpha = None if alpha is None else alpha[ready]
        if not keys:
            pool.hide()
            return
        self._placed.append(pool)
        sizes = np.array([pool.screen_size(k, scale) for k in keys], dtype=np.float64) / zoom
        anchors = anchors.astype(np.float64)
        if shift_tail:  # a bubble's tail is at its lower left: shift it to point at the speaker
            anchors[:, 0] += sizes[:, 0] / 2 - 6 / zoom
            # A speaker by the map's right or top edge: the bubble slides in to be read whole (its tail
            # then points a little aside) rather than being cut off mid-word.
            left, right, _bottom, top = self.camera.world_rect()
            half = sizes[:, 0] / 2
            anchors[:, 0] = np.maximum(np.minimum(anchors[:, 0], right - half), left + half)
            anchors[:, 1] = np.minimum(anchors[:, 1], top - sizes[:, 1] - lift_px / zoom)
        bottom = anchors[:, 1] + lift_px / zoom
        boxes = np.column_stack((anchors[:, 0] - sizes[:, 0] / 2, bottom, anchors[:, 0] + sizes[:, 0] / 2,
                                 bottom + sizes[:, 1]))
        kept = sync.declutter(boxes, pad=2 / zoom)
        pool.show([keys[i] for i in kept], anchors[kept].astype(np.float32), zoom, lift_px=lift_px, scale=scale,
                  alpha=None if alpha is None else alpha[kept])

    def badge_anchors(self) -> tuple[np.ndarray, np.ndarray]:
        """Buildings showing a count badge, most crowded first, and where each badge stands (world px)."""
        if self.people is None or len(self.people.badges) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 2), dtype=np.float32)
        counts = self.people.badges[: len(self._rects)]
        chosen = np.flatnonzero(counts)
        chosen = chosen[np.argsort(-counts[chosen], kind="stable")]
        rects = self._rects[chosen]
        anchors = np.column_stack(((rects[:, 0] + rects[:, 2]) / 2, (rects[:, 1] + rects[:, 3]) / 2))
        return chosen, anchors.astype(np.float32)

    def _draw_badges(self, detail: sync.Detail) -> None:
        badges: LabelPool = self._gpu["badges"]
        people = self.people
        assert people is not None
        chosen, anchors = self.badge_anchors()
        if not self.show_people or detail.density or len(chosen) == 0:
            badges.hide()
            return
        visible = sync.in_view(anchors, self.camera.world_rect(), margin=30 / self.camera.zoom)
        chosen, anchors = chosen[visible][:BADGES], anchors[visible][:BADGES]
        self._labels(badges, [int(people.badges[i]) for i in chosen], anchors, lift_px=-6)

    def _draw_districts(self, detail: sync.Detail) -> None:
        """Far out over a big town's density, the districts' names say which part is which."""
        pool: LabelPool = self._gpu["district_labels"]
        static = self.static
        if not detail.density or static is None or not static.districts:
            pool.hide()
            return
        t, rows = sync.TILE, static.terrain.shape[0]
        areas = np.array([d.bounds for d in static.districts], dtype=np.float64)
        anchors = np.column_stack(((areas[:, 0] + areas[:, 2] / 2) * t, (rows - areas[:, 1] - areas[:, 3] / 2) * t))
        self._labels(pool, [d.id for d in static.districts], anchors, lift_px=0)

    def _place_labels(self, xy: np.ndarray, detail: sync.Detail, now: float) -> list[LabelPool]:
        """Place this frame's labels; returns the pools to draw, in order."""
        gpu, cam, people = self._gpu, self.camera, self.people
        assert people is not None
        self._drawn.labels_waiting = False
        self._placed = []
        self._draw_districts(detail)
        self._draw_badges(detail)
        rect = cam.world_rect()
        head = PERSON_LIFT + (20 if detail.icons else 8)
        # Speech first: bubbles win the space, then names, then building signs.
        self.bubbles.expire(now)
        bubbles: LabelPool = gpu["bubbles"]
        active = [b for b in reversed(self.bubbles.active())
                  if b.until - self.bubbles.seconds <= now and b.agent < len(xy)]
        if detail.bubbles and active:
            agents = np.array([b.agent for b in active])
            visible = sync.in_view(xy[agents], rect, margin=40 / cam.zoom)
            keys = [(b.agent, b.text) for b, v in zip(active, visible, strict=True) if v]
            anchors = xy[agents[visible]].copy()
            anchors[:, 1] += head + (14 / cam.zoom if detail.person_labels else 0)
            self._labels(bubbles, keys, anchors, lift_px=1, shift_tail=True)
            if bubbles.cached > 4 * BUBBLES:
                live = set(keys)
                bubbles.forget([k for k in bubbles.cached_keys() if k not in live][: 2 * BUBBLES])
        else:
            bubbles.hide()
        names: LabelPool = gpu["person_labels"]
        if detail.person_labels:
            outdoors = people.alpha == 255
            eligible = outdoors | ((cam.zoom >= 3.0) & (people.alpha > 0))
            chosen = sync.choose_labels(xy, rect, PERSON_LABELS, eligible=eligible,
                                        always=self.selected_person)
            anchors = xy[chosen].copy()
            anchors[:, 1] += head
            self._labels(names, [int(i) for i in chosen], anchors, lift_px=0, alpha=people.alpha[chosen])
        elif 0 <= self.selected_person < len(xy):
            anchors = xy[[self.selected_person]].copy()
            anchors[:, 1] += head
            self._labels(names, [self.selected_person], anchors, lift_px=1)
        else:
            names.hide()
        signs: LabelPool = gpu["building_labels"]
        if detail.building_labels and len(self._rects):
            centres = np.column_stack(((self._rects[:, 0] + self._rects[:, 2]) / 2, self._rects[:, 1] + 2))
            chosen = sync.choose_labels(centres, rect, BUILDING_LABELS, always=self.selected_building)
            self._labels(signs, [int(i) for i in chosen], centres[chosen], lift_px=0)
        else:
            signs.hide()
        return self._placed


def _draw_marks(marks: Marks) -> None:
    """What is happening in town, over the buildings (see ``app.map.incidents``)."""
    for left, bottom, width, height, rgba in marks.rects:
        arcade.draw_lbwh_rectangle_filled(left, bottom, width, height, rgba)
    for x, y, radius, rgba in marks.circles:
        arcade.draw_circle_filled(x, y, radius, rgba)
    for points, rgba, width in marks.lines:
        arcade.draw_lines(points, rgba, width)
    for points, rgba, size in marks.points:
        arcade.draw_points(points, rgba, size)
