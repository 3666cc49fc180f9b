"""A save of a memory stream still held in RAM writes it from a process of its own, so the saving
process never imports LanceDB; the pair reopens with the same memories and tags, and a writer that
fails or is killed leaves the old pair as it was and says so in one line naming the file."""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from engine import api
from engine.memory.deferred_store import DeferredStore
from engine.memory.embedders import HashingEmbedder
from engine.memory.lance_store import LanceMemoryStore
from engine.persistence.memory_files import memory_folder
from engine.persistence.memory_session import open_session
from engine.persistence.memory_writer import (
    WRITER_ARG,
    HeldRows,
    MemoryWriterError,
    write_in_child,
    writer_command,
)

ROOT = Path(__file__).resolve().parents[2]

#: A process that runs a new village on the rule brain (its stream is held in RAM), saves it twice, and prints
#: what it held and whether LanceDB came in. With "kill", it saves once more and kills that save's writer; with
#: "die", it says so first and saves once more, for the test to kill it mid-save.
PROBE = """
import json, os, signal, sys, threading, time
from pathlib import Path
from engine import api
from tests.persistence.pairs import village_holding_its_stream

path, mode = Path(sys.argv[1]), sys.argv[2]
sim, session = village_holding_its_stream(path)
world, store = sim.world, session.store
for _ in range(60):
    sim.step()
store.tag("tick-30", replace=True)
api.save_world(world, path, memory=store)
for _ in range(30):
    sim.step()
api.save_world(world, path, memory=store)
held = sorted((m.id, m.agent, m.tick, m.kind, m.text, m.importance, list(m.evidence))
              for agent in range(12) for m in store.all_for(agent, 1000))
report = {"lancedb": "lancedb" in sys.modules, "open": store.is_open, "held": held, "tags": store.tags(),
          "tick": world.tick}
if mode == "die":  # said what it holds; now saves again, and is killed by the test while its writer runs
    print(json.dumps(report), flush=True)
    for _ in range(30):
        sim.step()
    api.save_world(world, path, memory=store)
if mode == "kill":
    for _ in range(30):
        sim.step()
    def kill_the_writer():
        children = Path(f"/proc/{os.getpid()}/task/{threading.main_thread().native_id}/children")
        while not (found := children.read_text().split()):
            time.sleep(0.005)
        time.sleep(0.3)  # mid-way: it is starting up or writing
        os.kill(int(found[0]), signal.SIGKILL)
    threading.Thread(target=kill_the_writer, daemon=True).start()
    try:
        api.save_world(world, path, memory=store)
        report["error"] = None
    except api.WorldFileError as error:
        report["error"] = str(error)
    report["lancedb_after_kill"] = "lancedb" in sys.modules
print(json.dumps(report))
"""


