"""Draw Townsfolk's pixel art and write it to ``assets/art/``.

Everything the map shows is drawn here, in code, from one limited palette, so the art
can be regenerated, reviewed as a diff and reused freely (CC0-1.0, see assets/LICENSE.md).

Usage::

    python assets/generate_art.py            # writes assets/art/
    python assets/generate_art.py --out DIR  # writes somewhere else

People have two pictures: a 16x16 sprite for the map and a 32x32 portrait for the inspector,
one sheet of portraits per sex and age band (child, young, adult, elder).

Besides the sprites it writes ``manifest.json`` (what the renderer loads), ``icon.ico``
and ``contact_sheet.png``: every sprite at 2x plus a small demo map by day and night, for
reviewing the set by eye after a change.

The output is deterministic: no randomness beyond a fixed integer hash, no timestamps
or metadata in the PNGs, so two runs give byte-identical files.

Sprites are built as 2-D arrays of palette indices (0 = transparent) and only turned
into RGBA at the very end, which keeps every pixel inside the palette. A parallel
"lights" mask records lit windows so that each building's night variant is the day
sprite remapped to darker palette colours with the windows switched to yellow.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

# ---------------------------------------------------------------------------------------
# Palette: 32 colours, defined once. Everything below refers to colours by name.
# ---------------------------------------------------------------------------------------

PALETTE: dict[str, str] = {
    "outline": "#241b2f",  # soft plum-black used for all outlines
    "shadow": "#3d3350",
    "night": "#2e3a5c",
    "grey_dark": "#55536b",
    "grey": "#8b8a9e",
    "grey_light": "#c2c0cc",
    "cream": "#efe6d2",
    "white": "#fbf8f0",
    "green_dark": "#2f5d3f",
    "green": "#4c8a45",
    "grass": "#6ea64f",
    "grass_light": "#97c45f",
    "leaf_light": "#c2dc78",
    "water_deep": "#2b4f86",
    "water": "#3f74b5",
    "water_light": "#6fa8dc",
    "foam": "#b8e0f2",
    "sand_dark": "#c9a46a",
    "sand": "#e8cf98",
    "brown_dark": "#5a3a2e",
    "brown": "#8b5a3c",
    "brown_light": "#c08a58",
    "red_dark": "#8f2f3a",
    "red": "#d35a4a",
    "orange": "#ec9a4c",
    "yellow": "#f6cf57",
    "yellow_pale": "#fff0a8",
    "purple": "#7d5ba6",
    "pink": "#e89aae",
    "teal": "#3f9e94",
    "skin_light": "#f4cfae",
    "skin": "#d9a07a",
}

# Night: every colour maps to a darker palette colour; lit windows become yellow instead.
NIGHT: dict[str, str] = {
    "outline": "outline", "shadow": "outline", "night": "outline",
    "grey_dark": "shadow", "grey": "night", "grey_light": "grey_dark",
    "cream": "grey", "white": "grey",
    "green_dark": "shadow", "green": "green_dark", "grass": "green_dark",
    "grass_light": "green", "leaf_light": "green",
    "water_deep": "night", "water": "water_deep", "water_light": "water_deep", "foam": "water",
    "sand_dark": "grey_dark", "sand": "grey",
    "brown_dark": "outline", "brown": "brown_dark", "brown_light": "brown",
    "red_dark": "brown_dark", "red": "red_dark", "orange": "brown",
    "yellow": "brown_light", "yellow_pale": "sand_dark",
    "purple": "shadow", "pink": "purple", "teal": "green_dark",
    "skin_light": "brown_light", "skin": "brown",
}

# Multiply terrain by this at night (buildings use their *_night sprites); people get the
# lighter PEOPLE_NIGHT_TINT so they stay readable in the dark.
NIGHT_TINT = (140, 150, 210)
PEOPLE_NIGHT_TINT = (190, 195, 230)

NAMES = list(PALETTE)
INDEX: dict[str, int] = {name: i + 1 for i, name in enumerate(NAMES)}  # 0 = transparent


def _hex_rgb(value: str) -> tuple[int, int, int]:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


RGBA_LUT = np.zeros((len(NAMES) + 1, 4), np.uint8)
for _name, _hex in PALETTE.items():
    RGBA_LUT[INDEX[_name]] = (*_hex_rgb(_hex), 255)


def rgba(name: str) -> tuple[int, int, int, int]:
    return (*_hex_rgb(PALETTE[name]), 255)


NIGHT_LUT = np.zeros(len(NAMES) + 1, np.uint8)
for _name, _dark in NIGHT.items():
    NIGHT_LUT[INDEX[_name]] = INDEX[_dark]

DEFAULT_OUT = Path(__file__).resolve().parent / "art"
TILE = 16
BUILDING = 48
PARK = 64
LIGHT_ON, LIGHT_GLINT = 1, 2  # values in Canvas.lights

# ---------------------------------------------------------------------------------------
# Canvas and drawing primitives
# ---------------------------------------------------------------------------------------


class Canvas:
    """A sprite as palette indices plus a mask of window lights for the night variant."""

    def __init__(self, width: int, height: int, fill: str | None = None) -> None:
        self.px = np.zeros((height, width), np.uint8)
        self.lights = np.zeros((height, width), np.uint8)
        if fill:
            self.px[:] = INDEX[fill]

    @property
    def width(self) -> int:
        return self.px.shape[1]

    @property
    def height(self) -> int:
        return self.px.shape[0]

    def rect(self, x: int, y: int, w: int, h: int, colour: str) -> None:
        self.px[max(y, 0):max(y + h, 0), max(x, 0):max(x + w, 0)] = INDEX[colour]

    def dot(self, x: int, y: int, colour: str) -> None:
        if 0 <= x < self.width and 0 <= y < self.height:
            self.px[y, x] = INDEX[colour]

    def mask(self, where: np.ndarray, colour: str) -> None:
        self.px[where] = INDEX[colour]

    def grid(self) -> tuple[np.ndarray, np.ndarray]:
        """Pixel-centre coordinates (x, y) for mask-based shapes."""
        ys, xs = np.mgrid[0:self.height, 0:self.width]
        return xs + 0.5, ys + 0.5

    def disc(self, cx: float, cy: float, r: float, colour: str, ry: float | None = None) -> None:
        xs, ys = self.grid()
        ry = r if ry is None else ry
        self.mask(((xs - cx) / r) ** 2 + ((ys - cy) / ry) ** 2 <= 1.0, colour)

    def triangle(self, apex_x: float, top: int, bottom: int, half_base: float, colour: str) -> None:
        """An upright isosceles triangle, apex at (apex_x, top), base row ``bottom``.

        Pixels are filled by their centres, so apex_x = 24 is symmetric on a 48 px sprite.
        """
        xs, _ = self.grid()
        for y in range(top, bottom + 1):
            half = half_base * (y - top + 1) / (bottom - top + 1)
            self.px[y][np.abs(xs[y] - apex_x) <= half] = INDEX[colour]

    def outline(self, colour: str = "outline") -> None:
        """Give every transparent pixel that touches the sprite (4-neighbour) the outline colour."""
        solid = self.px > 0
        padded = np.pad(solid, 1)
        near = padded[:-2, 1:-1] | padded[2:, 1:-1] | padded[1:-1, :-2] | padded[1:-1, 2:]
        self.px[near & ~solid] = INDEX[colour]

    def paste(self, other: Canvas, x: int, y: int) -> None:
        """Copy the opaque pixels (and lights) of ``other`` with its top-left at (x, y)."""
        h, w = other.px.shape
        region = self.px[y:y + h, x:x + w]
        solid = other.px[:region.shape[0], :region.shape[1]] > 0
        region[solid] = other.px[:region.shape[0], :region.shape[1]][solid]
        lights = self.lights[y:y + h, x:x + w]
        lights[solid] = other.lights[:region.shape[0], :region.shape[1]][solid]

    def image(self) -> Image.Image:
        return Image.fromarray(RGBA_LUT[self.px])

    def night_image(self) -> Image.Image:
        idx = NIGHT_LUT[self.px]
        idx[self.lights == LIGHT_ON] = INDEX["yellow"]
        idx[self.lights == LIGHT_GLINT] = INDEX["yellow_pale"]
        return Image.fromarray(RGBA_LUT[idx])


def from_ascii(rows: Sequence[str], key: dict[str, str]) -> Canvas:
    """Build a sprite from ASCII art; characters missing from ``key`` are transparent."""
    canvas = Canvas(len(rows[0]), len(rows))
    for y, row in enumerate(rows):
        assert len(row) == canvas.width, f"ragged ascii row {y}: {row!r}"
        for x, char in enumerate(row):
            if char in key:
                canvas.dot(x, y, key[char])
    return canvas


def hash01(x: np.ndarray | int, y: np.ndarray | int, seed: int) -> np.ndarray:
    """A stable integer hash of (x, y, seed) mapped to [0, 1). Same result on every machine."""
    h = (np.asarray(x, np.uint64) * np.uint64(374761393) + np.asarray(y, np.uint64) * np.uint64(668265263)
         + np.uint64(seed * 2246822519 % 2**32)) & np.uint64(0xFFFFFFFF)
    h = ((h ^ (h >> np.uint64(13))) * np.uint64(1274126177)) & np.uint64(0xFFFFFFFF)
    h ^= h >> np.uint64(16)
    return h.astype(np.float64) / 2.0**32


def speckle(c: Canvas, colour: str, density: float, seed: int, where: np.ndarray | None = None) -> None:
    """Scatter single pixels; the pattern depends only on (x, y) so it tiles seamlessly."""
    ys, xs = np.mgrid[0:c.height, 0:c.width]
    hit = hash01(xs, ys, seed) < density
    if where is not None:
        hit &= where
    c.mask(hit, colour)


def window(c: Canvas, x: int, y: int, w: int, h: int, frame: str = "white", lit: bool | None = None,
           cross: bool = False) -> None:
    """A framed window; its glass is recorded in the lights mask (lit by a hash unless ``lit`` is given)."""
    c.rect(x, y, w, h, frame)
    gx, gy, gw, gh = x + 1, y + 1, w - 2, h - 2
    c.rect(gx, gy, gw, gh, "water_light")
    c.rect(gx, gy + gh - 1, gw, 1, "water")
    c.dot(gx, gy, "foam")
    if lit is None:
        lit = float(hash01(x, y, 7)) < 0.7
    if lit:
        c.lights[gy:gy + gh, gx:gx + gw] = LIGHT_ON
        c.lights[gy, gx] = LIGHT_GLINT
    if cross and gw >= 3 and gh >= 3:
        c.rect(gx + gw // 2, gy, 1, gh, frame)
        c.rect(gx, gy + gh // 2, gw, 1, frame)
        c.lights[gy:gy + gh, gx + gw // 2] = 0
        c.lights[gy + gh // 2, gx:gx + gw] = 0


def stripes(c: Canvas, x: int, y: int, w: int, h: int, colours: tuple[str, str], width: int = 4) -> None:
    """A striped awning with a scalloped lower edge."""
    for i in range(0, w, width):
        colour = colours[(i // width) % 2]
        c.rect(x + i, y, min(width, w - i), h, colour)
        c.rect(x + i + 1, y + h, max(min(width, w - i) - 2, 0), 1, colour)
    c.rect(x, y, w, 1, colours[0])


def tree(c: Canvas, cx: float, cy: float, r: float) -> None:
    """A round deciduous tree seen from above-front: shadow, trunk, shaded canopy."""
    c.disc(cx + 1, cy + r * 0.75, r * 0.9, "green_dark", ry=r * 0.45)
    c.rect(round(cx) - 1, round(cy + r * 0.3), 2, round(r * 0.6) + 1, "brown")
    c.disc(cx, cy, r, "green_dark")
    c.disc(cx - 0.5, cy - 0.5, r - 1, "green")
    c.disc(cx - r * 0.3, cy - r * 0.35, r * 0.45, "grass_light")
    c.dot(round(cx - r * 0.45), round(cy - r * 0.5), "leaf_light")


# ---------------------------------------------------------------------------------------
# Terrain (16x16, all tile seamlessly with themselves and each other)
# ---------------------------------------------------------------------------------------


def grass_tile(variant: int) -> Canvas:
    c = Canvas(TILE, TILE, "grass")
    seed = 11 + variant * 17
    speckle(c, "green", 0.09, seed)
    speckle(c, "grass_light", 0.06, seed + 1)
    # a few two-pixel blades
    ys, xs = np.mgrid[0:TILE, 0:TILE]
    blade = hash01(xs, ys, seed + 2) < 0.035
    c.mask(blade | np.roll(blade, 1, axis=0), "green")
    if variant == 2:
        for x, y, colour in ((4, 5, "yellow_pale"), (11, 11, "white"), (12, 3, "pink")):
            c.dot(x, y, colour)
    return c


def water_tile(frame: int) -> Canvas:
    c = Canvas(TILE, TILE, "water")
    speckle(c, "water_deep", 0.05, 31)
    for x, y in ((2, 3), (10, 6), (5, 11), (13, 13)):
        shifted = (x + 2 * frame) % TILE
        for dx, dy, colour in ((0, 0, "water_light"), (1, -1, "foam"), (2, -1, "foam"), (3, 0, "water_light")):
            c.dot((shifted + dx) % TILE, y + dy, colour)
    return c


def road_tile() -> Canvas:
    c = Canvas(TILE, TILE, "grey_dark")
    speckle(c, "shadow", 0.10, 41)
    speckle(c, "grey", 0.04, 42)
    return c


def plaza_tile() -> Canvas:
    """Paving slabs 8x4 in running bond; period 8 divides 16 so the tile wraps."""
    c = Canvas(TILE, TILE, "grey_light")
    for y in range(TILE):
        for x in range(TILE):
            offset = 4 if (y // 4) % 2 else 0
            sx = (x - offset) % TILE
            if y % 4 == 3 or sx % 8 == 7:
                c.dot(x, y, "grey")
            elif hash01(sx // 8, y // 4, 51) < 0.3:
                c.dot(x, y, "cream")
    return c


def sand_tile() -> Canvas:
    c = Canvas(TILE, TILE, "sand")
    speckle(c, "sand_dark", 0.08, 61)
    speckle(c, "cream", 0.05, 62)
    return c


def forest_tile() -> Canvas:
    c = grass_tile(0)
    c.disc(2.5, 14, 2.5, "green_dark", ry=2)  # undergrowth breaks up the grid
    c.disc(2.5, 13.5, 1.6, "green")
    tree(c, 8.5, 7.0, 6.8)
    return c


def terrain() -> dict[str, list[tuple[str, Canvas]]]:
    return {
        "grass": [(f"grass_{i}", grass_tile(i)) for i in range(3)],
        "water": [(f"water_{i}", water_tile(i)) for i in range(2)],
        "road": [("road", road_tile())],
        "plaza": [("plaza", plaza_tile())],
        "sand": [("sand", sand_tile())],
        "forest": [("forest", forest_tile())],
    }


# ---------------------------------------------------------------------------------------
# Buildings (48x48, front view, stretched by the renderer to 3x3 .. 5x5 tiles)
# ---------------------------------------------------------------------------------------


def door(c: Canvas, x: int, y: int, w: int, h: int, colour: str = "brown", glass: bool = False) -> None:
    c.rect(x - 1, y - 1, w + 2, h + 1, "brown_dark")
    c.rect(x, y, w, h, colour)
    if glass:
        window(c, x + 1, y + 1, w - 2, max(h // 3, 3), frame=colour, lit=True)
    c.dot(x + w - 2, y + h // 2, "yellow")


def draw_home(c: Canvas) -> None:
    """Cottage: cream walls under a big red gable roof, chimney, door, two windows."""
    c.rect(33, 5, 5, 12, "red_dark")  # chimney
    c.rect(32, 4, 7, 2, "grey_dark")
    c.rect(5, 24, 38, 22, "cream")
    c.rect(5, 44, 38, 2, "grey_light")  # plinth
    c.triangle(24, 3, 26, 23, "red")
    for y in range(7, 26, 4):  # shingle rows
        for x in range(0, 48, 4):
            if c.px[y, x] == INDEX["red"]:
                c.rect(x + (2 if (y // 4) % 2 else 0), y, 2, 1, "red_dark")
    c.rect(1, 26, 46, 1, "red_dark")  # eaves
    c.triangle(24, 11, 26, 12, "cream")  # gable wall
    c.rect(5, 26, 38, 1, "red_dark")
    c.disc(24, 19.5, 3, "white")  # attic window
    c.disc(24, 19.5, 2, "water_light")
    c.lights[18:21, 22:25] = LIGHT_ON
    window(c, 9, 30, 9, 9, cross=True, lit=True)
    window(c, 30, 30, 9, 9, cross=True, lit=False)
    for x in (9, 30):  # flower boxes
        c.rect(x, 39, 9, 2, "brown")
        for fx in range(x + 1, x + 9, 2):
            c.dot(fx, 38, "pink" if fx % 4 == 1 else "yellow")
    door(c, 20, 31, 8, 14, "brown", glass=False)
    c.rect(19, 45, 10, 1, "grey")  # doorstep


def draw_apartment(c: Canvas) -> None:
    """Tall brick block with a flat roof and a grid of many windows."""
    c.rect(5, 5, 38, 41, "brown_light")
    for y in range(13, 40, 7):  # floor bands
        c.rect(5, y, 38, 1, "brown")
    c.rect(4, 2, 40, 4, "grey_dark")  # parapet
    c.rect(4, 2, 40, 1, "grey")
    c.rect(30, 1, 6, 2, "grey")  # roof hut
    for row, y in enumerate(range(7, 35, 7)):
        for col, x in enumerate((8, 15, 27, 34)):
            window(c, x, y, 6, 5, frame="cream", lit=(row * 4 + col) % 3 != 1)
    c.rect(22, 7, 4, 33, "brown")  # stairwell strip
    for y in range(9, 38, 7):
        window(c, 23, y, 2, 3, frame="brown", lit=True)
    window(c, 8, 38, 6, 6, frame="cream")
    window(c, 34, 38, 6, 6, frame="cream")
    c.rect(18, 36, 12, 2, "grey_dark")  # canopy
    door(c, 20, 39, 8, 6, "brown", glass=False)
    c.rect(24, 39, 1, 6, "brown_dark")
    c.rect(5, 45, 38, 1, "grey")


def cup_sign(c: Canvas, x: int, y: int) -> None:
    """A big steaming coffee cup on the roof, the cafe's landmark."""
    c.rect(x, y + 4, 12, 8, "white")
    c.rect(x + 1, y + 11, 10, 1, "grey_light")
    c.rect(x, y + 6, 12, 2, "red")
    c.rect(x + 12, y + 5, 3, 1, "white")
    c.rect(x + 14, y + 5, 1, 4, "white")
    c.rect(x + 12, y + 8, 3, 1, "white")
    c.rect(x - 2, y + 12, 16, 1, "white")  # saucer
    c.rect(x + 5, y + 13, 2, 2, "grey_dark")  # post


