"""What a checkpoint spends on the parts of the state that grow with the run's history.

    python benchmarks/history_pieces.py --json             # a day-25-sized window
    python benchmarks/history_pieces.py --days 5 --json

The ledger keeps two sim days of rows and the curves' samples grow all run (thinned
to one an hour after two days). This fills both as a run of ``--days`` sim days
would (``--rows-per-tick`` rows a minute, a sample every 10 ticks, the books closed
and samples thinned at each midnight), then times the parted encoder on them at 20
checkpoints half a sim hour apart (CPU, median). Target: the cost at day 25 within
1.5x the cost at day 2 (nothing a checkpoint does on them grows with the history).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.sim import state_codec
from engine.sim.metrics import COLUMNS, SAMPLE_EVERY, Metrics
from engine.society import ledger as acct
from engine.society.ledger import Ledger

TICKS_PER_DAY = 1440
KEPT_TICKS = 2 * TICKS_PER_DAY
CHECKPOINT_TICKS = 30


class History:
    def __init__(self, rows_per_tick: int):
        self.ledger = Ledger(np.full(1000, 50_000, dtype=np.int64))  # everyone opens with savings, as in a town
        self.ledger.open_books()
        self.metrics = Metrics()
        self.rows_per_tick = rows_per_tick
        self.tick = 0

    def advance(self, ticks: int) -> None:
        for _ in range(ticks):
            self.tick += 1
            tick = self.tick
            for i in range(self.rows_per_tick):
                self.ledger.post(tick, "wage", acct.building(i), acct.person((tick * 7 + i) % 1000), 100 + i)
            if tick % SAMPLE_EVERY == 0:
                self.metrics.samples.append([float(tick), *[0.5] * (len(COLUMNS) - 1)])
            if tick % TICKS_PER_DAY == 0:
                self.ledger.close_books(max(0, tick - KEPT_TICKS))
                self.metrics.thin(tick - KEPT_TICKS)

    def state(self) -> dict[str, object]:
        return {"ledger": self.ledger.get_state(), "metrics": self.metrics.get_state()}


def checkpoint_ms(days: float, rows_per_tick: int) -> dict[str, float]:
    history = History(rows_per_tick)
    history.advance(round(days * TICKS_PER_DAY))
    encoder = state_codec.PartedEncoder()
    encoder.encode(history.state())
    times = []
    for _ in range(20):
        history.advance(CHECKPOINT_TICKS)
        started = time.process_time()
        encoder.encode(history.state())
        times.append(time.process_time() - started)
    return {"days": days, "ledger_rows": len(list(history.ledger.rows())), "samples": len(history.metrics.samples),
            "checkpoint_ms": round(1000 * sorted(times)[len(times) // 2], 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=25)
    parser.add_argument("--rows-per-tick", type=int, default=4, help="ledger rows a sim minute (4: ~11,500 kept)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    early, late = checkpoint_ms(2, args.rows_per_tick), checkpoint_ms(args.days, args.rows_per_tick)
    ratio = round(late["checkpoint_ms"] / max(early["checkpoint_ms"], 1e-6), 2)
    result = {"day_2": early, f"day_{args.days:g}": late, "cost_ratio": ratio,
              "targets_met": {"cost_ratio <= 1.5": ratio <= 1.5}}
    print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
