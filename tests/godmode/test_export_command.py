"""File > Export terrain to Tiled goes through the engine thread: the ``ExportTiled`` command."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from engine import api
from engine.contracts import CommandApplied, CommandRejected, ExportTiled, Terrain
from engine.contracts.edits import PaintTerrain


def _answer(handle: api.EngineHandle, command_id: int, timeout: float = 20.0):  # type: ignore[no-untyped-def]
    seen: list[object] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen += handle.drain_events()
        for event in seen:
            if isinstance(event, CommandApplied | CommandRejected) and event.command_id == command_id:
                return event
        time.sleep(0.01)
    raise AssertionError(f"no answer to command {command_id}")


@pytest.fixture
def handle(village):  # type: ignore[no-untyped-def]
    engine = api.EngineHandle(village, minds=False)
    engine.start()
    yield engine
    engine.stop()


def test_export_writes_the_running_world_and_imports_back(handle, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Paint a tile first: the export must be of the world as it is now, edits included.
    painted = _answer(handle, handle.submit(PaintTerrain(cells=((1, 1, int(Terrain.WATER)),))))
    assert isinstance(painted, CommandApplied), painted
    target = tmp_path / "village.tmj"
    answer = _answer(handle, handle.submit(ExportTiled(path=str(target))))
    assert isinstance(answer, CommandApplied) and str(target) in answer.summary
    doc = json.loads(target.read_text())
    assert doc["layers"][0]["name"] == "terrain"
    assert (tmp_path / "village.terrain.png").is_file()
    back = api.import_tiled(target, agents=10, seed=1)
    assert back.city.terrain[1, 1] == Terrain.WATER


def test_an_unwritable_path_is_rejected_with_the_reason(handle, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    answer = _answer(handle, handle.submit(ExportTiled(path=str(blocker / "map.tmj"))))
    assert isinstance(answer, CommandRejected) and answer.reason
    empty = _answer(handle, handle.submit(ExportTiled(path="  ")))
    assert isinstance(empty, CommandRejected) and "where" in empty.reason
    assert handle.alive
