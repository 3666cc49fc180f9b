"""The society's cost: ledger, word of mouth, councils and the GUI's views, on a generated city.

    python benchmarks/society.py --agents 10000 --json

Runs one sim day of the rule brain with a seeded party, then measures what the
society adds: ledger rows a day and its window's share of a checkpoint, how far
the fact spread, building the economy/governance view the GUI gets, a filtered
page of the ledger, checking the books, and a pair report. Targets (2 cores):
the view <= 50 ms and a ledger page <= 100 ms at 10,000 people (both run on the
engine thread between ticks); the books always balance.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PARTY = "Party at the park tomorrow at 5pm, everyone welcome"


def timed_ms(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, (time.perf_counter() - t0) * 1000)
    return round(best, 2)


def measure(agents: int, ticks: int, seed: int) -> dict[str, object]:
    from engine import api
    from engine.contracts.edits import SeedFact
    from engine.contracts.society import QueryLedger, QueryPair
    from engine.edits.apply import apply
    from engine.sim import state_codec
    from engine.sim.simulation import Simulation

    world = api.new_world(agents, seed=seed, template="village" if agents <= 60 else "city")
    sim = Simulation(world)
    host = next(p.id for p in sim.people if p.age >= 30 and p.traits[2] > 0.6)
    (_summary, _inverse, seeded), _events = apply(sim, SeedFact(agent=host, text=PARTY))
    t0 = time.perf_counter()
    for _ in range(ticks):
        sim.step()
    seconds = time.perf_counter() - t0
    society = sim.society
    state = sim.get_state()
    whole = len(state_codec.encode(state))
    without = len(state_codec.encode({**state, "society": None}))
    a, b = next(pair for pair, _tie in sim.ties.items())
    far_ahead = iter(range(sim.tick + 10_000, sim.tick + 10_000_000, 10_000))
    return {
        "agents": agents,
        "ticks": ticks,
        "ticks_per_sec": round(ticks / seconds, 1),
        "ledger_rows": len(society.ledger),
        "ledger_rows_per_person_day": round(len(society.ledger) / agents * 1440 / ticks, 2),
        "checkpoint_kb": round(whole / 1024, 1),
        "checkpoint_society_kb": round((whole - without) / 1024, 1),
        "fact_share": round(society.grapevine.share(seeded.fact_id), 3),
        "proposals": society.governance.summary()["proposals"],
        "view_ms": timed_ms(lambda: society.view(next(far_ahead))),  # ticks far ahead force a rebuild each time
        "ledger_page_ms": timed_ms(lambda: society.ledger_page(QueryLedger(kind="wage", limit=200), sim.tick)),
        "verify_books_ms": timed_ms(society.ledger.verify, repeat=1),
        "books_balance": not society.ledger.verify(),
        "pair_report_ms": timed_ms(lambda: society.pair(QueryPair(a=a, b=b), sim.tick)),
        "social_summary_ms": timed_ms(lambda: society.summary(), repeat=1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--ticks", type=int, default=1440, help="sim minutes to run first (default: one day)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = measure(args.agents, args.ticks, args.seed)
    print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
