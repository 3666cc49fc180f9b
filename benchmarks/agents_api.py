"""Outside agents at scale: 500 programs living in the city over the agent API on loopback.

    python benchmarks/agents_api.py [--world worlds/city.town] [--agents 500] [--seconds 30] [--speeds 30,60,0 | --speed TPS]
        [--switch-interval MS] --json

The engine runs the city (1,000 people) in this process with the agent API in
front of it; the agents run in another process (the SDK's crowd,
``townsfolk_agent.crowd``: asyncio, one WebSocket each, neither confirmations nor
ok outcomes asked for): each registers a person, then answers every decision point
at once with a plausible action. Measured over ``--seconds`` after everyone is
registered, at the speed asked (``speed`` in the JSON: ``max``, or ticks a second):

- decision round trip: from the engine posting a decision point to the answer
  being handed in to the engine's exchange (through the server, the WebSocket, the
  agent and back), p50 / p95 / p99 in ms; its first leg ("out": to the server's
  write to the agent's socket), and when the engine thread took the answer up
  (just before the tick that applies it);
- where the slowest 1% waited (``slowest_1pct``): out, to the agent deciding, back, and under collections
  and checkpoints, on the machine's one monotonic clock;
- how long checkpoints held the engine thread and the engine waited for answers before each, the
  collector's pauses by generation (wall and CPU), the core share of both processes;
- the engine's ticks per second meanwhile;
- decisions answered, and how many were late or refused.

Targets: round trip p99 <= 50 ms while the engine keeps >= 30 ticks/s. By default the window is run
three times, each in a process of its own: paced at 30 ticks/s (the target's own condition), at 60, and at
max speed (``--speeds`` picks others; 0 is max). ``met`` says whether the target held in the run paced at
30; ``met_at`` lists every speed where it held, so the max-speed run shows how far beyond the target the
API carries (there the round trip measures how many decisions a second the two processes can carry).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import multiprocessing as mp
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else 0.0


# -- the agents (their own process) ---------------------------------------------------------------------


def _plausible(decided: dict[tuple[int, int], float]) -> Any:
    """What a person driven from outside does at each decision: something plausible where they are. When
    each decision was read and decided is noted in ``decided`` ((person, tick) -> ``time.monotonic()``,
    one clock for both processes on this machine)."""
    rngs: dict[int, random.Random] = {}

    def decide(agent: int, perception: dict[str, Any]) -> list[dict[str, Any]]:
        decided[agent, perception["tick"]] = time.monotonic()
        rng = rngs.setdefault(agent, random.Random(agent))
        minutes = rng.randint(15, 60)
        if (perception.get("place") or {}).get("id") is not None:
            return [{"type": "do", "activity": rng.choice(["home", "leisure", "social"]), "minutes": minutes}]
        return [{"type": "go_to", "place": perception["home"], "activity": "home", "minutes": minutes}]
    return decide


async def _swarm(url: str, people: list[int], seconds_after_ready: float, report: Any) -> None:
    # 500 programs share this one process, where each real one would have its own; the SDK's crowd (one
    # socket each) settles its collector once all are connected, as any program driving many people does.
    from townsfolk_agent.crowd import Crowd

    decided: dict[tuple[int, int], float] = {}
    crowd = Crowd(url, _plausible(decided), deadline_s=2.0, ok_outcomes=False)  # refusals and misses still come
    await crowd.join(people)
    decided.clear()
    report.put(("ready", time.time()))
    cpu0 = time.process_time()
    await asyncio.sleep(seconds_after_ready)
    cpu = time.process_time() - cpu0
    await crowd.leave(release=False)  # the server stops right after; nobody needs their person back
    report.put(("answered", crowd.answered, decided, cpu))


def _run_swarm(url: str, people: list[int], seconds: float, report: Any) -> None:
    sys.path.insert(0, str(ROOT / "clients" / "python" / "src"))  # the SDK in this checkout
    from townsfolk_agent.crowd import run

    run(_swarm(url, people, seconds, report))


# -- the engine and the server (this process) ------------------------------------------------------------


def _timing(pauses: list[tuple[int, float, float]], cpu: dict[int, float]) -> Any:
    """Each collection as (generation, start, end) on ``time.monotonic``'s clock (the trips' own), and the
    collecting thread's CPU seconds by generation: a collection's wall time also counts any wait for the GIL
    right after the start callback (another thread runs meanwhile), its CPU time only the walk."""
    started: dict[int, tuple[float, float]] = {}

    def callback(phase: str, info: dict[str, int]) -> None:
        thread = threading.get_ident()
        if phase == "start":
            started[thread] = (time.monotonic(), time.thread_time())
        elif thread in started:  # a collection already under way when the callback was added is left out
            wall, own = started.pop(thread)
            pauses.append((info["generation"], wall, time.monotonic()))
            cpu[info["generation"]] = cpu.get(info["generation"], 0.0) + time.thread_time() - own
    return callback


class Legs:
    """Where a round trip's time goes: out (the engine posting a decision to the server's write of it to the
    socket returning) and back (from there through the agent to the answer handed in to the exchange). Read
    from outside the code it times: a listener on the exchange notes when each decision was posted, and the
    server's send and the exchange's ``hand_in`` are wrapped; each decision's three moments are kept."""

    def __init__(self, exchange: Any) -> None:
        from engine.agent_server import app
        from engine.outside import DecisionRequest

        self.posted: dict[int, float] = {}
        self.out: list[float] = []
        self.trips: dict[int, list[float]] = {}  # decision -> [posted, written out, handed in]
        self.asked: dict[int, tuple[int, int]] = {}  # decision -> (person, tick): how the agents know it
        self._app, self._send = app, app._send
        hand_in = exchange.hand_in

        def note(item: Any) -> None:
            if isinstance(item, DecisionRequest):
                self.posted[item.decision] = item.posted
                self.asked[item.decision] = (item.agent, item.tick)

        async def timed_send(ws: Any, message: dict[str, Any]) -> None:
            await self._send(ws, message)
            if message["type"] == "decision":
                posted = self.posted.pop(message["decision"], None)
                if posted is not None:
                    now = time.monotonic()
                    self.out.append(now - posted)
                    self.trips[message["decision"]] = [posted, now]

        def timed_hand_in(agent: int, decision: int, actions: str) -> None:
            hand_in(agent, decision, actions)
            trip = self.trips.get(decision)
            if trip is not None and len(trip) == 2:
                trip.append(time.monotonic())

        exchange.subscribe(note)
        exchange.hand_in = timed_hand_in
        app._send = timed_send  # type: ignore[assignment]

    def clear(self) -> None:
        self.out.clear()
        self.trips.clear()

    def whole(self, trips: dict[int, list[float]], decided: dict[tuple[int, int], float]) -> list[list[float]]:
        """Each whole trip of ``trips`` as [posted, written out, handed in, decided by the agent (0: unknown)]."""
        return [[*t, decided.get(self.asked.get(d, (-1, -1)), 0.0)] for d, t in trips.items() if len(t) == 3]


