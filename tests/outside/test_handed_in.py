"""Answers handed in to the exchange (the agent API's way in): taken before the next tick, without a command."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import pytest

from engine import api
from engine.contracts.commands import DriveFromOutside, Step
from engine.contracts.events import CommandApplied, Event, OutsideDecided
from engine.outside.exchange import DecisionRequest, Exchange, Outcome
from engine.state.world import World


def wait_for_event(handle: api.EngineHandle, seen: list[Event], kind: type, timeout: float = 10.0) -> Event:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen.extend(handle.drain_events())
        found = [e for e in seen if isinstance(e, kind)]
        if found:
            return found[0]
        time.sleep(0.01)
    raise AssertionError(f"no {kind.__name__} came")


@pytest.fixture
def handle(village: World) -> Iterator[api.EngineHandle]:
    h = api.EngineHandle(village, seed=1, minds=False)
    h.start()
    yield h
    h.stop()


def test_a_steer_handed_in_right_after_the_claim_is_done_at_the_next_tick(handle: api.EngineHandle,
                                                                         village: World) -> None:
    """The claim goes in as a command, the answer through the exchange: the answer never overtakes it."""
    shop = next(b.id for b in village.city.buildings if b.type.name.lower() == "cafe")
    handle.submit(DriveFromOutside(agent=0, driven=True, who="program", deadline_s=30.0))
    handle.outside.hand_in(0, 0, json.dumps([{"type": "go_to", "place": shop, "activity": "eat", "minutes": 30}]))
    seen: list[Event] = []
    wait_for_event(handle, seen, CommandApplied)
    handle.submit(Step(ticks=1))
    decided = wait_for_event(handle, seen, OutsideDecided)
    assert isinstance(decided, OutsideDecided) and (decided.agent, decided.decision, decided.status) == (0, 0, "ok")
    assert sum(isinstance(e, CommandApplied) for e in seen) == 2  # the claim and the step: no command for the answer


def test_an_answer_to_a_decision_point_is_taken_and_its_outcome_sent_back(handle: api.EngineHandle) -> None:
    handle.submit(DriveFromOutside(agent=1, driven=True, who="program", deadline_s=30.0))
    seen: list[Event] = []
    deadline = time.monotonic() + 20
    while handle.outside.waiting(1) is None and time.monotonic() < deadline:
        handle.submit(Step(ticks=5))
        time.sleep(0.02)
    waiting = handle.outside.waiting(1)
    assert waiting is not None, "person 1 never reached a decision point"
    handle.outside.hand_in(1, waiting.decision, json.dumps([{"type": "do", "activity": "home", "minutes": 20}]))
    assert len(handle.outside.answer_trips) == 1  # timed at the engine's door
    handle.submit(Step(ticks=1))
    decided = wait_for_event(handle, seen, OutsideDecided)
    assert isinstance(decided, OutsideDecided) and decided.decision == waiting.decision and decided.status == "ok"
    last = handle.outside.last_outcome(1)
    assert last is not None and (last.decision, last.status) == (waiting.decision, "ok")
    assert handle.outside.waiting(1) is None


def _request(agent: int, decision: int, posted: float | None = None) -> DecisionRequest:
    if posted is None:
        return DecisionRequest(agent, decision, tick=1, deadline_s=2.0, perception={})
    return DecisionRequest(agent, decision, tick=1, deadline_s=2.0, perception={}, posted=posted)


def test_the_engine_waits_before_a_long_hold_only_until_the_answers_on_their_way_are_in() -> None:
    """``wait_for_answers`` ends as soon as the last decision posted just now is answered (from any thread)."""
    exchange = Exchange()
    assert exchange.wait_for_answers(5.0) < 1.0  # nothing open: no wait
    exchange.post(_request(3, 7))
    exchange.post(_request(4, 8))
    answers = threading.Timer(0.05, lambda: [exchange.hand_in(a, d, "[]") for a, d in ((3, 7), (4, 8))])
    answers.start()
    waited = exchange.wait_for_answers(5.0)
    answers.join()
    assert 0.04 <= waited < 2.0  # until both came, not the whole 5 s


def test_a_decision_posted_long_ago_or_already_closed_is_not_waited_for() -> None:
    exchange = Exchange()
    exchange.post(_request(1, 1, posted=time.monotonic() - 60))  # a player thinking it over
    exchange.post(_request(2, 2))
    exchange.close(Outcome(2, 2, tick=2, status="late"))
    assert exchange.wait_for_answers(5.0) < 1.0
    exchange.post(_request(2, 3))
    exchange.hand_in(2, 9, "[]")  # an answer to another decision does not count
    assert 0.2 <= exchange.wait_for_answers(0.2) < 2.0  # bounded: no answer came
