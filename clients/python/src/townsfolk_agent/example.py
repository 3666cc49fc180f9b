"""An example agent: one person's day on a local model, on simple rules whenever no model answers.

    townsfolk-agent-example --person "Rosa Alvarez" [--url http://127.0.0.1:8765/v1]
                            [--ollama http://127.0.0.1:11434] [--model llama3.2] [--decisions N]
"""

from __future__ import annotations

import argparse
from typing import Any

from townsfolk_agent.actions import Action
from townsfolk_agent.client import Agent, register
from townsfolk_agent.model import ask_model
from townsfolk_agent.rules import rule_actions


def live(agent: Agent, ollama: str | None, model: str, decisions: int | None = None, transport: str = "ws",
         verbose: bool = True) -> dict[str, int]:
    """Answer ``agent``'s decisions: the model first (if ``ollama``), else the rules. Returns the counts."""
    counts = {"model": 0, "rules": 0}

    @agent.on_decision
    def decide(seen: dict[str, Any]) -> list[Action]:
        actions = ask_model(seen, agent.places(), ollama, model) if ollama else None
        counts["model" if actions is not None else "rules"] += 1
        if actions is None:
            actions = rule_actions(seen, agent.places())
        if verbose:
            print(f"{seen['time']}: {agent.name} at {(seen.get('place') or {}).get('name', 'outdoors')}: "
                  + ", ".join(a["type"] for a in actions), flush=True)
        return actions

    agent.run(decisions, transport)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="townsfolk-agent-example", description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8765/v1")
    parser.add_argument("--person", required=True, help="a resident's full name or id")
    parser.add_argument("--ollama", default="http://127.0.0.1:11434", help="an Ollama-compatible server ('' for none)")
    parser.add_argument("--model", default="llama3.2")
    parser.add_argument("--decisions", type=int, help="stop after N decisions")
    args = parser.parse_args(argv)
    person: int | str = int(args.person) if args.person.isdigit() else args.person
    agent = register(args.url, person, deadline_s=5.0)
    try:
        counts = live(agent, args.ollama or None, args.model, args.decisions)
    except KeyboardInterrupt:
        counts = {}
    finally:
        agent.release()
    print(f"done: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
