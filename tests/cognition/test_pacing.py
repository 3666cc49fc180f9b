"""Headless pacing: lockstep waits and repeats itself, live keeps the clock; the progress line says where it is."""

from __future__ import annotations

import json
import subprocess
import sys

from engine.runtime.minds_pacing import Progress
from tests.conftest import WORLDS


def sim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", "sim", str(WORLDS / "village.town"), *args],
                          capture_output=True, text=True, timeout=300)


def test_live_pace_keeps_the_speed_asked_for():
    done = sim("--ticks", "40", "--brain", "fake", "--pace", "live", "--speed", "20", "--json", "--quiet")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert 12 <= summary["ticks_per_sec"] <= 21
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
