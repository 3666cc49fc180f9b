"""Time travel at scale: checkpoint cost and size, seek latency, replay speed.

    python benchmarks/time.py --agents 1000 --json

Runs the rule brain on a generated city for a sim day with a checkpoint every
30 sim minutes, then seeks to random ticks of that day (restore the nearest
checkpoint + replay) and replays a long stretch without intermediate stops.
Targets at 1,000 people: checkpoint <= 100 ms, <= 1 MB each; seek <= 300 ms p95;
replay >= 100 ticks/s.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def measure(agents: int, ticks: int, seeks: int, seed: int) -> dict[str, object]:
    from engine import api
    from engine.sim.simulation import Simulation
    from engine.timeline.machine import TimeMachine

    world = api.new_world(agents, seed=seed, template="village" if agents <= 60 else "city")
    sim = Simulation(world, seed)
    machine = TimeMachine(sim, every_minutes=30)
    checkpoint_ms = []
    started = time.perf_counter()
    for _ in range(ticks):
        sim.step()
        t0 = time.perf_counter()
        if machine.after_step() is not None:
            checkpoint_ms.append((time.perf_counter() - t0) * 1000)
    live_seconds = time.perf_counter() - started
    sizes = [c.size for c in machine.timeline.checkpoints]
    rng = random.Random(seed)
    seek_ms = []
    for _ in range(seeks):
        result = machine.seek(rng.randrange(0, ticks + 1))
        seek_ms.append(result.seconds * 1000)
    first = machine.timeline.line_checkpoints()[0]
    t0 = time.perf_counter()
    replayed = machine.replay_from(first, ticks)
    replay_seconds = time.perf_counter() - t0
    return {
        "agents": agents,
        "ticks": ticks,
        "checkpoints_kept": len(sizes),
        "checkpoint_ms_p50": round(statistics.median(checkpoint_ms), 2),
        "checkpoint_ms_max": round(max(checkpoint_ms), 2),
        "checkpoint_kb_mean": round(statistics.mean(sizes) / 1024, 1),
        "checkpoint_kb_max": round(max(sizes) / 1024, 1),
        "seek_ms_p50": round(statistics.median(seek_ms), 2),
        "seek_ms_p95": round(percentile(seek_ms, 0.95), 2),
        "replay_ticks_per_sec": round(replayed / replay_seconds, 1),
        "live_ticks_per_sec": round(ticks / live_seconds, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--ticks", type=int, default=1440, help="length of the recorded run (default: one sim day)")
    parser.add_argument("--seeks", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = measure(args.agents, args.ticks, args.seeks, args.seed)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>24}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
