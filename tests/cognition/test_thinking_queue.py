"""The thinking queue: a chat goes to the server before the background thoughts waiting ahead of it, and
stops the one at the server; live, what cannot be answered while fresh is not asked, or not applied late."""

from __future__ import annotations

import threading
import time

from engine.cognition.thinker import CHAT, CONVERSATION, PLAN, WATCHED, Thinker
from engine.contracts.thinking import LLMErrorKind, ThoughtKind
from engine.llm import cancel
from engine.llm.backend import ChatRequest, ChatResult, LLMError
from engine.llm.fake import FakeBackend

SCHEMA = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}


class SlowServer(FakeBackend):
    """One request at a time, each taking a moment; remembers the order it served them in."""

    def __init__(self) -> None:
        super().__init__()
        self.served: list[str] = []
        self.busy = threading.Lock()

    def chat(self, request: ChatRequest) -> ChatResult:
        with self.busy:
            time.sleep(0.15)
            self.served.append(request.messages[-1][1])
            return super().chat(request)


def ask(thinker: Thinker, text: str, kind: ThoughtKind, priority: int) -> None:
    assert thinker.offer(1, kind, priority, ChatRequest((("user", text),), SCHEMA), {}, tick=0, hour=0)


def test_a_chat_jumps_the_queue_of_background_thoughts():
    server = SlowServer()
    thinker = Thinker(server, "fake", budget_per_hour=100, workers=1, mode="lockstep", latency_ticks=1)
    thinker.begin_tick(0)
    for n in range(4):
        ask(thinker, f"plan {n}", ThoughtKind.PLAN_DAY, PLAN)
    ask(thinker, "chat", ThoughtKind.CHAT, CHAT)
    thinker.ready(1)  # lockstep: waits for every answer
    thinker.close()
    assert server.served[0] == "plan 0"  # already at the server when the chat came
    assert server.served[1] == "chat"
    assert server.served[2:] == ["plan 1", "plan 2", "plan 3"]


def test_live_asks_no_more_background_thoughts_than_the_workers_have_room_for():
    server = SlowServer()
    thinker = Thinker(server, "fake", budget_per_hour=100, workers=1, mode="live")
    thinker.begin_tick(0)
    ask(thinker, "plan 0", ThoughtKind.PLAN_DAY, PLAN)
    assert thinker.refusal(PLAN, 0) == "server busy"
    assert thinker.refusal(WATCHED, 0) == ""  # a chat is always taken
    thinker.close()


class OneThreadServer(FakeBackend):
    """One request at a time; a background answer takes ``background_s`` and stops when its call is cancelled
    (as a streamed answer does when the connection closes). Keeps (what, how it ended) in order."""

    def __init__(self, background_s: float = 1.0) -> None:
        super().__init__()
        self.background_s = background_s
        self.log: list[tuple[str, str]] = []
        self.busy = threading.Lock()
        self.started = threading.Event()

    def chat(self, request: ChatRequest) -> ChatResult:
        text = request.messages[-1][1]
        token = cancel.current()
        with self.busy:
            self.started.set()
            end = time.monotonic() + (0.05 if text == "chat" else self.background_s)
            while time.monotonic() < end:
                if token is not None and token.cancelled:
                    self.log.append((text, "stopped"))
                    raise LLMError(LLMErrorKind.CANCELLED, f"stopped: {token.reason}")
                time.sleep(0.01)
            self.log.append((text, "answered"))
            return super().chat(request)


def test_a_chat_stops_the_background_call_at_the_server_which_is_asked_again_after_it():
    server = OneThreadServer(background_s=1.0)
    thinker = Thinker(server, "fake", budget_per_hour=100, workers=1, mode="lockstep", latency_ticks=1)
    thinker.begin_tick(0)
    ask(thinker, "plan", ThoughtKind.PLAN_DAY, PLAN)
    assert server.started.wait(2)
    asked = time.monotonic()
    ask(thinker, "chat", ThoughtKind.CHAT, CHAT)
    chat_future = thinker._pending[-1].future
    assert chat_future is not None and chat_future.result(timeout=5) is not None
    assert time.monotonic() - asked < 0.6  # not the rest of the background answer's second
    outcomes = thinker.ready(1)  # lockstep: waits for the plan, asked again after the chat
    thinker.close()
    assert server.log == [("plan", "stopped"), ("chat", "answered"), ("plan", "answered")]
    assert all(isinstance(result, ChatResult) for _, result in outcomes)
    assert thinker.stats.failures == 0 and thinker.stats.fallbacks == 0