class Checkpoints:
    """How long each checkpoint held the engine thread (answers wait through it)."""

    def __init__(self, machine: Any) -> None:
        self.took: list[float] = []
        self.spans: list[tuple[float, float]] = []  # (start, end) on time.monotonic's clock
        checkpoint = machine.checkpoint

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.monotonic()
            try:
                return checkpoint(*args, **kwargs)
            finally:
                ended = time.monotonic()
                self.took.append(ended - started)
                self.spans.append((started, ended))

        machine.checkpoint = timed


def _ms(values: list[float], q: float) -> float:
    return round(percentile([v * 1000 for v in values], q), 2)


def _covered(start: float, end: float, spans: list[tuple[float, float]]) -> float:
    """How much of [start, end] ``spans`` (which do not overlap each other) cover."""
    return sum(max(0.0, min(e, end) - max(s, start)) for s, e in spans)


def slowest(trips: list[list[float]], pauses: list[tuple[int, float, float]],
            checkpoints: list[tuple[float, float]], share: float = 0.01) -> dict[str, Any]:
    """Where the slowest ``share`` of round trips (posted to handed in) waited, medians over them: the out leg
    (to the server's write), to the agent (written to decided in the agents' process), the way back (decided
    to handed in), and how many ms of each trip a collection or a checkpoint held the engine's process."""
    whole = sorted(trips, key=lambda t: t[2] - t[0])
    tail = whole[len(whole) - max(1, int(len(whole) * share)):] if whole else []
    known = [t for t in tail if t[3]]
    every = [(s, e) for _, s, e in pauses]
    return {
        "trips": len(tail),
        "round_trip_ms_min": round((tail[0][2] - tail[0][0]) * 1000, 2) if tail else 0.0,
        "out_ms_p50": _ms([t[1] - t[0] for t in tail], 0.5),
        "to_agent_ms_p50": _ms([t[3] - t[1] for t in known], 0.5),
        "back_ms_p50": _ms([t[2] - t[3] for t in known], 0.5),
        "under_collections_ms_p50": _ms([_covered(t[0], t[2], every) for t in tail], 0.5),
        "under_checkpoints_ms_p50": _ms([_covered(t[0], t[2], checkpoints) for t in tail], 0.5),
    }


