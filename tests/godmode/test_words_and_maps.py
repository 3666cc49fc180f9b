"""The god console's syntax, talking on the model, and Tiled maps in and out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import arcade
import pytest

from engine import api
from engine.contracts import edits as e
from engine.contracts.enums import BuildingType, Terrain
from engine.edits import console
from engine.edits.apply import apply
from engine.edits.context import EditError
from engine.memory.embedders import HashingEmbedder
from engine.memory.mem_store import InMemoryStore
from engine.runtime.minds import attach_cognition
from engine.sim.simulation import Simulation
from tests.conftest import WORLDS
from tests.llm.conftest import ollama_server  # noqa: F401 - fixture

ARCADE_MAPS = Path(arcade.__file__).parent / "resources" / "assets" / "tiled_maps"


@pytest.fixture
def village():
    return api.open_world(WORLDS / "village.town")


def test_the_documented_syntax(village):
    spawn, tell, event, teleport, whisper, build, demolish, pay = console.parse(village, "\n".join([
        "spawn a baker named Ana Reyes near Millpond Park",
        "tell everyone in Millside: the mayor resigned",
        "event a fire breaks out at Bramble Bakery radius 6",
        "teleport Gus to the copper kettle",
        "whisper to rosa: Gus is not so bad",
        'build cafe at 30,4 size 3x3 named "Night Owl"',
        "demolish Quinn Cottage",
        "pay Ivan 12.50",
    ]))
    assert isinstance(spawn, e.SpawnPerson) and spawn.name == "Ana Reyes" and spawn.occupation == "baker"
    assert isinstance(tell, e.Broadcast) and village.city.districts[tell.district].name == "Millside"
    assert isinstance(event, e.InjectEvent) and event.radius == 6
    assert isinstance(teleport, e.TeleportPerson) and village.people[teleport.agent].name == "Gus Marlow"
    assert isinstance(whisper, e.Whisper) and village.people[whisper.agent].name == "Rosa Alvarez"
    assert isinstance(build, e.PlaceBuilding) and build.name == "Night Owl" and (build.x, build.y) == (30, 4)
    assert isinstance(demolish, e.RemoveBuilding)
    assert isinstance(pay, e.EditPerson) and pay.money == village.people[pay.agent].money + 1250


def test_unclear_words_are_explained(village):
    with pytest.raises(EditError, match="not understood"):
        console.parse(village, "make it rain frogs")
    with pytest.raises(EditError, match="could be"):
        console.parse(village, "remove Alvarez")  # three of them


def test_talking_to_someone_on_ollama(ollama_server, village):  # noqa: F811
    sim = Simulation(village)
    attach_cognition(sim, api.LLMConfig(brain="ollama", hosts=(ollama_server.url,), timeout_s=5),
                     InMemoryStore(HashingEmbedder(), 60), mode="lockstep")
    (_, inverse, _), events = apply(sim, e.Chat(agent=2, text="Do you like school?"))
    assert inverse is None and not events  # the answer is being thought
    replies = []
    for _ in range(3):
        replies += [x for x in sim.step() if type(x).__name__ == "ChatReply"]
    sim.cognition.close()
    assert replies and replies[0].thinking == "llm" and replies[0].reply
    remembered = sim.cognition.ctx.memory.search_text(2, "Do you like school")
    assert remembered and remembered[0].kind == "chat"
    assert any("Do you like school" in m.body["messages"][-1]["content"] for m in ollama_server.posts("/api/chat"))


@pytest.mark.parametrize("name", ["level_1.json", "map.json", "test_map_7.json"])
def test_real_tiled_maps_from_arcade_import(name: str):
    world = api.import_tiled(ARCADE_MAPS / name)
    assert world.city.width > 0 and (world.city.terrain == Terrain.ROAD).any()
    assert api.check_world(world) == []


def test_export_then_import_keeps_the_town(tmp_path: Path, village):
    api.export_tiled(village, tmp_path / "willowmere.tmj")
    assert (tmp_path / "willowmere.terrain.png").exists()
    back = api.import_tiled(tmp_path / "willowmere.tmj", agents=25, seed=1)
    assert back.name == "Willowmere"
    assert (back.city.terrain == village.city.terrain).all()
    assert [(b.name, b.type) for b in back.city.buildings] == [(b.name, b.type) for b in village.city.buildings]
    assert len(back.people) == 25 and api.check_world(back) == []
    assert api.run_headless(back, 24 * 60).conversations > 0


def test_a_tiled_map_with_buildings_and_districts(tmp_path: Path):
    doc = {
        "type": "map", "version": "1.10", "tiledversion": "1.10.2", "orientation": "orthogonal",
        "renderorder": "right-down", "infinite": False, "width": 12, "height": 8, "tilewidth": 32, "tileheight": 32,
        "nextlayerid": 4, "nextobjectid": 9, "tilesets": [],
        "layers": [
            {"id": 1, "name": "road", "type": "tilelayer", "width": 12, "height": 8, "opacity": 1, "visible": True,
             "x": 0, "y": 0, "data": [1 if y == 4 else 0 for y in range(8) for _ in range(12)]},
            {"id": 2, "name": "buildings", "type": "objectgroup", "draworder": "topdown", "opacity": 1,
             "visible": True, "x": 0, "y": 0, "objects": [
                 {"id": 1, "name": "Sea View", "type": "home", "x": 32, "y": 32, "width": 96, "height": 96,
                  "rotation": 0, "visible": True},
                 {"id": 2, "name": "Harbour Cafe", "type": "cafe", "x": 192, "y": 32, "width": 96, "height": 96,
                  "rotation": 0, "visible": True, "properties": [{"name": "capacity", "type": "int", "value": 30}]},
             ]},
        ],
    }
    path = tmp_path / "harbour.tmj"
    path.write_text(json.dumps(doc))
    world = api.import_tiled(path, seed=2)
    home, cafe = world.city.buildings
    assert home.type == BuildingType.HOME and cafe.type == BuildingType.CAFE and cafe.capacity == 30
    assert world.city.terrain[home.entrance[1], home.entrance[0]] == Terrain.ROAD
    assert 1 <= len(world.people) <= home.capacity and api.check_world(world) == []


def test_bad_maps_are_named(tmp_path: Path):
    broken = tmp_path / "broken.tmj"
    broken.write_text("{nope")
    with pytest.raises(api.TiledError, match=r"broken\.tmj"):
        api.import_tiled(broken)


def test_cli_import_and_export(tmp_path: Path):
    out = tmp_path / "level.town"
    made = subprocess.run([sys.executable, "-m", "app", "import-tiled", str(ARCADE_MAPS / "level_1.json"), str(out)],
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    exported = subprocess.run([sys.executable, "-m", "app", "export-tiled", str(out), str(tmp_path / "level.tmj")],
                              capture_output=True, text=True, timeout=120)
    assert exported.returncode == 0, exported.stderr
    assert json.loads((tmp_path / "level.tmj").read_text())["layers"][0]["name"] == "terrain"
