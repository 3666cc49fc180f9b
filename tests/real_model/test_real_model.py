"""Thinking against a real tiny model: what it gets wrong never reaches the world, and the counts are honest.

SmolLM2-135M answers in the right shape (the server constrains it to the schema) but often with
nonsense inside; these tests run the village on it and look at what came out the other side.
"""

from __future__ import annotations

import collections
import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from engine import api
from engine.cognition import Cognition, checks
from engine.contracts.events import ChatReply, ConversationHeld
from engine.contracts.thinking import LLMErrorKind
from engine.llm.backend import ChatRequest, LLMError
from engine.llm.cancel import CancelToken, cancellable
from engine.llm.factory import make_backend
from engine.memory.embedders import HashingEmbedder
from engine.memory.mem_store import InMemoryStore
from engine.runtime.minds import attach_cognition
from engine.sim.simulation import Simulation
from tests.conftest import WORLDS
from tests.real_model.conftest import real_config
from tests.real_model.serve import MODEL, RealModelServer

pytestmark = [pytest.mark.real_model, pytest.mark.timeout(900)]

# An independent look at speech: letters and ordinary punctuation only, a few words, nothing code-like.
SPEECH = re.compile(r"^[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f ,.!?'\u2019\-;:()\"]*$")


def looks_spoken(line: str) -> bool:
    words = line.split()
    return bool(SPEECH.match(line.strip())) and 2 <= len(words) <= 40


def thinking_village(server: RealModelServer, minds: int, seed: int = 2) -> tuple[Simulation, Cognition]:
    """The village with ``minds`` people thinking (spread over the cast), in lockstep: short enough for CI."""
    world = api.open_world(WORLDS / "village.town")
    sim = Simulation(world, seed=seed)
    cognition = attach_cognition(
        sim,
        real_config(server),
        InMemoryStore(HashingEmbedder(), world.tick_seconds),
        mode="lockstep",
        latency_ticks=5,
        max_minds=minds,
    )
    return sim, cognition


def test_what_the_real_model_says_and_plans_is_checked_before_it_counts(real_model):
    sim, cognition = thinking_village(real_model, minds=8)
    events = []
    for _ in range(45):
        events.extend(sim.step())
    cognition.close()
    records = sim.world.thoughts
    stats = cognition.status().stats
    assert stats["calls"] > 0, "the real model was never asked"
    # Honest counters: every call's tokens count, failed and refused ones too; every stand-in is a fallback.
    assert stats["tokens"] == sum(r.prompt_tokens + r.completion_tokens for r in records if r.status != "cached")
    refused = sum(1 for r in records if r.status in ("failed", "rejected"))
    assert stats["fallbacks"] >= refused
    assert stats["rejected"] == sum(1 for r in records if r.status == "rejected")
    # What reached the world: model lines that passed, plans at the places the person may use, in order.
    passed = {json.loads(r.response)["line"] for r in records if r.kind == "converse" and r.status == "ok"}
    for event in (e for e in events if isinstance(e, ConversationHeld)):
        for _, line in event.lines:
            if line in passed:
                assert looks_spoken(line), f"a model line that is not speech reached the world: {line!r}"
    refused_lines = {json.loads(r.response)["line"] for r in records if r.kind == "converse" and r.status == "rejected"}
    said = {line for e in events if isinstance(e, ConversationHeld) for _, line in e.lines}
    assert not (refused_lines - passed) & said, "a refused line was said"
    for mind in cognition.ctx.minds.values():
        hours = [step.when for step in mind.hours]
        assert hours == sorted(set(hours))
        for step in mind.hours:
            person = sim.people[mind.agent]
            if step.note.startswith("sleep") or step.note == "stay home":
                assert step.place == person.home
            if step.note.startswith(("work at", "study at")):
                assert step.place == person.workplace
    # One memory per conversation and person: a talk on the model is not kept a second time as small talk.
    kept = collections.Counter(
        (m.agent, m.tick)
        for agent in cognition.ctx.minds
        for m in cognition.memory.recent(agent, 500)
        if m.kind == "conversation"
    )
    assert all(n == 1 for n in kept.values()), "a conversation was kept twice"


def test_chat_on_the_real_model_is_answered_in_words_or_by_the_rule_brain(real_model):
    sim, cognition = thinking_village(real_model, minds=2)
    for _ in range(3):
        sim.step()
    cognition.chat(0, "What are you doing today?", (), 1, sim.tick)
    replies: list[ChatReply] = []
    for _ in range(30):
        replies.extend(e for e in sim.step() if isinstance(e, ChatReply))
        if replies:
            break
    cognition.close()
    assert replies, "no answer to the chat"
    reply = replies[0]
    chat_records = [r for r in sim.world.thoughts if r.kind == "chat"]
    assert chat_records, "the chat was not asked of the model"
    if reply.thinking == "llm":
        assert chat_records[-1].status == "ok" and not checks.speech_problem(reply.reply, "")
    else:  # the rule brain answered: the model's answer was refused or failed, and that was counted
        assert chat_records[-1].status in ("rejected", "failed")
        assert cognition.status().stats["fallbacks"] > 0


