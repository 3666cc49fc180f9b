"""Model servers that misbehave: never answer, trickle forever, answer only garbage.

Real HTTP clients talk to loopback servers scripted to misbehave. Whatever they do, a
headless run finishes its ticks on time, every stand-in by the rule brain is counted,
and the reason is printed; a server that comes back is used again.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from app.cli import run_cli
from engine.cognition.thinker import Thinker
from engine.contracts.thinking import LLMHealth
from engine.llm.backend import ChatRequest, LLMConfig, LLMError
from engine.llm.factory import make_backend
from tests.llm.fake_ollama_server import FakeOllamaServer
from tests.llm.loopback import Reply, Slow, Trickle

TIMEOUT_S = 1.0
SIM_HOURS = 3


def _serve(behaviour: Any, health_too: bool) -> Iterator[FakeOllamaServer]:
    server = FakeOllamaServer()
    server.script = lambda path, body: behaviour if (path == "/api/chat" or health_too) else None
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def never_answers() -> Iterator[FakeOllamaServer]:
    yield from _serve(Slow(3600), health_too=True)


@pytest.fixture
def trickles() -> Iterator[FakeOllamaServer]:
    yield from _serve(Trickle(every=0.1), health_too=True)


@pytest.fixture
def garbage() -> Iterator[FakeOllamaServer]:
    yield from _serve(Reply("<<< this is not JSON, and never will be >>>"), health_too=False)


def _run(server: FakeOllamaServer, capsys: pytest.CaptureFixture[str], world_path: str) -> tuple[dict[str, Any], str,
                                                                                                   float]:
    import json

    started = time.perf_counter()
    code = run_cli(["sim", world_path, "--sim-hours", str(SIM_HOURS), "--brain", "ollama", "--ollama-host",
                    server.url, "--llm-timeout", str(TIMEOUT_S), "--embedder", "hashing", "--minds", "25", "--json"])
    seconds = time.perf_counter() - started
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out.splitlines()[-1])["llm"], err, seconds


@pytest.mark.parametrize("fixture", ["never_answers", "trickles"])
def test_a_server_that_does_not_answer_does_not_stop_the_town(fixture: str, request: pytest.FixtureRequest,
                                                              saved_village: Any, capsys: pytest.CaptureFixture[str]):
    server: FakeOllamaServer = request.getfixturevalue(fixture)
    llm, err, seconds = _run(server, capsys, str(saved_village))
    assert seconds < 60, f"{SIM_HOURS} sim hours took {seconds:.0f} s"
    assert llm["state"] in (LLMHealth.NOT_ANSWERING, LLMHealth.NO_SERVER), llm
    assert llm["fallbacks"] > 0 and llm["failures"] >= 1
    assert "answer" in str(llm["message"]).lower()
    # Progress lines come every few seconds of a slow run (a loaded machine's); the problem is said once.
    lines = [line for line in err.splitlines() if not line.startswith("townsfolk: sim ")]
    assert len(lines) == 1 and "rule brain" in lines[0] and "answer" in lines[0].lower(), err
    assert f"{llm['fallbacks']} stand-ins" in lines[0]


def test_a_server_answering_garbage_is_degraded_with_the_reason(garbage: FakeOllamaServer, saved_village: Any,
                                                                capsys: pytest.CaptureFixture[str]):
    llm, err, seconds = _run(garbage, capsys, str(saved_village))
    assert seconds < 120
    assert llm["state"] == LLMHealth.DEGRADED and llm["calls"] == 0
    assert llm["failures"] > 0 and llm["fallbacks"] >= llm["failures"]
    assert "unusable" in str(llm["message"])
    assert "degraded" in err or "unusable" in err
    assert f"{llm['fallbacks']} stand-ins" in err


def test_one_call_never_outlives_its_deadline(trickles: FakeOllamaServer):
    backend = make_backend(LLMConfig(brain="ollama", hosts=(trickles.url,), timeout_s=0.8, retries=0))
    assert backend is not None
    request = ChatRequest((("user", "hello"),), {"type": "object"})
    started = time.perf_counter()
    with pytest.raises(LLMError) as caught:
        backend.chat(request)
    backend.close()
    assert time.perf_counter() - started < 3.0
    assert caught.value.kind == "timeout"


def test_thinking_resumes_when_the_server_answers_again(never_answers: FakeOllamaServer):
    config = LLMConfig(brain="ollama", hosts=(never_answers.url,), timeout_s=0.5, retries=0)
    thinker = Thinker(make_backend(config), "llama3.2", 100, mode="lockstep", probe_every_s=0.2)
    schema = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}
    try:
        thinker.begin_tick(0)
        assert thinker.offer(0, "chat", 0, ChatRequest((("user", "hi"),), schema), {}, 0, 0)
        assert isinstance(thinker.ready(1)[0][1], LLMError)
        thinker.begin_tick(1)
        assert thinker.status().state == LLMHealth.NOT_ANSWERING and not thinker.available
        assert not thinker.offer(0, "chat", 0, ChatRequest((("user", "again"),), schema), {}, 1, 0)
        assert thinker.stats.fallbacks == 2  # the failed answer and the refused ask
        never_answers.script = None  # it recovers
        deadline = time.monotonic() + 15
        tick = 2
        while not thinker.available and time.monotonic() < deadline:
            thinker.begin_tick(tick)
            tick += 1
            time.sleep(0.05)
        assert thinker.available and thinker.status().state == LLMHealth.READY
        assert thinker.offer(0, "chat", 0, ChatRequest((("user", "back?"),), schema), {}, tick, 0)
        answer = thinker.ready(tick + 1)[0][1]
        assert not isinstance(answer, LLMError) and answer.data["ok"] in (True, False)
    finally:
        thinker.close()