def draw_cafe(c: Canvas) -> None:
    """Low cafe: cup sign on the roof, red-and-white awning, big window, door."""
    cup_sign(c, 17, 1)
    c.rect(3, 16, 42, 30, "cream")
    c.rect(2, 15, 44, 2, "brown_dark")  # roof edge
    for x in (8, 21, 34):
        window(c, x, 18, 7, 6, frame="brown", cross=True)
    c.rect(3, 31, 42, 15, "brown_light")  # wooden shopfront
    stripes(c, 2, 25, 44, 5, ("red", "white"))
    window(c, 6, 33, 20, 10, frame="brown")
    c.rect(6, 39, 20, 1, "brown")  # counter line
    door(c, 31, 33, 8, 12, "brown", glass=True)
    c.rect(3, 45, 42, 1, "brown")


def bag_sign(c: Canvas, x: int, y: int) -> None:
    c.rect(x + 2, y, 4, 1, "white")
    c.rect(x + 1, y + 1, 1, 2, "white")
    c.rect(x + 6, y + 1, 1, 2, "white")
    c.rect(x, y + 3, 8, 5, "white")
    c.rect(x + 1, y + 4, 6, 1, "pink")


def draw_shop(c: Canvas) -> None:
    """Shop: purple sign band with a bag, teal awning, display window full of goods."""
    c.rect(3, 8, 42, 38, "sand")
    c.rect(2, 5, 44, 4, "grey_dark")  # cornice
    c.rect(2, 5, 44, 1, "grey")
    c.rect(6, 11, 36, 10, "purple")
    c.rect(6, 11, 36, 1, "pink")
    bag_sign(c, 20, 12)
    stripes(c, 2, 23, 44, 5, ("teal", "white"))
    window(c, 5, 31, 24, 13, frame="brown_dark", lit=True)
    goods = ("red", "yellow", "purple", "orange", "teal", "pink")
    for i, gx in enumerate(range(7, 27, 4)):  # two shelves of goods
        c.rect(gx, 36, 3, 3, goods[i % len(goods)])
        c.rect(gx + 1, 40, 2, 2, goods[(i + 3) % len(goods)])
        c.lights[36:39, gx:gx + 3] = 0
        c.lights[40:42, gx + 1:gx + 3] = 0
    c.rect(6, 39, 22, 1, "brown")
    door(c, 33, 31, 9, 14, "teal", glass=True)
    c.rect(3, 45, 42, 1, "grey")


