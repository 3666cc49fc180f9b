"""Write and open ``.town`` world files.

Saving writes a complete new file beside the target and fsyncs it; ``world_save``
renames it over the old one together with its memories, so a crash or a full disk
mid-save leaves the old file exactly as it was. Opening checks, in order, that the file is SQLite, whole,
uncorrupted, a Townsfolk world, and not from a newer version, and says which.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import closing
from itertools import islice
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import zstandard
from sqlalchemy import Connection, Engine, func, insert, literal, select
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.sql.schema import ColumnDefault
from sqlmodel import SQLModel, create_engine

from engine import __version__
from engine.contracts.enums import BuildingType, Sex
from engine.contracts.thinking import ThoughtKind
from engine.persistence import event_codec
from engine.persistence.checkpoint_file import CheckpointFile
from engine.persistence.checks import describe, inspect_tables, one_line
from engine.persistence.durable import fsync_file
from engine.persistence.errors import WorldFileError
from engine.persistence.leftovers import owned_name, remove, sweep_world_temps
from engine.persistence.loading import check_branches, clean_rows, read_extra, read_grid, read_header
from engine.persistence.memory_files import memory_folder, sweep_container
from engine.persistence.migrations import give_sexes
from engine.persistence.schema import (
    ADDED_IN,
    APPLICATION_ID,
    REQUIRED_TABLES,
    SCHEMA_VERSION,
    BlobRow,
    BranchRow,
    BuildingRow,
    CheckpointRow,
    DistrictRow,
    EventRow,
    LotRow,
    MetaRow,
    NeighbourhoodRow,
    PersonRow,
    PropRow,
    ThoughtRow,
    TieRow,
    table_of,
)
from engine.state.bulk import collector_paused
from engine.state.city import Building, City, District, Lot, Neighbourhood, Prop, Rect
from engine.state.person import Person
from engine.state.relationships import Relationships
from engine.state.thoughts import ThoughtRecord
from engine.state.timeline import Branch, Checkpoint, Timeline
from engine.state.world import World

SQLITE_MAGIC = b"SQLite format 3\x00"
CHECKPOINTS_PER_INSERT = 1  # one state in memory at a time (a long run's are a few MB each)
ROWS_PER_INSERT = 2000


def _engine(path: Path) -> Engine:
    return create_engine(f"sqlite:///{path}")


def _scratch_engine(path: Path) -> Engine:
    """For a file nobody reads until it is complete: no journal, no syncs per statement (SQLite's
    own syncs were half the save). ``write_temp`` fsyncs the whole file once before it is used."""
    engine = _engine(path)

    @sqlalchemy_event.listens_for(engine, "connect")
    def _unsynced(connection: sqlite3.Connection, _record: object) -> None:
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")

    return engine


# -- saving ------------------------------------------------------------------------------


def write_temp(world: World, folder: Path, name: str) -> Path:
    """The whole world in a new, fsynced file in ``folder``, named for this process (see ``leftovers``).

    The caller renames it over the world file (``world_save``); on any failure it is removed here.
    """
    tmp = folder / owned_name(f".{name}", ".saving")
    try:
        _write(world, tmp)
        fsync_file(tmp)
    except BaseException:
        remove(tmp)
        remove(tmp.with_name(tmp.name + "-journal"))
        raise
    return tmp


def _write(world: World, path: Path) -> None:
    path.unlink(missing_ok=True)
    engine = _scratch_engine(path)
    try:
        SQLModel.metadata.create_all(engine)
        city = world.city
        meta = {
            "schema_version": SCHEMA_VERSION,
            "app_version": __version__,
            "name": city.name,
            "seed": world.seed,
            "tick": world.tick,
            "tick_seconds": world.tick_seconds,
            "start_minute": world.start_minute,
            "template": world.template,
            "width": city.width,
            "height": city.height,
            "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "branch": world.timeline.current,
            "next_checkpoint_id": world.timeline.next_checkpoint_id,
            **{f"x.{k}": v for k, v in world.meta.items()},
        }
        blobs = {"terrain": zstandard.compress(np.ascontiguousarray(city.terrain, dtype=np.uint8).tobytes())}
        if world.sim_state:
            blobs["sim_state"] = world.sim_state
        with engine.begin() as conn:
            conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
            _insert(conn, MetaRow, [{"key": k, "value": str(v)} for k, v in meta.items()])
            _insert(conn, BlobRow, [{"name": k, "data": v} for k, v in blobs.items()])
            _insert(conn, DistrictRow, [{"id": d.id, "name": d.name, **_rect(d.area)} for d in city.districts])
            _insert(conn, NeighbourhoodRow, [
                {"id": n.id, "district": n.district, "name": n.name, **_rect(n.area)} for n in city.neighbourhoods
            ])
            _insert(conn, LotRow, [{"id": lot.id, "neighbourhood": lot.neighbourhood, **_rect(lot.area)} for lot in city.lots])
            _insert(conn, BuildingRow, [_building_row(b) for b in city.buildings])
            _insert(conn, PropRow, [{"id": p.id, "kind": p.kind, "x": int(p.x), "y": int(p.y), "removed": p.removed}
                                    for p in city.props])
            _insert(conn, PersonRow, [_person_row(p) for p in world.people])
            _insert_batched(conn, TieRow, (
                {"a": a, "b": b, "affinity": t.affinity, "familiarity": t.familiarity, "meetings": t.meetings,
                 "last_tick": t.last_tick, "family": t.family, "trust": t.trust, "shared": t.shared}
                for (a, b), t in world.relationships.items()
            ))
            _write_timeline(conn, world.timeline)
    finally:
        engine.dispose()


def _write_timeline(conn: Connection, timeline: Timeline) -> None:
    """Every branch's own events and thoughts, the branches, the checkpoints."""
    branches = sorted(timeline.branches)
    events = ((branch, event) for branch in branches for event in timeline.own_events.get(branch, []))
    _insert_batched(conn, EventRow, (
        {"seq": seq, "tick": tick, "kind": kind, "payload": payload, "branch": branch}
        for seq, (branch, event) in enumerate(events) for tick, kind, payload in (event_codec.to_row(event),)
    ))
    thoughts = ((branch, thought) for branch in branches for thought in timeline.own_thoughts.get(branch, []))
    _insert_batched(conn, ThoughtRow, ({"seq": seq, **vars(thought), "branch": branch}
                                       for seq, (branch, thought) in enumerate(thoughts)))
    _insert(conn, BranchRow, [vars(b).copy() for b in timeline.branches.values()])
    for start in range(0, len(timeline.checkpoints), CHECKPOINTS_PER_INSERT):
        batch = timeline.checkpoints[start:start + CHECKPOINTS_PER_INSERT]
        _insert(conn, CheckpointRow, [
            {"id": c.id, "branch": c.branch, "tick": c.tick, "kind": c.kind, "name": c.name,
             "state": timeline.state_of(c, keep=False), "memory_tag": c.memory_tag, "state_hash": c.state_hash,
             "edits_done": c.edits_done}
            for c in batch
        ])


