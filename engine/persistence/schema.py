"""The world file's tables. Bump SCHEMA_VERSION on any change and add a migration.

Rows hold what a person may read or edit (names, bios, buildings); the engine's
exact running state (positions, paths, RNGs) is one compressed blob beside them.
"""

from __future__ import annotations

from sqlalchemy import Table
from sqlmodel import Field, SQLModel

SCHEMA_VERSION = 7  # 2: thought table; 3: branches and checkpoints; 4: removed buildings and people; 5: trust, props;
# 6: memories in versioned folders (meta "memory_version"), so an older Townsfolk refuses the file instead of
# opening it with an empty memory stream; 7: a person's sex (older files: from the first name, see ``migrations``)
APPLICATION_ID = 0x546F776E  # "Town", in SQLite's header, so `file` can tell a .town apart


class MetaRow(SQLModel, table=True):
    __tablename__ = "meta"
    key: str = Field(primary_key=True)
    value: str


class BlobRow(SQLModel, table=True):
    __tablename__ = "blob"
    name: str = Field(primary_key=True)
    data: bytes


class DistrictRow(SQLModel, table=True):
    __tablename__ = "district"
    id: int = Field(primary_key=True)
    name: str
    x: int
    y: int
    width: int
    height: int


class NeighbourhoodRow(SQLModel, table=True):
    __tablename__ = "neighbourhood"
    id: int = Field(primary_key=True)
    district: int
    name: str
    x: int
    y: int
    width: int
    height: int


class LotRow(SQLModel, table=True):
    __tablename__ = "lot"
    id: int = Field(primary_key=True)
    neighbourhood: int
    x: int
    y: int
    width: int
    height: int


class BuildingRow(SQLModel, table=True):
    __tablename__ = "building"
    id: int = Field(primary_key=True)
    name: str
    type: str
    lot: int
    x: int
    y: int
    width: int
    height: int
    entrance_x: int
    entrance_y: int
    capacity: int
    opens: int
    closes: int
    removed: bool = False  # schema 4


class PropRow(SQLModel, table=True):
    __tablename__ = "prop"  # schema 5: god mode's objects (trees, benches, ...)
    id: int = Field(primary_key=True)
    kind: str
    x: int
    y: int
    removed: bool = False


class PersonRow(SQLModel, table=True):
    __tablename__ = "person"
    id: int = Field(primary_key=True)
    name: str
    age: int
    occupation: str
    bio: str
    openness: float
    conscientiousness: float
    extraversion: float
    agreeableness: float
    neuroticism: float
    home: int
    workplace: int
    money: int
    hangout: int
    extra: str = "{}"  # JSON
    removed: bool = False  # schema 4
    sex: str = ""  # schema 7: a ``Sex`` word; "" only as the default for older files, which lack the column


class TieRow(SQLModel, table=True):
    __tablename__ = "tie"
    a: int = Field(primary_key=True)
    b: int = Field(primary_key=True)
    affinity: float
    familiarity: float
    meetings: int
    last_tick: int
    family: bool
    trust: float = 0.0  # schema 5
    shared: int = 0  # schema 5: events both took part in


class EventRow(SQLModel, table=True):
    __tablename__ = "event"
    seq: int = Field(primary_key=True)
    tick: int = Field(index=True)
    kind: str
    payload: str  # JSON of the event's fields
    branch: int = Field(default=0, index=True)  # the branch it happened on (schema 3)


class ThoughtRow(SQLModel, table=True):
    __tablename__ = "thought"
    seq: int = Field(primary_key=True)
    tick: int = Field(index=True)
    agent: int = Field(index=True)
    kind: str
    prompt_hash: str
    prompt: str
    response: str
    status: str
    prompt_tokens: int
    completion_tokens: int
    latency_ms: float
    backend: str
    error: str
    branch: int = Field(default=0, index=True)  # schema 3
    asked: int = -1  # schema 3: the tick it was asked at


class BranchRow(SQLModel, table=True):
    __tablename__ = "branch"
    id: int = Field(primary_key=True)
    name: str
    parent: int
    fork_tick: int
    head_tick: int


class CheckpointRow(SQLModel, table=True):
    __tablename__ = "checkpoint"
    id: int = Field(primary_key=True)
    branch: int = Field(index=True)
    tick: int
    kind: str
    name: str
    memory_tag: str
    state_hash: str
    edits_done: int = 0  # schema 4
    # Last: SQLite reaches a column after a blob only by walking the blob's overflow pages, so with the state
    # in the middle, reading the index of a month's checkpoints (and checking the file) read every state.
    # Files written before keep their order; the next save writes this one.
    state: bytes


REQUIRED_TABLES = ("meta", "blob", "district", "neighbourhood", "lot", "building", "person", "tie", "event")
ADDED_IN = {"thought": 2, "branch": 3, "checkpoint": 3, "prop": 5}  # tables newer schemas added; older files simply lack them


def table_of(model: type[SQLModel]) -> Table:
    """A table model's SQLAlchemy table."""
    # SQLAlchemy sets __table__ when the class is made; SQLModel's types do not declare it.
    return model.__table__  # type: ignore[attr-defined]
