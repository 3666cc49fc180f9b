"""Kill ``townsfolk sim ... --save OUT`` at random moments: OUT is always the old pair or the new pair.

OUT already holds a saved world with memories (the *old* pair); each run would replace it
with a longer run of the same world (the *new* pair; the fake model makes both runs exact,
so reference copies say what each pair must hold). Most kills are timed from the moment the
save's staging folder appears, across the measured length of the save; the rest fall anywhere
in the run. After each kill OUT must open without a warning, be the old or the new world, and
start from exactly that world's memories: nothing from after its tick, nothing lost before it.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from engine import api
from engine.persistence.memory_files import memory_folder
from tests.persistence.pairs import THINKING, copy_pair, read_pair, sim_command, townsfolk

KILLS = 30
WORKERS = 2
IN_SAVE_SHARE = 0.75
OLD_TICKS, NEW_TICKS = 20, 45


def _staging_seen(container: Path) -> bool:
    try:
        return any(entry.name.startswith(".staging") for entry in container.iterdir())
    except OSError:
        return False


def _run_until(command: list[str], out: Path, kill_after_start: float | None, kill_after_staging: float | None,
               ) -> tuple[str, float | None, float | None]:
    """Run ``command`` and kill it at the given moment.

    Returns what happened and the seconds from start to the staging folder appearing and
    to OUT being replaced (None when not seen).
    """
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    staged_at: float | None = None
    replaced_at: float | None = None
    container = memory_folder(out)
    old_inode = out.stat().st_ino
    try:
        while child.poll() is None:
            now = time.perf_counter()
            if staged_at is None and _staging_seen(container):
                staged_at = now
            if replaced_at is None and staged_at is not None and _inode(out) != old_inode:
                replaced_at = now
            if kill_after_start is not None and now - started >= kill_after_start:
                break
            if kill_after_staging is not None and staged_at is not None and now - staged_at >= kill_after_staging:
                break
            time.sleep(0.001)
        to_staging = staged_at - started if staged_at is not None else None
        to_replaced = replaced_at - started if replaced_at is not None else None
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
            outcome = "killed in the save" if staged_at is not None else "killed before the save"
            return outcome, to_staging, to_replaced
        assert child.returncode == 0, f"the run failed by itself (exit {child.returncode})"
        return "finished", to_staging, to_replaced
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def _inode(path: Path) -> int | None:
    try:
        return path.stat().st_ino
    except OSError:
        return None


def test_killing_a_save_never_splits_the_world_from_its_memories(tmp_path: Path):
    source = tmp_path / "source.town"
    api.save_world(api.new_world(12, seed=5, template="village"), source)
    old, new = tmp_path / "old.town", tmp_path / "new.town"
    made = townsfolk("sim", str(source), "--ticks", str(OLD_TICKS), *THINKING, "--save", str(old))
    assert made.returncode == 0, made.stderr
    # The new pair, written over a copy of the old one exactly as the killed runs will; it also times the save.
    copy_pair(old, new)
    outcome, to_staging, to_replaced = _run_until(sim_command(source, NEW_TICKS, new), new, None, None)
    assert outcome == "finished" and to_staging is not None and to_replaced is not None
    save_window = (to_replaced - to_staging) * 2.5  # staging seen .. OUT replaced, then as long again and more
    expected = {OLD_TICKS: read_pair(old), NEW_TICKS: read_pair(new)}
    assert expected[OLD_TICKS].memories and len(expected[NEW_TICKS].memories) > len(expected[OLD_TICKS].memories)
    assert max(m[2] for m in expected[NEW_TICKS].memories) > OLD_TICKS  # the new pair has memories the old lacks

    rng = random.Random(20261206)
    plan = [(None, rng.uniform(0, save_window)) if rng.random() < IN_SAVE_SHARE else (rng.uniform(0, to_staging), None)
            for _ in range(KILLS)]

    def kill_and_check(kill: int, out: Path) -> tuple[str, int]:
        copy_pair(old, out)
        outcome, _, _ = _run_until(sim_command(source, NEW_TICKS, out), out, *plan[kill])
        got = read_pair(out)
        assert got.warning is None, f"kill {kill} ({outcome}): {got.warning}"
        assert got.tick in expected, f"kill {kill} ({outcome}): OUT is at tick {got.tick}, neither old nor new"
        want = expected[got.tick]
        assert got.sim_state == want.sim_state, f"kill {kill} ({outcome}): the world is not the saved one"
        assert got.memories == want.memories, (
            f"kill {kill} ({outcome}): memories of the wrong version at tick {got.tick} "
            f"({len(got.memories)} instead of {len(want.memories)}, last tick "
            f"{max((m[2] for m in got.memories), default=None)})")
        left = sorted(p.name for p in memory_folder(out).iterdir())
        assert left == [api.read_meta(out)["x.memory_version"]], f"kill {kill}: leftovers not swept: {left}"
        assert not list(tmp_path.glob(f".{out.name}*")), f"kill {kill}: a half-written world file was left"
        return outcome, got.tick

    def worker(first: int) -> list[tuple[str, int]]:
        out = tmp_path / f"out{first}.town"  # each worker its own OUT
        return [kill_and_check(kill, out) for kill in range(first, KILLS, WORKERS)]

    with ThreadPoolExecutor(WORKERS) as pool:  # two runs at a time, on two OUT files: the suite stays quick
        results = [result for chunk in pool.map(worker, range(WORKERS)) for result in chunk]
    outcomes = Counter(outcome for outcome, _ in results)
    ticks = Counter(tick for _, tick in results)
    print(f"\n{KILLS} kills: {dict(outcomes)}; OUT was the old pair {ticks[OLD_TICKS]}x, the new {ticks[NEW_TICKS]}x; "
          f"save window {save_window * 1000:.0f} ms")
    assert outcomes["killed in the save"] >= KILLS // 3, outcomes
