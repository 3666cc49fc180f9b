"""Engine speed and memory: ticks per second, ms per tick, peak RSS.

    python benchmarks/engine.py --agents 10000 --ticks 1440 --json
    python benchmarks/engine.py --json            # 1,000 and 10,000, plus the scaling ratio
    python benchmarks/engine.py --agents 10000 --plugin market_day --plugin fire_brigade --json   # with plugins
    python benchmarks/engine.py --app --agents 10000 --ticks 600 --json   # as the app runs it: memory, checkpoints

Runs the rule brain on a generated city (generation is timed apart, as
``generate_seconds``), recording history as the app does; CPU time is reported
beside wall time, and both per sim hour, since a shared machine's wall clock
counts other people's work too. Each size runs in its
own process so peak RSS is that size's own. Targets (2 cores): 10,000 people
>= 200 ticks/s and peak RSS <= 400 MB; 100,000 people >= 10 ticks/s, peak RSS
<= 2.5 GB, generated in <= 60 s; cost per tick growing no worse than linearly
from 1,000 to 10,000.

``--app`` runs the world as the app does instead (and as ``benchmarks/gui.py``'s headless child):
the city is made and saved in one process, then opened in another with minds (the hashing
embedder), on the engine thread with its checkpoints every 30 sim minutes and its history, at max
speed. It reports RSS when the run starts, every 100 ticks and at the end, the peak, what the C
heap holds in use and free (glibc), and how long each periodic checkpoint held the engine thread
(``checkpoint_hold_ms``: count, median and max, wall clock; ``checkpoint_hold_cpu_ms``: the engine
thread's own CPU time, steadier on a shared machine). With ``--save`` it then saves the world over
its file as the window's autosave does and reports the save's wall time and the RSS after it
(``save_seconds``, ``rss_after_save_mb``, ``lancedb_after_save``): a new rule-brain town keeps its
memory stream in RAM, and its save writes the memory version from a process of its own, so LanceDB
(~77 MB, and ~23 MB a table) never comes into the app's process.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the engine is imported by the child process that measures, not by every run
    from engine.api import EngineHandle
    from engine.contracts import SaveWorld

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def measure(agents: int, ticks: int, seed: int, plugins: list[str] | None = None) -> dict[str, object]:
    from engine import api
    from engine.runtime import collector
    from engine.sim.simulation import Simulation
    from engine.timeline.machine import DEFAULT_EVERY_MINUTES

    made, made_cpu = time.perf_counter(), time.process_time()
    world = api.new_world(agents, seed=seed, template="village" if agents <= 60 else "city")
    generate_seconds, generate_cpu = time.perf_counter() - made, time.process_time() - made_cpu
    if plugins:
        problems = api.use_plugins(world, plugins)
        if problems:
            raise SystemExit(f"benchmarks/engine.py: {problems[0]}")
    sim = Simulation(world)
    # The engine thread keeps the world it opened out of the garbage collector's walks and re-settles at
    # each checkpoint (engine/runtime/collector.py); so does this loop, the settling counted in its tick.
    collector.settle()
    settle_every = max(1, DEFAULT_EVERY_MINUTES * 60 // world.tick_seconds)
    durations, cpu = [], []  # CPU time too: on a shared machine the wall clock counts other people's work
    started, started_cpu = time.perf_counter(), time.process_time()
    for _ in range(ticks):
        t0, c0 = time.perf_counter(), time.process_time()
        sim.step()
        if sim.tick % settle_every == 0:
            collector.settle()
        durations.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    elapsed, elapsed_cpu = time.perf_counter() - started, time.process_time() - started_cpu
    collector.release()
    per_hour = max(1, 3600 // world.tick_seconds)
    hours = [
        {"from": _clock(world.start_minute + i * world.tick_seconds // 60),
         "ticks_per_sec": round(per_hour_ticks / sum(durations[i : i + per_hour]), 1),
         "cpu_ticks_per_sec": round(per_hour_ticks / max(sum(cpu[i : i + per_hour]), 1e-9), 1)}
        for i in range(0, len(durations), per_hour)
        for per_hour_ticks in [len(durations[i : i + per_hour])]
    ]
    durations.sort()
    return {
        "agents": agents,
        "ticks": ticks,
        "generate_seconds": round(generate_seconds, 1),
        "generate_cpu_seconds": round(generate_cpu, 1),
        "ticks_per_sec": round(ticks / elapsed, 1),
        "cpu_ticks_per_sec": round(ticks / elapsed_cpu, 1),
        "ms_per_tick_p50": round(statistics.median(durations) * 1000, 3),
        "ms_per_tick_p95": round(durations[int(len(durations) * 0.95) - 1] * 1000, 3),
        "ms_per_tick_mean": round(elapsed / ticks * 1000, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "events": len(world.history),
        "conversations": sim.metrics.conversations,
        "plugins": sim.plugins.active,
        "by_sim_hour": hours,
    }


def measure_app(path: str, ticks: int, save: bool = False) -> dict[str, object]:
    """The engine thread on the saved world at ``path`` for ``ticks`` ticks, as the app runs it (then, with
    ``save``, saved over its file)."""
    from engine import api
    from engine.contracts import SaveWorld, SetSpeed, Step

    handle = api.EngineHandle.open(path, embedder="hashing")
    handle.start()
    try:
        while handle.latest_snapshot() is None:
            time.sleep(0.01)
        start = handle.latest_snapshot().tick  # type: ignore[union-attr]  # waited for above
        rss_start = _status_mb("VmRSS")
        by_100: list[float] = []
        handle.submit(SetSpeed(ticks_per_second=0))
        began = time.perf_counter()
        handle.submit(Step(ticks=ticks))
        while True:
            handle.drain_events()
            snapshot = handle.latest_snapshot()
            done = snapshot.tick - start if snapshot is not None else 0
            if done >= 100 * (len(by_100) + 1):
                by_100.append(_status_mb("VmRSS"))
            if done >= ticks and snapshot is not None and not snapshot.running:
                break
            time.sleep(0.002)
        elapsed = time.perf_counter() - began
        rss_end = _status_mb("VmRSS")
        holds = sorted(wall for wall, _cpu in handle.checkpoint_holds_ms)
        holds_cpu = sorted(cpu for _wall, cpu in handle.checkpoint_holds_ms)
        world = handle._sim.world  # read after the engine paused: the history and checkpoints it holds
        events, checkpoints = len(world.history), len(world.timeline.checkpoints)
        saved = _save(handle, SaveWorld(path=path)) if save else {}
    finally:
        handle.stop()
    return {
        **saved,
        "mode": "app",
        "ticks": ticks,
        "seconds": round(elapsed, 2),
        "ticks_per_sec": round(ticks / elapsed, 1),
        "rss_start_mb": rss_start,
        "rss_end_mb": rss_end,
        "rss_growth_mb": round(rss_end - rss_start, 1),
        "rss_every_100_ticks_mb": by_100,
        "peak_rss_mb": _status_mb("VmHWM"),
        "c_heap_mb": _c_heap(),
        "events": events,
        "checkpoints": checkpoints,
        "checkpoint_hold_ms": _spread(holds),
        "checkpoint_hold_cpu_ms": _spread(holds_cpu),  # the engine thread's own CPU: steadier on a shared machine
    }


def _save(handle: EngineHandle, command: SaveWorld) -> dict[str, object]:
    """Save as the window's autosave does; its wall time and this process's RSS after it."""
    from engine.contracts import CommandApplied, CommandRejected

    began = time.perf_counter()
    handle.submit(command)
    while True:
        answers = [e for e in handle.drain_events()
                   if isinstance(e, CommandApplied | CommandRejected) and e.command_id == command.id]
        if answers:
            break
        time.sleep(0.002)
    seconds = time.perf_counter() - began
    if isinstance(answers[0], CommandRejected):
        raise RuntimeError(f"the save failed: {answers[0].reason}")
    return {"save_seconds": round(seconds, 2), "rss_after_save_mb": _status_mb("VmRSS"),
            "lancedb_after_save": "lancedb" in sys.modules}


def _spread(values: list[float]) -> dict[str, float | int | None]:
    """Count, median and max of sorted ``values``."""
    return {"count": len(values), "median": round(statistics.median(values), 1) if values else None,
            "max": round(values[-1], 1) if values else None}


def _status_mb(key: str) -> float:
    """This process's ``VmRSS`` or ``VmHWM`` (not ``ru_maxrss``: Linux carries it over from the parent's exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _c_heap() -> dict[str, float] | None:
    """What glibc's allocator holds, all arenas together: in use, and freed but kept (None elsewhere)."""
    import ctypes

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in
                    ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                     "keepcost")]

    try:
        mallinfo2 = ctypes.CDLL(None).mallinfo2
    except (AttributeError, OSError, TypeError):
        return None
    mallinfo2.restype = MallInfo2
    info = mallinfo2()
    return {"in_use_mb": round((info.uordblks + info.hblkhd) / 2**20, 1), "free_mb": round(info.fordblks / 2**20, 1)}