def sim_on(server: RealModelServer, *args: str) -> subprocess.CompletedProcess[str]:
    """`townsfolk sim` on the village, thinking on the real model."""
    model = ("--brain", "ollama", "--ollama-host", server.url, "--model", MODEL)
    command = [sys.executable, "-m", "app", "sim", str(WORLDS / "village.town"), *model, *args, "--json"]
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


def test_sim_on_the_real_model_prints_progress_and_its_counts(real_model):
    done = sim_on(real_model, "--ticks", "12", "--minds", "5", "--progress-every", "0")
    assert done.returncode == 0, done.stderr
    assert re.search(
        r"townsfolk: sim .*\(\d+/12 ticks\), \d+ calls, \d+ fallbacks, \d+ tokens/s, expected end in", done.stderr
    ), done.stderr
    llm = json.loads(done.stdout)["llm"]
    assert llm["calls"] + llm["failures"] > 0  # lockstep waited for the answers
    kinds = llm["by_kind"]
    assert sum(k["prompt_tokens"] + k["answer_tokens"] for k in kinds.values()) == llm["tokens"]
    assert sum(llm["fallback_reasons"].values()) == llm["fallbacks"]


def test_sim_live_on_the_real_model_keeps_time_and_never_waits(real_model):
    done = sim_on(real_model, "--ticks", "10", "--minds", "25", "--pace", "live", "--speed", "2")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert 1.5 <= summary["ticks_per_sec"] <= 2.2  # two sim minutes a second, whatever the model is doing


# The schema asks for many chapters, so the answer cannot end early whatever the model likes to write (an
# answer that closed its JSON after a sentence once finished before the cancel on a fast machine).
STORY = ChatRequest(
    (("user", "Tell a very long story about a baker, a dragon and a river, in many chapters."),),
    {
        "type": "object",
        "properties": {"chapters": {"type": "array", "items": {"type": "string"}, "minItems": 60}},
        "required": ["chapters"],
    },
    max_tokens=1536,
    seed=7,
)


@pytest.fixture(scope="module")
def long_answers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealModelServer]:
    """A server of its own that writes up to 1,536 tokens an answer (the shared one stops at 256, which a fast
    machine writes in under two seconds)."""
    with RealModelServer(threads=1, max_tokens=1536, log=tmp_path_factory.mktemp("long") / "server.log") as server:
        yield server


def test_a_cancelled_call_stops_the_real_server_generating(long_answers):
    """What lets a chat go first on a one-thread server: the background answer being generated stops when its
    call is cancelled (the Ollama backend streams, and closes the connection between tokens)."""
    real_model = long_answers
    backend = make_backend(real_config(real_model, timeout_s=300.0))
    assert backend is not None
    token = CancelToken()
    raised: list[BaseException] = []

    def long_answer() -> None:
        with cancellable(token):
            try:
                backend.chat(STORY)
            except BaseException as error:  # handed to the test
                raised.append(error)

    worker = threading.Thread(target=long_answer)
    started = time.monotonic()
    worker.start()
    time.sleep(2.0)  # the prompt is short: the answer is being generated by now (1,536 tokens take far longer)
    assert worker.is_alive(), f"the long answer ended after {time.monotonic() - started:.1f} s, before the cancel"
    token.cancel("made way for a chat")
    # A streamed answer stops within a token or two; llama.cpp's own server (below) writes all of it first.
    worker.join(30 if real_model.kind == "ollama" else 600)
    backend.close()
    assert not worker.is_alive()
    if real_model.kind != "ollama":
        # llama.cpp's OpenAI-compatible server stops only streamed answers; the engine's OpenAI backend does not
        # stream, so its call ends only when the answer is complete: cancelling stops calls not yet sent.
        assert raised == [] or isinstance(raised[0], LLMError)
        return
    (error,) = raised
    assert isinstance(error, LLMError) and error.kind == LLMErrorKind.CANCELLED
    # The next request finds the model free: its wait for the model (Ollama's load_duration) is short,
    # where the rest of a 1,536-token answer would take many seconds on one thread.
    body = {
        "model": MODEL,
        "messages": [{"role": "user", "content": "Say hello."}],
        "stream": False,
        "options": {"num_predict": 4},
    }
    answer = httpx.post(f"{real_model.url}/api/chat", json=body, timeout=120).json()
    assert answer["load_duration"] / 1e9 < 1.0, answer
