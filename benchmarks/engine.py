"""Engine speed and memory: ticks per second, ms per tick, peak RSS.

    python benchmarks/engine.py --agents 10000 --ticks 1440 --json
    python benchmarks/engine.py --json            # 1,000 and 10,000, plus the scaling ratio
    python benchmarks/engine.py --agents 10000 --plugin market_day --plugin fire_brigade --json   # with plugins

Runs the rule brain on a generated city (generation is timed apart, as
``generate_seconds``), recording history as the app does; CPU time is reported
beside wall time, and both per sim hour, since a shared machine's wall clock
counts other people's work too. Each size runs in its
own process so peak RSS is that size's own. Targets (2 cores): 10,000 people
>= 200 ticks/s and peak RSS <= 400 MB; 100,000 people >= 10 ticks/s, peak RSS
<= 2.5 GB, generated in <= 60 s; cost per tick growing no worse than linearly
from 1,000 to 10,000.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

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
    parser.add_argument("--inline", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inline:
        print(json.dumps(measure(args.agents[0], args.ticks, args.seed, args.plugin)))
        return 0
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


if __name__ == "__main__":
    sys.exit(main())