def test_a_watched_thought_waits_for_the_call_at_the_server_rather_than_stopping_it():
    server = OneThreadServer(background_s=0.3)
    thinker = Thinker(server, "fake", budget_per_hour=100, workers=1, mode="lockstep", latency_ticks=1)
    thinker.begin_tick(0)
    ask(thinker, "plan", ThoughtKind.PLAN_DAY, PLAN)
    assert server.started.wait(2)
    ask(thinker, "watched", ThoughtKind.PLAN_DAY, WATCHED)
    thinker.ready(1)
    thinker.close()
    assert server.log == [("plan", "answered"), ("watched", "answered")]


def tick_live(thinker: Thinker, ticks: range, seconds: float) -> None:
    for tick in ticks:
        thinker.begin_tick(tick)
        time.sleep(seconds)


def test_live_drops_a_thought_gone_stale_instead_of_applying_it_late():
    server = OneThreadServer(background_s=5.0)
    thinker = Thinker(server, "fake", budget_per_hour=100, workers=1, mode="live", stale_ticks=3)
    thinker.begin_tick(0)
    ask(thinker, "plan", ThoughtKind.PLAN_DAY, PLAN)
    assert server.started.wait(2)
    assert thinker.ready(3) == []  # still fresh: waiting
    ((_thought, outcome),) = thinker.ready(4)
    assert isinstance(outcome, LLMError) and outcome.kind == LLMErrorKind.CANCELLED
    assert thinker.reasons["stale"] == 1 and thinker.stats.fallbacks == 1
    (record,) = thinker.drain_records()
    assert record.status == "failed" and record.error.startswith("stale: asked 4 ticks ago") and record.asked == 0
    deadline = time.monotonic() + 2
    while not server.log and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.log == [("plan", "stopped")]  # the server was freed, not left to finish
    thinker.close()


def test_live_leaves_to_the_rule_brain_what_the_measured_server_cannot_answer_while_fresh():
    thinker = Thinker(OneThreadServer(), "fake", budget_per_hour=100, workers=1, mode="live", stale_ticks=5)
    tick_live(thinker, range(5), 0.02)  # a tick every ~20 ms: an answer stays fresh for ~0.1 s
    thinker.throughput.note(400, 40, 5.0, prompt_s=1.0, answer_s=4.0)  # 400 prompt, 10 answer tokens a second
    request = ChatRequest((("user", "x" * 600),), SCHEMA, max_tokens=60)
    assert not thinker.offer(1, ThoughtKind.CONVERSE, CONVERSATION, request, {}, tick=5, hour=0)
    assert thinker.reasons["budget"] == 1 and thinker.stats.fallbacks == 1
    assert thinker.offer(2, ThoughtKind.CHAT, CHAT, request, {}, tick=5, hour=0)  # a chat is asked all the same
    thinker.close()


def test_live_asks_what_a_fast_server_answers_while_fresh_and_lockstep_never_judges_by_speed():
    for mode, stale in (("live", 5), ("lockstep", 0)):
        thinker = Thinker(OneThreadServer(background_s=0.01), "fake", budget_per_hour=100, workers=1, mode=mode,
                          stale_ticks=stale)
        tick_live(thinker, range(5), 0.02)
        fast = mode == "live"
        thinker.throughput.note(400, 40, 0.02 if fast else 50.0, prompt_s=0.01 if fast else 10.0,
                                answer_s=0.01 if fast else 40.0)
        request = ChatRequest((("user", "x" * 600),), SCHEMA, max_tokens=60)
        assert thinker.offer(1, ThoughtKind.CONVERSE, CONVERSATION, request, {}, tick=5, hour=0), mode
        assert thinker.reasons["budget"] == 0
        thinker.close()
