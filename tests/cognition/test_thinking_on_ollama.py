"""Thinking through the real `ollama` client against a loopback server speaking Ollama's wire format."""

from __future__ import annotations

import collections
import json
import subprocess
import sys
import time

from engine import api
from engine.contracts import Step
from engine.llm.backend import LLMConfig
from engine.memory.embedders import HashingEmbedder
from engine.memory.mem_store import InMemoryStore
from engine.runtime.minds import attach_cognition
from engine.sim.simulation import Simulation
from tests.conftest import WORLDS
from tests.llm.conftest import closed_url, ollama_server  # noqa: F401 - fixtures


def townsfolk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=300)


def test_plan_converse_and_reflect_through_ollama(ollama_server):  # noqa: F811
    world = api.open_world(WORLDS / "village.town")
    sim = Simulation(world, seed=2)
    config = LLMConfig(brain="ollama", hosts=(ollama_server.url,), timeout_s=5)
    cognition = attach_cognition(sim, config, InMemoryStore(HashingEmbedder(), 60), mode="lockstep")
    for minute in range(10 * 60):
        if minute == 4 * 60:
            cognition.ctx.minds[3].importance_since_reflection = 1000  # ripe for a reflection
        sim.step()
    cognition.close()
    kinds = collections.Counter(r.kind for r in world.thoughts if r.status == "ok")
    for kind in ("plan_day", "plan_hours", "actions", "converse", "reflect_questions", "reflect_insights"):
        assert kinds[kind] > 0, f"no {kind} answered"
    chats = ollama_server.posts("/api/chat")
    first = chats[0].body
    assert first["model"] == "llama3.2" and first["stream"] is True  # streamed: a call can be stopped
    assert first["format"]["type"] == "object" and "options" in first
    assert all(r.backend.startswith("ollama") for r in world.thoughts if r.status == "ok")


def test_cli_sim_thinks_through_ollama_and_reports_llm(ollama_server):  # noqa: F811
    result = townsfolk("sim", str(WORLDS / "village.town"), "--sim-hours", "3", "--brain", "ollama",
                       "--ollama-host", ollama_server.url, "--json")
    assert result.returncode == 0, result.stderr
    llm = json.loads(result.stdout)["llm"]
    assert llm["calls"] > 0 and llm["tokens"] > 0 and llm["failures"] == 0
    assert set(llm) >= {"calls", "tokens", "failures", "fallbacks", "cache_hits"}


def test_cli_sim_without_ollama_falls_back_and_says_how_to_fix_it(closed_url):  # noqa: F811
    result = townsfolk("sim", str(WORLDS / "village.town"), "--sim-hours", "2", "--brain", "ollama",
                       "--ollama-host", closed_url, "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["ticks"] == 120 and summary["conversations"] > 0
    assert summary["llm"]["state"] == "no_server" and summary["llm"]["fallbacks"] > 0
    assert "ollama serve" in result.stderr


def test_thinking_resumes_by_itself_when_ollama_comes_back(ollama_server):  # noqa: F811
    world = api.open_world(WORLDS / "village.town")
    config = LLMConfig(brain="ollama", hosts=(ollama_server.url,), timeout_s=2, connect_timeout_s=0.3, retries=0,
                       extra={"probe_every_s": 0.2})
    engine = api.EngineHandle(world, llm=config, embedder="hashing")
    engine.start()
    try:
        # Live answers land at the next tick after they arrive: keep time moving while waiting.
        wait(lambda: engine.latest_snapshot().llm.calls > 0, engine)
        ollama_server.stop()
        wait(lambda: engine.latest_snapshot().llm.state == "no_server", engine)
        assert "ollama serve" in engine.latest_snapshot().llm.message
        ollama_server.restart()
        wait(lambda: engine.latest_snapshot().llm.state == "ready")  # noticed while paused
        calls = engine.latest_snapshot().llm.calls
        wait(lambda: engine.latest_snapshot().llm.calls > calls, engine)
    finally:
        engine.stop()


def wait(predicate, engine: api.EngineHandle | None = None, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if engine is not None:
            engine.submit(Step(ticks=2))
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_memories_can_be_embedded_by_ollama(ollama_server, tmp_path):  # noqa: F811
    world = api.open_world(WORLDS / "village.town")
    config = LLMConfig(brain="ollama", hosts=(ollama_server.url,), timeout_s=5,
                       extra={"retrieval": {"recency": 0.5, "importance": 3.0, "relevance": 2.0}})
    summary = api.run_headless(world, 90, llm=config, embedder="ollama:nomic-embed-text")
    api.save_world(world, tmp_path / "w.town", memory=summary.memory)
    assert ollama_server.posts("/api/embed"), "nothing was embedded on the server"
    assert api.open_world(tmp_path / "w.town").meta["embedder"] == "ollama:nomic-embed-text"
