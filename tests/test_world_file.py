import sqlite3
from pathlib import Path

import pytest

from engine import api
from engine.persistence import world_file
from engine.persistence.schema import SCHEMA_VERSION


def _same_world(a, b) -> None:
    assert a.name == b.name
    assert (a.city.terrain == b.city.terrain).all()
    assert [vars(x) for x in a.city.buildings] == [vars(x) for x in b.city.buildings]
    assert [vars(x) for x in a.people] == [vars(x) for x in b.people]
    assert list(a.relationships.items()) == list(b.relationships.items())


def test_round_trip_keeps_everything(tmp_path: Path, town):
    api.run_headless(town, 120)
    path = tmp_path / "town.town"
    api.save_world(town, path)
    loaded = api.open_world(path)
    _same_world(town, loaded)
    assert loaded.tick == 120 and loaded.history == town.history and loaded.sim_state == town.sim_state


def test_save_as_then_save_overwrites_atomically(tmp_path: Path, village):
    path = tmp_path / "v.town"
    api.save_world(village, path)
    village.city.name = "Renamed"
    api.save_world(village, path)
    assert api.open_world(path).name == "Renamed"
    assert [p.name for p in tmp_path.iterdir()] == ["v.town"]  # no temp files left behind


def test_crash_mid_save_leaves_the_old_file_intact(tmp_path: Path, village, monkeypatch):
    path = tmp_path / "v.town"
    api.save_world(village, path)
    before = path.read_bytes()

    def crash(world, tmp):
        tmp.write_bytes(b"half a file")
        raise KeyboardInterrupt  # the process dies mid-write

    monkeypatch.setattr(world_file, "_write", crash)
    with pytest.raises(KeyboardInterrupt):
        api.save_world(village, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["v.town"]


def test_full_disk_is_a_clear_error_and_loses_nothing(tmp_path: Path, village, monkeypatch):
    path = tmp_path / "v.town"
    api.save_world(village, path)
    before = path.read_bytes()

    def full(world, tmp):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(world_file, "_write", full)
    expected = r"could not save the world file \(the disk is full\); v.town and v.memory/ are as they were"
    with pytest.raises(api.WorldFileError, match=expected):
        api.save_world(village, path)
    assert path.read_bytes() == before


def test_saving_into_a_missing_folder_is_refused(tmp_path: Path, village):
    with pytest.raises(api.WorldFileError, match="does not exist"):
        api.save_world(village, tmp_path / "nope" / "v.town")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda p: p.write_bytes(b""), "empty"),
        (lambda p: p.write_text("hello, I am a text file"), "not an SQLite database"),
        (lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), "truncated"),
        (lambda p: p.write_bytes(p.read_bytes()[:50]), "truncated"),
    ],
)
def test_bad_files_are_refused_with_the_file_named(saved_village: Path, damage, message):
    damage(saved_village)
    with pytest.raises(api.WorldFileError, match=message) as info:
        api.open_world(saved_village)
    assert str(saved_village) in str(info.value)


def test_corrupt_pages_are_refused(saved_village: Path):
    data = bytearray(saved_village.read_bytes())
    for offset in range(4096 + 200, len(data), 4096):  # scribble over every page but the first
        data[offset : offset + 64] = b"\xff" * 64
    saved_village.write_bytes(bytes(data))
    with pytest.raises(api.WorldFileError, match=r"corrupt|damaged"):
        api.open_world(saved_village)


def test_newer_version_is_refused_with_advice(saved_village: Path):
    with sqlite3.connect(saved_village) as conn:
        conn.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION + 1),))
    with pytest.raises(api.WorldFileError, match=r"newer Townsfolk.*Update"):
        api.open_world(saved_village)


def test_other_sqlite_databases_are_not_worlds(tmp_path: Path):
    path = tmp_path / "other.town"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    with pytest.raises(api.WorldFileError, match="not a Townsfolk world"):
        api.open_world(path)


def test_missing_file_and_folder(tmp_path: Path):
    with pytest.raises(api.WorldFileError, match="no such file"):
        api.open_world(tmp_path / "absent.town")
    with pytest.raises(api.WorldFileError, match="folder"):
        api.open_world(tmp_path)
