"""Immutable views of the world that the engine hands to the GUI.

``StaticWorld`` changes only when the map or the cast changes (its ``version``
says so); ``WorldSnapshot`` is published after every tick and carries numpy
arrays the engine will never touch again, so readers need no locks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True, slots=True)
class DistrictInfo:
    id: int
    name: str
    neighbourhoods: tuple[tuple[int, str], ...]  # (id, name)
    bounds: tuple[int, int, int, int]  # x, y, width, height in tiles


@dataclass(frozen=True, slots=True)
class BuildingInfo:
    id: int
    name: str
    type: int  # a ``BuildingType`` value
    x: int
    y: int
    width: int
    height: int
    entrance: tuple[int, int]
    capacity: int
    opens: int  # minute of day
    closes: int  # minute of day; closes <= opens means open across midnight
    neighbourhood: int


@dataclass(frozen=True, slots=True)
class PersonInfo:
    id: int
    name: str
    age: int
    occupation: str
    bio: str
    traits: tuple[float, float, float, float, float]  # Big Five, O C E A N in [0, 1]
    home: int
    workplace: int  # -1 when not employed


@dataclass(frozen=True, slots=True)
class StaticWorld:
    version: int
    name: str
    terrain: np.ndarray  # (height, width) uint8 of ``Terrain`` values
    district_map: np.ndarray  # (height, width) int16 district id, -1 outside
    districts: tuple[DistrictInfo, ...]
    buildings: tuple[BuildingInfo, ...]
    people: tuple[PersonInfo, ...]


@dataclass(frozen=True, slots=True)
class WorldSnapshot:
    tick: int
    day: int  # 1-based sim day
    minute_of_day: int
    tick_seconds: int
    static: StaticWorld
    positions: np.ndarray  # (n, 2) float32, tile units, centre of tile = +0.5
    activity: np.ndarray  # (n,) int8 ``Activity``
    location: np.ndarray  # (n,) int32 building the person is in, -1 outdoors
    destination: np.ndarray  # (n,) int32 building heading for, -1 none
    needs: np.ndarray  # (n, 4) float32 energy, hunger, social, fun in [0, 1]
    money: np.ndarray  # (n,) int64 cents
    metrics: dict[str, float] = field(default_factory=dict)
    running: bool = False
    ticks_per_second: float = 0.0

    @property
    def clock_text(self) -> str:
        return f"Day {self.day}  {self.minute_of_day // 60:02d}:{self.minute_of_day % 60:02d}"
