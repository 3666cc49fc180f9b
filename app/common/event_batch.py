"""One poll's events, as the bridge hands them to the window's listeners.

At max speed a poll brings hundreds of a tick's outcomes (people setting off, arriving, talking),
and most listeners want a few rare kinds among them: the answers to what they sent, a save, a jump
in time, the council's news. Each walked the whole batch with ``isinstance`` (3 million calls in 10 s
in a town of 10,000, a sixth of the GUI thread's time, every one of them a turn at the GIL the engine
and the map wanted). A batch finds the kinds it holds once, and a listener whose kinds are not among
them is done at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar, overload

from engine.contracts import Event

E = TypeVar("E", bound=Event)


class EventBatch(list[Event]):
    """The events in the engine's order. Not changed once made: the kinds it holds are found once."""

    __slots__ = ("_kinds",)

    def __init__(self, events: Iterable[Event] = ()):
        super().__init__(events)
        self._kinds: frozenset[type] | None = None

    def has(self, *kinds: type[Event]) -> bool:
        """Whether any event is one of ``kinds`` (or of a kind derived from one)."""
        if self._kinds is None:
            self._kinds = frozenset(map(type, self))  # at C speed: no Python call per event
        return any(issubclass(held, kinds) for held in self._kinds)

    @overload
    def only(self, kind: type[E], /) -> list[E]: ...

    @overload
    def only(self, *kinds: type[Event]) -> list[Event]: ...

    def only(self, *kinds: type[Event]) -> list[Any]:
        """The events of ``kinds``, in order."""
        return [event for event in self if isinstance(event, kinds)] if self.has(*kinds) else []
