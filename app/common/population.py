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


def population(static: StaticWorld) -> int:
    return sum(1 for person in static.people if not person.removed)


def is_living(static: StaticWorld, person: int) -> bool:
    return 0 <= person < len(static.people) and not static.people[person].removed