def draw_office(c: Canvas) -> None:
    """Glass office tower: grey frame, a grid of blue glass panes with a sheen, lobby doors."""
    c.rect(5, 4, 38, 42, "grey_light")
    c.rect(4, 1, 40, 4, "grey_dark")  # crown
    c.rect(4, 1, 40, 1, "grey")
    c.rect(36, 0, 1, 2, "grey")  # antenna stub
    for row, y in enumerate(range(6, 36, 5)):
        for col, x in enumerate(range(6, 42, 6)):
            c.rect(x, y, 5, 4, "water")
            c.rect(x, y, 5, 1, "water_light")
            if hash01(col, row, 71) < 0.55:
                c.lights[y:y + 4, x:x + 5] = LIGHT_ON
    xs, ys = c.grid()
    sheen = ((xs + ys) % 22 < 3) & (c.px == INDEX["water"])
    c.mask(sheen, "foam")
    c.rect(5, 36, 38, 2, "grey_dark")  # lobby band
    c.rect(14, 38, 20, 1, "grey_dark")  # canopy
    window(c, 7, 39, 7, 6, frame="grey", lit=True)
    window(c, 34, 39, 7, 6, frame="grey", lit=True)
    c.rect(17, 39, 14, 6, "grey_dark")
    for x in (18, 24):  # glass doors
        c.rect(x, 40, 5, 5, "water_light")
        c.lights[40:45, x:x + 5] = LIGHT_ON
    c.rect(5, 45, 38, 1, "grey")


def draw_workshop(c: Canvas) -> None:
    """Workshop: saw-tooth roof with skylights, smoking chimney, roll-up door."""
    c.rect(5, 6, 4, 18, "red_dark")  # chimney
    c.rect(4, 5, 6, 2, "grey_dark")
    c.rect(2, 22, 44, 24, "grey")
    for x in range(4, 46, 4):  # corrugated cladding
        c.rect(x, 22, 1, 23, "grey_light")
    for x0, width in ((2, 15), (17, 15), (32, 14)):  # saw-tooth roof
        rise = width - 4
        for i in range(rise):
            top = 21 - i
            c.rect(x0 + i, top, 1, 22 - top, "grey_dark")
            c.dot(x0 + i, top, "grey")
        gx = x0 + rise
        c.rect(gx, 10, 4, 12, "water_light")  # skylight face
        c.rect(gx, 10, 1, 12, "water")
        c.lights[10:22, gx:gx + 4] = LIGHT_ON
    c.rect(2, 22, 44, 1, "grey_dark")
    c.rect(6, 27, 20, 19, "grey_dark")  # roll-up door frame
    c.rect(7, 28, 18, 17, "orange")
    for y in range(29, 45, 2):
        c.rect(7, y, 18, 1, "brown_light")
    window(c, 29, 26, 15, 7, frame="grey_dark", cross=True)
    door(c, 32, 35, 7, 10, "brown", glass=False)
    c.rect(2, 45, 44, 1, "grey_dark")


def draw_school(c: Canvas) -> None:
    """School: orange brick wings, central bell tower, flag, tall windows, double door."""
    c.rect(2, 21, 44, 25, "orange")
    c.rect(1, 19, 46, 3, "red_dark")  # cornice
    c.rect(2, 40, 44, 1, "brown_light")
    c.rect(41, 4, 1, 15, "grey")  # flag pole
    c.rect(42, 4, 5, 4, "red")
    c.rect(42, 6, 5, 1, "white")
    c.rect(17, 9, 14, 12, "cream")  # tower
    c.triangle(24, 1, 9, 9, "red_dark")
    c.rect(20, 11, 8, 8, "shadow")  # bell opening
    c.dot(20, 11, "cream")
    c.dot(27, 11, "cream")
    c.rect(23, 12, 2, 1, "yellow")  # bell
    c.rect(22, 13, 4, 3, "yellow")
    c.rect(21, 16, 6, 1, "yellow")
    c.dot(23, 17, "brown_light")
    for x in (4, 11, 31, 38):
        window(c, x, 25, 6, 12, frame="cream", cross=True)
    c.rect(17, 23, 14, 6, "cream")  # name board
    c.rect(19, 25, 10, 1, "grey_dark")
    c.rect(19, 27, 7, 1, "grey_dark")
    door(c, 19, 31, 10, 13, "brown", glass=True)
    c.rect(24, 31, 1, 13, "brown_dark")
    c.rect(16, 44, 16, 2, "grey_light")  # steps


def draw_town_hall(c: Canvas) -> None:
    """Town hall: copper dome, pediment with a clock, four columns, wide steps."""
    c.disc(24, 11, 9, "teal", ry=9)  # dome
    c.disc(21, 7, 2.5, "foam", ry=2)
    c.rect(23, 0, 2, 3, "yellow")  # finial
    c.rect(3, 21, 42, 4, "cream")  # entablature
    c.rect(3, 24, 42, 1, "grey_light")
    c.triangle(24, 9, 20, 22, "cream")  # pediment
    c.disc(24, 16, 3.6, "outline")  # clock
    c.disc(24, 16, 2.7, "white")
    c.rect(24, 14, 1, 2, "outline")
    c.rect(24, 16, 2, 1, "outline")
    c.rect(5, 25, 38, 17, "shadow")  # porch behind the columns
    for x in (11, 32):
        window(c, x, 28, 5, 10, frame="grey_dark", lit=True)
    door(c, 21, 31, 6, 11, "brown", glass=False)
    for x in (6, 16, 27, 37):  # columns
        c.rect(x, 25, 5, 17, "white")
        c.rect(x + 4, 25, 1, 17, "grey_light")
        c.rect(x - 1, 25, 7, 1, "cream")
        c.rect(x - 1, 41, 7, 1, "cream")
    c.rect(3, 42, 42, 2, "grey_light")  # steps
    c.rect(1, 44, 46, 2, "grey_light")
    c.rect(3, 43, 42, 1, "grey")


