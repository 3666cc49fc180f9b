"""Write a corpus of crafted hostile inputs: world files, Tiled maps and persona folders.

Each case is what an attacker would share: a world whose branches loop, a 300-byte map
claiming 40000 x 40000 tiles, a zlib layer bomb, ``/dev/zero`` as a tileset or persona,
columns of the wrong type, names carrying terminal escapes. ``build_corpus(folder)``
writes them and returns how to run each (the CLI's arguments) and whether it must be
refused. Run it as a script to keep the files: ``python tests/hostile/corpus.py OUT_DIR``.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import msgpack
import zstandard

from engine import api

DEV_ZERO = Path("/dev/zero")


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]  # the CLI's arguments
    subject: Path  # the file the error must name
    refused: bool  # True: exit non-zero with one line naming the file; False: must work


def base_world(folder: Path, people: int = 12) -> Path:
    path = folder / "base.town"
    if not path.exists():
        world = api.new_world(people, seed=5, template="village")
        api.run_headless(world, 5)  # a saved engine state, events, a checkpoint
        api.save_world(world, path)
    return path


def _sql_world(folder: Path, name: str, *statements: str | tuple[str, tuple[object, ...]]) -> Path:
    path = folder / f"{name}.town"
    path.write_bytes(base_world(folder).read_bytes())
    conn = sqlite3.connect(path)
    for statement in statements:
        if isinstance(statement, tuple):
            conn.execute(*statement)
        else:
            conn.execute(statement)
    conn.commit()
    conn.close()
    return path


def _loose(table: str) -> tuple[str, ...]:
    """Statements that remake ``table`` without its NOT NULL constraints, as a hand-made file may have it."""
    return (f"ALTER TABLE {table} RENAME TO old_{table}", f"CREATE TABLE {table} AS SELECT * FROM old_{table}",
            f"DROP TABLE old_{table}")


def _zstd_bomb(size: int) -> bytes:
    """zstd frames of ``size`` zero bytes (written in pieces: never ``size`` bytes at once here)."""
    out = zstandard.ZstdCompressor(level=1).compressobj()
    piece = bytes(1 << 20)
    parts = [out.compress(piece) for _ in range(size >> 20)]
    return b"".join(parts) + out.flush()


def world_cases(folder: Path) -> list[Case]:
    base = base_world(folder)
    made: list[tuple[str, Path, bool, tuple[str, ...]]] = []

    def world(name: str, *statements: str | tuple[str, tuple[object, ...]], command: str = "check",
              refused: bool = True) -> None:
        made.append((name, _sql_world(folder, name, *statements), refused, (command,)))

    world("branch_loops_on_itself", "UPDATE branch SET parent=0")
    world("branch_loop_in_info", "UPDATE branch SET parent=0", command="info")
    world("branch_cycle", "INSERT INTO branch VALUES (1, 'a', 2, 0, 0)", "INSERT INTO branch VALUES (2, 'b', 1, 0, 0)",
          command="sim")
    world("age_is_text", "UPDATE person SET age='abc' WHERE id=0")
    world("name_is_null", *_loose("person"), "UPDATE person SET name=NULL WHERE id=1", command="info")
    world("building_width_zero", "UPDATE building SET width=0 WHERE id=0")
    world("building_width_huge", "UPDATE building SET width=1000000000 WHERE id=0", command="sim")
    world("capacity_ten_million", "UPDATE building SET capacity=10000000 WHERE id=0", command="sim")
    world("capacity_big_but_legal", "UPDATE building SET capacity=9000 WHERE id=0", command="sim",
          refused=False)
    world("money_is_float", "UPDATE person SET money=1.5 WHERE id=0")
    world("trait_infinite", "UPDATE person SET openness=1e999 WHERE id=0")
    world("removed_is_two", "UPDATE person SET removed=2 WHERE id=0")
    world("extra_deep_json", ("UPDATE person SET extra=? WHERE id=0", ("[" * 5000 + "]" * 5000,)))
    world("extra_not_object", "UPDATE person SET extra='[1,2]' WHERE id=0")
    world("extra_huge", ("UPDATE person SET extra=? WHERE id=0", (json.dumps({"a": "x" * 300_000}),)))
    world("bio_huge", ("UPDATE person SET bio=? WHERE id=0", ("y" * 100_000,)))
    world("too_many_people", "INSERT INTO person SELECT 1000 + i, 'P' || i, age, occupation, bio, openness, "
          "conscientiousness, extraversion, agreeableness, neuroticism, home, workplace, money, hangout, extra, "
          "removed, sex FROM person, (WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) "
          "SELECT i FROM n) WHERE person.id = 0", command="sim")
    world("sex_unknown", "UPDATE person SET sex='robot' WHERE id=0")
    world("sex_is_a_number", "UPDATE person SET sex=1 WHERE id=0")
    world("sex_is_empty", "UPDATE person SET sex='' WHERE id=0")  # only files older than the column lack one
    world("person_id_gap", "UPDATE person SET id=500 WHERE id=3")
    world("hangout_nowhere", "UPDATE person SET hangout=99999 WHERE id=0", command="sim")
    world("home_nowhere", "UPDATE person SET home=-7 WHERE id=0", command="sim")
    world("building_type_unknown", "UPDATE building SET type='SPACESHIP' WHERE id=0")
    world("prop_kind_unknown", "INSERT INTO prop VALUES (0, 'volcano', 1, 1, 0)")
    world("meta_width_text", "UPDATE meta SET value='abc' WHERE key='width'")
    world("meta_width_huge", "UPDATE meta SET value='40000' WHERE key='width'", command="info")
    world("meta_tick_negative", "UPDATE meta SET value='-5' WHERE key='tick'")
    world("meta_branch_missing", "UPDATE meta SET value='77' WHERE key='branch'", command="info")
    world("meta_no_width", "DELETE FROM meta WHERE key='width'")
    world("schema_from_the_future", "UPDATE meta SET value='99' WHERE key='schema_version'")
    world("terrain_bomb", ("UPDATE blob SET data=? WHERE name='terrain'", (_zstd_bomb(300 << 20),)))
    world("terrain_not_zstd", ("UPDATE blob SET data=? WHERE name='terrain'", (b"not zstd at all",)))
    world("terrain_missing", "DELETE FROM blob WHERE name='terrain'")
    world("state_garbage", ("UPDATE blob SET data=? WHERE name='sim_state'", (b"\x28\xb5\x2f\xfd garbage",)),
          command="sim")
    world("state_bomb", ("UPDATE blob SET data=? WHERE name='sim_state'", (_zstd_bomb(300 << 20),)), command="sim")
    world("state_not_a_map", ("UPDATE blob SET data=? WHERE name='sim_state'",
                              (zstandard.compress(msgpack.packb([1, 2, 3])),)), command="sim")
    world("state_wrong_shape", ("UPDATE blob SET data=? WHERE name='sim_state'",
                                (zstandard.compress(msgpack.packb({"tick": "x", "population": 5})),)), command="sim")
    world("state_object_array", ("UPDATE blob SET data=? WHERE name='sim_state'", (zstandard.compress(
        msgpack.packb({"tick": 1, "population": msgpack.ExtType(1, msgpack.packb(["|O", [3]]) + b"x" * 24)})),)),
        command="sim")
    world("event_payload_garbage", "UPDATE event SET payload='{nope' WHERE seq=0", command="info")
    world("event_kind_unknown", "UPDATE event SET kind='Explosion' WHERE seq=0", command="info")
    world("event_fields_wrong", "UPDATE event SET payload='{\"zzz\": 1}' WHERE seq=0", command="info")
    world("checkpoint_on_no_branch", "UPDATE checkpoint SET branch=42", command="info")
    world("checkpoint_state_bomb", ("UPDATE checkpoint SET state=?", (_zstd_bomb(300 << 20),)),
          command="replay")
    world("thought_prompt_null", *_loose("thought"), "INSERT INTO thought (seq, tick, agent, kind, prompt_hash, prompt, response, status, "
          "prompt_tokens, completion_tokens, latency_ms, backend, error, branch, asked) VALUES "
          "(0, 0, 0, 'plan', 'h', NULL, '', 'ok', 0, 0, 0, '', '', 0, 0)", command="info")
    world("table_dropped", "DROP TABLE person")
    world("memory_version_is_a_path", "INSERT INTO meta VALUES ('x.memory_version', '../../elsewhere')",
          command="info")
    world("escape_in_name", ("UPDATE person SET name=? WHERE id=0", ("Eve\x1b[2J\x1b[31mRED\x07",)),
          command="info", refused=False)
    world("server_embedder", "INSERT INTO meta VALUES ('x.embedder', 'ollama:nomic-embed-text')",
          "INSERT INTO meta VALUES ('x.embedder_dim', '768')", command="sim", refused=False)
    world("fine", command="sim", refused=False)

    cases = [Case(name, (command, str(path), *(("--ticks", "3") if command == "sim" else ())
                         + (("--to-tick", "2") if command == "replay" else ())), path, refused)
             for name, path, refused, (command,) in made]
    # files that are not worlds at all
    empty = folder / "empty.town"
    empty.write_bytes(b"")
    not_sqlite = folder / "not_sqlite.town"
    not_sqlite.write_text("hello")
    truncated = folder / "truncated.town"
    truncated.write_bytes(base.read_bytes()[: 3 * 4096 + 100])
    corrupt = folder / "corrupt_pages.town"
    data = bytearray(base.read_bytes())
    for offset in range(2 * 4096, len(data) - 4096, 4096):
        data[offset + 8 : offset + 40] = b"\xff" * 32  # trample every page's cell pointers
    corrupt.write_bytes(bytes(data))
    folder_world = folder / "a_folder.town"
    folder_world.mkdir(exist_ok=True)
    for path in (empty, not_sqlite, truncated, corrupt, folder_world, DEV_ZERO):
        cases.append(Case(f"not_a_world_{path.stem}", ("info", str(path)), path, True))
        cases.append(Case(f"not_a_world_{path.stem}_check", ("check", str(path)), path, True))
    return cases


# -- Tiled maps ----------------------------------------------------------------------------


def _zlib_bomb(size: int) -> bytes:
    out = zlib.compressobj(9)
    piece = bytes(1 << 20)
    return b"".join(out.compress(piece) for _ in range(size >> 20)) + out.flush()


def _tmx(width: int, height: int, layers: str, tilesets: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?><map version="1.10" orientation="orthogonal" '
            f'renderorder="right-down" width="{width}" height="{height}" tilewidth="16" tileheight="16" '
            f'infinite="0" nextlayerid="3" nextobjectid="1">{tilesets}{layers}</map>')


def _tmj(width: int, height: int, layers: list[object], **extra: object) -> str:
    return json.dumps({"type": "map", "version": "1.10", "orientation": "orthogonal", "renderorder": "right-down",
                       "infinite": False, "width": width, "height": height, "tilewidth": 16, "tileheight": 16,
                       "nextlayerid": 3, "nextobjectid": 3, "tilesets": [], "layers": layers, **extra})


def _road(width: int, height: int) -> dict[str, object]:
    return {"id": 1, "name": "road", "type": "tilelayer", "width": width, "height": height, "opacity": 1,
            "visible": True, "x": 0, "y": 0, "data": [1 if y == 4 else 0 for y in range(height) for _ in range(width)]}


def _buildings(*objects: dict[str, object]) -> dict[str, object]:
    return {"id": 2, "name": "buildings", "type": "objectgroup", "draworder": "topdown", "opacity": 1,
            "visible": True, "x": 0, "y": 0, "objects": list(objects)}


def _home(**extra: object) -> dict[str, object]:
    return {"id": 1, "name": "Home", "type": "home", "x": 32, "y": 16, "width": 48, "height": 48, "rotation": 0,
            "visible": True, **extra}


def map_cases(folder: Path) -> list[Case]:
    files: dict[str, tuple[str | bytes, bool]] = {}
    files["huge.tmx"] = (_tmx(40000, 40000, ""), True)
    bomb = base64.b64encode(_zlib_bomb(200 << 20)).decode()
    files["zlib_bomb.tmx"] = (_tmx(100, 100, f'<layer id="1" name="road" width="100" height="100">'
                                            f'<data encoding="base64" compression="zlib">{bomb}</data></layer>'), True)
    files["dev_zero_tileset.tmx"] = (_tmx(10, 10, "", '<tileset firstgid="1" source="/dev/zero"/>'), True)
    files["dev_zero_template.tmj"] = (_tmj(10, 10, [_buildings({**_home(), "template": "/dev/zero"})]), True)
    files["capacity_ten_million.tmj"] = (_tmj(12, 8, [_road(12, 8), _buildings(_home(properties=[
        {"name": "capacity", "type": "int", "value": 10_000_000}]))]), True)
    files["capacity_text.tmj"] = (_tmj(12, 8, [_road(12, 8), _buildings(_home(properties=[
        {"name": "capacity", "type": "string", "value": "lots"}]))]), True)
    files["hours_nonsense.tmj"] = (_tmj(12, 8, [_road(12, 8), _buildings(_home(properties=[
        {"name": "opens", "type": "string", "value": "25:99"}, {"name": "closes", "type": "string", "value": "x"}]))]),
        True)
    files["deep.tmj"] = ("[" * 100_000 + "]" * 100_000, True)
    files["width_negative.tmj"] = (_tmj(-5, 8, []), True)
    files["tile_zero.tmj"] = (_tmj(8, 8, [], tilewidth=0), True)
    files["too_many_tiles.tmj"] = (_tmj(4, 4, [{**_road(4, 4), "data": [1] * 1000}]), True)
    files["gid_huge.tmj"] = (_tmj(12, 8, [{**_road(12, 8), "data": [2**40] * 96}, _buildings(_home())]), False)
    files["off_map.tmj"] = (_tmj(12, 8, [_road(12, 8), _buildings(_home(x=5000))]), True)
    files["unknown_type.tmj"] = (_tmj(12, 8, [_road(12, 8), _buildings(_home(type="spaceship"))]), True)
    files["no_road.tmj"] = (_tmj(12, 8, [_buildings(_home(), {**_home(), "id": 2, "x": 128})]), False)
    files["not_json.tmj"] = ("{nope", True)
    files["empty.tmx"] = ("", True)
    files["chunks_bomb.tmj"] = (_tmj(10, 10, [{"id": 1, "name": "road", "type": "tilelayer", "width": 10,
                                              "height": 10, "x": 0, "y": 0, "opacity": 1, "visible": True,
                                              "chunks": [{"x": 0, "y": 0, "width": 1000, "height": 1000,
                                                          "data": [1]} for _ in range(50)]}], infinite=True), True)
    files["entities.tmx"] = ('<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa">'
                             '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><map width="2" height="2">&b;</map>', True)
    files["escapes.tmj"] = (_tmj(12, 8, [_road(12, 8), _buildings(_home(name="Home\x1b[2J\x1b]0;pwned\x07"))],
                                 properties=[{"name": "town", "type": "string", "value": "Evil\x1b[31mTown"}]), False)
    files["fine.tmj"] = (_tmj(12, 8, [_road(12, 8), _buildings(_home())]), False)
    cases = []
    for name, (content, refused) in files.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        cases.append(Case(f"map_{path.stem}", ("import-tiled", str(path), str(folder / f"{path.stem}.out.town"),
                                               "--force"), path, refused))
    cases.append(Case("map_dev_zero", ("import-tiled", str(DEV_ZERO), str(folder / "z.town")), DEV_ZERO, True))
    cases.append(Case("map_folder", ("import-tiled", str(folder), str(folder / "f.town")), folder, True))
    return cases


# -- persona folders -----------------------------------------------------------------------


def _scratch(**fields: object) -> dict[str, object]:
    return {"name": "Ada Quill", "age": 34, "innate": "kind, curious", "learned": "Ada Quill is a baker at the bakery.",
            "currently": "", "lifestyle": "goes to bed around 10pm, wakes up around 6am",
            "living_area": "the Ville:Quill house", "daily_plan_req": "", **fields}


def persona_cases(folder: Path) -> list[Case]:
    base = base_world(folder)
    resident = api.open_world(base).people[0].name
    writers: dict[str, tuple[Callable[[Path], None], bool]] = {
        "dev_zero": (lambda p: p.symlink_to(DEV_ZERO), True),
        "too_big": (lambda p: p.write_text(json.dumps(_scratch(currently="z" * (2 << 20)))), True),
        "deep": (lambda p: p.write_text("[" * 100_000 + "]" * 100_000), True),
        "not_utf8": (lambda p: p.write_bytes(b'{"name": "\xff\xfe"}'), True),
        "age_text": (lambda p: p.write_text(json.dumps(_scratch(age="abc"))), True),
        "age_huge": (lambda p: p.write_text('{"name": "A B", "age": 1' + "0" * 400 + "}"), True),
        "age_list": (lambda p: p.write_text(json.dumps(_scratch(age=[1, 2]))), True),
        "field_is_object": (lambda p: p.write_text(json.dumps(_scratch(innate={"a": 1}))), True),
        "name_is_resident": (lambda p: p.write_text(json.dumps(_scratch(name=resident))), True),
        "name_only_escapes": (lambda p: p.write_text(json.dumps(_scratch(name="\x1b\x07\u202e"))), True),
        "escapes_in_name": (lambda p: p.write_text(json.dumps(_scratch(name="Mal\x1b[2J\x1b[31mory Vance",
                                                                       learned="\x1b]0;owned\x07a baker"))), False),
    }
    cases = []
    for name, (write, refused) in writers.items():
        persona_folder = folder / f"personas_{name}" / "someone"
        persona_folder.mkdir(parents=True, exist_ok=True)
        target = persona_folder / "scratch.json"
        target.unlink(missing_ok=True)
        write(target)
        into = folder / f"personas_{name}.town"
        into.write_bytes(base.read_bytes())
        subject = target if refused and name != "name_is_resident" else persona_folder.parent
        cases.append(Case(f"persona_{name}", ("import-personas", str(persona_folder.parent), "--into", str(into)),
                          target if name == "name_is_resident" else subject, refused))
    return cases


def build_corpus(folder: Path) -> list[Case]:
    folder.mkdir(parents=True, exist_ok=True)
    return world_cases(folder) + map_cases(folder) + persona_cases(folder)


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
    for case in build_corpus(out):
        print(f"{'refuse' if case.refused else 'accept'}  townsfolk {' '.join(case.args)}")