def _probe(path: Path, mode: str) -> dict:  # type: ignore[type-arg]
    paths = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    done = subprocess.run([sys.executable, "-c", PROBE, str(path), mode], env={**os.environ, "PYTHONPATH": paths},
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _saved_rows(path: Path) -> tuple[list[list[object]], list[str], LanceMemoryStore | DeferredStore]:
    session = open_session(api.load_world(path), path, "hashing")
    try:
        store = session.store
        rows = sorted([m.id, m.agent, m.tick, m.kind, m.text, m.importance, list(m.evidence)]
                      for agent in range(12) for m in store.all_for(agent, 1000))
        return rows, store.tags(), store  # type: ignore[return-value]
    finally:
        session.close()


def test_saving_a_held_stream_never_imports_lancedb_and_reopens_with_the_same_memories(tmp_path: Path):
    path = tmp_path / "new.town"
    report = _probe(path, "save")
    assert report["lancedb"] is False  # the saves wrote their versions from a process of their own
    assert report["open"] is False
    assert report["held"]
    rows, tags, store = _saved_rows(path)
    assert isinstance(store, LanceMemoryStore)
    assert rows == report["held"]
    assert tags == report["tags"] == ["tick-30", "tick-60", f"tick-{report['tick']}"]
    assert [p.name for p in memory_folder(path).iterdir()] == [api.read_meta(path)["x.memory_version"]]


def test_a_writer_killed_mid_save_keeps_the_old_pair_and_says_so_in_one_line(tmp_path: Path):
    path = tmp_path / "new.town"
    report = _probe(path, "kill")
    assert report["error"] == (f"{path}: could not save the memories (the process writing them was killed by "
                               "SIGKILL); new.town and new.memory/ are as they were before this save")
    assert report["lancedb_after_kill"] is False
    rows, tags, _ = _saved_rows(path)  # the pair of the save before
    assert rows == report["held"] and tags[-1] == f"tick-{report['tick']}"
    assert [p.name for p in memory_folder(path).iterdir()] == [api.read_meta(path)["x.memory_version"]]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.memory", "new.town"]  # no staging, no half file


def test_killing_the_app_while_its_writer_runs_keeps_the_old_pair(tmp_path: Path):
    path = tmp_path / "new.town"
    paths = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    app = subprocess.Popen([sys.executable, "-c", PROBE, str(path), "die"], env={**os.environ, "PYTHONPATH": paths},
                           stdout=subprocess.PIPE, text=True)
    try:
        assert app.stdout is not None
        report = json.loads(app.stdout.readline())
        children = Path(f"/proc/{app.pid}/task/{app.pid}/children")
        deadline = time.monotonic() + 120
        while not (writer := children.read_text().split()) and time.monotonic() < deadline:
            time.sleep(0.005)
        assert writer, "the third save started no writer"
        time.sleep(0.3)  # mid-way: the writer is starting up or writing into the save's staging folder
        app.send_signal(signal.SIGKILL)
        app.wait(30)
        while Path(f"/proc/{writer[0]}").exists() and time.monotonic() < deadline:  # the orphan writer ends
            time.sleep(0.05)
    finally:
        app.kill()
        app.wait(30)
    rows, tags, _ = _saved_rows(path)  # opening sweeps what the killed save left
    assert rows == report["held"] and tags[-1] == f"tick-{report['tick']}"
    assert [p.name for p in memory_folder(path).iterdir()] == [api.read_meta(path)["x.memory_version"]]


def _job(folder: Path, rows: int = 3) -> HeldRows:
    embedder = HashingEmbedder(32)
    texts = [f"memory number {i}" for i in range(rows)]
    columns = {"id": np.arange(rows, dtype=np.int64), "agent": np.zeros(rows, dtype=np.int32),
               "tick": np.arange(rows, dtype=np.int64), "kind": ["observation"] * rows, "text": texts,
               "importance": np.full(rows, 3.0, dtype=np.float32), "last_access": np.arange(rows, dtype=np.int64),
               "evidence": [[] for _ in range(rows)], "pinned": np.zeros(rows, dtype=bool),
               "vector": embedder.embed(texts)}
    return HeldRows(str(folder), embedder.name, embedder.dim, 3600.0, columns, [("first", 1)])


def test_the_writer_process_writes_the_rows_and_tags_it_is_handed(tmp_path: Path):
    write_in_child(_job(tmp_path / "db"))
    store = LanceMemoryStore(tmp_path / "db", HashingEmbedder(32), 3600.0)
    try:
        assert sorted(m.text for m in store.all_for(0, 10)) == [f"memory number {i}" for i in range(3)]
        assert store.tags() == ["first"]
        store.restore("first")
        assert store.count() == 1
    finally:
        store.close()


def test_a_writer_that_fails_says_why_in_one_line(tmp_path: Path):
    (tmp_path / "in-the-way").write_text("a file where the database's folder should go")
    with pytest.raises(MemoryWriterError) as failure:
        write_in_child(_job(tmp_path / "in-the-way" / "db"))
    message = str(failure.value)
    assert message.startswith("the process writing them failed: ") and "\n" not in message
    assert "in-the-way" in message


def test_the_frozen_apps_entry_runs_the_writer(tmp_path: Path):
    """The bundle starts the writer as its own executable with WRITER_ARG: its entry script must hand it on."""
    assert writer_command()[1:] == ["-m", "engine.persistence.memory_writer"]
    paths = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    done = subprocess.run([sys.executable, str(ROOT / "packaging" / "launcher.py"), WRITER_ARG], input=pickle.dumps(_job(tmp_path / "db")),
                          env={**os.environ, "PYTHONPATH": paths}, capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "db" / "memories.lance").is_dir()