def _clock(minute: int) -> str:
    return f"{minute // 60 % 24:02d}:{minute % 60:02d}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, action="append", help="population (repeatable)")
    parser.add_argument("--ticks", type=int, default=1440, help="ticks per run (default: one sim day)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--plugin", action="append", default=[], metavar="NAME",
                        help="run with an installed plugin on (repeatable): what plugins cost a tick")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--app", action="store_true",
                        help="run it as the app does: opened from a file, minds, checkpoints, on the engine thread")
    parser.add_argument("--save", action="store_true",
                        help="with --app: then save the world over its file, as the autosave does (time, RSS after)")
    parser.add_argument("--inline", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--make", help=argparse.SUPPRESS)
    parser.add_argument("--open", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make:
        from engine import api

        api.save_world(api.new_world(args.agents[0], args.seed, "city"), args.make)
        return 0
    if args.open:
        print(json.dumps(measure_app(args.open, args.ticks, args.save)))
        return 0
    if args.inline:
        print(json.dumps(measure(args.agents[0], args.ticks, args.seed, args.plugin)))
        return 0
    if args.app:
        return _app(args.agents or [1000, 10000], args.ticks, args.seed, args.json, args.save)
    sizes = args.agents or [1000, 10000]
    runs = []
    for n in sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--inline", "--agents", str(n), "--ticks", str(args.ticks), "--seed", str(args.seed),
             *(f"--plugin={name}" for name in args.plugin)],
            capture_output=True, text=True, check=True,
        )
        runs.append(json.loads(out.stdout))
    result: dict[str, object] = {"runs": runs}
    if len(runs) == 1:
        result = runs[0]
    else:
        small, big = runs[0], runs[-1]
        growth = float(big["ms_per_tick_mean"]) / float(small["ms_per_tick_mean"])
        result["cost_growth"] = round(growth, 2)
        result["population_growth"] = round(int(big["agents"]) / int(small["agents"]), 2)
    if args.json:
        print(json.dumps(result))
    else:
        for r in runs:
            print(f"{r['agents']:>6} people: {r['ticks_per_sec']:>7} ticks/s, p50 {r['ms_per_tick_p50']} ms, "
                  f"p95 {r['ms_per_tick_p95']} ms, peak RSS {r['peak_rss_mb']} MB")
    return 0


