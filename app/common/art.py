"""The pixel art, read from ``assets/art/manifest.json`` as Pillow images.

The map turns these into arcade textures and the docks into pixmaps (portraits).
If the art is missing (a stripped install), plain placeholder shapes stand in so
the app still runs and says so in the log; they are not meant to be looked at.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw

from app.common.resources import art_dir

log = logging.getLogger(__name__)

TERRAIN_KEYS = ("grass", "water", "road", "plaza", "sand", "forest")  # in ``Terrain`` order
BUILDING_KEYS = ("home", "apartment", "cafe", "shop", "office", "workshop", "school", "park", "town_hall")
PROP_KEYS = ("tree", "bench", "lamp", "fountain", "flowers")  # god mode's objects, one tile each
PORTRAIT_SEXES = ("female", "male")  # the sexes portraits are drawn for (``unspecified`` borrows either)
AGE_BANDS = ("child", "young", "adult", "elder")  # see ``app.common.portraits.age_band``
ACTIVITY_KEYS = ("sleep", "home", "travel", "work", "eat", "shop", "leisure", "social", "study")  # ``Activity`` order
_PLACEHOLDER_COLOURS = {
    "grass": (110, 166, 79), "water": (63, 116, 181), "road": (85, 83, 107), "plaza": (194, 192, 204),
    "sand": (232, 207, 152), "forest": (47, 93, 63),
}


@dataclass
class Art:
    tile_size: int
    terrain: dict[str, list[Image.Image]]
    buildings_day: dict[str, Image.Image]
    buildings_night: dict[str, Image.Image]
    tileable: set[str]
    people: list[Image.Image]
    icons: dict[str, Image.Image]
    selected: Image.Image
    dot: Image.Image
    bubble: Image.Image
    bubble_slice: tuple[int, int, int, int]  # left, top, right, bottom
    night_tint: tuple[int, int, int]
    app_icons: dict[str, Path] = field(default_factory=dict)
    props_day: dict[str, Image.Image] = field(default_factory=dict)
    props_night: dict[str, Image.Image] = field(default_factory=dict)
    # The inspector's faces, by (sex, age band): skin by skin, then look by look (see ``app.common.portraits``).
    portraits: dict[tuple[str, str], list[Image.Image]] = field(default_factory=dict)
    portrait_looks: int = 1
    people_skin: list[int] = field(default_factory=list)  # each map sprite's skin, as a portrait skin index
    placeholder: bool = False


def _open(folder: Path, name: str) -> Image.Image:
    image = Image.open(folder / name)
    image.load()
    return image.convert("RGBA")


def _frames(sheet: Image.Image, width: int) -> list[Image.Image]:
    return [sheet.crop((x, 0, x + width, sheet.height)) for x in range(0, sheet.width - width + 1, width)]


def _load(folder: Path) -> Art:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    buildings = manifest["buildings"]
    nine = manifest.get("bubble_nine_slice", {})
    ui = manifest["ui"]
    return Art(
        tile_size=int(manifest.get("tile_size", 16)),
        terrain={k: [_open(folder, n) for n in manifest["terrain"][k]] for k in TERRAIN_KEYS},
        buildings_day={k: _open(folder, buildings[k]["day"]) for k in BUILDING_KEYS},
        buildings_night={k: _open(folder, buildings[k]["night"]) for k in BUILDING_KEYS},
        tileable={k for k in BUILDING_KEYS if buildings[k].get("tileable")},
        people=[_open(folder, n) for n in manifest["people"]],
        icons={k: _open(folder, manifest["icons"][k]) for k in ACTIVITY_KEYS},
        selected=_open(folder, ui["selected"]),
        dot=_open(folder, ui["dot"]),
        bubble=_open(folder, ui["bubble"]),
        bubble_slice=(int(nine.get("left", 4)), int(nine.get("top", 4)), int(nine.get("right", 4)),
                      int(nine.get("bottom", 4))),
        night_tint=tuple(manifest.get("night_tint", (140, 150, 210)))[:3],
        app_icons={k: folder / v for k, v in manifest.get("app_icon", {}).items()},
        props_day={k: _open(folder, manifest["props"][k]["day"]) for k in PROP_KEYS},
        props_night={k: _open(folder, manifest["props"][k]["night"]) for k in PROP_KEYS},
        portraits={(sex, band): _frames(_open(folder, manifest["portraits"][sex][band]), manifest["portrait_size"][0])
                   for sex in PORTRAIT_SEXES for band in AGE_BANDS},
        portrait_looks=int(manifest["portrait_looks"]),
        people_skin=[int(v) for v in manifest["people_skin"]],
    )


def _square(size: int, colour: tuple[int, int, int]) -> Image.Image:
    return Image.new("RGBA", (size, size), (*colour, 255))


def _disc(size: int, colour: tuple[int, int, int], outline: bool = True) -> Image.Image:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((1, 1, size - 2, size - 2), fill=(*colour, 255),
                                  outline=(36, 27, 47, 255) if outline else None)
    return image


def _placeholder() -> Art:
    """Flat shapes, so a missing art folder degrades instead of crashing."""
    palette = [(211, 90, 74), (63, 158, 148), (125, 91, 166), (236, 154, 76), (246, 207, 87), (232, 154, 174)]
    house = _square(48, (192, 138, 88))
    ring = Image.new("RGBA", (20, 20), (0, 0, 0, 0))
    ImageDraw.Draw(ring).ellipse((1, 1, 18, 18), outline=(246, 207, 87, 255), width=2)
    bubble = Image.new("RGBA", (24, 16), (0, 0, 0, 0))
    ImageDraw.Draw(bubble).rounded_rectangle((0, 0, 23, 12), 3, fill=(251, 248, 240, 255), outline=(36, 27, 47, 255))
    return Art(
        tile_size=16,
        terrain={k: [_square(16, c)] for k, c in _PLACEHOLDER_COLOURS.items()},
        buildings_day={k: house for k in BUILDING_KEYS},
        buildings_night={k: _square(48, (61, 51, 80)) for k in BUILDING_KEYS},
        tileable=set(),
        people=[_disc(16, c) for c in palette],
        icons={k: _disc(10, (251, 248, 240)) for k in ACTIVITY_KEYS},
        selected=ring,
        dot=_disc(4, (251, 248, 240), outline=False),
        bubble=bubble,
        bubble_slice=(4, 3, 4, 6),
        night_tint=(140, 150, 210),
        props_day={k: _disc(16, (47, 93, 63)) for k in PROP_KEYS},
        props_night={k: _disc(16, (36, 27, 47)) for k in PROP_KEYS},
        portraits={(sex, band): [_disc(32, palette[i % len(palette)])] for i, (sex, band) in
                   enumerate((s, b) for s in PORTRAIT_SEXES for b in AGE_BANDS)},
        people_skin=[0] * len(palette),
        placeholder=True,
    )


@lru_cache(maxsize=1)
def load_art(folder: str | None = None) -> Art:
    """The art set (cached); placeholders if the folder or a file is missing."""
    path = Path(folder) if folder else art_dir()
    try:
        return _load(path)
    except (OSError, KeyError, ValueError, TypeError) as exc:
        log.warning("pixel art unavailable in %s (%s); drawing placeholders", path, exc)
        return _placeholder()


# The people sprites with grey hair (assets/generate_art.py's PEOPLE rows 8 and 9): worn by the old only.
GREY_HAIRED = (8, 9)
OLD_FROM = 65


def person_variant(person_id: int, variants: int, age: int | None = None) -> int:
    """Which of the sprite variants a person wears: stable for a given id, and fitting their age
    (grey hair from OLD_FROM on, never before). The map and the inspector's portrait agree."""
    # A multiplicative hash so that neighbours in a family don't all share a look.
    pick = person_id * 2654435761 >> 7
    grey = [v for v in GREY_HAIRED if v < variants]
    if age is None or not grey or len(grey) == variants:
        return pick % max(1, variants)
    pool = grey if age >= OLD_FROM else [v for v in range(variants) if v not in grey]
    return pool[pick % len(pool)]