def _insert(conn: Connection, model: type[SQLModel], rows: Sequence[Mapping[str, object]]) -> None:
    if rows:
        conn.execute(insert(table_of(model)), rows)


def _insert_batched(conn: Connection, model: type[SQLModel], rows: Iterable[Mapping[str, object]]) -> None:
    """Rows made as they are written, a batch at a time: a long run's tens of thousands of events and ties
    as one list of rows were tens of MB for a moment at every save, which the process kept afterwards."""
    rows = iter(rows)
    while batch := list(islice(rows, ROWS_PER_INSERT)):
        _insert(conn, model, batch)


def _rect(r: Rect) -> dict[str, int]:
    # int(): a numpy integer would be stored as a BLOB by sqlite3.
    return {"x": int(r.x), "y": int(r.y), "width": int(r.width), "height": int(r.height)}


def _building_row(b: Building) -> dict[str, object]:
    return {
        "id": b.id, "name": b.name, "type": b.type.name, "lot": b.lot, **_rect(b.footprint),
        "entrance_x": b.entrance[0], "entrance_y": b.entrance[1], "capacity": b.capacity,
        "opens": b.opens, "closes": b.closes, "removed": b.removed,
    }


def _person_row(p: Person) -> dict[str, object]:
    o, c, e, a, n = p.traits
    return {
        "id": p.id, "name": p.name, "age": p.age, "occupation": p.occupation, "bio": p.bio,
        "openness": o, "conscientiousness": c, "extraversion": e, "agreeableness": a, "neuroticism": n,
        "home": p.home, "workplace": p.workplace, "money": p.money, "hangout": p.hangout,
        "extra": json.dumps(p.extra), "removed": p.removed, "sex": p.sex.value,
    }


