"""How big anything read from outside may be.

World files, Tiled maps and persona folders get shared, so every size in them is
checked before it is trusted: a small file must not be able to ask for a huge
allocation (a compressed blob, a map's dimensions, a building's capacity) or an
endless loop. The limits sit above the largest honest world (100,000 people run
headless on a 744 x 594 map) and are listed in the README's "Bad input" section.
"""

from __future__ import annotations

MAX_MAP_SIDE = 1024  # tiles, each way
MAX_PEOPLE = 200_000
MAX_BUILDINGS = 200_000
MAX_PROPS = 200_000
MAX_AREAS = 200_000  # districts, neighbourhoods, lots (each)
MAX_CAPACITY = 10_000  # people one building holds
MAX_NAME_CHARS = 200
MAX_TEXT_CHARS = 20_000  # a bio, an event's words, a JSON payload
MAX_PROMPT_CHARS = 200_000  # a recorded prompt or answer
MAX_BLOB_BYTES = 256 * 1024 * 1024  # one decompressed engine state or map
MAX_JSON_DEPTH = 32
MAX_INPUT_FILE_BYTES = 64 * 1024 * 1024  # a Tiled map, a tileset or a persona file
MAX_PERSONA_FILES = 2_000
MAX_TICK = 10**12  # beyond any honest run (1.9 million years of sim minutes)

# Rows per table; events and thoughts are what a long honest run accumulates.
MAX_ROWS = {
    "meta": 10_000, "blob": 100, "district": MAX_AREAS, "neighbourhood": MAX_AREAS, "lot": MAX_AREAS,
    "building": MAX_BUILDINGS, "prop": MAX_PROPS, "person": MAX_PEOPLE, "tie": 5_000_000,
    "event": 20_000_000, "thought": 5_000_000, "branch": 10_000, "checkpoint": 100_000,
}


class TooBig(ValueError):
    """Input beyond a limit; the message says which and by how much."""
