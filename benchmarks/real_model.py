"""Thinking on a real tiny model: what gets through, what it costs, how fast it keeps up.

    python benchmarks/real_model.py --json [--sim-hours 2] [--live-minutes 5] [--threads 1]

SmolLM2-135M-Instruct on llama.cpp, one thread (``scripts/real_model.sh`` builds it; the server
is started here on a free port and stopped at the end), the village with 25 minds:

1. lockstep, ``--sim-hours`` sim hours through ``townsfolk sim``'s own path (``run_headless``),
   saved; then the saved world is opened again and checked here, independently of the engine's
   checks: every model line that reached a conversation must be words of a sentence (not numbers,
   hex or code), not the prompt read back, not a line said before, not a run-on; no refused line may
   have been said; every plan applied must be at hours still to come, in order, sleeping and staying
   in at home, working at one's own workplace.
2. live at speed 1 (one sim minute per wall second, as the window) for ``--live-minutes`` wall
   minutes: the share of thoughts applied within 5 sim minutes of being asked, and the wall time a
   chat answer takes while everyone thinks (a chat every ~15 s).

Targets: no failing answer in the world; >= 50% of thoughts applied; <= 600 tokens per mind per
sim hour; chat p50 <= 5 s; the lockstep run <= 10 wall minutes for 2 sim hours; live: >= 50% applied
within 5 sim minutes.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LETTERS = re.compile(r"[A-Za-z\u00c0-\u024f]+")


def speech_fault(line: str, prompt: str, earlier: set[str]) -> str:
    """An independent look at one spoken line: why it should not have been said, or ""."""
    text = line.strip()
    words = text.split()
    letters = sum(len(w) for w in LETTERS.findall(text))
    if len(words) < 2 or letters < 0.7 * len(text.replace(" ", "")):
        return "not words"
    if re.search(r"0x|[{}<>\[\]#=\\|_`]", text) or sum(c.isdigit() for c in text) > 3:
        return "code or numbers"
    if len(words) > 40:
        return "runs on"
    if text.lower() in prompt.lower():
        return "read back from the prompt"
    if text.lower() in earlier:
        return "said before"
    return ""


def plan_fault(kind: str, answer: dict[str, Any], asked_hour: int, person: Any, names: dict[int, str]) -> str:
    """An independent look at one applied plan: why it should not have been followed, or ""."""
    if kind == "actions":
        steps = [str(row["do"]) for row in answer["steps"]]
    else:
        hours = [int(h) for h in answer["plan"]]
        if hours != sorted(set(hours)):
            return "hours out of order"
        if hours and hours[0] < asked_hour:
            return "an hour already past"
        steps = [str(do) for do in answer["plan"].values()]
    for do in steps:
        if do.startswith("sleep") and do != "sleep at home":
            return f"sleeps away from home: {do}"
        if do.startswith(("work at ", "study at ")) and do.split(" at ", 1)[1] != names.get(person.workplace):
            return f"works at someone else's workplace: {do}"
    return ""


def lockstep(url: str, kind: str, hours: float, folder: Path) -> dict[str, Any]:
    from engine import api
    from tests.real_model.serve import MODEL

    world = api.open_world(ROOT / "worlds" / "village.town")
    config = api.LLMConfig(brain="ollama", hosts=(url,), model=MODEL, timeout_s=60.0, concurrency=1)
    ticks = round(hours * 3600 / world.tick_seconds)
    started = time.perf_counter()
    summary = api.run_headless(world, ticks, seed=2, llm=config, embedder="hashing", max_minds=25, pace="lockstep",
                               on_progress=lambda line: print(f"lockstep: {line}", file=sys.stderr, flush=True))
    wall = time.perf_counter() - started
    saved = folder / "village-thought.town"
    api.save_world(world, saved, memory=summary.memory)
    return {"summary": summary, "wall": wall, "saved": saved, "ticks": ticks, "kind": kind}


def audit(saved: Path) -> dict[str, Any]:
    """Read the saved world back and check what the model put into it."""
    from engine import api
    from engine.contracts.events import ConversationHeld

    world = api.open_world(saved, with_history=True)
    said = [line for e in world.history if isinstance(e, ConversationHeld) for _, line in e.lines]
    said_set = set(said)
    names = {b.id: b.name for b in world.city.buildings}
    faults: list[str] = []
    spoken: dict[int, set[str]] = {}
    applied = refused = failed = 0
    for record in world.thoughts:
        if record.status == "cached":
            continue
        if record.status == "failed":
            failed += 1
            continue
        answer = json.loads(record.response)
        if record.status == "rejected":
            refused += 1
            if record.kind == "converse" and answer["line"] in said_set:
                faults.append(f"a refused line was said: {answer['line']!r}")
            continue
        applied += 1
        if record.kind == "converse":
            earlier = spoken.setdefault(record.agent, set())
            fault = speech_fault(answer["line"], record.prompt, earlier)
            if fault and answer["line"] in said_set:
                faults.append(f"{fault}: {answer['line']!r}")
            earlier.add(answer["line"].strip().lower())
        elif record.kind in ("plan_day", "plan_hours", "actions"):
            asked_hour = (world.start_minute + record.asked * world.tick_seconds // 60) // 60 % 24
            fault = plan_fault(record.kind, answer, asked_hour, world.people[record.agent], names)
            if fault:
                faults.append(fault)
    asked = applied + refused + failed
    return {"lines_said": len(said), "faults": faults[:20], "fault_count": len(faults),
            "thoughts_asked": asked, "applied": applied, "refused": refused, "failed": failed,
            "applied_share": round(applied / asked, 3) if asked else 0.0}


def live(url: str, minutes: float) -> dict[str, Any]:
    from engine import api
    from engine.contracts.events import ChatReply
    from engine.memory.embedders import HashingEmbedder
    from engine.memory.mem_store import InMemoryStore
    from engine.runtime.minds import attach_cognition
    from engine.runtime.minds_pacing import Pace
    from engine.sim.simulation import Simulation
    from tests.real_model.serve import MODEL

    world = api.open_world(ROOT / "worlds" / "village.town")
    sim = Simulation(world, seed=3)
    config = api.LLMConfig(brain="ollama", hosts=(url,), model=MODEL, timeout_s=60.0, concurrency=1)
    cognition = attach_cognition(sim, config, InMemoryStore(HashingEmbedder(), world.tick_seconds), mode="live",
                                 max_minds=25)
    pace = Pace("live", 1.0, world.tick_seconds)
    ticks = round(minutes * 60)  # speed 1: one sim minute per wall second
    asked_chat: dict[int, float] = {}
    chat_seconds: list[float] = []
    command = 0
    for index in range(ticks):
        pace.before_tick(index)
        if index % 15 == 5:
            command += 1
            asked_chat[command] = time.monotonic()
            cognition.chat(command % 25, "What are you up to right now?", (), command, sim.tick)
        for event in sim.step():
            if isinstance(event, ChatReply) and event.command_id in asked_chat and event.thinking == "llm":
                chat_seconds.append(time.monotonic() - asked_chat.pop(event.command_id))
            elif isinstance(event, ChatReply):
                asked_chat.pop(event.command_id, None)
    cognition.close()
    records = [r for r in world.thoughts if r.kind != "chat"]
    chat_calls = [r.latency_ms / 1000 for r in world.thoughts if r.kind == "chat" and r.status == "ok"]
    in_time = sum(1 for r in records if r.status in ("ok", "cached") and r.tick - r.asked <= 5)
    asked = len(records) + cognition.status().queued
    return {"sim_minutes": ticks, "thoughts_asked": asked, "applied_within_5_sim_minutes": in_time,
            "applied_within_5_share": round(in_time / asked, 3) if asked else 0.0,
            "chats_answered_by_model": len(chat_seconds), "chats_asked": command,
            "chat_p50_s": round(statistics.median(chat_seconds), 2) if chat_seconds else None,
            "chat_at_server_p50_s": round(statistics.median(chat_calls), 2) if chat_calls else None,
            "llm": cognition.status().stats, **cognition.thinking_report()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sim-hours", type=float, default=2.0, help="sim hours of the lockstep run (0: none)")
    parser.add_argument("--live-minutes", type=float, default=5.0, help="wall minutes of the live run (0: none)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from tests.real_model.serve import RealModelServer

    with tempfile.TemporaryDirectory() as tmp, RealModelServer(threads=args.threads,
                                                                log=Path(tmp) / "server.log") as server:
        result: dict[str, Any] = {"server": f"{server.kind} {server.url}", "threads": args.threads}
        if args.sim_hours > 0:
            run = lockstep(server.url, server.kind, args.sim_hours, Path(tmp))
            checked = audit(run["saved"])
            summary = run["summary"]
            llm = summary.llm or {}
            minds = 25
            result["lockstep"] = {
                "sim_hours": args.sim_hours, "wall_seconds": round(run["wall"], 1),
                "calls": llm.get("calls"), "failures": llm.get("failures"), "fallbacks": llm.get("fallbacks"),
                "rejected": llm.get("rejected"), "tokens": llm.get("tokens"),
                "tokens_per_mind_per_sim_hour": round(llm.get("tokens", 0) / minds / args.sim_hours),
                "fallback_reasons": llm.get("fallback_reasons"), "by_kind": llm.get("by_kind"),
                "conversations": summary.conversations, **checked,
            }
            print(f"lockstep: {json.dumps(result['lockstep'])}", file=sys.stderr, flush=True)  # kept if live fails
        if args.live_minutes > 0:
            result["live"] = live(server.url, args.live_minutes)
    targets = {}
    if "lockstep" in result:
        step = result["lockstep"]
        targets.update({
            "no failing answer in the world": step["fault_count"] == 0,
            "applied >= 50%": step["applied_share"] >= 0.5,
            "tokens per mind per sim hour <= 600": step["tokens_per_mind_per_sim_hour"] <= 600,
            "2 sim hours lockstep <= 10 min": args.sim_hours < 2 or step["wall_seconds"] <= 600,
        })
    if "live" in result:
        p50 = result["live"]["chat_p50_s"]
        targets["chat p50 <= 5 s"] = p50 is not None and p50 <= 5.0
        targets["live: >= 50% applied within 5 sim minutes"] = result["live"]["applied_within_5_share"] >= 0.5
    result["targets_met"] = targets
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
