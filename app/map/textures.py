"""Pillow images for the map: the terrain picture, building faces, name labels, bubbles.

Everything here is CPU work on Pillow/numpy images; :mod:`app.map.layers` turns
them into arcade textures. Text is drawn with a font that ships inside arcade,
so labels look the same on every machine, fonts installed or not.
"""

from __future__ import annotations

import importlib.util
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from app.common.art import BUILDING_KEYS, TERRAIN_KEYS, Art
from engine.contracts import BuildingInfo

OUTLINE = (36, 27, 47, 255)  # the art's outline colour
CREAM = (251, 248, 240, 255)
LABEL_FONT_PX = 11
# Subtle per-district tints laid over the grass so districts read apart (alpha 0..255).
DISTRICT_TINTS = [(255, 214, 140), (150, 210, 255), (255, 170, 190), (190, 255, 170), (220, 190, 255),
                  (255, 240, 160), (160, 255, 230), (255, 200, 150)]
DISTRICT_TINT_ALPHA = 0.07
TERRAIN_BAND_TILES = 16  # tile rows laid out at a time (~4 MB of a big town's picture)


def font_path(bold: bool = False) -> Path:
    # find_spec, not import: app.map.boot must choose the backend before arcade is imported.
    spec = importlib.util.find_spec("arcade")
    base = Path(spec.origin if spec and spec.origin else ".").parent / "resources" / "system" / "fonts" / "ttf" / "Liberation"
    return base / ("Liberation_Sans_Bold.ttf" if bold else "Liberation_Sans_Regular.ttf")