# -- opening -----------------------------------------------------------------------------


def check_file(path: str | Path) -> None:
    """Raise WorldFileError unless ``path`` is a whole, readable world this version understands."""
    p = Path(path)
    if not p.exists():
        raise WorldFileError(p, "no such file")
    if p.is_dir():
        raise WorldFileError(p, "is a folder, not a world file")
    size = p.stat().st_size
    if size == 0:
        raise WorldFileError(p, "the file is empty")
    with open(p, "rb") as f:
        header = f.read(100)
    if not header.startswith(SQLITE_MAGIC):
        raise WorldFileError(p, "not a Townsfolk world (it is not an SQLite database)")
    if len(header) == 100:
        page_size = int.from_bytes(header[16:18], "big")
        page_size = 65536 if page_size == 1 else page_size
        pages = int.from_bytes(header[28:32], "big")
        if pages and page_size and size < pages * page_size:
            raise WorldFileError(p, f"the file is truncated ({size} of {pages * page_size} bytes)")
    else:
        raise WorldFileError(p, "the file is truncated (shorter than an SQLite header)")
    try:
        with closing(sqlite3.connect(f"file:{p}?mode=ro", uri=True)) as conn:
            verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
            if verdict != "ok":
                raise WorldFileError(p, f"the file is corrupt ({one_line(verdict)})")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            missing = [t for t in REQUIRED_TABLES if t not in tables]
            if missing:
                raise WorldFileError(p, f"not a Townsfolk world (missing table {missing[0]!r})")
            row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    except sqlite3.DatabaseError as exc:
        raise WorldFileError(p, f"the file is corrupt ({one_line(exc)})") from exc
    except UnicodeDecodeError as exc:  # SQLite's own complaint quoted a damaged page
        raise WorldFileError(p, "the file is corrupt (damaged pages)") from exc
    if row is None:
        raise WorldFileError(p, "not a Townsfolk world (no schema version)")
    try:
        version = int(row[0])
    except ValueError:
        raise WorldFileError(p, f"the schema version {row[0]!r} is not a number") from None
    if version > SCHEMA_VERSION:
        raise WorldFileError(
            p, f"made by a newer Townsfolk (world schema {version}; this version reads up to {SCHEMA_VERSION}). "
            "Update Townsfolk to open it."
        )
    if version < 1:
        raise WorldFileError(p, f"unknown world schema version {version}")
    for table, since in ADDED_IN.items():
        if version >= since and table not in tables:
            raise WorldFileError(p, f"the world is damaged (missing table {table!r})")
    try:
        with closing(sqlite3.connect(f"file:{p}?mode=ro", uri=True)) as conn:
            inspect_tables(conn, p, tables)
    except sqlite3.DatabaseError as exc:
        raise WorldFileError(p, f"the file is corrupt ({one_line(exc)})") from exc


Progress = Callable[[float, str], None]