def _app(sizes: list[int], ticks: int, seed: int, as_json: bool, save: bool = False) -> int:
    """Each size's world made and saved in one process and run in another, so the run's memory is its own."""
    runs = []
    with tempfile.TemporaryDirectory(prefix="townsfolk-engine-bench-") as folder:
        for n in sizes:
            path = str(Path(folder) / f"city-{n}.town")
            subprocess.run([sys.executable, __file__, "--agents", str(n), "--seed", str(seed), "--make", path],
                           check=True)
            out = subprocess.run([sys.executable, __file__, "--ticks", str(ticks), "--open", path,
                                  *(["--save"] if save else [])],
                                 capture_output=True, text=True, check=True).stdout
            runs.append({"agents": n, **json.loads(out.strip().splitlines()[-1])})
    load = [round(x, 2) for x in os.getloadavg()]
    result: dict[str, object] = runs[0] if len(runs) == 1 else {"runs": runs}
    result["load_average"] = load
    if as_json:
        print(json.dumps(result))
    else:
        for r in runs:
            print(f"{r['agents']:>6} people, as the app runs them: {r['ticks_per_sec']} ticks/s, RSS {r['rss_start_mb']} "
                  f"-> {r['rss_end_mb']} MB (peak {r['peak_rss_mb']}), checkpoints held the engine "
                  f"{r['checkpoint_hold_ms']} ms")
            if save:
                print(f"        then saved in {r['save_seconds']} s: RSS {r['rss_after_save_mb']} MB, "
                      f"LanceDB {'loaded' if r['lancedb_after_save'] else 'not loaded'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
