"""Memory-stream speed: insert rate, and top-10 retrieval latency for one person in a big table.

    python benchmarks/memory.py --json                      # 100,000 and 1,000,000 memories
    python benchmarks/memory.py --memories 100000 --agents 1000 --json

Inserts go through the real API — ``add`` per memory, ``flush`` once per ``--batch`` rows (a
tick's worth of memories for a big town), automatic ``optimize`` as configured — into a
``LanceMemoryStore`` in a temporary folder that is deleted afterwards. Then ``optimize`` once
(as the engine does now and then) and time ``retrieve(agent, query, k=10)`` for random people.

Vectors: ``--embedder random`` (default) gives unit Gaussian vectors so embedding time does not
swamp the store's own cost; ``--embedder hashing`` or ``wordllama`` time the real thing.
Each size runs in its own process so its peak RSS is its own. Target (2 cores): p50 <= 15 ms at
100,000 memories.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NAMES = ["Isabella", "Klaus", "Maria", "Tom", "Ayesha", "Yuriko", "Carlos", "Wolfgang", "Jennifer", "Sam"]
DOINGS = ["drinking coffee", "arguing about the election", "painting a mural", "fixing the roof",
          "planning a party", "reading the news", "buying bread", "walking the dog", "sleeping", "studying"]
PLACES = ["Hobbs Cafe", "the park", "the library", "Oak Hill College", "the pharmacy", "the bar",
          "the town hall", "the market", "home", "the supply store"]


class RandomEmbedder:
    """Unit Gaussian vectors, one batch per call: costs nothing, searches like real embeddings."""

    def __init__(self, dim: int, seed: int = 0) -> None:
        self._dim = dim
        self._rng = np.random.default_rng(seed)

    @property
    def name(self) -> str:
        return f"random:{self._dim}"

    @property
    def dim(self) -> int:
        return self._dim

    def embed(self, texts: list[str]) -> np.ndarray:
        rows = self._rng.standard_normal((len(texts), self._dim)).astype(np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def sentence(rng: random.Random) -> str:
    return f"{rng.choice(NAMES)} is {rng.choice(DOINGS)} at {rng.choice(PLACES)}"


def folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def quantile_ms(values: list[float], q: float) -> float:
    """The q-quantile of seconds, in ms."""
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000, 2)


def steady_state(store, agents: int, ticks: int, start: int, rng: random.Random, texts: list[str]) -> dict:
    """Life after the bulk load: each tick a tenth of the people remember something, ten recall,
    then one flush — so flush times include the automatic reindex (and optimize, if due) pauses."""
    flushes, recalls = [], []
    started = time.perf_counter()
    for tick in range(start, start + ticks):
        for _ in range(max(1, agents // 10)):
            store.add(rng.randrange(agents), tick, "observation", rng.choice(texts), 3.0)
        for _ in range(10):
            t0 = time.perf_counter()
            store.retrieve(rng.randrange(agents), sentence(rng), tick)
            recalls.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        store.flush()
        flushes.append(time.perf_counter() - t0)
    return {
        "ticks": ticks,
        "adds_per_tick": max(1, agents // 10),
        "retrievals_per_tick": 10,
        "ms_per_tick": round((time.perf_counter() - started) / ticks * 1000, 1),
        "flush_ms_p50": quantile_ms(flushes, 0.5),
        "flush_ms_p95": quantile_ms(flushes, 0.95),
        "flush_ms_max": quantile_ms(flushes, 1.0),
        "retrieve_p50_ms": quantile_ms(recalls, 0.5),
        "retrieve_p95_ms": quantile_ms(recalls, 0.95),
    }


def measure(
    rows: int, agents: int, batch: int, dim: int, embedder_name: str, queries: int, seed: int, steady_ticks: int
) -> dict:
    from engine.memory.embedders import make_embedder
    from engine.memory.importance import heuristic_importance
    from engine.memory.lance_store import LanceMemoryStore

    embedder = RandomEmbedder(dim, seed) if embedder_name == "random" else make_embedder(embedder_name)
    rng = random.Random(seed)
    texts = [sentence(rng) for _ in range(997)]  # a prime, so agents do not share one text each
    weights = [heuristic_importance("observation", t) for t in texts]
    tmp = Path(tempfile.mkdtemp(prefix="townsfolk-membench-"))
    try:
        store = LanceMemoryStore(tmp / "memory", embedder, tick_seconds=60)
        flushes: list[float] = []
        started = time.perf_counter()
        for i in range(rows):
            j = i % len(texts)
            store.add(i % agents, i // batch, "observation", texts[j], weights[j])
            if (i + 1) % batch == 0 or i + 1 == rows:
                t0 = time.perf_counter()
                store.flush()
                flushes.append(time.perf_counter() - t0)
        insert_s = time.perf_counter() - started
        t0 = time.perf_counter()
        store.optimize()
        optimize_s = time.perf_counter() - t0
        now = rows // batch + 1
        for _ in range(5):  # warm the page cache and the index
            store.retrieve(rng.randrange(agents), sentence(rng), now)
        times = []
        for _ in range(queries):
            agent, query = rng.randrange(agents), sentence(rng)
            t0 = time.perf_counter()
            found = store.retrieve(agent, query, now, k=10)
            times.append(time.perf_counter() - t0)
            assert len(found) == min(10, rows // agents)
        store.flush()
        disk_mb = round(folder_mb(tmp), 1)
        steady = steady_state(store, agents, steady_ticks, now, rng, texts) if steady_ticks else None
        if steady:
            steady["disk_mb_after"] = round(folder_mb(tmp), 1)
        result = {
            "rows": rows,
            "agents": agents,
            "rows_per_agent": rows // agents,
            "dim": embedder.dim,
            "embedder": embedder.name,
            "vectors": "random unit Gaussian, not embedded text" if embedder_name == "random" else embedder.name,
            "batch_rows_per_flush": batch,
            "insert_s": round(insert_s, 2),
            "insert_rows_per_sec": round(rows / insert_s),
            "flush_ms_p50": quantile_ms(flushes, 0.5),
            "flush_ms_max": quantile_ms(flushes, 1.0),
            "final_optimize_s": round(optimize_s, 2),
            "queries": queries,
            "k": 10,
            "candidates": 50,
            "retrieve_p50_ms": quantile_ms(times, 0.5),
            "retrieve_p95_ms": quantile_ms(times, 0.95),
            "disk_mb": disk_mb,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "steady": steady,
        }
        store.close()
        return result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--memories", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--agents", type=int, default=1000, help="memories are spread evenly over this many people")
    parser.add_argument("--batch", type=int, default=10_000, help="memories added between flushes")
    parser.add_argument("--dim", type=int, default=256, help="vector width for --embedder random (wordllama is 256)")
    parser.add_argument("--embedder", default="random", help="random | hashing | wordllama")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--steady-ticks", type=int, default=100,
                        help="then simulate this many ticks of adds + retrievals + one flush (0: skip)")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # run one size in this process
    args = parser.parse_args()

    if args.one:
        result = measure(args.memories[0], args.agents, args.batch, args.dim, args.embedder, args.queries, args.seed,
                         args.steady_ticks)
        print(json.dumps(result))
        return
    results = []
    for rows in args.memories:
        command = [sys.executable, __file__, "--one", "--memories", str(rows), "--agents", str(args.agents),
                   "--batch", str(args.batch), "--dim", str(args.dim), "--embedder", args.embedder,
                   "--queries", str(args.queries), "--seed", str(args.seed), "--steady-ticks", str(args.steady_ticks)]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        if not args.json:
            print(json.dumps(results[-1], indent=2), file=sys.stderr)
    print(json.dumps(results if len(results) > 1 else results[0], indent=None if args.json else 2))


if __name__ == "__main__":
    main()