def load_world(path: str | Path, with_history: bool = True, progress: Progress | None = None) -> World:
    """Open a world; ``progress(fraction, what)`` is called as it goes (from this thread)."""
    report = progress or (lambda fraction, what: None)
    report(0.0, "checking the file")
    check_file(path)
    p = Path(path)
    sweep_world_temps(p.parent, p.name)  # half-written files of killed saves of this world
    engine = _engine(p)
    try:
        with engine.connect() as conn, collector_paused():
            world = _read(conn, with_history, report, p)
        _sweep_memory_leftovers(p, world)
        report(1.0, "done")
        return world
    except WorldFileError:
        raise
    except Exception as exc:  # a damaged row: say so, never a traceback
        raise WorldFileError(p, f"the world is damaged ({describe(exc)})") from exc
    finally:
        engine.dispose()


def _sweep_memory_leftovers(path: Path, world: World) -> None:
    """Staging folders and unnamed versions of killed saves (only when the version the file names is there)."""
    current = world.meta.get("memory_version")
    container = memory_folder(path)
    if container.is_dir():
        sweep_container(container, current, unreferenced=bool(current) and (container / str(current)).is_dir(),
                        legacy=False)


def read_meta(path: str | Path) -> dict[str, str]:
    check_file(path)
    engine = _engine(Path(path))
    try:
        with engine.connect() as conn:
            return {r.key: r.value for r in conn.execute(select(table_of(MetaRow)))}
    finally:
        engine.dispose()


def _rows(conn: Connection, model: type[SQLModel]) -> Sequence[Any]:
    """Every row, oldest schema first: columns a newer schema added get their defaults.

    Rows are read by column name (``row.tick``), whether SQLAlchemy rows or, for an older file, namespaces."""
    return list(_each_row(conn, model))


def _each_row(conn: Connection, model: type[SQLModel]) -> Iterable[Any]:
    """``_rows`` as they are read (a long run's tens of thousands of events are not all held as rows at once)."""
    table = table_of(model)
    present = {r[1] for r in conn.exec_driver_sql(f"PRAGMA table_info({table.name})")}
    columns = [c for c in table.columns if c.name in present]
    missing = {c.name: c.default.arg if isinstance(c.default, ColumnDefault) else None
               for c in table.columns if c.name not in present}  # every default in the schema is a value
    rows = conn.execute(select(*columns).order_by(*table.primary_key.columns))
    if not missing:
        return rows
    return (SimpleNamespace(**missing, **row._mapping) for row in rows)


def _has_table(conn: Connection, model: type[SQLModel]) -> bool:
    name = table_of(model).name
    return conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)).first() is not None


