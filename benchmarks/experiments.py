"""Experiments in parallel: 16 runs of the village for one sim day, one after another and with 2 workers.

    python benchmarks/experiments.py --json [--runs 16] [--workers 2] [--sim-hours 24] [--repeat 3] [--start fork|spawn]

Times ``run_experiment`` (the runs, each checkpointed every 30 sim minutes and its world
kept, then the tables and the manifest) into a fresh folder: first with one worker (every
run one after another in this process), then with N worker processes, whose start-up is
inside the time. The interpreter's own start-up, the same for both, is not. Target: 2
workers take <= 0.6x the time of one after another. Timings depend on what else the
machine is doing; the load average before and after is reported with them.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET = 0.6


def _spec(folder: Path, runs: int, sim_hours: float) -> Path:
    shutil.copy(ROOT / "worlds" / "village.town", folder / "village.town")
    spec = folder / "bench.toml"
    seeds = ", ".join(str(seed) for seed in range(1, runs + 1))
    spec.write_text(f'name = "bench"\nworlds = ["village.town"]\nseeds = [{seeds}]\nsim_hours = {sim_hours}\n'
                    'checkpoint_minutes = 30\n[settings]\nbrain = "rule"\n', encoding="utf-8")
    return spec


def _hashes(out: Path) -> dict[str, str]:
    with (out / "summary.csv").open(encoding="utf-8") as handle:
        return {row["run_id"]: row["state_hash"] for row in csv.DictReader(handle) if row["status"] == "ok"}


def measure(runs: int, workers: int, sim_hours: float, start: str | None, repeat: int) -> dict[str, object]:
    """``repeat`` pairs, one after another then in parallel, each pair's ratio on its own (the machine's
    load drifts less within a pair); the median pair is quoted."""
    from engine import api
    from engine.experiments import runner

    if start is not None:
        runner.start_method = lambda: start  # type: ignore[assignment]  # the benchmark picks how workers start
    pairs = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        spec = api.load_spec(_spec(folder, runs, sim_hours))
        load_before = os.getloadavg()
        for number in range(repeat):
            started = time.perf_counter()
            api.run_experiment(spec, folder / f"serial{number}", workers=1)
            serial = time.perf_counter() - started
            started = time.perf_counter()
            api.run_experiment(spec, folder / f"parallel{number}", workers=workers)
            parallel = time.perf_counter() - started
            pairs.append((serial, parallel))
        load_after = os.getloadavg()
        serial_hashes, parallel_hashes = _hashes(folder / "serial0"), _hashes(folder / "parallel0")
    ratios = sorted(p / s for s, p in pairs)
    serial, parallel = sorted(pairs, key=lambda pair: pair[1] / pair[0])[len(pairs) // 2]
    ratio = parallel / serial
    return {
        "runs": runs, "sim_hours": sim_hours, "workers": workers, "start_method": start or runner.start_method(),
        "cores": os.cpu_count(), "serial_s": round(serial, 2), "parallel_s": round(parallel, 2),
        "ratio": round(ratio, 3), "ratios": [round(r, 3) for r in ratios], "target_ratio": TARGET,
        "met": ratio <= TARGET, "all_runs_ok": len(serial_hashes) == runs, "same_states": serial_hashes == parallel_hashes,
        "load_average_before_after": [round(x, 2) for x in (*load_before, *load_after)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sim-hours", type=float, default=24.0)
    parser.add_argument("--start", choices=("fork", "spawn", "forkserver"), help="how workers start (default: the runner's choice)")
    parser.add_argument("--repeat", type=int, default=3, help="pairs measured (default 3); the median is quoted")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = measure(args.runs, args.workers, args.sim_hours, args.start, args.repeat)
    print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
