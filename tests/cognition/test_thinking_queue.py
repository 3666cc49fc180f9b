"""The thinking queue: a chat goes to the server before the background thoughts waiting ahead of it."""

from __future__ import annotations

import threading
import time

from engine.cognition.thinker import PLAN, WATCHED, Thinker
from engine.contracts.thinking import ThoughtKind
from engine.llm.backend import ChatRequest, ChatResult
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
    ask(thinker, "chat", ThoughtKind.CHAT, WATCHED)
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