def _read(conn: Connection, with_history: bool, report: Progress, path: Path) -> World:
    report(0.05, "reading the map")
    meta = {r.key: r.value for r in _rows(conn, MetaRow)}
    blobs = {r.name: r.data for r in _rows(conn, BlobRow)}
    header = read_header(meta, path)
    terrain = read_grid(blobs.get("terrain"), header.width, header.height, path)
    city = City(name=header.name, terrain=terrain)
    city.districts = [District(r.id, r.name, Rect(r.x, r.y, r.width, r.height)) for r in clean_rows(_rows(conn, DistrictRow), ("name",))]
    city.neighbourhoods = [
        Neighbourhood(r.id, r.district, r.name, Rect(r.x, r.y, r.width, r.height))
        for r in clean_rows(_rows(conn, NeighbourhoodRow), ("name",))
    ]
    city.lots = [Lot(r.id, r.neighbourhood, Rect(r.x, r.y, r.width, r.height)) for r in _rows(conn, LotRow)]
    city.buildings = [
        Building(r.id, r.name, BuildingType[r.type], r.lot, Rect(r.x, r.y, r.width, r.height),
                 (r.entrance_x, r.entrance_y), r.capacity, r.opens, r.closes, bool(r.removed))
        for r in clean_rows(_rows(conn, BuildingRow), ("name",))
    ]
    if _has_table(conn, PropRow):  # files older than schema 5 have no objects
        city.props = [Prop(r.id, r.kind, r.x, r.y, bool(r.removed)) for r in _rows(conn, PropRow)]
    report(0.2, "meeting the people")
    people = [
        Person(r.id, r.name, r.age, r.occupation, r.bio,
               (r.openness, r.conscientiousness, r.extraversion, r.agreeableness, r.neuroticism),
               r.home, r.workplace, r.money, r.hangout, read_extra(r.extra, path), bool(r.removed),
               Sex(r.sex) if r.sex else Sex.UNSPECIFIED)
        for r in clean_rows(_rows(conn, PersonRow), ("name",), ("occupation", "bio"))
    ]
    if header.schema_version < 7:
        give_sexes(people, header.seed)
    report(0.4, "remembering who knows whom")
    ties = Relationships()
    ties.restore((r.a, r.b, r.affinity, r.familiarity, r.meetings, r.last_tick, bool(r.family), r.trust, r.shared)
                 for r in _rows(conn, TieRow))
    timeline = Timeline()
    if with_history:
        report(0.6, "reading the history")
        timeline = _read_timeline(conn, meta)
        check_branches(timeline, path)
        timeline.states = CheckpointFile.opened(path.resolve(), timeline.checkpoints)  # their states stay in the file
    return World(
        city=city, people=people, relationships=ties, seed=header.seed, tick=header.tick,
        tick_seconds=header.tick_seconds, start_minute=header.start_minute,
        history=timeline.line_events(), sim_state=blobs.get("sim_state"), template=meta.get("template", "custom"),
        thoughts=timeline.line_thoughts(), meta={k[2:]: v for k, v in meta.items() if k.startswith("x.")},
        timeline=timeline,
    )


def _checkpoint_index(conn: Connection) -> list[Checkpoint]:
    """What each checkpoint is and its state's size, without the states (a seek reads the one it needs)."""
    table = table_of(CheckpointRow)
    present = {r[1] for r in conn.exec_driver_sql(f"PRAGMA table_info({table.name})")}
    edits_done = table.c.edits_done if "edits_done" in present else literal(0)  # schema 3 had none
    rows = conn.execute(select(
        table.c.id, table.c.branch, table.c.tick, table.c.kind, table.c.name, table.c.memory_tag,
        table.c.state_hash, edits_done.label("edits_done"), func.length(table.c.state).label("size"),
    ).order_by(table.c.id)).all()
    return [Checkpoint(r.id, r.branch, r.tick, r.kind, r.name, r.memory_tag, r.state_hash, r.edits_done or 0,
                       r.size or 0) for r in rows]


def _read_timeline(conn: Connection, meta: dict[str, str]) -> Timeline:
    version = int(meta["schema_version"])
    timeline = Timeline()
    timeline.own_events = {0: []}
    timeline.own_thoughts = {0: []}
    shared: dict[object, object] = {}
    for r in _each_row(conn, EventRow):
        timeline.own_events.setdefault(r.branch or 0, []).append(event_codec.from_row(r.tick, r.kind, r.payload,
                                                                                      shared))
    if version >= 2:
        for r in _rows(conn, ThoughtRow):
            record = ThoughtRecord(r.tick, r.agent, ThoughtKind(r.kind), r.prompt_hash, r.prompt, r.response, r.status,
                                   r.prompt_tokens, r.completion_tokens, r.latency_ms, r.backend, r.error,
                                   -1 if r.asked is None else r.asked)
            timeline.own_thoughts.setdefault(r.branch or 0, []).append(record)
    if version >= 3:
        branches = {r.id: Branch(r.id, r.name, r.parent, r.fork_tick, r.head_tick) for r in _rows(conn, BranchRow)}
        if branches:
            timeline.branches = branches
        timeline.checkpoints = _checkpoint_index(conn)
        timeline.current = int(meta.get("branch", 0))
        timeline.next_checkpoint_id = int(meta.get("next_checkpoint_id", 1))
    else:  # older files had one line of history, up to where they were saved
        timeline.branches[0].head_tick = int(meta.get("tick", 0))
    return timeline
