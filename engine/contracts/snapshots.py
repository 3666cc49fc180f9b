"""Immutable views of the world that the engine hands to the GUI.

``StaticWorld`` changes only when the map or the cast changes (its ``version``
says so); ``WorldSnapshot`` is published after every tick and carries numpy
arrays the engine will never touch again, so readers need no locks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.contracts.enums import Sex
from engine.contracts.society import SocietyView
from engine.contracts.thinking import LLMHealth


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
    removed: bool = False  # demolished (ids stay stable; draw nothing)


@dataclass(frozen=True, slots=True)
class PropInfo:
    """An object on one tile (tree, bench, lamp, fountain, flowers)."""

    id: int
    kind: str
    x: int
    y: int
    removed: bool = False  # removed (ids stay stable; draw nothing)


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
    removed: bool = False  # taken out of the world (ids stay stable; draw nothing)
    goals: str = ""  # what they are after, in their words (set in god mode or by an imported persona)
    sex: Sex = Sex.UNSPECIFIED


@dataclass(frozen=True, slots=True)
class StaticWorld:
    version: int
    name: str
    terrain: np.ndarray  # (height, width) uint8 of ``Terrain`` values
    district_map: np.ndarray  # (height, width) int16 district id, -1 outside
    districts: tuple[DistrictInfo, ...]
    buildings: tuple[BuildingInfo, ...]
    people: tuple[PersonInfo, ...]
    props: tuple[PropInfo, ...] = ()


@dataclass(frozen=True, slots=True)
class RelationshipTable:
    """Every tie as parallel arrays; rebuilt only when ties changed (see ``version``)."""

    version: int
    a: np.ndarray  # (m,) int32, a < b
    b: np.ndarray  # (m,) int32
    affinity: np.ndarray  # (m,) float32 in [-1, 1]
    familiarity: np.ndarray  # (m,) float32 in [0, 1]
    meetings: np.ndarray  # (m,) int32
    family: np.ndarray  # (m,) bool
    trust: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))  # (m,) float32 in [-1, 1]
    last_tick: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # (m,) last meeting, -1 never

    def __len__(self) -> int:
        return len(self.a)


@dataclass(frozen=True, slots=True)
class BranchView:
    id: int
    name: str
    parent: int  # -1 for the main branch
    fork_tick: int
    head_tick: int


@dataclass(frozen=True, slots=True)
class CheckpointView:
    id: int
    branch: int
    tick: int
    kind: str  # auto | edit | user | save | fork | end
    name: str


@dataclass(frozen=True, slots=True)
class TimelineView:
    version: int
    current: int  # the branch being shown
    head: int  # the furthest tick of the current branch (tick < head: looking at the past)
    branches: tuple[BranchView, ...]
    checkpoints: tuple[CheckpointView, ...]  # those on the current line


@dataclass(frozen=True, slots=True)
class LLMStatusView:
    brain: str  # rule | ollama | fake
    state: LLMHealth
    message: str  # plain words, with how to fix a problem
    queued: int = 0
    calls: int = 0
    tokens: int = 0
    failures: int = 0
    fallbacks: int = 0
    cache_hits: int = 0
    minds: int = 0  # how many people can think
    model: str = ""  # the chat model asked (empty with the rule brain)
    hosts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IncidentView:
    """Something happening in town that the map shows: a fire, a festival, a storm, a grand opening."""

    id: int
    kind: str  # fire | festival | storm | shop | damage
    phase: str  # burning | damaged | on | raging | opening (only the ones still going are shown)
    building: int  # -1: an area
    x: int  # tile of the centre
    y: int
    radius: float  # tiles
    start_tick: int
    end_tick: int  # when this phase ends
    text: str


# The snapshot's parts that cost the engine most to build (the ties' table, the society's view: tens of ms a time
# at 10,000 people). A reader that shows neither now says so (``EngineHandle.read_only``): while running the
# engine then leaves them as it last built them.
COSTLY_PARTS = ("relationships", "society")


@dataclass(frozen=True, slots=True)
class WorldSnapshot:
    tick: int
    day: int  # 1-based sim day
    minute_of_day: int
    tick_seconds: int
    static: StaticWorld
    sim_minute: int  # minutes since day 1 00:00 (a monotonic sim-time axis for plots)
    positions: np.ndarray  # (n, 2) float32, tile units, centre of tile = +0.5
    activity: np.ndarray  # (n,) int8 ``Activity``
    location: np.ndarray  # (n,) int32 building the person is in, -1 outdoors
    destination: np.ndarray  # (n,) int32 building heading for, -1 none
    needs: np.ndarray  # (n, 4) float32 energy, hunger, social, fun in [0, 1]
    money: np.ndarray  # (n,) int64 cents
    until: np.ndarray  # (n,) int64 tick the current activity ends (huge while walking)
    relationships: RelationshipTable
    metrics: dict[str, float] = field(default_factory=dict)  # the latest value of each curve
    metric_columns: tuple[str, ...] = ()
    metric_samples: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    running: bool = False
    ticks_per_second: float = 0.0
    llm: LLMStatusView = field(default_factory=lambda: LLMStatusView("rule", LLMHealth.OFF, "rule brain"))
    timeline: TimelineView | None = None
    society: SocietyView | None = None  # money, councils, word of mouth (None until the engine has built one)
    incidents: tuple[IncidentView, ...] = ()  # fires, festivals, storms and openings going on now
    # Of ``COSTLY_PARTS``, those left as last built while running because the reader showed them nowhere:
    # a view shown again waits for a snapshot without its part here (the engine builds it at the next one).
    unread: tuple[str, ...] = ()

    def minute_at(self, tick: int) -> int:
        """Minute of day at ``tick`` (for turning ``until`` into a clock time)."""
        return (self.minute_of_day + (tick - self.tick) * self.tick_seconds // 60) % (24 * 60)

    @property
    def clock_text(self) -> str:
        return f"Day {self.day}  {self.minute_of_day // 60:02d}:{self.minute_of_day % 60:02d}"
