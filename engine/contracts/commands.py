"""Commands: everything the GUI (or a script) asks the engine to do.

Each command is a frozen dataclass with an id; the engine answers every one with
``CommandApplied`` or ``CommandRejected`` carrying that id.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

_ids = itertools.count(1)


def _next_id() -> int:
    return next(_ids)


@dataclass(frozen=True, slots=True)
class Command:
    id: int = field(default_factory=_next_id, kw_only=True)


@dataclass(frozen=True, slots=True)
class Play(Command):
    pass


@dataclass(frozen=True, slots=True)
class Pause(Command):
    pass


@dataclass(frozen=True, slots=True)
class Step(Command):
    """Advance exactly ``ticks`` ticks, then pause."""

    ticks: int = 1


@dataclass(frozen=True, slots=True)
class SetSpeed(Command):
    """Target ticks per second; ``0`` means as fast as the machine allows."""

    ticks_per_second: float = 1.0


@dataclass(frozen=True, slots=True)
class SaveWorld(Command):
    """Write the world (history included) atomically to ``path``."""

    path: str = ""
