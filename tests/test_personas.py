"""Importing Generative Agents personas (their scratch.json format)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from engine import api
from engine.contracts.enums import BuildingType
from tests.conftest import ROOT

SHARED_PERSONAS = ROOT.parent / "shared" / "fixtures" / "ga_personas"


def write_persona(folder: Path, **fields: object) -> None:
    person = folder / str(fields["name"])
    (person / "bootstrap_memory").mkdir(parents=True)
    scratch = {"vision_r": 8, "curr_time": None, "daily_req": [], **fields}
    (person / "bootstrap_memory" / "scratch.json").write_text(json.dumps(scratch, indent=2))


@pytest.fixture
def personas(tmp_path: Path) -> Path:
    folder = tmp_path / "personas"
    write_persona(
        folder, name="Nadia Brook", age=41, innate="patient, kind, organized",
        learned="Nadia Brook is a pharmacist at the corner pharmacy who loves helping people.",
        currently="Nadia Brook is organising a charity run for the school.",
        lifestyle="Nadia Brook goes to bed around 10pm, awakes up around 6am.",
        living_area="the Town:Brook family's house:kitchen",
        daily_plan_req="Nadia Brook opens the pharmacy at 9am and closes it at 5pm.",
    )
    write_persona(
        folder, name="Leo Brook", age=12, innate="curious, energetic",
        learned="Leo Brook is a student at the town school who loves insects.",
        currently="Leo Brook is building a bug hotel.", lifestyle="Leo Brook goes to bed around 9pm, awakes up around 7am.",
        living_area="the Town:Brook family's house:Leo's room", daily_plan_req="Leo goes to school at 8am.",
    )
    write_persona(
        folder, name="Owen Stroud", age=70, innate="grumpy, stubborn, quiet",
        learned="Owen Stroud is a retired sailor who spends his days fishing.",
        currently="Owen Stroud is feuding with the council about the pier.",
        lifestyle="Owen Stroud goes to bed around 11pm, awakes up around 5am.",
        living_area="the Town:Owen Stroud's cottage:main room", daily_plan_req="Owen fishes in the morning.",
    )
    return folder


def test_personas_become_people(personas: Path):
    world = api.new_world(120, seed=2, template="city")
    names = api.import_personas(world, personas)
    assert sorted(names) == ["Leo Brook", "Nadia Brook", "Owen Stroud"]
    people = {p.name: p for p in world.people}
    nadia, leo, owen = people["Nadia Brook"], people["Leo Brook"], people["Owen Stroud"]
    assert nadia.occupation == "pharmacist" and world.city.buildings[nadia.workplace].type == BuildingType.SHOP
    assert leo.is_pupil and world.city.buildings[leo.workplace].type == BuildingType.SCHOOL
    assert owen.workplace == -1 and owen.occupation.startswith("retired")
    assert nadia.home == leo.home != owen.home  # one living area, one home
    tie = world.relationships.get(nadia.id, leo.id)
    assert tie is not None and tie.family
    _, conscientious, _, agreeable, _ = nadia.traits
    assert conscientious > 0.5 and agreeable > 0.5
    assert owen.traits[3] < 0.5 and owen.traits[2] < 0.5  # grumpy and quiet
    assert nadia.extra["wake_minute"] == str(6 * 60) and nadia.extra["bed_minute"] == str(22 * 60)
    assert "charity run" in nadia.bio and nadia.extra["daily_plan_req"].startswith("Nadia Brook opens")
    assert api.check_world(world) == []


def test_importing_twice_updates_instead_of_duplicating(personas: Path):
    world = api.new_world(120, seed=2, template="city")
    api.import_personas(world, personas)
    count = len(world.people)
    api.import_personas(world, personas)
    assert len(world.people) == count


def test_imported_people_live_their_day(personas: Path, tmp_path: Path):
    world = api.new_world(120, seed=2, template="city")
    api.run_headless(world, 30)  # a world that already has running state
    api.import_personas(world, personas)
    api.save_world(world, tmp_path / "w.town")
    reopened = api.open_world(tmp_path / "w.town")
    summary = api.run_headless(reopened, 24 * 60)
    assert summary.agents == 123


def test_bad_persona_files_are_named(tmp_path: Path):
    folder = tmp_path / "broken" / "Someone"
    folder.mkdir(parents=True)
    (folder / "scratch.json").write_text("{not json")
    with pytest.raises(api.PersonaError, match=r"Someone/scratch\.json"):
        api.import_personas(api.new_world(30), tmp_path / "broken")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(api.PersonaError, match="no persona files"):
        api.import_personas(api.new_world(30), empty)
    with pytest.raises(api.PersonaError, match="not a folder"):
        api.import_personas(api.new_world(30), tmp_path / "missing")


def test_the_cli_imports_into_a_world_file(personas: Path, tmp_path: Path):
    world = tmp_path / "w.town"
    api.save_world(api.new_world(80, seed=1), world)
    result = subprocess.run([sys.executable, "-m", "app", "import-personas", str(personas), "--into", str(world)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Nadia Brook" in api.world_info(api.open_world(world))["people"]


def test_the_original_generative_agents_personas_import():
    if not SHARED_PERSONAS.is_dir():
        pytest.skip(f"the original persona files are not beside this checkout ({SHARED_PERSONAS})")
    world = api.new_world(200, seed=1, template="city")
    names = api.import_personas(world, SHARED_PERSONAS)
    assert len(names) == 25
    people = {p.name: p for p in world.people}
    isabella = people["Isabella Rodriguez"]
    assert isabella.occupation == "cafe owner"
    assert world.city.buildings[isabella.workplace].type == BuildingType.CAFE
    assert "Valentine" in isabella.bio
    lins = [people[n] for n in ("John Lin", "Mei Lin", "Eddy Lin")]
    assert len({p.home for p in lins}) == 1
    assert api.check_world(world) == []
