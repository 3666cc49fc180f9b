"""What keeps the window's memory down: PySide6 not holding every imported module's source, and the
ground picture laid out a band at a time (the same picture as laid out whole)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.common.art import TERRAIN_KEYS, load_art
from app.map import textures
from app.map.textures import _tile_hash, _tint_districts, terrain_image

ROOT = Path(__file__).resolve().parents[2]


PROBE = """
import linecache, sys
import app.shell  # installs the uncached check
from app.shell.source_scan import CHECK, FEATURE_MODULE, uses_pyside
feature = sys.modules[FEATURE_MODULE]
assert getattr(feature, CHECK) is uses_pyside, "the check was not replaced"
import memory_probe_qt, memory_probe_plain  # an import statement's way in (shiboken watches __import__)
# What shiboken's own check decides: a module that mentions PySide6 takes part in __feature__, others not.
assert feature.pyside_feature_dict["memory_probe_qt"] == 0, feature.pyside_feature_dict.get("memory_probe_qt")
assert feature.pyside_feature_dict["memory_probe_plain"] == -1
assert not [path for path in linecache.cache if "memory_probe_" in path], "their source was kept"
print("ok")
"""


def test_modules_imported_after_pyside_are_not_kept_in_the_line_cache(tmp_path: Path) -> None:
    # In a process of its own: shiboken's import hook is process-wide state that earlier tests' imports,
    # windows and patches of ``__import__`` can leave in any shape.
    (tmp_path / "memory_probe_qt.py").write_text("from PySide6.QtCore import QObject\nVALUE = QObject\n")
    (tmp_path / "memory_probe_plain.py").write_text("VALUE = 1\n")
    paths = os.pathsep.join([str(tmp_path), str(ROOT), os.environ.get("PYTHONPATH", "")])
    done = subprocess.run([sys.executable, "-c", PROBE], env={**os.environ, "PYTHONPATH": paths},
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


def _whole_picture(terrain: np.ndarray, district_map: np.ndarray) -> np.ndarray:
    """The ground laid out in one go, as it was before it went by bands."""
    art = load_art()
    t = art.tile_size
    tiles, first, counts = [], [], []
    for key in TERRAIN_KEYS:
        first.append(len(tiles))
        variants = [np.asarray(img.resize((t, t)) if img.size != (t, t) else img) for img in art.terrain[key]]
        tiles.extend(variants)
        counts.append(len(variants))
    stack = np.stack(tiles)
    h, w = terrain.shape
    kinds = np.clip(terrain.astype(np.int64), 0, len(TERRAIN_KEYS) - 1)
    index = np.array(first)[kinds] + (_tile_hash(h, w) % np.array(counts)[kinds])
    picture = stack[index].transpose(0, 2, 1, 3, 4).reshape(h * t, w * t, 4).copy()
    _tint_districts(picture, terrain, district_map, t)
    return picture


@pytest.mark.parametrize("rows", [1, textures.TERRAIN_BAND_TILES, 2 * textures.TERRAIN_BAND_TILES + 3])
def test_the_ground_laid_out_by_bands_is_the_whole_picture(rows: int) -> None:
    rng = np.random.default_rng(rows)
    terrain = rng.integers(0, len(TERRAIN_KEYS), size=(rows, 23)).astype(np.uint8)
    district_map = rng.integers(-1, 5, size=(rows, 23)).astype(np.int16)
    banded = np.asarray(terrain_image(load_art(), terrain, district_map))
    assert np.array_equal(banded, _whole_picture(terrain, district_map))


def test_the_event_store_keeps_histories_only_for_the_people_asked_about() -> None:
    from app.common.event_store import EventStore
    from engine.contracts import Arrived

    store = EventStore(limit=4, per_person=3, followed=2)
    store.add([Arrived(tick, person, 0) for tick in range(3) for person in range(100)])
    assert not store.by_person, "nobody asked: no per-person copies of the town's events"
    assert [e.tick for e in store.for_person(99)] == [2], "what the log still holds of them"
    store.add([Arrived(tick, 99, 0) for tick in range(3, 10)] + [Arrived(10, 5, 0)])
    assert [e.tick for e in store.for_person(99)] == [7, 8, 9], "followed from then on, past the log's reach"
    store.for_person(5)
    store.for_person(6)
    assert list(store.by_person) == [5, 6], "only the last two asked about are followed"
