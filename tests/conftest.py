"""Shared fixtures: small generated worlds (fresh per test, they are cheap) and paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import api
from engine.state.world import World

ROOT = Path(__file__).resolve().parent.parent
WORLDS = ROOT / "worlds"


@pytest.fixture
def village() -> World:
    return api.new_world(25, seed=3, template="village")


@pytest.fixture
def town() -> World:
    return api.new_world(300, seed=4, template="city")


@pytest.fixture
def saved_village(tmp_path: Path, village: World) -> Path:
    path = tmp_path / "village.town"
    api.save_world(village, path)
    return path
