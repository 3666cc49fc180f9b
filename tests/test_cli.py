"""The headless CLI, run as a real subprocess the way scripts use it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import WORLDS


def townsfolk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=300)


def test_new_then_info_then_check(tmp_path: Path):
    out = tmp_path / "mini.town"
    made = townsfolk("new", str(out), "--agents", "40", "--seed", "9", "--template", "city")
    assert made.returncode == 0, made.stderr
    info = json.loads(townsfolk("info", str(out), "--json").stdout)
    assert info["agents"] == 40 and len(info["people"]) == 40
    assert info["schema_version"] >= 1 and info["districts"] and info["buildings"] > 0
    checked = townsfolk("check", str(out))
    assert checked.returncode == 0 and "no problems" in checked.stdout


def test_new_refuses_to_overwrite(tmp_path: Path):
    out = tmp_path / "w.town"
    out.write_text("precious")
    result = townsfolk("new", str(out))
    assert result.returncode != 0 and "already exists" in result.stderr
    assert out.read_text() == "precious"


def test_sim_json_has_the_promised_keys_and_save_keeps_history(tmp_path: Path):
    out = tmp_path / "after.town"
    result = townsfolk("sim", str(WORLDS / "village.town"), "--sim-hours", "3", "--seed", "1", "--save", str(out), "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    for key in ("ticks", "sim_time", "agents", "events", "conversations", "state_hash", "ticks_per_sec"):
        assert key in summary
    assert summary["ticks"] == 180 and summary["agents"] == 25
    info = json.loads(townsfolk("info", str(out), "--json").stdout)
    assert info["tick"] == 180 and info["events"] == summary["events"]


def test_two_runs_one_seed_one_hash():
    runs = [townsfolk("sim", str(WORLDS / "village.town"), "--ticks", "200", "--seed", "5", "--json") for _ in range(2)]
    hashes = {json.loads(r.stdout)["state_hash"] for r in runs}
    assert len(hashes) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("info", "/nonexistent/world.town"), "no such file"),
        (("sim", "{junk}", "--ticks", "5"), "not an SQLite database"),
        (("sim", str(WORLDS / "village.town")), "--ticks"),
        (("sim", str(WORLDS / "village.town"), "--ticks", "-3"), "negative"),
        (("new", "{tmp}/x.town", "--agents", "0"), "at least 1"),
    ],
)
def test_errors_are_one_clear_line(tmp_path: Path, args, message):
    junk = tmp_path / "junk.town"
    junk.write_text("not a world")
    args = tuple(a.format(junk=junk, tmp=tmp_path) for a in args)
    result = townsfolk(*args)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.stderr


def test_check_lists_problems_with_exit_code_1(tmp_path: Path):
    import sqlite3

    path = tmp_path / "broken.town"
    townsfolk("new", str(path), "--agents", "30")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE person SET home = 4242 WHERE id = 0")
        conn.execute("UPDATE building SET x = 9999 WHERE id = 1")
    result = townsfolk("check", str(path))
    assert result.returncode == 1
    assert "which does not exist" in result.stdout and "off the map" in result.stdout
