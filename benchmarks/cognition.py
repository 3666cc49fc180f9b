"""What thinking costs: LLM calls and tokens per person per sim day, cache hits.

    python benchmarks/cognition.py --agents 25 --sim-hours 24 --json

Runs the deterministic fake backend in lockstep (so the numbers are exact and
repeatable), every person a mind, memories in RAM with the offline hashing
embedder. Targets: <= 25 calls per person per sim day with every kind of thought present, and
<= 150 (the original Generative
Agents run needed about 1,300 per person-day: ~13,700 calls for 25 agents over
10 game hours).
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def measure(agents: int, hours: float, seed: int, embedder: str) -> dict[str, object]:
    from engine import api
    from engine.memory.embedders import make_embedder
    from engine.memory.mem_store import InMemoryStore
    from engine.runtime.minds import attach_cognition
    from engine.sim.simulation import Simulation

    world = api.new_world(agents, seed=seed, template="village" if agents <= 60 else "city")
    sim = Simulation(world, seed)
    memory = InMemoryStore(make_embedder(embedder), world.tick_seconds)
    cognition = attach_cognition(sim, api.LLMConfig(brain="fake"), memory, mode="lockstep", max_minds=agents)
    ticks = round(hours * 3600 / world.tick_seconds)
    started = time.perf_counter()
    for _ in range(ticks):
        sim.step()
    elapsed = time.perf_counter() - started
    cognition.close()
    stats = cognition.status().stats
    days = hours / 24
    by_kind = collections.Counter(r.kind for r in world.thoughts if r.status in ("ok", "cached"))
    asked = stats["calls"] + stats["cache_hits"]
    return {
        "agents": agents,
        "sim_hours": hours,
        "calls": stats["calls"],
        "calls_per_person_per_day": round(stats["calls"] / agents / days, 1),
        "tokens_per_person_per_day": round(stats["tokens"] / agents / days),
        "cache_hits": stats["cache_hits"],
        "cache_hit_rate": round(stats["cache_hits"] / asked, 4) if asked else 0.0,
        "fallbacks": stats["fallbacks"],
        "rejected": stats["rejected"],
        "failures": stats["failures"],
        **cognition.thinking_report(),
        "calls_by_kind": dict(sorted(by_kind.items())),
        "memories": memory.count(),
        "wall_seconds": round(elapsed, 2),
        "original_calls_per_person_per_day": 1300,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=25)
    parser.add_argument("--sim-hours", type=float, default=24.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--embedder", default="hashing", choices=("hashing", "wordllama"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = measure(args.agents, args.sim_hours, args.seed, args.embedder)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>36}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
