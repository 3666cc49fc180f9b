"""A small experiment on the bundled village: short runs, so a test takes seconds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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
