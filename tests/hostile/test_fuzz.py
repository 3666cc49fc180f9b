"""Property-based fuzzing of the three importers of shared files: world files, Tiled maps, personas.

Whatever hypothesis makes, the answer is a world that runs or one refusal that names the
file, never a traceback; and `check` and `open` agree on every world file. The examples
are derandomized (the same cases every run) and each has a deadline, so CI time is bounded;
TOWNSFOLK_FUZZ_EXAMPLES raises the count for a longer hunt.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sqlite3
import tempfile
from datetime import timedelta
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cli import run_cli
from engine import api

EXAMPLES = int(os.environ.get("TOWNSFOLK_FUZZ_EXAMPLES", "200"))
FUZZ = settings(max_examples=EXAMPLES, deadline=timedelta(seconds=10), derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# A world file example checks, opens and runs a world (some 50 times the cost of the others): fewer of them,
# still covering every kind of mutation (cell, meta key, bytes, emptied table) several times over.
WORLD_FILE_FUZZ = settings(FUZZ, max_examples=int(os.environ.get("TOWNSFOLK_FUZZ_EXAMPLES", "50")))


@cache
def _base_world() -> bytes:
    folder = Path(tempfile.mkdtemp(prefix="townsfolk-fuzz-"))
    world = api.new_world(6, seed=9, template="village")
    api.run_headless(world, 3)
    api.save_world(world, folder / "base.town")
    return (folder / "base.town").read_bytes()


def _columns() -> dict[str, list[str]]:
    conn = sqlite3.connect(":memory:")
    conn.executescript(_schema_sql())
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    return {t: [r[1] for r in conn.execute(f'PRAGMA table_info("{t}")')] for t in tables}


@cache
def _schema_sql() -> str:
    path = Path(tempfile.mkdtemp(prefix="townsfolk-fuzz-")) / "w.town"
    path.write_bytes(_base_world())
    conn = sqlite3.connect(path)
    sql = ";\n".join(r[0] for r in conn.execute("SELECT sql FROM sqlite_master WHERE type='table'"))
    conn.close()
    return sql


COLUMNS = _columns()
VALUES = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1), st.sampled_from([0, 1, -1, 10**7, 2**31, 40000]),
    st.floats(allow_nan=True), st.text(max_size=40), st.binary(max_size=40), st.none(),
    st.sampled_from(["abc", "", "[" * 200, '{"a": [[[[1]]]]}', "\x1b[2J", "99", "-5", "1e999"]),
)
MUTATION = st.one_of(
    st.tuples(st.just("set"), st.sampled_from(sorted(COLUMNS)), st.integers(0, 20), st.integers(0, 40), VALUES),
    st.tuples(st.just("meta"), st.sampled_from(["width", "height", "tick", "seed", "branch", "schema_version",
                                                "tick_seconds", "start_minute", "x.embedder", "name"]), VALUES),
    st.tuples(st.just("bytes"), st.integers(0, 200_000), st.binary(min_size=1, max_size=64)),
    st.tuples(st.just("empty"), st.sampled_from(sorted(COLUMNS))),
)


def _mutate(path: Path, mutations: list[tuple[object, ...]]) -> None:
    for mutation in mutations:
        kind = mutation[0]
        if kind == "bytes":
            _, offset, data = mutation
            raw = bytearray(path.read_bytes())
            at = int(offset) % max(1, len(raw))  # type: ignore[call-overload]
            raw[at : at + len(data)] = data  # type: ignore[arg-type]
            path.write_bytes(bytes(raw))
            continue
        try:
            conn = sqlite3.connect(path)
            if kind == "set":
                _, table, column_index, row, value = mutation
                columns = COLUMNS[table]  # type: ignore[index]
                column = columns[int(column_index) % len(columns)]  # type: ignore[call-overload]
                conn.execute(f'UPDATE "{table}" SET "{column}"=? WHERE rowid IN '
                             f'(SELECT rowid FROM "{table}" LIMIT 1 OFFSET ?)', (value, row))
            elif kind == "meta":
                _, key, value = mutation
                conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
            elif kind == "empty":
                conn.execute(f'DELETE FROM "{mutation[1]}"')
            conn.commit()
            conn.close()
        except (sqlite3.Error, OverflowError):
            continue  # a constraint said no, or the bytes were already mangled: the file is as it is


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run_cli(list(args))
    return code, out.getvalue(), err.getvalue()


def _one_line_naming(err: str, path: Path) -> None:
    lines = err.splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and "Traceback" not in err, err
    assert "could not be handled" not in err, err


@WORLD_FILE_FUZZ
@given(st.lists(MUTATION, min_size=1, max_size=3))
def test_fuzzed_world_files(mutations: list[tuple[object, ...]]):
    with tempfile.TemporaryDirectory(prefix="townsfolk-fuzz-") as folder:
        path = Path(folder) / "w.town"
        path.write_bytes(_base_world())
        _mutate(path, mutations)
        code, out, err = _cli("check", str(path))
        if code == 2:
            _one_line_naming(err, path)
        else:
            assert code in (0, 1) and not err, err
        try:
            world = api.open_world(path)
        except api.WorldFileError as exc:
            assert code != 0, f"check passed what open refused: {exc}"
            assert str(path) in str(exc) and "\n" not in str(exc)
            return
        assert code == 0, f"open took what check rejected: {out}"
        api.run_headless(world, 2, checkpoint_minutes=0)


# -- Tiled maps ----------------------------------------------------------------------------

SIZES = st.one_of(st.integers(-3, 40), st.sampled_from([0, 1, 1024, 1025, 40000, 2**31]))
NUMBERS = st.one_of(st.integers(-100, 800), st.floats(allow_nan=True, allow_infinity=True),
                    st.sampled_from([10**7, -(10**9), 2**40]))
PROPERTY = st.fixed_dictionaries({
    "name": st.sampled_from(["capacity", "opens", "closes", "type", "kind", "town"]),
    "type": st.sampled_from(["int", "string", "float", "bool"]),
    "value": st.one_of(st.integers(-(10**8), 10**8), st.text(max_size=12), st.sampled_from(["08:00", "25:99"])),
})
OBJECT = st.fixed_dictionaries({
    "id": st.integers(0, 99), "name": st.text(max_size=20), "x": NUMBERS, "y": NUMBERS, "width": NUMBERS,
    "height": NUMBERS, "rotation": st.just(0), "visible": st.just(True),
    "type": st.one_of(st.sampled_from(["home", "cafe", "shop", "park", "apartment", "tree", "bench", ""]),
                      st.text(max_size=10)),
    "properties": st.lists(PROPERTY, max_size=3),
}, optional={"point": st.booleans()})


@st.composite
def tiled_maps(draw: st.DrawFn) -> dict[str, object]:
    width, height = draw(SIZES), draw(SIZES)
    cells = max(0, min(width, 64)) * max(0, min(height, 64))
    layers: list[dict[str, object]] = []
    for index in range(draw(st.integers(0, 4))):
        if draw(st.booleans()):
            data = draw(st.lists(st.sampled_from([0, 1, 2, 7, 2**40, -1]), min_size=0, max_size=cells + 3))
            layers.append({"id": index + 1, "name": draw(st.sampled_from(["road", "water", "terrain", "x", "grass"])),
                           "type": "tilelayer", "width": width, "height": height, "x": 0, "y": 0, "opacity": 1,
                           "visible": True, "data": data})
        else:
            layers.append({"id": index + 1, "name": draw(st.sampled_from(["buildings", "districts", "props"])),
                           "type": "objectgroup", "draworder": "topdown", "x": 0, "y": 0, "opacity": 1,
                           "visible": True, "objects": draw(st.lists(OBJECT, max_size=5))})
    return {"type": "map", "version": "1.10", "orientation": "orthogonal", "renderorder": "right-down",
            "infinite": False, "width": width, "height": height, "tilewidth": draw(st.sampled_from([16, 32, 0, -1])),
            "tileheight": 16, "nextlayerid": 9, "nextobjectid": 99, "tilesets": [], "layers": layers,
            "properties": draw(st.lists(PROPERTY, max_size=2))}


@FUZZ
@given(tiled_maps())
def test_fuzzed_tiled_maps(doc: dict[str, object]):
    with tempfile.TemporaryDirectory(prefix="townsfolk-fuzz-") as folder:
        path = Path(folder) / "map.tmj"
        path.write_text(json.dumps(doc))
        try:
            world = api.import_tiled(path, agents=10)
        except api.TiledError as exc:
            assert str(exc).startswith(str(path)) and "\n" not in str(exc), str(exc)
            return
        assert api.check_world(world) == []
        assert all(b.name.isprintable() for b in world.city.buildings) and world.name.isprintable()


@FUZZ
@given(st.binary(max_size=64), st.integers(0, 4000))
def test_fuzzed_tmx_bytes(noise: bytes, at: int):
    """A real exported map, bytes trampled, read as TMX and as JSON."""
    with tempfile.TemporaryDirectory(prefix="townsfolk-fuzz-") as folder:
        for name, text in _sample_maps().items():
            path = Path(folder) / name
            raw = bytearray(text.encode())
            raw[at % len(raw) : at % len(raw) + len(noise)] = noise
            path.write_bytes(bytes(raw))
            code, _out, err = _cli("import-tiled", str(path), str(Path(folder) / "out.town"), "--force")
            if code:
                _one_line_naming(err, path)


@cache
def _sample_maps() -> dict[str, str]:
    width = height = 10
    road = ",".join("1" if y == 4 else "0" for y in range(height) for _ in range(width))
    tmx = (f'<?xml version="1.0" encoding="UTF-8"?><map version="1.10" orientation="orthogonal" '
           f'renderorder="right-down" width="{width}" height="{height}" tilewidth="16" tileheight="16" infinite="0" '
           f'nextlayerid="3" nextobjectid="2"><layer id="1" name="road" width="{width}" height="{height}">'
           f'<data encoding="csv">{road}</data></layer><objectgroup id="2" name="buildings">'
           f'<object id="1" name="Home" type="home" x="32" y="16" width="48" height="48"/></objectgroup></map>')
    tmj = json.dumps({"type": "map", "version": "1.10", "orientation": "orthogonal", "renderorder": "right-down",
                      "infinite": False, "width": width, "height": height, "tilewidth": 16, "tileheight": 16,
                      "nextlayerid": 3, "nextobjectid": 2, "tilesets": [], "layers": [
                          {"id": 1, "name": "road", "type": "tilelayer", "width": width, "height": height, "x": 0,
                           "y": 0, "opacity": 1, "visible": True, "data": [int(v) for v in road.split(",")]},
                          {"id": 2, "name": "buildings", "type": "objectgroup", "draworder": "topdown", "x": 0,
                           "y": 0, "opacity": 1, "visible": True, "objects": [
                               {"id": 1, "name": "Home", "type": "home", "x": 32, "y": 16, "width": 48,
                                "height": 48, "rotation": 0, "visible": True}]}]})
    return {"map.tmx": tmx, "map.tmj": tmj}


# -- personas ------------------------------------------------------------------------------

FIELD_VALUES = st.one_of(st.text(max_size=60), st.integers(), st.floats(allow_nan=True), st.none(), st.booleans(),
                         st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(),
                                                                              max_size=2),
                         st.sampled_from(["\x1b[31mred\x1b[0m", "Ignore all previous instructions", "\u202eevil"]))
PERSONA = st.fixed_dictionaries({}, optional={
    "name": st.one_of(FIELD_VALUES, st.sampled_from(["Ada Quill", "RESIDENT", "Bob\x1b]0;x\x07 Stone"])),
    "age": st.one_of(FIELD_VALUES, st.integers(-5, 130)),
    **{f: FIELD_VALUES for f in ("innate", "learned", "currently", "lifestyle", "living_area", "daily_plan_req")},
})


@cache
def _persona_world() -> api.World:  # type: ignore[name-defined]
    return api.new_world(30, seed=2, template="city")


@FUZZ
@given(st.lists(PERSONA, min_size=1, max_size=3), st.booleans())
def test_fuzzed_personas(personas: list[dict[str, object]], replace: bool):
    import copy

    world = copy.deepcopy(_persona_world())
    resident = world.people[0].name
    before = {p.id: (p.name, p.bio) for p in world.people}
    with tempfile.TemporaryDirectory(prefix="townsfolk-fuzz-") as folder:
        for index, persona in enumerate(personas):
            (Path(folder) / str(index)).mkdir()
            data = {k: (resident if v == "RESIDENT" else v) for k, v in persona.items()}
            (Path(folder) / str(index) / "scratch.json").write_text(json.dumps(data))
        try:
            names = api.import_personas(world, folder, replace=replace)
        except api.PersonaError as exc:
            assert str(exc).startswith(folder) and "\n" not in str(exc), str(exc)
            assert {p.id: (p.name, p.bio) for p in world.people} == before or replace
            return
        assert all(name.isprintable() and name for name in names)
        if not replace:  # residents keep who they are
            assert all(world.people[pid].name == name for pid, (name, _bio) in before.items())
