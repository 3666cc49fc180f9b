"""People's sex: saved, made by the generator and persona import, filled in for older worlds, edited, checked."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from engine import api
from engine.contracts import Sex
from engine.contracts import edits as e
from engine.edits.apply import apply
from engine.edits.context import EditError
from engine.sim.simulation import Simulation
from engine.state.sexes import first_names, sex_of_name
from tests.conftest import WORLDS
from tests.test_personas import write_persona


def _as_schema_6(path: Path) -> None:
    """Make a saved world look as Townsfolk wrote it before people had a sex."""
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE person DROP COLUMN sex")
        conn.execute("UPDATE meta SET value='6' WHERE key='schema_version'")
        conn.execute("PRAGMA user_version = 6")


def test_the_village_says_who_is_a_woman_or_a_man():
    village = api.open_world(WORLDS / "village.town")
    sexes = {p.name: p.sex for p in village.people}
    assert sexes["Rosa Alvarez"] is Sex.FEMALE and sexes["Otto Lindqvist"] is Sex.MALE
    assert sexes["Sam Okafor"] is Sex.MALE  # a name worn by both: the source says
    assert sum(s is Sex.FEMALE for s in sexes.values()) == 12 and sum(s is Sex.MALE for s in sexes.values()) == 13


def test_generated_first_names_match_the_sex(town):
    female, male = (set(first_names()[s]) for s in (Sex.FEMALE, Sex.MALE))
    for person in town.people:
        assert person.sex in (Sex.FEMALE, Sex.MALE)
        other = male if person.sex is Sex.FEMALE else female
        assert person.first_name not in other, person.name
    share = sum(p.sex is Sex.FEMALE for p in town.people) / len(town.people)
    assert 0.4 < share < 0.6


def test_sex_survives_a_save(tmp_path: Path, village):
    village.people[0].sex = Sex.UNSPECIFIED
    village.people[1].sex = Sex.MALE
    path = tmp_path / "v.town"
    api.save_world(village, path)
    loaded = api.open_world(path)
    assert [p.sex for p in loaded.people] == [p.sex for p in village.people]


def test_an_older_world_opens_with_sexes_from_first_names(tmp_path: Path):
    path = tmp_path / "old.town"
    path.write_bytes((WORLDS / "village.town").read_bytes())
    _as_schema_6(path)
    first, again = api.open_world(path), api.open_world(path)
    sexes = {p.name: p.sex for p in first.people}
    assert sexes["Edith Hartley"] is Sex.FEMALE and sexes["Jakub Kowalski"] is Sex.MALE
    assert sexes["Sam Okafor"] in (Sex.FEMALE, Sex.MALE)  # not in the table: a toss fixed by the seed
    assert [p.sex for p in again.people] == [p.sex for p in first.people]  # the same every time
    assert api.check_world(first) == []
    api.run_headless(first, 5)  # and it runs
    upgraded = tmp_path / "upgraded.town"
    api.save_world(first, upgraded)
    assert [p.sex for p in api.open_world(upgraded).people] == [p.sex for p in first.people]
    done = subprocess.run([sys.executable, "-m", "app", "info", str(path), "--json"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_bad_sex_in_a_world_file_is_one_line_naming_the_file(tmp_path: Path):
    path = tmp_path / "hostile.town"
    path.write_bytes((WORLDS / "village.town").read_bytes())
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE person SET sex='robot' WHERE id=3")
    with pytest.raises(api.WorldFileError, match=r"person\.sex is not one of female, male, unspecified"):
        api.open_world(path)
    done = subprocess.run([sys.executable, "-m", "app", "check", str(path)], capture_output=True, text=True)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and "person.sex" in lines[0] and "Traceback" not in done.stderr


def test_persona_import_reads_pronouns_before_the_name(tmp_path: Path):
    folder = tmp_path / "personas"
    common = {"innate": "kind", "lifestyle": "goes to bed around 10pm, awakes up around 6am.",
              "daily_plan_req": "works from 9am to 5pm."}
    write_persona(folder, name="Sam Reed", age=34, living_area="the Town:Reed house:kitchen",
                  learned="Sam Reed is a baker. She loves her early mornings.", currently="She is tired.", **common)
    write_persona(folder, name="Maria Vale", age=50, living_area="the Town:Vale house:kitchen",
                  learned="Maria Vale is a carpenter. He keeps his tools sharp.", currently="", **common)
    write_persona(folder, name="Isabella Moss", age=28, living_area="the Town:Moss house:kitchen",
                  learned="Isabella Moss is a writer.", currently="", **common)
    write_persona(folder, name="Robin Ash", age=40, living_area="the Town:Ash house:kitchen",
                  learned="Robin Ash is a gardener.", currently="", **common)
    world = api.new_world(120, seed=2, template="city")
    api.import_personas(world, folder)
    sexes = {p.name: p.sex for p in world.people}
    assert sexes["Sam Reed"] is Sex.FEMALE  # she, her
    assert sexes["Maria Vale"] is Sex.MALE  # his own words beat the name
    assert sexes["Isabella Moss"] is Sex.FEMALE  # no pronouns: the name
    assert sexes["Robin Ash"] is Sex.UNSPECIFIED  # neither says


def test_edits_change_sex_and_undo_it(village):
    sim = Simulation(village)
    rosa = next(p for p in village.people if p.sex is Sex.FEMALE)
    (_, inverse, _), _ = apply(sim, e.EditPerson(agent=rosa.id, sex="unspecified"))
    assert sim.people[rosa.id].sex is Sex.UNSPECIFIED
    assert inverse is not None
    apply(sim, inverse)
    assert sim.people[rosa.id].sex is Sex.FEMALE
    with pytest.raises(EditError, match="sex is one of female, male, unspecified"):
        apply(sim, e.EditPerson(agent=rosa.id, sex="robot"))


def test_a_spawned_person_takes_the_sex_their_name_suggests_unless_told(village):
    sim = Simulation(village)
    (_, _, ada), _ = apply(sim, e.SpawnPerson(name="Ada Lovelace", occupation="baker"))
    apply(sim, e.SpawnPerson(name="Kai Moreno", occupation="baker", sex="male"))
    assert sim.people[-2].sex is Sex.FEMALE and sim.people[-1].sex is Sex.MALE
    assert sex_of_name("Kai Moreno") is Sex.UNSPECIFIED  # the edit said so, not the name
    assert isinstance(ada, e.SpawnPerson) and ada.sex == "female"  # the log records what was chosen, so replays agree