@lru_cache(maxsize=8)
def _font(px: int, bold: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(str(font_path(bold)), px)
    except OSError:
        return ImageFont.load_default()


def _text_box(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, text: str,
              stroke: int = 0) -> tuple[int, int, int, int]:
    """Where ``text`` inks, in whole pixels (both font kinds measure in pixels; Pillow's types say float)."""
    left, top, right, bottom = font.getbbox(text, stroke_width=stroke)
    return int(left), int(top), int(right), int(bottom)


def _tile_hash(h: int, w: int) -> np.ndarray:
    """A fixed per-tile pseudo-random number (variant choice must not flicker between runs)."""
    y, x = np.mgrid[0:h, 0:w].astype(np.uint32)
    v = (x * np.uint32(73856093)) ^ (y * np.uint32(19349663))
    v ^= v >> np.uint32(13)
    v *= np.uint32(1274126177)
    return v ^ (v >> np.uint32(16))


@dataclass(frozen=True)
class GroundTiles:
    """The ground as tile numbers: which tile of ``atlas`` each map tile shows.

    The atlas holds every tile variant under every district tint (untinted first), so the ground's
    pixels are ``atlas[ids]`` laid out tile by tile: the GPU draws them so
    (:class:`app.map.ground.TileGround`), never holding the 50 MB picture a 10,000-person town's
    ground is; :func:`terrain_image` lays the same picture out on the CPU."""

    ids: np.ndarray  # (h, w) uint16, row 0 at the map's top
    atlas: np.ndarray  # (k, t, t, 4) uint8, tile rows top first


def ground_tiles(art: Art, terrain: np.ndarray, district_map: np.ndarray | None = None) -> GroundTiles:
    """Each tile's variant (a fixed per-tile hash among its kind's) and district tint, as one atlas number."""
    h, w = terrain.shape
    t = art.tile_size
    tiles: list[np.ndarray] = []
    first: list[int] = []
    counts: list[int] = []
    for key in TERRAIN_KEYS:
        first.append(len(tiles))
        variants = [np.asarray(img.resize((t, t)) if img.size != (t, t) else img) for img in art.terrain[key]]
        tiles.extend(variants)
        counts.append(len(variants))
    stack = np.stack(tiles)  # (k, t, t, 4)
    kinds = np.clip(terrain.astype(np.int64), 0, len(TERRAIN_KEYS) - 1)
    variant = np.array(first)[kinds] + (_tile_hash(h, w) % np.array(counts)[kinds])
    multipliers = _tint_multipliers()  # (tints, 3)
    tinted = np.empty((len(stack), len(multipliers) + 1, t, t, 4), dtype=np.uint8)
    tinted[:, 0] = stack
    for j, mult in enumerate(multipliers, start=1):
        tinted[:, j] = stack
        tinted[:, j, ..., :3] = (stack[..., :3].astype(np.uint16) * mult >> 8).astype(np.uint8)
    tint = np.zeros((h, w), dtype=np.int64)
    if district_map is not None and district_map.shape == terrain.shape:
        ids = district_map.astype(np.int64)
        grassy = ((terrain == 0) | (terrain == 5)) & (ids >= 0)
        tint[grassy] = ids[grassy] % len(multipliers) + 1
    return GroundTiles((variant * (len(multipliers) + 1) + tint).astype(np.uint16),
                       tinted.reshape(-1, t, t, 4))


def terrain_image(art: Art, terrain: np.ndarray, district_map: np.ndarray | None = None) -> Image.Image:
    """The whole ground as one picture, row 0 at the top: what the GPU draws from ``ground_tiles``.

    Laid out a band of ``TERRAIN_BAND_TILES`` tile rows at a time straight into the picture
    (done whole, a 10,000-person town's 50 MB picture needed ~100 MB of numpy temporaries)."""
    tiles = ground_tiles(art, terrain, district_map)
    return Image.fromarray(_lay_out(tiles.atlas, tiles.ids))  # (h, w, 4) uint8 is RGBA


def far_terrain_image(art: Art, tiles: GroundTiles, reduce: int) -> Image.Image:
    """``terrain_image`` reduced ``reduce`` times by box averaging, made from the atlas's tiles reduced
    one by one: the same pixels (a box never straddles two tiles), without the full picture."""
    t = art.tile_size
    small = max(1, t // reduce)
    reduced = np.stack([np.asarray(Image.fromarray(tile).resize((small, small), Image.Resampling.BOX))
                        for tile in tiles.atlas])
    return Image.fromarray(_lay_out(reduced, tiles.ids))


def _lay_out(atlas: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """(h * t, w * t, 4): tile ``ids[r, c]`` of ``atlas`` at tile row r, column c, a band of rows at a time."""
    h, w = ids.shape
    t = atlas.shape[1]
    picture = np.empty((h * t, w * t, 4), dtype=np.uint8)
    for top in range(0, h, TERRAIN_BAND_TILES):
        bottom = min(h, top + TERRAIN_BAND_TILES)
        band = picture[top * t:bottom * t].reshape(bottom - top, t, w, t, 4)
        band[:] = atlas[ids[top:bottom]].transpose(0, 2, 1, 3, 4)  # (rows, w, t, t, 4) -> tile rows of pixels
    return picture


def terrain_sketch(art: Art, terrain: np.ndarray, district_map: np.ndarray | None = None) -> np.ndarray:
    """(h, w, 4) uint8: the ground a pixel per tile, each the mean colour of its kind's first tile
    (a few ms for a big town, where the full picture takes a second or more)."""
    means = np.array([np.asarray(art.terrain[key][0].convert("RGBA"), dtype=np.float32).reshape(-1, 4).mean(axis=0)
                      for key in TERRAIN_KEYS]).round().astype(np.uint8)
    means[:, 3] = 255
    picture = means[np.clip(terrain.astype(np.int64), 0, len(TERRAIN_KEYS) - 1)]
    if district_map is not None and district_map.shape == terrain.shape:
        _tint_districts(picture, terrain, district_map, 1)
    return picture


def stamp_buildings(picture: np.ndarray, art: Art, buildings: Sequence[BuildingInfo]) -> np.ndarray:
    """The sketch with each standing building's footprint filled with its face's mean colour, in place:
    the first frame of a big town shows its buildings without thousands of sprites to build first."""
    colours: dict[int, np.ndarray] = {}
    rows, cols = picture.shape[:2]
    for b in buildings:
        if b.removed:
            continue
        if b.type not in colours:
            face = np.asarray(building_image(art, b.type, 1, 1, False).convert("RGBA"), dtype=np.float32).reshape(-1, 4)
            opaque = face[face[:, 3] > 127]
            colours[b.type] = np.append((opaque if len(opaque) else face)[:, :3].mean(axis=0).round(), 255).astype(np.uint8)
        picture[max(0, b.y): min(rows, b.y + b.height), max(0, b.x): min(cols, b.x + b.width)] = colours[b.type]
    return picture


def _tint_multipliers() -> np.ndarray:
    """(tints, 3) uint16: each district tint as a multiplier in 256ths (a faint colour, close to 256)."""
    tints = np.array(DISTRICT_TINTS, dtype=np.float32)
    factor = 1.0 - DISTRICT_TINT_ALPHA + DISTRICT_TINT_ALPHA * tints / 255.0
    return np.round(factor * 256).astype(np.uint16)


def _tint_districts(picture: np.ndarray, terrain: np.ndarray, district_map: np.ndarray, t: int) -> None:
    """Multiply grass and forest by a faint per-district colour, in place (integer maths, per tile)."""
    grassy = (terrain == 0) | (terrain == 5)
    ids = np.where(grassy, district_map.astype(np.int64), -1)
    if (ids < 0).all():
        return
    multipliers = _tint_multipliers()
    mult = np.where((ids >= 0)[..., None], multipliers[np.maximum(ids, 0) % len(multipliers)], 256).astype(np.uint16)
    h, w = terrain.shape
    tiles = picture.reshape(h, t, w, t, 4)
    rgb = tiles[..., :3].astype(np.uint16)
    rgb *= mult[:, None, :, None, :]
    tiles[..., :3] = (rgb >> 8).astype(np.uint8)


def building_image(art: Art, kind: int, width_tiles: int, height_tiles: int, night: bool) -> Image.Image:
    """A building's face for its footprint; tileable art (parks) repeats instead of stretching."""
    key = BUILDING_KEYS[kind] if 0 <= kind < len(BUILDING_KEYS) else "home"
    source = (art.buildings_night if night else art.buildings_day)[key]
    t = art.tile_size
    size = (max(1, width_tiles) * t, max(1, height_tiles) * t)
    if key in art.tileable:
        out = Image.new("RGBA", size)
        for y in range(0, size[1], source.height):
            for x in range(0, size[0], source.width):
                out.paste(source, (x, y))
        return out
    return source if source.size == size else source.resize(size, Image.Resampling.NEAREST)


def prop_image(art: Art, kind: str, night: bool) -> Image.Image:
    """An object's one-tile sprite (a tree for a kind this art set does not know)."""
    images = art.props_night if night else art.props_day
    source = images.get(kind) or images.get("tree")
    t = art.tile_size
    if source is None:  # an art set from before objects: a plain dark-green dot
        source = Image.new("RGBA", (t, t), (0, 0, 0, 0))
        ImageDraw.Draw(source).ellipse((2, 2, t - 3, t - 3), fill=(47, 93, 63, 255), outline=OUTLINE)
    return source if source.size == (t, t) else source.resize((t, t), Image.Resampling.NEAREST)


def label_image(text: str, bold: bool = False, pill: bool = False, scale: float = 1.0) -> Image.Image:
    """A name label: cream text with a dark outline (on a dark pill for building names)."""
    px = max(6, round(LABEL_FONT_PX * scale))
    font = _font(px, bold)
    stroke = 0 if pill else max(1, round(2 * scale))
    left, top, right, bottom = _text_box(font, text, stroke)
    pad_x, pad_y = (round(5 * scale), round(2 * scale)) if pill else (1, 1)
    w, h = right - left + 2 * pad_x, bottom - top + 2 * pad_y
    image = Image.new("RGBA", (max(1, w), max(1, h)), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if pill:
        draw.rounded_rectangle((0, 0, w - 1, h - 1), radius=max(2, h // 3), fill=(36, 27, 47, 190))
    draw.text((pad_x - left, pad_y - top), text, font=font, fill=CREAM, stroke_width=stroke, stroke_fill=OUTLINE)
    return image


def badge_image(count: int, scale: float = 1.0) -> Image.Image:
    """How many are inside a building: dark figures on the selection's yellow, a round-ended pill."""
    text = f"{count:,}"
    px = max(6, round(LABEL_FONT_PX * scale))
    font = _font(px, True)
    left, top, right, bottom = _text_box(font, text, 0)
    pad_x, pad_y = round(5 * scale), round(2 * scale)
    w, h = max(right - left + 2 * pad_x, bottom - top + 2 * pad_y), bottom - top + 2 * pad_y
    image = Image.new("RGBA", (max(1, w), max(1, h)), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, w - 1, h - 1), radius=max(2, h // 2), fill=(246, 207, 87, 235),
                           outline=OUTLINE, width=max(1, round(scale)))
    draw.text(((w - (right - left)) // 2 - left, pad_y - top), text, font=font, fill=OUTLINE)
    return image


def bubble_image(art: Art, text: str, scale: float = 1.0) -> Image.Image:
    """A speech bubble: the art's bubble, nine-sliced around the text, tail at the bottom left."""
    font = _font(max(6, round(10 * scale)), False)
    left, top, right, bottom = _text_box(font, text)
    s_left, s_top, s_right, s_bottom = art.bubble_slice
    src = art.bubble
    k = max(1, round(scale))  # the bubble art is scaled by whole pixels only
    src = src.resize((src.width * k, src.height * k), Image.Resampling.NEAREST)
    s_left, s_top, s_right, s_bottom = s_left * k, s_top * k, s_right * k, s_bottom * k
    inner_w = max(right - left + 6 * k, src.width - s_left - s_right)
    inner_h = max(bottom - top + 4 * k, src.height - s_top - s_bottom)
    w, h = s_left + inner_w + s_right, s_top + inner_h + s_bottom
    out = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    xs = [(0, s_left, 0, s_left), (s_left, src.width - s_right, s_left, s_left + inner_w),
          (src.width - s_right, src.width, s_left + inner_w, w)]
    ys = [(0, s_top, 0, s_top), (s_top, src.height - s_bottom, s_top, s_top + inner_h),
          (src.height - s_bottom, src.height, s_top + inner_h, h)]
    for sx0, sx1, dx0, dx1 in xs:
        for sy0, sy1, dy0, dy1 in ys:
            if sx1 <= sx0 or sy1 <= sy0 or dx1 <= dx0 or dy1 <= dy0:
                continue
            piece = src.crop((sx0, sy0, sx1, sy1)).resize((dx1 - dx0, dy1 - dy0), Image.Resampling.NEAREST)
            out.paste(piece, (dx0, dy0))
    text_x = s_left + (inner_w - (right - left)) // 2 - left
    text_y = s_top + (inner_h - (bottom - top)) // 2 - top
    ImageDraw.Draw(out).text((text_x, text_y), text, font=font, fill=OUTLINE)
    return out


class ImageCache:
    """A small LRU of rendered text images keyed by what they show."""

    def __init__(self, limit: int):
        self.limit = limit
        self._items: OrderedDict[object, object] = OrderedDict()

    def get(self, key: object) -> object | None:
        item = self._items.get(key)
        if item is not None:
            self._items.move_to_end(key)
        return item

    def put(self, key: object, item: object) -> list[object]:
        """Store ``item``; returns what was evicted (the caller frees GPU space for it)."""
        self._items[key] = item
        self._items.move_to_end(key)
        evicted = []
        while len(self._items) > self.limit:
            evicted.append(self._items.popitem(last=False)[1])
        return evicted

    def __len__(self) -> int:
        return len(self._items)
