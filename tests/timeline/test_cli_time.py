"""`townsfolk checkpoints`, `replay` and `sim --from-tick`, and a save killed mid-write."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from engine import api
from tests.conftest import WORLDS


def townsfolk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=300)


def sim_json(*args: str) -> dict:
    result = townsfolk("sim", *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_replay_prints_the_hash_recorded_live(tmp_path: Path):
    out = tmp_path / "run.town"
    live = sim_json(str(WORLDS / "village.town"), "--ticks", "300", "--seed", "4", "--brain", "fake", "--save", str(out))
    replayed = json.loads(townsfolk("replay", str(out), "--to-tick", "300", "--json").stdout)
    assert replayed["state_hash"] == replayed["recorded_hash"] == live["state_hash"]
    midway = json.loads(townsfolk("replay", str(out), "--to-tick", "211", "--json").stdout)
    straight = sim_json(str(WORLDS / "village.town"), "--ticks", "211", "--seed", "4", "--brain", "fake")
    assert midway["state_hash"] == straight["state_hash"] and midway["replayed_ticks"] > 0


def test_checkpoints_json_and_a_new_branch_from_the_past(tmp_path: Path):
    first, second = tmp_path / "a.town", tmp_path / "b.town"
    sim_json(str(WORLDS / "village.town"), "--ticks", "240", "--save", str(first))
    info = json.loads(townsfolk("checkpoints", str(first), "--json").stdout)
    ticks = [c["tick"] for c in info["checkpoints"]]
    assert ticks[:2] == [0, 60] and {180, 210, 240} <= set(ticks)  # hourly long ago, every 30 minutes lately
    assert all({"id", "branch", "tick", "sim_time", "kind", "bytes", "state_hash"} <= set(c) for c in info["checkpoints"])
    sim_json(str(first), "--from-tick", "100", "--ticks", "50", "--seed", "7", "--save", str(second))
    after = json.loads(townsfolk("checkpoints", str(second), "--json").stdout)
    branches = {b["id"]: b for b in after["branches"]}
    assert len(branches) == 2 and branches[after["current"]]["fork_tick"] == 100
    assert branches[0]["head_tick"] == 240 and branches[after["current"]]["head_tick"] == 150
    assert api.open_world(second).tick == 150


def test_replay_of_a_tick_before_the_first_checkpoint_is_a_clear_error(tmp_path: Path):
    out = tmp_path / "w.town"
    sim_json(str(WORLDS / "village.town"), "--ticks", "30", "--save", str(out))
    result = townsfolk("replay", str(out), "--to-tick", "9999")
    assert result.returncode != 0 and "not on this branch" in result.stderr and "Traceback" not in result.stderr


def test_a_process_killed_while_saving_leaves_a_consistent_file(tmp_path: Path):
    target = tmp_path / "busy.town"
    api.save_world(api.open_world(WORLDS / "city.town"), target)
    script = (
        "import sys\n"
        "from engine import api\n"
        f"world = api.open_world({str(WORLDS / 'city.town')!r})\n"
        "while True:\n"
        "    api.run_headless(world, 30, checkpoint_minutes=5)\n"
        f"    api.save_world(world, {str(target)!r})\n"
    )
    for delay in (0.8, 1.3, 1.9, 2.6):
        worker = subprocess.Popen([sys.executable, "-c", script], cwd=str(WORLDS.parent))
        time.sleep(delay)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        world = api.open_world(target)  # whole and readable, whichever save it holds
        assert api.check_world(world) == []
        assert all(c.tick <= world.timeline.head for c in world.timeline.checkpoints)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "busy.town"]
    assert all(".saving" in name for name in leftovers)  # half-written temp files (swept by a later save)
