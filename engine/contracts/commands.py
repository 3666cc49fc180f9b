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


@dataclass(frozen=True, slots=True)
class Watch(Command):
    """The user is watching this person: they think first (and get a mind if they had none)."""

    agent: int = -1
    watched: bool = True


@dataclass(frozen=True, slots=True)
class QueryMind(Command):
    """Answered by a ``MindReport``: today's plan at each grain and what they are doing."""

    agent: int = -1


@dataclass(frozen=True, slots=True)
class QueryMemories(Command):
    """Answered by ``MemoriesResult``. ``text`` empty: newest first; ``semantic``: ranked by retrieval."""

    agent: int = -1
    text: str = ""
    semantic: bool = False
    limit: int = 50
    offset: int = 0
    kind: str = ""  # only this kind (e.g. "reflection"); empty: all
    ids: tuple[int, ...] = ()  # just these memories (e.g. a reflection's evidence)


@dataclass(frozen=True, slots=True)
class QueryThoughts(Command):
    """Answered by ``ThoughtsResult``: the raw prompts and answers, newest first."""

    agent: int = -1
    limit: int = 50


@dataclass(frozen=True, slots=True)
class ConfigureLLM(Command):
    """Switch thinking backend or settings while running (the settings dialog)."""

    brain: str = "rule"  # rule | ollama | fake
    hosts: tuple[str, ...] = ()
    model: str = "llama3.2"
    temperature: float = 0.7
    budget_per_hour: int = 600
    timeout_s: float = 60.0


@dataclass(frozen=True, slots=True)
class MakeCheckpoint(Command):
    """Checkpoint now, under a name the user chose."""

    name: str = ""


@dataclass(frozen=True, slots=True)
class Seek(Command):
    """Show the world at ``tick`` of the current branch.

    ``exact=False`` restores the nearest checkpoint at or before it at once (for scrubbing);
    ``exact=True`` then replays the record to the very tick. Playing or editing afterwards
    starts a new branch; the old future stays as it was.
    """

    tick: int = 0
    exact: bool = True


@dataclass(frozen=True, slots=True)
class SwitchBranch(Command):
    branch: int = 0


@dataclass(frozen=True, slots=True)
class RenameBranch(Command):
    branch: int = 0
    name: str = ""


@dataclass(frozen=True, slots=True)
class DeleteBranch(Command):
    branch: int = 0


@dataclass(frozen=True, slots=True)
class ParseConsole(Command):
    """God console: understand ``text`` (syntax, else the model); answered by ``ConsoleParsed``."""

    text: str = ""


@dataclass(frozen=True, slots=True)
class ExportTiled(Command):
    """Write the world's terrain, buildings and districts as a Tiled map (.tmj) at ``path``."""

    path: str = ""


@dataclass(frozen=True, slots=True)
class DriveFromOutside(Command):
    """Hand ``agent``'s decisions to an outside program (the agent API) or the player, or give them back.

    ``deadline_s``: how long a decision waits for its answer before the rule brain makes it
    (0: it waits as long as it takes, as for the player). Takes effect at the next tick.
    """

    agent: int = -1
    driven: bool = True
    who: str = "program"  # program | player
    deadline_s: float = 2.0


@dataclass(frozen=True, slots=True)
class AnswerDecision(Command):
    """Actions for an outside-driven person, as JSON (see ``engine.outside.actions``).

    ``decision``: the decision point answered; 0 steers them now, whatever they are doing
    (the player clicking where to walk). ``sent``: ``time.monotonic()`` when the answer came in.
    """

    agent: int = -1
    decision: int = 0
    actions: str = "[]"
    sent: float = 0.0
class QueryPlugins(Command):
    """The installed plugins and which the open world uses; answered by ``PluginsReport``."""


@dataclass(frozen=True, slots=True)
class ChoosePlugins(Command):
    """The world uses these plugins from the next time it opens (saved with it); answered by ``PluginsReport``."""

    use: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
