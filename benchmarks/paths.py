"""Walking paths on a generated city: cost per trip and how much longer than the shortest.

    python benchmarks/paths.py --agents 100000 --json
    python benchmarks/paths.py --agents 10000 --trips 500 --json

Lays out the map ``benchmarks/engine.py`` would (no people), then asks the
engine's ``PathFinder`` for trips between random doors, as a first morning
would (every cache cold), and checks each path is a walk over walkable tiles
from door to door. Against an exact breadth-first search for a sample of the
trips, it reports how much longer the paths are (mean, 95th percentile and
worst, as a fraction of the shortest). Maps larger than the exact search's
limit use the search by blocks; smaller ones are exact (overhead 0).
Targets: the length overhead <= 10% on average; at 100,000 people a trip costs
well under the 100 ms a tick may take.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def measure(agents: int, trips: int, checked: int, seed: int, exact_area: int | None) -> dict[str, object]:
    from engine.world.generator import generate_city
    from engine.world.pathfinding import EXACT_AREA, PathFinder

    made = time.perf_counter()
    city = generate_city(agents, seed)
    walkable = city.walkable_mask()
    generate_seconds = time.perf_counter() - made
    built = time.perf_counter()
    finder = PathFinder(walkable, exact_area=EXACT_AREA if exact_area is None else exact_area)
    build_seconds = time.perf_counter() - built
    width = walkable.shape[1]
    doors = [finder.cell(*b.entrance) for b in city.buildings]
    labels = finder.component_labels()
    rng = random.Random(seed)
    pairs = []
    while len(pairs) < trips:
        a, b = rng.choice(doors), rng.choice(doors)
        if a != b and labels[a] == labels[b]:
            pairs.append((a, b))
    started = time.perf_counter()
    paths = [finder.path(a, b) for a, b in pairs]
    seconds = time.perf_counter() - started
    for (a, b), cells in zip(pairs, paths, strict=True):
        xs, ys = cells % width, cells // width
        steps = np.abs(np.diff(xs)) + np.abs(np.diff(ys))
        if cells[0] != a or cells[-1] != b or not (steps == 1).all() or not walkable[ys, xs].all():
            raise SystemExit(f"benchmarks/paths.py: the path from cell {a} to cell {b} is not a walk")
    exact = PathFinder(walkable, exact_area=walkable.size)  # the shortest, a whole-map search per goal
    overheads = []
    for (a, b), cells in zip(pairs[:checked], paths[:checked], strict=True):
        shortest = len(exact.path(a, b)) - 1
        overheads.append((len(cells) - 1 - shortest) / shortest)
    overheads.sort()
    return {
        "agents": agents,
        "map": f"{walkable.shape[1]} x {walkable.shape[0]}",
        "doors": len(doors),
        "search": "exact" if walkable.size <= (EXACT_AREA if exact_area is None else exact_area) else "by blocks",
        "generate_seconds": round(generate_seconds, 1),
        "finder_build_seconds": round(build_seconds, 3),
        "trips": trips,
        "ms_per_trip": round(seconds / trips * 1000, 3),
        "whole_map_searches": finder.tree_searches,
        "mean_trip_tiles": round(float(np.mean([len(p) - 1 for p in paths])), 1),
        "checked": len(overheads),
        "overhead_mean": round(float(np.mean(overheads)), 4),
        "overhead_p95": round(overheads[int(len(overheads) * 0.95) - 1], 4),
        "overhead_max": round(overheads[-1], 4),
        "exact_share": round(sum(1 for o in overheads if o == 0) / len(overheads), 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=100_000)
    parser.add_argument("--trips", type=int, default=20_000, help="trips asked for (default 20,000)")
    parser.add_argument("--checked", type=int, default=300, help="of those, how many to compare with the shortest")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--exact-area", type=int, help="search exactly on maps up to this many tiles "
                        "(default: the engine's limit; 0: always by blocks)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = measure(args.agents, args.trips, min(args.checked, args.trips), args.seed, args.exact_area)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
