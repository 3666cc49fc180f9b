"""A small experiment on the bundled village: short runs, so a test takes seconds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine import api
from tests.conftest import WORLDS


def write_spec(folder: Path, body: str, world: Path | None = None) -> Path:
    village = world or folder / "village.town"
    if world is None and not village.exists():
        shutil.copy(WORLDS / "village.town", village)  # its own copy: the run hashes the file it opens
    spec = folder / "small.toml"
    spec.write_text(f'name = "small"\nworlds = ["{village.name}"]\n' + body, encoding="utf-8")
    return spec


SMALL = """
seeds = [1, 2]
sim_hours = 2
checkpoint_minutes = 30

[settings]
brain = "rule"
facts = [["Rosa Alvarez", "I'm throwing a party at The Copper Kettle tomorrow at 5pm"]]

[sweep]
"policy.tax_rate" = [0.1, 0.3]
"""


@pytest.fixture
def small_spec(tmp_path: Path) -> Path:
    return write_spec(tmp_path, SMALL)


def branched_village(path: Path) -> Path:
    """The village three sim hours on, and a second branch from hour one where Rosa says the mill is hiring."""
    world = api.open_world(WORLDS / "village.town")
    api.run_headless(world, 180, seed=1)
    api.save_world(world, path)
    world = api.open_world(path)
    api.run_headless(world, 120, from_tick=60, seed_facts=[("Rosa Alvarez", "the mill is hiring")])
    api.save_world(world, path)
    return path
