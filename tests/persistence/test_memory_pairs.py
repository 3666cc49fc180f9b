"""A world file and its memory folder: carried together, missing or mismatched folders explained, no litter."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from engine import api
from engine.memory.deferred_store import DeferredStore
from engine.memory.embedders import make_embedder
from engine.memory.lance_store import LanceMemoryStore
from engine.persistence import leftovers
from engine.persistence.memory_files import memory_folder
from engine.persistence.memory_session import open_session
from engine.persistence.world_file import write_temp
from tests.persistence.pairs import THINKING, read_pair, thinking_world, townsfolk, village_holding_its_stream


def _saved(tmp_path: Path, name: str = "v.town", ticks: int = 20) -> Path:
    world, memory = thinking_world(ticks)
    path = tmp_path / name
    api.save_world(world, path, memory=memory)
    return path


def test_a_world_copied_without_its_memories_runs_and_saves_from_the_command_line(tmp_path: Path):
    (tmp_path / "home").mkdir()
    original = _saved(tmp_path / "home")
    copy = tmp_path / "moved.town"
    shutil.copy2(original, copy)  # the world file alone, as an email attachment would carry it
    result = townsfolk("sim", str(copy), "--ticks", "30", *THINKING, "--save", str(copy))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr == (f"townsfolk: warning: {copy}: its memory folder moved.memory/ is missing; people keep "
                             "their history in the world file and start a new memory stream\n")
    saved = read_pair(copy)
    assert saved.warning is None and saved.tick == 50
    assert saved.memories and min(m[2] for m in saved.memories) >= 20  # a new stream, from the tick it moved


def test_a_mismatched_memory_folder_is_explained_and_never_mixed_in(tmp_path: Path):
    first = _saved(tmp_path, "first.town", ticks=10)
    other = _saved(tmp_path, "other.town", ticks=30)
    shutil.rmtree(memory_folder(first))
    shutil.copytree(memory_folder(other), memory_folder(first))  # someone copied the wrong folder over
    kept = sorted(p.name for p in memory_folder(first).iterdir())
    world = api.open_world(first)
    session = open_session(world, first, "hashing")
    try:
        assert session.warning is not None
        assert session.warning.startswith(f"{first}: first.memory/ holds other memories (version v30-")
        assert session.warning.endswith(f"not the version {world.meta['memory_version']} this file was saved with; "
                                        "they are left unused (the next save replaces them) and people keep their "
                                        "history in the world file and start a new memory stream")
        assert session.store.count() == 0  # nothing of the other world's memories
    finally:
        session.close()
    assert sorted(p.name for p in memory_folder(first).iterdir()) == kept  # opening removed nothing


def test_save_as_to_another_folder_carries_the_memories(tmp_path: Path):
    path = _saved(tmp_path)
    (tmp_path / "elsewhere").mkdir()
    copy = tmp_path / "elsewhere" / "copy.town"
    result = townsfolk("sim", str(path), "--ticks", "0", *THINKING, "--save", str(copy))
    assert result.returncode == 0 and result.stderr == ""
    assert read_pair(copy) == read_pair(path)


def test_a_world_saved_before_memory_versions_opens_and_moves_to_a_version(tmp_path: Path):
    world, memory = thinking_world()
    path = tmp_path / "old.town"
    container = memory_folder(path)
    legacy = LanceMemoryStore(container, make_embedder("hashing"), world.tick_seconds)  # the database in the folder
    for agent in range(len(world.people)):
        for m in memory.all_for(agent, 10_000):
            legacy.add(m.agent, m.tick, m.kind, m.text, m.importance, evidence=m.evidence, pinned=m.pinned, id=m.id)
    legacy.tag(f"tick-{world.tick}")
    legacy.add(0, world.tick + 5, "observation", "from a save that died before its world file", 5.0)
    legacy.close()  # the folder got ahead of its file: the tag says where the file was
    world.meta.update({"memory_tag": f"tick-{world.tick}", "embedder": "hashing", "embedder_dim": "256"})
    os.replace(write_temp(world, tmp_path, path.name), path)
    opened = read_pair(path)
    assert opened.warning is None and len(opened.memories) == memory.count()
    world = api.open_world(path)
    summary = api.run_headless(world, 5, llm=api.LLMConfig(brain="fake"), world_path=path, embedder="hashing")
    api.save_world(world, path, memory=summary.memory)
    names = [p.name for p in container.iterdir()]
    assert names == [world.meta["memory_version"]]  # the old layout's tables went once the new file was in place
    assert len(read_pair(path).memories) >= memory.count()


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_leftovers_of_killed_saves_and_runs_are_swept_at_the_next_open(tmp_path: Path, monkeypatch):
    path = _saved(tmp_path)
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr("tempfile.tempdir", None)  # let tempfile see the new TMPDIR
    dead, alive = _dead_pid(), os.getppid()
    container = memory_folder(path)
    current = next(container.iterdir()).name
    litter = [tmp_path / f".v.town-p{dead}-1a2b3c4d.saving", tmp_path / f".v.town-p{dead}-1a2b3c4d.saving-journal",
              container / f".staging-p{dead}-1a2b3c4d", container / f"v25-p{dead}-1a2b3c4d",
              temp / f"townsfolk-memory-p{dead}-1a2b3c4d"]
    busy = [tmp_path / f".v.town-p{alive}-5e6f7a8b.saving", container / f".staging-p{alive}-5e6f7a8b",
            container / f"v25-p{alive}-5e6f7a8b", temp / f"townsfolk-memory-p{alive}-5e6f7a8b"]
    for leftover in litter + busy:
        if leftover.name.endswith(("saving", "journal")):
            leftover.write_bytes(b"half")
        else:
            (leftover / "data").mkdir(parents=True)
    read_pair(path)  # opening sweeps the memory folder, the world file's folder and the temp folder
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["temp", "v.memory", "v.town", busy[0].name])
    assert sorted(p.name for p in container.iterdir()) == sorted([current, busy[1].name, busy[2].name])
    assert [p.name for p in temp.iterdir()] == [busy[3].name]  # a live process's copy stays
    world, memory = thinking_world()
    (tmp_path / litter[0].name).write_bytes(b"half")
    (container / litter[2].name).mkdir()
    api.save_world(world, path, memory=memory)  # saving sweeps them too
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["temp", "v.memory", "v.town", busy[0].name])
    assert sorted(p.name for p in container.iterdir()) == sorted([world.meta["memory_version"], busy[1].name,
                                                                  busy[2].name])


def test_a_run_leaves_nothing_in_the_temp_folder(tmp_path: Path):
    temp = tmp_path / "temp"
    temp.mkdir()
    path = _saved(tmp_path)
    env = {**os.environ, "TMPDIR": str(temp)}
    for args in (("sim", str(path), "--ticks", "10", *THINKING, "--save", str(path)),
                 ("sim", str(path), "--ticks", "10", *THINKING),
                 ("replay", str(path), "--to-tick", "25")):
        result = subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, env=env,
                                timeout=300)
        assert result.returncode == 0, result.stderr
        assert list(temp.iterdir()) == [], args


def test_a_session_removes_its_working_copy_when_it_closes(tmp_path: Path):
    path = _saved(tmp_path)
    world = api.open_world(path)
    session = open_session(world, path, "hashing")
    assert session.scratch.is_dir() and leftovers.abandoned(session.scratch.name) is False
    session.close()
    assert not session.scratch.exists()


def test_opening_without_minds_sweeps_too(tmp_path: Path):
    """`townsfolk info`, `check` or a run on the rule brain open the file alone: leftovers still go."""
    path = _saved(tmp_path)
    dead = _dead_pid()
    container = memory_folder(path)
    current = api.read_meta(path)["x.memory_version"]
    for name in (f".staging-p{dead}-0badcafe", f"v99-p{dead}-0badcafe"):
        (container / name / "data").mkdir(parents=True)
    (tmp_path / f".v.town-p{dead}-0badcafe.saving").write_bytes(b"half")
    result = townsfolk("info", str(path))
    assert result.returncode == 0, result.stderr
    assert [p.name for p in container.iterdir()] == [current]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.memory", "v.town"]


def test_a_new_stream_is_saved_without_opening_lancedb_and_reopens_whole(tmp_path: Path):
    """On the rule brain a new world's memories are held in RAM; a save writes them with their tags."""
    path = tmp_path / "new.town"
    sim, session = village_holding_its_stream(path)
    world, store = sim.world, session.store
    assert isinstance(store, DeferredStore)
    for _ in range(90):
        sim.step()
    store.tag("tick-30", replace=True)
    api.save_world(world, path, memory=store)
    assert not store.is_open  # the save wrote a copy; the session still holds its rows in RAM
    held = {m.id: m.text for agent in range(12) for m in store.all_for(agent, 1000)}
    assert held
    session.close()
    reopened = open_session(api.load_world(path), path, "hashing")
    try:
        saved = reopened.store
        assert isinstance(saved, LanceMemoryStore)
        assert {m.id: m.text for agent in range(12) for m in saved.all_for(agent, 1000)} == held
        assert saved.tags() == ["tick-30", f"tick-{world.tick}"]
    finally:
        reopened.close()