def measure(world: str, agents: int, seconds: float, speed: float, minds: bool,
            switch_interval_ms: float | None = None) -> dict[str, Any]:
    from engine import api
    from engine.agent_server import AgentServer
    from engine.agent_server.app import Limits
    from engine.agent_server.server import EVENT_LOOP, SERVER_SWITCH_INTERVAL_S
    from engine.contracts import Play, SetSpeed

    handle = api.EngineHandle.open(world, seed=1, minds=minds, embedder="hashing")
    switch_s = SERVER_SWITCH_INTERVAL_S if switch_interval_ms is None else switch_interval_ms / 1000
    server = AgentServer(handle, port=0, limits=Limits(rate=50, burst=1_000), switch_interval_s=switch_s)
    legs = Legs(handle.outside)
    checkpoints = Checkpoints(handle._thread.machine)  # the engine thread's time machine (read only here)
    handle.start()
    server.start()
    snapshot = None
    while snapshot is None:
        snapshot = handle.latest_snapshot()
        time.sleep(0.01)
    people = [p.id for p in snapshot.static.people if not p.removed][:agents]
    handle.submit(SetSpeed(ticks_per_second=speed))
    handle.submit(Play())
    ctx = mp.get_context("spawn")
    report = ctx.Queue()
    swarm = ctx.Process(target=_run_swarm, args=(server.url, people, seconds, report), daemon=True)
    swarm.start()
    try:
        kind, _ = report.get(timeout=300)
        assert kind == "ready"
        exchange = handle.outside
        exchange.round_trips.clear()
        exchange.answer_trips.clear()
        legs.clear()
        checkpoints.took.clear()
        checkpoints.spans.clear()
        waits = handle._thread.answer_waits  # read only: the engine thread's waits for answers before a checkpoint
        waits.clear()
        counts_before = dict(handle._sim.outside.counts)  # read only: the engine thread's tallies
        pauses: list[tuple[int, float, float]] = []  # the cyclic collector's, in this process (every thread stops for them)
        collecting: dict[int, float] = {}  # generation -> CPU seconds the collecting threads spent
        gc.callbacks.append(_timing(pauses, collecting))
        tick0, t0, cpu0 = handle.latest_snapshot().tick, time.perf_counter(), time.process_time()
        while time.perf_counter() - t0 < seconds:  # read as a window would (answers publish no snapshots)
            handle.latest_snapshot()
            handle.drain_events()
            time.sleep(0.05)
        tick1, t1, cpu1 = handle.latest_snapshot().tick, time.perf_counter(), time.process_time()
        gc.callbacks.pop()
        trips = [s * 1000 for s in list(exchange.answer_trips)]
        taken = [s * 1000 for s in list(exchange.round_trips)]
        out, took = list(legs.out), list(checkpoints.took)
        trips_seen, spans = {d: list(t) for d, t in legs.trips.copy().items()}, list(checkpoints.spans)
        waited = list(waits)
        counts = {k: v - counts_before.get(k, 0) for k, v in handle._sim.outside.counts.items()}
        _, answered, decided, agents_cpu = report.get(timeout=120)
        tail = slowest(legs.whole(trips_seen, decided), pauses, spans)
    finally:
        swarm.join(30)
        server.stop()
        handle.stop()
    return {
        "world": world,
        "people": len(snapshot.static.people),
        "agents": len(people),
        "seconds": seconds,
        "speed_asked": speed,
        "speed": "max" if speed <= 0 else f"{speed:g} ticks/s",
        "ticks_per_sec": round((tick1 - tick0) / (t1 - t0), 1),
        "decisions": len(trips),
        "answered_by_agents": answered,
        "outcomes": counts,
        "round_trip_ms_p50": round(percentile(trips, 0.50), 2),
        "round_trip_ms_p95": round(percentile(trips, 0.95), 2),
        "round_trip_ms_p99": round(percentile(trips, 0.99), 2),
        "round_trip_ms_max": round(max(trips, default=0.0), 2),
        "taken_up_ms_p50": round(percentile(taken, 0.50), 2),
        "taken_up_ms_p99": round(percentile(taken, 0.99), 2),
        "out_ms_p50": _ms(out, 0.50),  # posted to written to the agent's socket
        "out_ms_p99": _ms(out, 0.99),
        "checkpoints": len(took),
        "checkpoint_ms_p50": _ms(took, 0.50),
        "checkpoint_ms_max": round(max(took, default=0.0) * 1000, 2),
        "answers_waited_for_ms_p50": _ms(waited, 0.50),  # before each checkpoint (engine.runtime.engine_thread)
        "answers_waited_for_ms_max": round(max(waited, default=0.0) * 1000, 2),
        "collector_pauses": len(pauses),
        "collector_pause_ms_max": round(max((e - s for _, s, e in pauses), default=0.0) * 1000, 2),
        "collector_pause_ms_max_by_generation": {
            str(g): round(max(e - s for gen, s, e in pauses if gen == g) * 1000, 2)
            for g in sorted({g for g, _, _ in pauses})},
        "collections_by_generation": {str(g): sum(gen == g for gen, _, _ in pauses) for g in sorted({g for g, _, _ in pauses})},
        "collector_pause_ms_total_by_generation": {
            str(g): round(sum(e - s for gen, s, e in pauses if gen == g) * 1000, 1)
            for g in sorted({g for g, _, _ in pauses})},
        "collector_cpu_ms_total_by_generation": {str(g): round(c * 1000, 1) for g, c in sorted(collecting.items())},
        "slowest_1pct": tail,
        # The share of a core this process (engine + server) got: on a busy shared machine, far below what
        # it asked for, which is what slows everything down.
        "engine_process_cpu_per_sec": round((cpu1 - cpu0) / (t1 - t0), 2),
        "cpu_ms_per_decision": round((cpu1 - cpu0) * 1000 / max(1, len(trips)), 2),
        "agents_process_cpu_per_sec": round(agents_cpu / seconds, 2),  # the crowd's process, over about the window
        "agents_cpu_ms_per_decision": round(agents_cpu * 1000 / max(1, len(trips)), 3),
        "load_average": round(os.getloadavg()[0], 1),
        "switch_interval_ms": round(sys.getswitchinterval() * 1000, 2),
        "server_event_loop": EVENT_LOOP,
        "targets": {"round_trip_ms_p99": 50, "ticks_per_sec": 30},
        # As printed: paced at 30 ticks/s, the engine that kept 29.98 kept 30.0.
        "met": bool(trips) and percentile(trips, 0.99) <= 50 and round((tick1 - tick0) / (t1 - t0), 1) >= 30,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", default=str(ROOT / "worlds" / "city.town"))
    parser.add_argument("--agents", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--speed", type=float, help="one run at this many ticks per second (0: max)")
    parser.add_argument("--speeds", default="30,60,0",
                        help="runs at these ticks per second, each in its own process (0: max; default 30,60,0)")
    parser.add_argument("--no-minds", action="store_true", help="the bare rule brain (no memory stream)")
    parser.add_argument("--switch-interval", type=float, metavar="MS",
                        help="the GIL switch interval the server sets, in ms (default: the server's own)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.speed is not None:
        result = measure(args.world, args.agents, args.seconds, args.speed, not args.no_minds, args.switch_interval)
    else:
        result = by_speed(args, [float(speed) for speed in args.speeds.split(",")])
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


def by_speed(args: argparse.Namespace, speeds: list[float]) -> dict[str, Any]:
    """One run a speed, each in a fresh process (an engine, a server and 500 sockets each), then the target."""
    runs = []
    for speed in speeds:
        command = [sys.executable, __file__, "--json", "--world", args.world, "--agents", str(args.agents),
                   "--seconds", str(args.seconds), "--speed", str(speed)]
        if args.no_minds:
            command.append("--no-minds")
        if args.switch_interval is not None:
            command += ["--switch-interval", str(args.switch_interval)]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        runs.append(json.loads(done.stdout))
    paced = [run for run in runs if run["speed_asked"] == 30]
    return {
        "runs": runs,
        "targets": {"round_trip_ms_p99": 50, "ticks_per_sec": 30},
        "met": bool(paced) and all(run["met"] for run in paced),
        "met_at": [run["speed"] for run in runs if run["met"]],
        "round_trip_ms_p99_by_speed": {run["speed"]: run["round_trip_ms_p99"] for run in runs},
        "ticks_per_sec_by_speed": {run["speed"]: run["ticks_per_sec"] for run in runs},
    }


if __name__ == "__main__":
    raise SystemExit(main())
