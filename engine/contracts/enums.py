"""Small integer vocabularies shared by the engine, the world file and the GUI.

They are ``IntEnum`` so that numpy arrays can hold them directly; the numbers are
stored in world files, so never renumber a member — only append. ``Sex`` is stored
by its word, so it is a ``StrEnum``.
"""

from enum import IntEnum, StrEnum


class Terrain(IntEnum):
    GRASS = 0
    WATER = 1
    ROAD = 2
    PLAZA = 3
    SAND = 4
    FOREST = 5

    @property
    def walkable(self) -> bool:
        return self not in (Terrain.WATER, Terrain.FOREST)


class BuildingType(IntEnum):
    HOME = 0
    APARTMENT = 1
    CAFE = 2
    SHOP = 3
    OFFICE = 4
    WORKSHOP = 5
    SCHOOL = 6
    PARK = 7
    TOWN_HALL = 8

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").lower()

    @property
    def is_residential(self) -> bool:
        return self in (BuildingType.HOME, BuildingType.APARTMENT)


class Activity(IntEnum):
    SLEEP = 0
    HOME = 1  # awake at home: chores, reading, resting
    TRAVEL = 2  # walking to a destination
    WORK = 3
    EAT = 4
    SHOP = 5
    LEISURE = 6  # a walk in the park, time on the plaza
    SOCIAL = 7  # meeting friends at a hangout
    STUDY = 8  # pupils at school

    @property
    def verb(self) -> str:
        return _VERBS[self]


_VERBS = {
    Activity.SLEEP: "sleeping",
    Activity.HOME: "relaxing at home",
    Activity.TRAVEL: "walking",
    Activity.WORK: "working",
    Activity.EAT: "eating",
    Activity.SHOP: "shopping",
    Activity.LEISURE: "taking a stroll",
    Activity.SOCIAL: "meeting friends",
    Activity.STUDY: "at school",
}


class Sex(StrEnum):
    """A person's sex as the world file stores it; ``unspecified`` is a real answer, not a gap."""

    FEMALE = "female"
    MALE = "male"
    UNSPECIFIED = "unspecified"
