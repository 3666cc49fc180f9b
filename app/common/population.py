"""Who lives in the town at the moment shown.

A person taken out of the world keeps their slot (ids stay stable), so
``static.people`` also lists the removed — among them anyone spawned "later"
when the playhead is dragged back before their arrival. Every count and list
the user sees goes through here, so the status bar, the docks and the graph agree.
"""

from __future__ import annotations

from engine.contracts import PersonInfo, StaticWorld


def living(static: StaticWorld) -> list[PersonInfo]:
    """The people in the world now, in id order."""
    return [person for person in static.people if not person.removed]


_counted: tuple[StaticWorld, int] | None = None  # the last world counted: the status bar asks with every snapshot


def population(static: StaticWorld) -> int:
    global _counted
    if _counted is None or _counted[0] is not static:  # a world's static part is replaced when anyone comes or goes
        _counted = (static, sum(1 for person in static.people if not person.removed))
    return _counted[1]


def is_living(static: StaticWorld, person: int) -> bool:
    return 0 <= person < len(static.people) and not static.people[person].removed
