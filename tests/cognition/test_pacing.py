"""Headless pacing: lockstep waits and repeats itself, live keeps the clock; the progress line says where it is."""

from __future__ import annotations

import json
import subprocess
import sys
from types import SimpleNamespace

import pytest

from engine.runtime import minds_pacing
from engine.runtime.minds_pacing import Pace, Progress
from tests.conftest import WORLDS


def sim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", "sim", str(WORLDS / "village.town"), *args],
                          capture_output=True, text=True, timeout=300)


class FakeClock:
    """Wall time that moves only when the pacer sleeps or a tick is said to take time."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_live_pace_starts_each_tick_at_its_place_in_wall_time(monkeypatch: pytest.MonkeyPatch):
    clock = FakeClock()
    monkeypatch.setattr(minds_pacing, "time", SimpleNamespace(monotonic=clock.monotonic, sleep=clock.sleep))
    # 20 sim minutes a second: a tick every 0.05 s
    pace = Pace("live", speed=20, tick_seconds=60, started=clock.now)
    starts = []
    for index, tick_cost in enumerate([0.01, 0.0, 0.2, 0.0, 0.0, 0.0]):
        pace.before_tick(index)
        starts.append(round(clock.now - 100.0, 6))
        clock.now += tick_cost
    # On time while ticks are cheap; a slow tick (0.2 s) is caught up on, not slept after.
    assert starts == [0.0, 0.05, 0.1, 0.3, 0.3, 0.3]
    assert Pace("lockstep", speed=20, tick_seconds=60).before_tick(50) is None and len(clock.slept) == 2


def test_a_live_run_never_runs_ahead_of_the_speed_asked_for():
    done = sim("--ticks", "40", "--brain", "fake", "--pace", "live", "--speed", "20", "--json", "--quiet")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    # 40 ticks at 20 a second take at least 39 intervals of 0.05 s; how much slower a loaded machine
    # runs is not the pacer's to promise (the fake-clock test above holds it to its schedule).
    assert summary["ticks_per_sec"] <= 21
    assert summary["llm"]["calls"] > 0
    assert "townsfolk: sim" not in done.stderr  # --quiet


def test_lockstep_is_the_default_and_reproducible():
    hashes = set()
    for _ in range(2):
        done = sim("--ticks", "60", "--brain", "fake", "--json", "--quiet")
        assert done.returncode == 0, done.stderr
        hashes.add(json.loads(done.stdout)["state_hash"])
    assert len(hashes) == 1


def test_a_bad_speed_is_one_line_on_stderr():
    done = sim("--ticks", "5", "--brain", "fake", "--pace", "live", "--speed", "0")
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "--speed" in lines[0] and "Traceback" not in done.stderr


def test_the_progress_line_says_sim_time_calls_tokens_and_the_expected_end():
    said: list[str] = []
    progress = Progress(total=100, say=said.append, every_s=0.0)
    progress.after_tick(50, "Day 1 Mon 06:50", {"calls": 12, "fallbacks": 3, "tokens": 4800})
    assert said and said[-1].startswith("sim Day 1 Mon 06:50 (50/100 ticks), 12 calls, 3 fallbacks, ")
    assert "tokens/s, expected end in " in said[-1]
