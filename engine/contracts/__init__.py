"""Frozen data that crosses the engine boundary: commands, events, snapshots."""

from engine.contracts.commands import (
    Command,
    Pause,
    Play,
    SaveWorld,
    SetSpeed,
    Step,
)
from engine.contracts.enums import Activity, BuildingType, Terrain
from engine.contracts.events import (
    ActivityStarted,
    Arrived,
    CommandApplied,
    CommandRejected,
    ConversationHeld,
    Event,
    RelationshipChanged,
    WorldSaved,
)
from engine.contracts.snapshots import (
    BuildingInfo,
    DistrictInfo,
    PersonInfo,
    RelationshipTable,
    StaticWorld,
    WorldSnapshot,
)

__all__ = [
    "Activity",
    "ActivityStarted",
    "Arrived",
    "BuildingInfo",
    "BuildingType",
    "Command",
    "CommandApplied",
    "CommandRejected",
    "ConversationHeld",
    "DistrictInfo",
    "Event",
    "Pause",
    "PersonInfo",
    "Play",
    "RelationshipChanged",
    "RelationshipTable",
    "SaveWorld",
    "SetSpeed",
    "StaticWorld",
    "Step",
    "Terrain",
    "WorldSaved",
    "WorldSnapshot",
]
