"""Typed events the engine publishes after each tick.

Events are facts about the simulated world (or answers to commands). They are
small, slotted and frozen so thousands per tick stay cheap.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Event:
    tick: int

    @property
    def kind(self) -> str:
        return type(self).__name__


@dataclass(frozen=True, slots=True)
class Arrived(Event):
    agent: int
    building: int


@dataclass(frozen=True, slots=True)
class ActivityStarted(Event):
    agent: int
    activity: int  # an ``Activity`` value
    building: int  # -1 while travelling
    until_tick: int


@dataclass(frozen=True, slots=True)
class ConversationHeld(Event):
    a: int
    b: int
    building: int
    lines: tuple[tuple[int, str], ...]  # (speaker, text)


@dataclass(frozen=True, slots=True)
class RelationshipChanged(Event):
    a: int
    b: int
    affinity: float
    familiarity: float
    label: str


@dataclass(frozen=True, slots=True)
class CommandApplied(Event):
    command_id: int
    summary: str = ""


@dataclass(frozen=True, slots=True)
class CommandRejected(Event):
    command_id: int
    reason: str


@dataclass(frozen=True, slots=True)
class WorldSaved(Event):
    path: str
