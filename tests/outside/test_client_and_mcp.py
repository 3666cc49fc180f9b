"""The Python client, its example agent (a local model, else rules) and the MCP server, against the live API."""

from __future__ import annotations

import asyncio
import gc
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from mcp import Client
from townsfolk_agent import TownsfolkError, do, register
from townsfolk_agent.crowd import Crowd, settle_collector
from townsfolk_agent.example import live
from townsfolk_agent.mcp_server import build_server

from engine.agent_server import AgentServer
from engine.agent_server.app import Limits


class _OllamaLike(BaseHTTPRequestHandler):
    """An Ollama-compatible /api/chat that always wants a quiet 20 minutes at home."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        content = json.dumps({"actions": [{"type": "do", "activity": "home", "minutes": 20}]})
        body = json.dumps({"message": {"role": "assistant", "content": content}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def model_url() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _OllamaLike)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_the_example_agent_lives_on_its_model(server: AgentServer, model_url: str) -> None:
    agent = register(f"http://127.0.0.1:{server.port}/v1", 4, deadline_s=10)
    counts = live(agent, model_url, "any", decisions=2, verbose=False)
    assert counts == {"model": 2, "rules": 0}
    agent.release()


def test_the_example_agent_falls_back_on_rules_when_no_model_answers(server: AgentServer) -> None:
    agent = register(f"http://127.0.0.1:{server.port}/v1", 6, deadline_s=10)
    counts = live(agent, "http://127.0.0.1:9", "none", decisions=3, transport="http", verbose=False)
    assert counts == {"model": 0, "rules": 3}
    outcome = agent.outcome()
    assert outcome is not None and outcome["status"] == "ok", outcome


def test_the_mcp_server_answers_a_real_mcp_client(server: AgentServer) -> None:
    async def session() -> tuple[set[str], dict[str, Any], str, dict[str, Any]]:
        async with Client(build_server(f"http://127.0.0.1:{server.port}/v1", 8)) as client:
            tools = {t.name for t in (await client.list_tools()).tools}
            seen = (await client.call_tool("perceive", {"wait_s": 15})).structured_content
            done = await client.call_tool("do", {"activity": "home", "minutes": 20})
            text = done.content[0].text  # type: ignore[union-attr]
            outcome: dict[str, Any] = {}
            for _ in range(100):
                outcome = (await client.call_tool("last_outcome", {})).structured_content or {}
                if outcome.get("decision") == seen["decision"]:
                    break
                await asyncio.sleep(0.05)
            return tools, seen, text, outcome

    tools, seen, text, outcome = asyncio.run(session())
    assert {"perceive", "places", "go_to", "do", "say_to", "remember", "plan", "recall"} <= tools
    assert seen["agent"] == 8 and "needs" in seen and seen["decision"] > 0
    assert text.startswith("done at decision")
    assert outcome["status"] == "ok"


def test_the_example_agent_lives_a_plausible_day_on_its_rules(server: AgentServer, handle) -> None:  # type: ignore[no-untyped-def]
    from engine.contracts import Activity, ActivityStarted, SetSpeed

    snapshot = handle.latest_snapshot()
    worker = next(p.id for p in snapshot.static.people if p.workplace >= 0 and p.age >= 18)
    handle.submit(SetSpeed(ticks_per_second=0))
    agent = register(f"http://127.0.0.1:{server.port}/v1", worker, deadline_s=10)
    counts = live(agent, None, "none", decisions=30, verbose=False)
    assert counts["rules"] == 30
    done = {Activity(e.activity) for e in handle.drain_events() if isinstance(e, ActivityStarted) and e.agent == worker}
    assert {Activity.WORK, Activity.EAT, Activity.SLEEP} <= done, done
    ticks = [o["tick"] for o in agent.outcomes if o["status"] == "ok"]
    assert max(ticks) - min(ticks) >= 12 * 60, "thirty decisions fill most of a day"


@pytest.mark.parametrize("limits", [Limits(rate=4, burst=1)])  # registrations past the first wait their turn
def test_a_crowd_lives_as_many_people_from_one_process(server: AgentServer, limits: Limits) -> None:
    url = f"http://127.0.0.1:{server.port}/v1"
    seen: list[tuple[int, int]] = []

    def decide(agent: int, perception: dict[str, Any]) -> list[dict[str, Any]]:
        seen.append((agent, perception["agent"]))
        return [do("home", 20)]

    async def live() -> tuple[list[int], Crowd, list[dict[str, Any]]]:
        crowd = Crowd(url, decide, deadline_s=10)
        ids = await crowd.join([7, 8, 9], settle=False)
        for _ in range(400):
            if all(crowd.last_outcome.get(i, {}).get("status") == "ok" for i in ids):
                break
            await asyncio.sleep(0.05)
        await crowd.leave()
        async with httpx.AsyncClient() as http:
            people = (await http.get(f"{url}/people")).json()
        return ids, crowd, people

    ids, crowd, people = asyncio.run(live())
    assert ids == [7, 8, 9] and not crowd.errors
    assert all(crowd.last_outcome[i]["status"] == "ok" for i in ids), crowd.last_outcome
    assert crowd.answered >= 3 and {a for a, _ in seen} == set(ids)
    assert all(agent == perceived for agent, perceived in seen), "each person's decisions reach their own handler"
    assert not any(p["driven"] for p in people if p["id"] in ids), "leaving gives them back"


def test_settling_the_collector_freezes_what_is_alive() -> None:
    kept = [{"connection": i} for i in range(1000)]
    try:
        settle_collector()
        assert gc.get_freeze_count() >= len(kept)
    finally:
        gc.unfreeze()


def test_a_crowd_says_who_it_could_not_claim(server: AgentServer) -> None:
    crowd = Crowd(f"http://127.0.0.1:{server.port}/v1", lambda agent, seen: [do("home")])
    with pytest.raises(TownsfolkError, match="404: there is no person 9999"):
        asyncio.run(crowd.join([9999], settle=False))


def test_a_crowd_without_ok_outcomes_hears_of_them_in_the_next_perception(server: AgentServer) -> None:
    """``ok_outcomes=False``: no outcome message for an ok decision; the next perception says how it ended."""
    url = f"http://127.0.0.1:{server.port}/v1"
    told: list[dict[str, Any]] = []

    def decide(agent: int, perception: dict[str, Any]) -> list[dict[str, Any]]:
        if "last_outcome" in perception:
            told.append(perception["last_outcome"])
        return [do("home", 15)]

    async def live() -> Crowd:
        crowd = Crowd(url, decide, deadline_s=10, ok_outcomes=False)
        await crowd.join([5], settle=False)
        for _ in range(400):
            if any(t["status"] == "ok" for t in told):
                break
            await asyncio.sleep(0.05)
        await crowd.leave()
        return crowd

    crowd = asyncio.run(live())
    assert not crowd.errors and crowd.answered >= 2
    assert any(t["status"] == "ok" for t in told), "the next perception says the answer before was done"
    assert 5 not in crowd.last_outcome, "no outcome message came for the ok ones"