def draw_park(c: Canvas) -> None:
    """Top-down park patch (64x64): crossing paths, fountain, trees, benches, lamps, flowers.

    The paths meet the tile edges at the same place on every side, so the patch tiles.
    """
    c.rect(0, 0, PARK, PARK, "grass")
    speckle(c, "green", 0.08, 81)
    speckle(c, "grass_light", 0.05, 82)
    c.rect(0, 28, PARK, 8, "sand")  # paths
    c.rect(28, 0, 8, PARK, "sand")
    path = c.px == INDEX["sand"]
    speckle(c, "sand_dark", 0.08, 83, where=path)
    c.disc(32, 32, 12, "sand")  # round plaza
    c.disc(32, 32, 6.5, "grey_light")  # fountain
    c.disc(32, 32, 5, "water")
    c.disc(32, 32, 2.2, "water_light")
    c.dot(32, 31, "foam")
    c.dot(31, 32, "foam")
    for cx, cy, r in ((11, 11, 7.5), (52, 12, 6.5), (12, 52, 6.5), (51, 50, 7.5), (20, 4, 3.5)):
        tree(c, cx, cy, r)
    c.disc(13, 42, 7, "brown_dark", ry=3.5)  # flower bed
    c.disc(13, 42, 6, "green_dark", ry=2.6)
    for i, x in enumerate(range(8, 19, 2)):
        for y in (41, 43):
            c.dot(x + (y // 2) % 2, y, ("pink", "yellow", "white", "red")[(i + y) % 4])
    for x, y in ((40, 24), (40, 37)):  # benches, seen from above
        c.rect(x, y, 8, 3, "brown_dark")
        c.rect(x + 1, y, 6, 2, "brown_light")
    for x, y in ((23, 23), (40, 40), (40, 23), (23, 40)):  # lamps
        c.rect(x, y, 2, 2, "grey_dark")
        c.dot(x, y, "yellow_pale")
        c.lights[y:y + 2, x:x + 2] = LIGHT_ON
        c.lights[y, x] = LIGHT_GLINT


BUILDINGS: dict[str, Callable[[Canvas], None]] = {
    "home": draw_home,
    "apartment": draw_apartment,
    "cafe": draw_cafe,
    "shop": draw_shop,
    "office": draw_office,
    "workshop": draw_workshop,
    "school": draw_school,
    "park": draw_park,
    "town_hall": draw_town_hall,
}


# ---------------------------------------------------------------------------------------
# Objects (16x16, one tile each; placed by god mode, drawn over ground and parks)
# ---------------------------------------------------------------------------------------


def draw_tree_prop(c: Canvas) -> None:
    tree(c, 8, 6.5, 5.5)


def draw_bench_prop(c: Canvas) -> None:
    """A park bench seen from the front: back rail, seat, two legs."""
    c.rect(2, 5, 12, 2, "brown")
    c.rect(2, 5, 12, 1, "brown_light")
    c.rect(2, 9, 12, 2, "brown_light")
    c.rect(2, 10, 12, 1, "brown")
    for x in (3, 12):
        c.rect(x, 7, 1, 2, "brown_dark")
        c.rect(x, 11, 1, 3, "grey_dark")


def draw_lamp_prop(c: Canvas) -> None:
    """A street lamp: post, lantern with a lit glass (yellow at night), base."""
    c.rect(7, 5, 2, 9, "grey_dark")
    c.rect(6, 13, 4, 2, "grey_dark")
    c.rect(5, 1, 6, 1, "grey_dark")
    c.rect(6, 2, 4, 3, "yellow_pale")
    c.dot(6, 2, "white")
    c.lights[2:5, 6:10] = LIGHT_ON
    c.lights[2, 6] = LIGHT_GLINT


def draw_fountain_prop(c: Canvas) -> None:
    """A round stone basin with a jet of water."""
    c.disc(8, 10.5, 6.5, "grey_light", ry=4)
    c.disc(8, 10.5, 5, "water", ry=2.8)
    c.disc(8, 10, 2.5, "water_light", ry=1.3)
    c.rect(7, 4, 2, 6, "grey")
    c.rect(7, 2, 2, 2, "water_light")
    c.dot(6, 3, "foam")
    c.dot(9, 2, "foam")
    c.dot(5, 5, "water_light")
    c.dot(10, 5, "water_light")


def draw_flowers_prop(c: Canvas) -> None:
    """A flower bed: earth, leaves, bright blooms."""
    c.disc(8, 10, 7, "brown_dark", ry=4.5)
    c.disc(8, 9.5, 6, "green_dark", ry=3.5)
    for i, (x, y) in enumerate(((4, 9), (6, 7), (8, 10), (10, 8), (12, 10), (6, 11), (9, 7), (11, 11), (5, 10))):
        c.dot(x, y, ("pink", "yellow", "white", "red")[i % 4])


PROPS: dict[str, Callable[[Canvas], None]] = {
    "tree": draw_tree_prop,
    "bench": draw_bench_prop,
    "lamp": draw_lamp_prop,
    "fountain": draw_fountain_prop,
    "flowers": draw_flowers_prop,
}


def prop(kind: str) -> Canvas:
    c = Canvas(TILE, TILE)
    PROPS[kind](c)
    c.outline()
    return c


def cafe_steam(c: Canvas) -> None:
    for sx in (20, 24):
        for dy, dx in ((0, 0), (1, 1), (2, 0)):
            c.dot(sx + dx, 1 + dy, "white")


def chimney_smoke(c: Canvas) -> None:
    for x, y in ((10, 3), (11, 2), (12, 2), (13, 1), (14, 1), (12, 3), (15, 0)):
        c.dot(x, y, "grey_light")


# Wisps drawn after the outline, so they stay light and airy.
AFTER_OUTLINE: dict[str, Callable[[Canvas], None]] = {"cafe": cafe_steam, "workshop": chimney_smoke}


def building(kind: str) -> Canvas:
    size = PARK if kind == "park" else BUILDING
    c = Canvas(size, size)
    BUILDINGS[kind](c)
    if kind != "park":
        c.outline()
    if kind in AFTER_OUTLINE:
        AFTER_OUTLINE[kind](c)
    return c


# ---------------------------------------------------------------------------------------
# People (16x16) and UI bits
# ---------------------------------------------------------------------------------------

PERSON_SHORT = (
    "................",
    ".....OOOOOO.....",
    "....OHHHHHHO....",
    "....OHHHHHHO....",
    "....OHSSSSHO....",
    "....OSESSESO....",
    "....OSSSSSSO....",
    ".....OSSSSO.....",
    "....OTTTTTTO....",
    "...OTTTTTTTTO...",
    "...OTTTTTTTTO...",
    "...OSTTTTTTSO...",
    "....OPPPPPPO....",
    "....OPPOOPPO....",
    "....OFFOOFFO....",
    ".....OO..OO.....",
)
PERSON_LONG = (
    "................",
    ".....OOOOOO.....",
    "....OHHHHHHO....",
    "...OHHHHHHHHO...",
    "...OHHSSSSHHO...",
    "...OHSESSESHO...",
    "...OHSSSSSSHO...",
    "...OHOSSSSOHO...",
    "....OTTTTTTO....",
    "...OTTTTTTTTO...",
    "...OTTTTTTTTO...",
    "...OSTTTTTTSO...",
    "....OPPPPPPO....",
    "....OPPOOPPO....",
    "....OFFOOFFO....",
    ".....OO..OO.....",
)

# (skin, hair, shirt, trousers, long hair). Shirts avoid greens and greys so people pop
# from grass and road alike.
PEOPLE: tuple[tuple[str, str, str, str, bool], ...] = (
    ("skin_light", "brown_dark", "red", "water_deep", False),
    ("skin", "outline", "teal", "grey_dark", True),
    ("brown_light", "outline", "yellow", "brown_dark", False),
    ("brown", "outline", "purple", "water_deep", True),
    ("skin_light", "orange", "water_light", "grey_dark", True),
    ("skin", "brown_dark", "orange", "brown_dark", False),
    ("skin_light", "yellow", "pink", "water_deep", True),
    ("brown_light", "brown_dark", "water", "brown_dark", False),
    ("brown", "grey_light", "cream", "shadow", False),
    ("skin", "grey_light", "red", "grey_dark", True),
    ("skin_light", "brown", "yellow", "water_deep", False),
    ("brown_light", "outline", "white", "purple", True),
)


def person(skin: str, hair: str, shirt: str, trousers: str, long_hair: bool) -> Canvas:
    key = {"O": "outline", "E": "outline", "H": hair, "S": skin, "T": shirt, "P": trousers, "F": "brown_dark"}
    return from_ascii(PERSON_LONG if long_hair else PERSON_SHORT, key)


# ---------------------------------------------------------------------------------------
# Portraits (32x32 head and shoulders, for the inspector)
# ---------------------------------------------------------------------------------------
# One sheet per sex and age band, PORTRAIT_SKINS x PORTRAIT_LOOKS frames in a row: frame
# ``skin * PORTRAIT_LOOKS + look``. The skins are the map sprites' own (PORTRAIT_SKIN_TONES, in
# that order), so the app can give someone the portrait whose skin matches their sprite; the
# looks within a skin differ in hair style, hair colour, shirt and, with age, beards, glasses
# and lines.

PORTRAIT = 32
PORTRAIT_SEXES = ("female", "male")
PORTRAIT_BANDS = ("child", "young", "adult", "elder")
PORTRAIT_SKIN_TONES = ("skin_light", "skin", "brown_light", "brown")
PORTRAIT_LOOKS = 4
PORTRAIT_SKINS = len(PORTRAIT_SKIN_TONES)

SHADE = {  # a colour's darker neighbour in the palette: creases, lines, shading
    "skin_light": "skin", "skin": "brown_light", "brown_light": "brown", "brown": "brown_dark",
    "outline": "shadow", "shadow": "outline", "brown_dark": "outline", "orange": "brown", "yellow": "sand_dark",
    "grey_light": "grey", "white": "grey_light", "grey": "grey_dark",
    "red": "red_dark", "teal": "green_dark", "purple": "shadow", "water_light": "water", "water": "water_deep",
    "pink": "purple", "cream": "sand_dark", "yellow_pale": "yellow",
}
HIGHLIGHT = {"outline": "grey_dark", "shadow": "grey_dark", "brown_dark": "brown", "brown": "brown_light", "orange": "yellow",
             "yellow": "yellow_pale", "grey_light": "white", "white": "cream", "grey": "grey_light"}
FAIR_HAIR = ("brown_dark", "outline", "brown", "orange", "yellow")  # by look, for the two lighter skins
DARK_HAIR = ("outline", "brown_dark", "shadow", "outline")  # and for the darker two (never skin-coloured)
GREY_HAIR = ("grey_light", "white", "grey", "grey_light")
SHIRTS = ("red", "teal", "yellow", "purple", "water_light", "orange", "pink", "water", "cream")

HAIR_STYLES = {  # (sex, band) -> styles, taken in turn by look
    ("female", "child"): ("pigtails", "bob", "long", "ponytail"),
    ("female", "young"): ("long", "ponytail", "bob", "curly"),
    ("female", "adult"): ("bob", "long", "bun", "curly"),
    ("female", "elder"): ("bun", "curly", "bob", "bun"),
    ("male", "child"): ("mop", "short", "curly_short", "short"),
    ("male", "young"): ("short", "side_part", "curly_short", "mop"),
    ("male", "adult"): ("short", "side_part", "balding", "curly_short"),
    ("male", "elder"): ("balding", "side_part", "bald", "short"),
}


def _head_centre(band: str) -> tuple[float, float]:
    return (16.0, 16.0) if band == "child" else (16.0, 14.0)


def _portrait_body(c: Canvas, sex: str, band: str, skin: str, shirt: str) -> None:
    """Shoulders in the shirt's colour with a neckline, and the neck."""
    width = {"child": 9.5, "young": 11.5, "adult": 12.0, "elder": 11.5}[band] + (1.0 if sex == "male" else 0.0)
    top = 26 if band == "child" else 24
    c.disc(16, top + 9, width, shirt, ry=9.5)
    c.rect(14, top - 4, 4, 5, skin)
    c.rect(14, top - 4, 4, 1, SHADE[skin])  # under the chin
    xs, ys = c.grid()
    collar = (np.abs(xs - 16) <= (ys - top + 0.5) * -0.8 + 2.5) & (ys >= top) & (ys < top + 3)
    c.mask(collar, skin)
    c.dot(16 - (1 if sex == "male" else 0), top + 6, SHADE.get(shirt, "outline"))  # a button or a crease


def _hair_shapes(c: Canvas, style: str, cx: float, cy: float) -> tuple[np.ndarray, np.ndarray]:
    """(behind the face, over the face) masks for a hair style around a head centred at (cx, cy)."""
    xs, ys = c.grid()
    dx, dy = xs - cx, ys - cy
    nothing = np.zeros_like(xs, dtype=bool)
    scalp = (dx / 7.6) ** 2 + ((dy + 0.8) / 8.4) ** 2 <= 1.0
    cap = scalp & (dy <= -3.6)  # the crown, down to the hairline
    temples = scalp & (np.abs(dx) >= 5.6) & (dy <= 0.5)  # hair in front of the ears
    if style == "long":
        back = ((dx / 8.6) ** 2 + ((dy - 3) / 12.5) ** 2 <= 1.0) & (dy <= 11)
        return back, cap | (scalp & (np.abs(dx) >= 5.0) & (dy <= 5))
    if style == "bob":
        back = ((dx / 8.4) ** 2 + ((dy - 0.5) / 8.8) ** 2 <= 1.0) & (dy <= 6.5)
        fringe = scalp & (dy <= -2.6) & (dx > -4.5)
        return back, cap | fringe | (scalp & (np.abs(dx) >= 5.4) & (dy <= 4))
    if style == "bun":
        bun = (dx / 3.4) ** 2 + ((dy + 9.6) / 3.0) ** 2 <= 1.0
        return nothing, cap | bun | temples
    if style == "ponytail":
        tail = ((dx - 7.4) / 2.4) ** 2 + ((dy - 2.5) / 6.5) ** 2 <= 1.0
        return tail, cap | temples
    if style == "pigtails":
        tails = (((np.abs(dx) - 8.4) / 2.4) ** 2 + ((dy - 1.5) / 3.4) ** 2 <= 1.0)
        return tails, cap | (scalp & (dy <= -2.8) & (np.abs(dx) <= 4.0)) | temples
    if style == "curly":
        cloud = nothing.copy()
        for ox, oy, r in ((-6, -3, 3.6), (6, -3, 3.6), (-3, -7, 3.8), (3, -7, 3.8), (0, -8, 3.6),
                          (-7.5, 2, 3.0), (7.5, 2, 3.0), (-7, 6, 2.6), (7, 6, 2.6)):
            cloud |= (dx - ox) ** 2 + (dy - oy) ** 2 <= r * r
        return cloud & ~(scalp & (dy > -3.6) & (np.abs(dx) < 5.6)), cap
    if style == "short":
        return nothing, cap | (scalp & (np.abs(dx) >= 6.0) & (dy <= -0.5))
    if style == "side_part":
        sweep = scalp & (dy <= -2.4) & (dx < -1.0)
        return nothing, cap | sweep | (scalp & (np.abs(dx) >= 6.0) & (dy <= -0.5))
    if style == "mop":
        fringe = scalp & (dy <= -1.8)
        return nothing, cap | fringe | temples
    if style == "curly_short":
        bumps = nothing.copy()
        for ox, oy in ((-5, -6), (-2, -8), (2, -8), (5, -6), (-6.5, -3), (6.5, -3)):
            bumps |= (dx - ox) ** 2 + (dy - oy) ** 2 <= 2.6 ** 2
        return nothing, (cap | bumps) & (dy <= -2.5) | (scalp & (np.abs(dx) >= 6.0) & (dy <= -1))
    if style == "balding":
        return nothing, scalp & (np.abs(dx) >= 5.0) & (dy <= 0.5) & (dy >= -6)
    if style == "bald":
        return nothing, scalp & (np.abs(dx) >= 6.0) & (dy <= 0.5) & (dy >= -3)
    raise ValueError(f"no hair style {style!r}")


def portrait(sex: str, band: str, skin_index: int, look: int) -> Canvas:
    """One face: its skin is the map sprites' ``PORTRAIT_SKIN_TONES[skin_index]``, the rest follows ``look``."""
    skin = PORTRAIT_SKIN_TONES[skin_index]
    bands = PORTRAIT_BANDS.index(band)
    styles = HAIR_STYLES[(sex, band)]
    style = styles[(look + skin_index) % len(styles)]
    if band == "elder":
        hair = GREY_HAIR[(look + skin_index) % len(GREY_HAIR)]
    else:
        tones = FAIR_HAIR if skin_index < 2 else DARK_HAIR
        hair = tones[(look * 2 + skin_index + bands) % len(tones)]
    shirt = SHIRTS[(look * 2 + skin_index * 3 + bands + (sex == "male")) % len(SHIRTS)]
    c = Canvas(PORTRAIT, PORTRAIT)
    cx, cy = _head_centre(band)
    behind, over = _hair_shapes(c, style, cx, cy)
    c.mask(behind, hair)
    c.mask(behind & (c.grid()[0] > cx + 4) & (c.grid()[1] > cy + 2), SHADE[hair])  # shade the far side
    _portrait_body(c, sex, band, skin, shirt)
    ex = 6.3 if band == "child" else 6.0
    c.disc(cx, cy, ex, skin, ry=7.2 if band == "child" else 7.6)
    c.dot(int(cx - ex) - 1, int(cy), skin)  # ears
    c.dot(int(cx + ex), int(cy), skin)
    c.dot(int(cx + ex), int(cy) + 1, SHADE[skin])
    _face(c, sex, band, skin, hair, look, cx, cy)
    c.mask(over, hair)
    shine = over & (c.grid()[1] < cy - 5) & (c.grid()[1] >= cy - 6) & (c.grid()[0] < cx - 1)
    c.mask(shine, HIGHLIGHT.get(hair, hair))
    if style == "curly" or style == "curly_short":
        speckle(c, SHADE[hair], 0.18, 31 + look, over | behind)
    c.outline()
    return c


def _face(c: Canvas, sex: str, band: str, skin: str, hair: str, look: int, cx: float, cy: float) -> None:
    """Eyes, brows, nose, mouth; cheeks for the young, lines for the old, beards and glasses by look."""
    y = int(cy) + (1 if band == "child" else 0)
    left, right = int(cx) - 3, int(cx) + 2
    for x, white in ((left, left - 1), (right, right + 1)):
        c.dot(x, y, "outline")
        c.dot(white, y, "white")
        if band == "child":
            c.dot(x, y + 1, "outline")
    brow = SHADE[hair] if hair in ("grey_light", "white", "grey", "yellow", "orange") else hair
    brow_y = y - 2
    if sex == "male" and band != "child":
        for x in (left - 1, left, right, right + 1):
            c.dot(x, brow_y, brow)
    else:
        c.dot(left - 1, brow_y, brow)
        c.dot(left, brow_y - (1 if sex == "female" and band != "child" else 0), brow)
        c.dot(right, brow_y - (1 if sex == "female" and band != "child" else 0), brow)
        c.dot(right + 1, brow_y, brow)
    if sex == "female" and band != "child":
        c.dot(left - 2, y - 1, "outline")  # lashes at the outer corners
        c.dot(right + 2, y - 1, "outline")
    nose = SHADE[skin]
    c.dot(int(cx) - 1, y + 2, nose)
    mouth_y = y + 4 - (1 if band == "child" else 0)
    if sex == "female" and band in ("young", "adult"):
        c.rect(int(cx) - 2, mouth_y, 3, 1, "red")
        c.dot(int(cx) - 1, mouth_y + 1, "red_dark" if skin in ("brown_light", "brown") else "pink")
    elif band == "child":
        c.dot(int(cx) - 2, mouth_y, "red_dark")
        c.rect(int(cx) - 1, mouth_y + 1, 1, 1, "red_dark")
        c.dot(int(cx), mouth_y, "red_dark")
    else:
        c.rect(int(cx) - 2, mouth_y, 3, 1, "brown_dark" if skin != "brown" else "outline")
    if band in ("child", "young") or (sex == "female" and band == "adult"):
        c.dot(left - 2, y + 2, "pink")  # cheeks
        c.dot(right + 2, y + 2, "pink")
    if band == "elder" or (band == "adult" and look % 2 == 1):
        line = SHADE[skin]
        c.dot(left - 2, y + 1, line)  # crow's feet
        c.dot(right + 2, y + 1, line)
        if band == "elder":
            c.dot(int(cx) - 3, mouth_y - 1, line)  # from nose to mouth
            c.dot(int(cx) + 1, mouth_y - 1, line)
            c.rect(int(cx) - 2, y - 5, 3, 1, line)  # a line on the brow (hair may cover it)
            c.dot(left, y + 1, line)  # bags under the eyes
            c.dot(right, y + 1, line)
    if sex == "male" and band in ("adult", "elder") and look in (1, 2):
        beard = brow if hair not in ("grey_light", "white", "grey") else hair
        xs, ys = c.grid()
        jaw = ((xs - cx) / 6.0) ** 2 + ((ys - cy) / 7.6) ** 2 <= 1.0
        if look == 1:  # a full beard, the mouth left clear
            c.mask(jaw & (ys > mouth_y - 0.5) & ~((np.abs(xs - cx + 0.5) < 2) & (ys < mouth_y + 1)), beard)
            c.mask(jaw & (ys > y + 2.5) & (np.abs(xs - cx) >= 4.5), beard)
        c.rect(int(cx) - 3, mouth_y - 1, 5, 1, beard)  # a moustache
    if sex == "male" and band == "young" and look == 3:
        speckle(c, SHADE[skin], 0.35, 17, _below(c, mouth_y - 1, cx, cy))  # stubble
    if (band == "elder" and look in (0, 3)) or (band == "adult" and look == 3):
        frame = "grey_dark"
        for x in (left, right):
            c.rect(x - 2, y - 1, 4, 1, frame)
            c.rect(x - 2, y + 1, 4, 1, frame)
            c.dot(x - 2, y, frame)
            c.dot(x + 2, y, frame)
        c.dot(int(cx), y, frame)  # the bridge


def _below(c: Canvas, row: int, cx: float, cy: float) -> np.ndarray:
    xs, ys = c.grid()
    return (((xs - cx) / 6.0) ** 2 + ((ys - cy) / 7.6) ** 2 <= 1.0) & (ys > row + 0.5)


def portrait_sheet(sex: str, band: str) -> Image.Image:
    """Every face of one sex and age band in a row: skin by skin, look by look."""
    sheet = Image.new("RGBA", (PORTRAIT * PORTRAIT_SKINS * PORTRAIT_LOOKS, PORTRAIT))
    for skin in range(PORTRAIT_SKINS):
        for look in range(PORTRAIT_LOOKS):
            sheet.paste(portrait(sex, band, skin, look).image(), ((skin * PORTRAIT_LOOKS + look) * PORTRAIT, 0))
    return sheet


def selected_ring() -> Canvas:
    """A 20x20 highlight ring drawn under the selected person."""
    c = Canvas(20, 20)
    xs, ys = c.grid()
    d = np.hypot(xs - 10, ys - 10)
    c.mask((d > 6.2) & (d <= 9.8), "outline")
    c.mask((d > 7.1) & (d <= 8.9), "yellow")
    return c


def dot_image() -> Image.Image:
    """A 4x4 soft white dot (corners half transparent); tint it per person when zoomed out."""
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[:, :] = RGBA_LUT[INDEX["white"]]
    for y, x in ((0, 0), (0, 3), (3, 0), (3, 3)):
        rgba[y, x, 3] = 96
    return Image.fromarray(rgba)


def bubble() -> Canvas:
    """24x16 speech bubble: rounded body (rows 0-11) with a tail at the bottom left."""
    c = Canvas(24, 16)
    c.rect(2, 0, 20, 12, "outline")
    c.rect(1, 1, 22, 10, "outline")
    c.rect(0, 2, 24, 8, "outline")
    c.rect(2, 1, 20, 10, "white")
    c.rect(1, 2, 22, 8, "white")
    for y, (x0, x1) in enumerate(((4, 8), (4, 7), (4, 6), (4, 5)), start=11):  # tail
        c.rect(x0, y, x1 - x0 + 1, 1, "outline")
        c.rect(x0 + 1, y, x1 - x0 - 1, 1, "white")
    c.dot(4, 15, "outline")
    c.rect(5, 11, 3, 1, "white")
    return c


# Nine-slice insets for bubble.png: the tail sits inside the bottom-left corner slice.
BUBBLE_INSETS = {"left": 9, "top": 3, "right": 3, "bottom": 7}

# Activity icons: an 8x8 glyph inside a 10x10 white badge with a dark rim.
ICON_KEY = {
    "O": "outline", "B": "water", "b": "water_deep", "R": "red", "r": "red_dark", "W": "white",
    "Y": "yellow", "N": "brown", "n": "brown_dark", "L": "brown_light", "G": "green", "g": "grass_light",
    "P": "pink", "p": "purple", "D": "grey_dark", "l": "grey_light", "T": "teal",
}
ICONS: dict[str, tuple[str, ...]] = {
    "sleep": (
        ".....bbb",
        "......b.",
        ".....b..",
        ".....bbb",
        "BBBBB...",
        "..BB....",
        ".BB.....",
        "BBBBB...",
    ),
    "home": (
        "...RR...",
        "..RRRR..",
        ".RRRRRR.",
        "RRRRRRRR",
        ".LLLLLL.",
        ".LLnnLL.",
        ".LLnnLL.",
        ".LLnnLL.",
    ),
    "travel": (
        "........",
        "....T...",
        "....TT..",
        "TTTTTTT.",
        "TTTTTTTT",
        "TTTTTTT.",
        "....TT..",
        "....T...",
    ),
    "work": (
        "..nnnn..",
        "..n..n..",
        "NNNNNNNN",
        "NNNNNNNN",
        "nnnYYnnn",
        "NNNYYNNN",
        "NNNNNNNN",
        "NNNNNNNN",
    ),
    "eat": (
        "D.D.D.D.",
        "D.D.D.DD",
        "D.D.D.DD",
        "DDDDD.DD",
        ".DDD..DD",
        "..D...D.",
        "..D...D.",
        "..D...D.",
    ),
    "shop": (
        "..pppp..",
        ".p....p.",
        ".p....p.",
        "PPPPPPPP",
        "PPPPPPPP",
        "PPPPPPPP",
        "PPPPPPPP",
        ".PPPPPP.",
    ),
    "leisure": (
        "..gggg..",
        ".gggggG.",
        "ggggGGGG",
        "gggGGGGG",
        ".GGGGGG.",
        "..GGGG..",
        "...NN...",
        "...NN...",
    ),
    "social": (
        "........",
        ".RR..RR.",
        "RWRRRRRR",
        "RRRRRRRR",
        "RRRRRRRR",
        ".RRRRRR.",
        "..RRRR..",
        "...RR...",
    ),
    "study": (
        ".bBBBBBB",
        ".bBBBBBB",
        ".bBYYYYB",
        ".bBBBBBB",
        ".bBBBBBB",
        ".bBBBBBB",
        ".blllllB",
        "..bbbbbb",
    ),
}


def activity_icon(glyph: Sequence[str]) -> Canvas:
    c = Canvas(10, 10)
    c.rect(1, 0, 8, 10, "outline")
    c.rect(0, 1, 10, 8, "outline")
    c.rect(1, 1, 8, 8, "white")
    c.paste(from_ascii(glyph, ICON_KEY), 1, 1)
    return c


# ---------------------------------------------------------------------------------------
# App icon
# ---------------------------------------------------------------------------------------


def icon_badge(size: int, radius: int) -> Canvas:
    """A rounded square: sky above, grass below, dark rim."""
    c = Canvas(size, size)
    xs, ys = c.grid()
    inner = size / 2 - radius
    dx = np.maximum(np.abs(xs - size / 2) - inner, 0)
    dy = np.maximum(np.abs(ys - size / 2) - inner, 0)
    inside = np.hypot(dx, dy) <= radius
    c.mask(inside, "outline")
    body = np.hypot(dx, dy) <= radius - 1
    c.mask(body, "foam")
    c.mask(body & (ys > size * 0.72), "grass")
    return c


def app_icon_32() -> Canvas:
    """House with a lit window and two townsfolk in front of it."""
    c = icon_badge(32, 6)
    c.rect(8, 14, 16, 11, "cream")
    c.rect(20, 5, 3, 6, "red_dark")  # chimney
    c.triangle(16, 4, 15, 12, "red")
    c.rect(4, 15, 24, 1, "red_dark")
    window(c, 10, 17, 5, 5, frame="white", lit=True)
    c.rect(11, 18, 3, 3, "yellow")
    c.dot(11, 18, "yellow_pale")
    c.rect(18, 18, 4, 7, "brown")
    c.rect(4, 25, 24, 2, "green")
    small = ("skin_light", "red", "water_deep"), ("skin", "teal", "brown_dark")
    for x, (skin, shirt, legs) in zip((2, 23), small, strict=True):
        figure = from_ascii(
            (".OOOO.", "OHHHHO", "OSSSSO", ".OSSO.", "OTTTTO", "OTTTTO", "OPPPPO", "OPOOPO", ".O..O."),
            {"O": "outline", "H": "brown_dark", "S": skin, "T": shirt, "P": legs},
        )
        c.paste(figure, x, 19)
    return c


def app_icon_16() -> Canvas:
    """The same house, redrawn for 16 px."""
    c = icon_badge(16, 3)
    c.rect(4, 7, 8, 6, "cream")
    c.triangle(8, 2, 7, 6, "red")
    c.rect(5, 9, 2, 2, "yellow")
    c.rect(9, 9, 2, 4, "brown")
    c.rect(1, 13, 14, 1, "green")
    return c


def scaled(img: Image.Image, size: int) -> Image.Image:
    return img.resize((size, size), Image.Resampling.NEAREST)


# ---------------------------------------------------------------------------------------
# Contact sheet
# ---------------------------------------------------------------------------------------


def tiled(img: Image.Image, nx: int, ny: int) -> Image.Image:
    out = Image.new("RGBA", (img.width * nx, img.height * ny))
    for j in range(ny):
        for i in range(nx):
            out.paste(img, (i * img.width, j * img.height))
    return out


def on_ground(sprite: Image.Image, ground: Image.Image, pad: int = 0) -> Image.Image:
    """Composite a sprite over tiled ground so contrast can be judged."""
    w, h = sprite.width + 2 * pad, sprite.height + 2 * pad
    bg = tiled(ground, -(-w // ground.width), -(-h // ground.height)).crop((0, 0, w, h))
    bg.alpha_composite(sprite, (pad, pad))
    return bg


def night_tint(img: Image.Image, tint: tuple[int, int, int] = NIGHT_TINT) -> Image.Image:
    """Multiply RGB by ``tint``, as the renderer does for terrain and people at night."""
    arr = np.asarray(img).astype(np.uint16)
    arr[..., :3] = arr[..., :3] * np.array(tint, np.uint16) // 255
    return Image.fromarray(arr.astype(np.uint8))


def contact_sheet(art: dict[str, Image.Image]) -> Image.Image:
    """Lay everything out at 2x with labels, plus in-context checks (seams, contrast, night)."""
    font = ImageFont.load_default_imagefont()
    items: list[tuple[str, Image.Image] | None] = []  # None = line break
    grass = art["grass_0"]
    road = art["road"]

    def add(label: str, img: Image.Image, scale: int = 2) -> None:
        items.append((label, scaled_rect(img, scale)))

    for name in ("grass_0", "grass_1", "grass_2", "water_0", "water_1", "road", "plaza", "sand", "forest"):
        add(name + " 3x3", tiled(art[name], 3, 3))
    items.append(None)
    mixed = Image.new("RGBA", (96, 64))
    for j in range(4):
        for i in range(6):
            kind = ("road" if j == 2 or i == 3 else
                    "forest" if (i, j) in ((0, 0), (1, 0)) else
                    f"grass_{int(hash01(i, j, 5) * 3)}")
            mixed.paste(art[kind], (i * 16, j * 16))
    add("mixed map", mixed)
    add("mixed at night", night_tint(mixed))
    add("park 2x2", tiled(art["park"], 2, 2), 1)
    add("park_night 2x2", tiled(art["park_night"], 2, 2), 1)
    items.append(None)
    for kind in BUILDINGS:
        if kind != "park":
            add(kind, on_ground(art[kind], grass))
    items.append(None)
    for kind in BUILDINGS:
        if kind != "park":
            add(kind + "_night", on_ground(art[kind + "_night"], night_tint(grass)))
    items.append(None)
    for kind in PROPS:
        add("prop " + kind, on_ground(art["prop_" + kind], grass), 3)
        add(kind + " night", on_ground(art["prop_" + kind + "_night"], night_tint(grass)), 3)
    items.append(None)
    for kind in ("home", "apartment", "office", "town_hall"):
        add(kind + " @5x5", on_ground(art[kind].resize((80, 80), Image.Resampling.NEAREST), grass), 1)
    add("home @4x4", on_ground(art["home"].resize((64, 64), Image.Resampling.NEAREST), grass), 1)
    items.append(None)
    people = [art[f"person_{i}"] for i in range(len(PEOPLE))]
    strip_w = 16 * len(people) + 4 * (len(people) + 1)
    for label, ground in (("people on grass", grass), ("on road", road), ("on plaza", art["plaza"]),
                          ("on sand", art["sand"]), ("at night", night_tint(grass))):
        strip = tiled(ground, -(-strip_w // 16), 2).crop((0, 0, strip_w, 30))
        for i, p in enumerate(people):
            sprite = night_tint(p, PEOPLE_NIGHT_TINT) if label == "at night" else p
            if i == 0:
                strip.alpha_composite(art["person_selected"], (2, 10))
            strip.alpha_composite(sprite, (4 + i * 20, 12))
            icon = art["icon_" + list(ICONS)[i % len(ICONS)]]
            strip.alpha_composite(icon, (7 + i * 20, 1))
        add(label, strip)
    items.append(None)
    for sex in PORTRAIT_SEXES:
        for band in PORTRAIT_BANDS:
            add(f"portraits {sex} {band}", on_ground(art[f"portrait_{sex}_{band}"], grass))
        items.append(None)
    for name in ICONS:
        add(name, art["icon_" + name], 3)
    add("bubble", art["bubble"], 3)
    add("selected", art["person_selected"], 3)
    add("dot", on_ground(art["dot"], road, 2), 4)
    items.append(None)
    for size in (16, 32, 48, 64, 128):
        add(f"icon_{size}", art[f"icon_{size}"], 1)
    items.append(None)
    add("demo map, day (2x)", demo_scene(art, night=False))
    items.append(None)
    add("demo map, night (2x)", demo_scene(art, night=True))
    add("demo map 1x", demo_scene(art, night=False), 1)
    return layout(items, font)


def nine_slice(img: Image.Image, width: int, height: int, insets: dict[str, int]) -> Image.Image:
    """Stretch a 9-slice image to (width, height); how the renderer should draw bubble.png."""
    left, top, right, bottom = insets["left"], insets["top"], insets["right"], insets["bottom"]
    xs = (0, left, img.width - right, img.width)
    ys = (0, top, img.height - bottom, img.height)
    dxs = (0, left, width - right, width)
    dys = (0, top, height - bottom, height)
    out = Image.new("RGBA", (width, height))
    for j in range(3):
        for i in range(3):
            part = img.crop((xs[i], ys[j], xs[i + 1], ys[j + 1]))
            size = (dxs[i + 1] - dxs[i], dys[j + 1] - dys[j])
            if size[0] > 0 and size[1] > 0:
                out.paste(part.resize(size, Image.Resampling.NEAREST), (dxs[i], dys[j]))
    return out


# A small hand-made map for the contact sheet: terrain letters, then buildings and people.
DEMO_MAP = (
    "gggggggfrrggggggsswww",
    "gggggggfrrgggggggssww",
    "gggggggfrrggggggggsss",
    "gggggggfrrgggggggggss",
    "ggggggggrrggggggggggs",
    "rrrrrrrrrrrrrrrrrrrrr",
    "rrrrrrrrrrrrrrrrrrrrr",
    "ggggggggrrpppppppgggg",
    "ggggggggrrpppppppgggg",
    "ggggggggrrpppppppgggg",
    "ggggggggrrpppppppgggg",
    "fffgggggrrpppppppffff",
    "fffgggggrrpppppppffff",
)
DEMO_BUILDINGS = (  # kind, tile x, tile y, footprint in tiles
    ("apartment", 0, 0, 4), ("home", 4, 1, 3), ("cafe", 10, 1, 3), ("shop", 13, 1, 3), ("workshop", 16, 2, 3),
    ("school", 0, 8, 3), ("office", 3, 7, 5), ("town_hall", 11, 7, 5), ("park", 17, 7, 4),
)
DEMO_PEOPLE = (  # person index, pixel x, pixel y, activity icon or None
    (0, 40, 82, "travel"), (3, 90, 82, "travel"), (5, 150, 88, "shop"), (7, 226, 82, None),
    (9, 204, 84, "social"), (1, 136, 40, "eat"), (11, 296, 140, "leisure"), (4, 138, 186, "work"),
    (6, 310, 84, "travel"), (2, 60, 66, "home"), (8, 200, 180, "leisure"), (10, 14, 186, "study"),
)
SELECTED_PERSON = 1  # index into DEMO_PEOPLE
SPEAKER = 3


def demo_scene(art: dict[str, Image.Image], night: bool) -> Image.Image:
    """Compose terrain, buildings, people, icons, a bubble and a selection into a tiny town."""
    width = max(len(row) for row in DEMO_MAP)
    scene = Image.new("RGBA", (width * TILE, len(DEMO_MAP) * TILE))
    for ty, row in enumerate(DEMO_MAP):
        for tx in range(width):
            char = row[tx] if tx < len(row) else "g"
            name = {"g": f"grass_{int(hash01(tx, ty, 9) * 3)}", "f": "forest", "r": "road", "p": "plaza",
                    "s": "sand", "w": "water_0"}[char]
            scene.paste(art[name], (tx * TILE, ty * TILE))
    if night:
        scene = night_tint(scene)
    for kind, tx, ty, size in DEMO_BUILDINGS:
        sprite = art[kind + "_night" if night else kind]
        side = size * TILE
        scene.alpha_composite(sprite.resize((side, side), Image.Resampling.NEAREST), (tx * TILE, ty * TILE))
    _, sx, sy, _ = DEMO_PEOPLE[SELECTED_PERSON]
    scene.alpha_composite(art["person_selected"], (sx - 2, sy - 2))
    for index, x, y, icon in DEMO_PEOPLE:
        sprite = art[f"person_{index}"]
        scene.alpha_composite(night_tint(sprite, PEOPLE_NIGHT_TINT) if night else sprite, (x, y))
        if icon:
            scene.alpha_composite(art["icon_" + icon], (x + 3, y - 11))
    speech = nine_slice(art["bubble"], 34, 16, BUBBLE_INSETS)
    ImageDraw.Draw(speech).text((8, 0), "hi!", fill=rgba("outline"), font=ImageFont.load_default_imagefont())
    _, bx, by, _ = DEMO_PEOPLE[SPEAKER]
    scene.alpha_composite(speech, (bx, by - 17))
    return scaled_rect(scene, 2)


def scaled_rect(img: Image.Image, scale: int) -> Image.Image:
    return img.resize((img.width * scale, img.height * scale), Image.Resampling.NEAREST)


def pad_to_label(img: Image.Image, label: str, font: ImageFont.ImageFont) -> Image.Image:
    """Widen an image (transparently) so its label fits above it."""
    text_w = int(font.getbbox(label)[2])
    if text_w <= img.width:
        return img
    out = Image.new("RGBA", (text_w, img.height))
    out.paste(img, (0, 0))
    return out


def layout(items: list[tuple[str, Image.Image] | None], font: ImageFont.ImageFont) -> Image.Image:
    """Flow labelled images into rows; ``None`` starts a new row."""
    gap, label_h, max_w = 10, 12, 1000
    items = [None if item is None else (item[0], pad_to_label(item[1], item[0], font)) for item in items]
    rows: list[list[tuple[str, Image.Image]]] = [[]]
    width = 0
    for item in items:
        if item is None or (rows[-1] and width + item[1].width + gap > max_w):
            rows.append([])
            width = 0
        if item is not None:
            rows[-1].append(item)
            width += item[1].width + gap
    rows = [row for row in rows if row]
    heights = [max(img.height for _, img in row) + label_h + gap for row in rows]
    widths = [sum(img.width + gap for _, img in row) + gap for row in rows]
    sheet = Image.new("RGBA", (max(widths), sum(heights) + gap), rgba("cream"))
    draw = ImageDraw.Draw(sheet)
    y = gap
    for row, h in zip(rows, heights, strict=True):
        x = gap
        for label, img in row:
            draw.text((x, y), label, fill=rgba("outline"), font=font)
            sheet.alpha_composite(img, (x, y + label_h))
            x += img.width + gap
        y += h
    return sheet


# ---------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------


def draw_all() -> dict[str, Image.Image]:
    """Every sprite, keyed by file stem."""
    art: dict[str, Image.Image] = {}
    for tiles in terrain().values():
        for name, canvas in tiles:
            art[name] = canvas.image()
    for kind in BUILDINGS:
        canvas = building(kind)
        art[kind] = canvas.image()
        art[kind + "_night"] = canvas.night_image()
    for kind in PROPS:
        canvas = prop(kind)
        art["prop_" + kind] = canvas.image()
        art["prop_" + kind + "_night"] = canvas.night_image()
    for i, spec in enumerate(PEOPLE):
        art[f"person_{i}"] = person(*spec).image()
    for sex in PORTRAIT_SEXES:
        for band in PORTRAIT_BANDS:
            art[f"portrait_{sex}_{band}"] = portrait_sheet(sex, band)
    art["person_selected"] = selected_ring().image()
    art["dot"] = dot_image()
    art["bubble"] = bubble().image()
    for name, glyph in ICONS.items():
        art["icon_" + name] = activity_icon(glyph).image()
    icon32 = app_icon_32().image()
    art["icon_16"] = app_icon_16().image()
    art["icon_32"] = icon32
    for size in (48, 64, 128, 256):
        art[f"icon_{size}"] = scaled(icon32, size)
    return art


def manifest() -> dict:
    return {
        "tile_size": TILE,
        "terrain": {kind: [name + ".png" for name, _ in tiles] for kind, tiles in terrain().items()},
        "buildings": {
            kind: {"day": f"{kind}.png", "night": f"{kind}_night.png",
                   "size": [PARK, PARK] if kind == "park" else [BUILDING, BUILDING],
                   "tileable": kind == "park"}
            for kind in BUILDINGS
        },
        "props": {kind: {"day": f"prop_{kind}.png", "night": f"prop_{kind}_night.png"} for kind in PROPS},
        "people": [f"person_{i}.png" for i in range(len(PEOPLE))],
        "person_size": [TILE, TILE],
        "portraits": {sex: {band: f"portrait_{sex}_{band}.png" for band in PORTRAIT_BANDS} for sex in PORTRAIT_SEXES},
        "portrait_size": [PORTRAIT, PORTRAIT],
        "portrait_skins": list(PORTRAIT_SKIN_TONES),  # a sheet's frames: skin by skin, then look by look
        "portrait_looks": PORTRAIT_LOOKS,
        "people_skin": [PORTRAIT_SKIN_TONES.index(spec[0]) for spec in PEOPLE],  # each map sprite's skin
        "icons": {name: f"icon_{name}.png" for name in ICONS},
        "icon_size": [10, 10],
        "ui": {"selected": "person_selected.png", "dot": "dot.png", "bubble": "bubble.png"},
        "bubble_nine_slice": BUBBLE_INSETS,
        "app_icon": {**{str(s): f"icon_{s}.png" for s in (16, 32, 48, 64, 128, 256)}, "ico": "icon.ico"},
        "night_tint": list(NIGHT_TINT),
        "people_night_tint": list(PEOPLE_NIGHT_TINT),
        "palette": PALETTE,
        "license": "CC0-1.0",
    }


def save_png(img: Image.Image, path: Path) -> None:
    img.save(path, format="PNG", optimize=True)


def generate(out_dir: Path | str = DEFAULT_OUT) -> dict:
    """Draw everything into ``out_dir``; returns the manifest that was written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    art = draw_all()
    for name, img in art.items():
        save_png(img, out / f"{name}.png")
    sizes = (16, 32, 48, 64, 128, 256)
    art["icon_256"].save(out / "icon.ico", format="ICO", sizes=[(s, s) for s in sizes],
                         append_images=[art[f"icon_{s}"] for s in sizes[:-1]])
    save_png(contact_sheet(art), out / "contact_sheet.png")
    data = manifest()
    (out / "manifest.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return data


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="output directory (default: assets/art next to this script)")
    args = parser.parse_args(argv)
    data = generate(args.out)
    print(f"wrote {args.out} ({len(data['people'])} people, {len(data['buildings'])} buildings)")


if __name__ == "__main__":
    main()
