"""The outside brain: decision points for people driven from outside, answered within a deadline.

At a decision point an outside-driven person is held where they are and what they
perceive is posted to the exchange. Answers arrive as commands; at the next tick's
start each decision ends: its actions are done (``ok``), or the rule brain decides
because the answer was ``late`` or ``invalid``. Either way an ``OutsideDecided``
event records it, and replay reads those events instead of waiting for anyone.
The engine thread never waits on the network: a person without an answer just waits.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.agents.rule_brain import Intent
from engine.cognition import Cognition
from engine.contracts.events import ConversationHeld, Event, OutsideClaimed, OutsideDecided, PlanMade
from engine.outside.actions import ActionError, Actions, parse_actions
from engine.outside.exchange import DecisionRequest, Exchange, Outcome
from engine.outside.perception import Senses, perceive
from engine.society.society import Host  # what it reads of the simulation, as the society does

WAITING = np.iinfo(np.int64).max  # ``pop.until`` of someone waiting for an answer: not due until it comes
CARRY_ON_MINUTES = 30  # an answer without go_to or do: carry on as they are for this long
HEARD_KEPT = 20  # lines said to someone, kept until their next decision


@dataclass
class Claim:
    who: str
    deadline_s: float


@dataclass
class Waiting:
    decision: int
    tick: int
    deadline: float  # time.monotonic(); 0: none


@dataclass
class Answer:
    agent: int
    decision: int
    actions: str
    sent: float
    received: float


class OutsideBrain:
    def __init__(self, sim: Host):
        self.sim = sim
        self.exchange = Exchange()
        self.claims: dict[int, Claim] = {}
        self.waiting: dict[int, Waiting] = {}
        self.ready: dict[int, Intent | None] = {}  # decided this tick: an intent, or None for the rule brain
        self.heard: dict[int, list[dict[str, Any]]] = {}
        self.plans: dict[int, str] = {}
        self.recall: dict[int, tuple[str, int]] = {}
        self.next_decision = 1
        self.counts = {"ok": 0, "late": 0, "invalid": 0}
        self._claim_requests: list[OutsideClaimed] = []
        self._answers: list[Answer] = []
        self._replay: dict[int, list[Event]] | None = None

    @property
    def active(self) -> bool:
        """Anyone was ever driven from outside in this state (else it adds nothing to a checkpoint)."""
        return bool(self.claims or self.waiting or self.plans or self.next_decision > 1)

    def drives(self, agent: int) -> bool:
        return agent in self.claims

    # -- commands (engine thread, between ticks) ------------------------------------------------

    def request_claim(self, agent: int, driven: bool, who: str, deadline_s: float) -> str:
        if not 0 <= agent < len(self.sim.people) or self.sim.people[agent].removed:
            raise ValueError(f"there is no person {agent}")
        if who not in ("program", "player"):
            raise ValueError(f"who drives must be 'program' or 'player', not {who!r}")
        if not 0 <= deadline_s <= 600:
            raise ValueError("a decision's deadline must be between 0 and 600 seconds")
        self._claim_requests.append(OutsideClaimed(-1, agent, driven, who, float(deadline_s)))
        name = self.sim.people[agent].name
        return f"{name} is driven by the {who}" if driven else f"{name} lives on their own again"

    def answer(self, agent: int, decision: int, actions: str, sent: float) -> str:
        if not self._driven_or_claimed(agent):
            raise ValueError(f"person {agent} is not driven from outside")
        self._answers.append(Answer(agent, decision, actions, sent, time.monotonic()))
        return f"answer for decision {decision}"

    def take_handed_in(self) -> None:
        """The answers handed in to the exchange since the last call, for the next tick.

        Called before the commands of the same turn are read: any claim an answer relies on was
        submitted before the answer, so it is among those commands or earlier ones. An answer for
        someone nobody drives (released meanwhile) is dropped, as ``begin_tick`` would."""
        now = time.monotonic()
        for given in self.exchange.take_answers():
            self._answers.append(Answer(given.agent, given.decision, given.actions, given.sent, now))

    def _driven_or_claimed(self, agent: int) -> bool:
        return agent in self.claims or any(c.agent == agent and c.driven for c in self._claim_requests)

    # -- the tick's hooks -------------------------------------------------------------------------

    def begin_tick(self, tick: int) -> list[Event]:
        """Claims change and waiting decisions end (live: answers and deadlines; replay: the record)."""
        if self.ready:
            self.ready.clear()
        if self._replay is not None:
            return self._replay_tick(tick)
        if not (self.claims or self._claim_requests or self._answers):
            return []
        events: list[Event] = []
        for request in self._claim_requests:
            events.extend(self._claim(OutsideClaimed(tick, request.agent, request.driven, request.who,
                                                     request.deadline_s)))
        self._claim_requests.clear()
        answers, self._answers = self._answers, []
        for answer in answers:
            events.extend(self._take(answer, tick))
        now = time.monotonic()
        for agent, waiting in sorted(self.waiting.items()):
            if waiting.deadline and now > waiting.deadline:
                reason = f"no answer within {self.claims[agent].deadline_s:g} s: the rule brain decided"
                events.extend(self._end(agent, waiting.decision, "late", "", reason, tick))
        return events

    def holds(self, person: int, tick: int) -> bool:
        """``person`` is due: True while they wait for an answer (posting the decision point if new)."""
        if person in self.ready:
            return False
        if person in self.waiting:
            return True
        claim = self.claims[person]
        decision = self.next_decision
        self.next_decision += 1
        deadline = time.monotonic() + claim.deadline_s if claim.deadline_s else 0.0
        self.waiting[person] = Waiting(decision, tick, deadline)
        self.sim.pop.until[person] = WAITING  # due again when the decision ends
        heard, recall = self.heard.pop(person, []), self.recall.pop(person, None)  # heard once, live or replayed
        if self._replay is None:
            seen = self.perception(person, tick, heard, recall)
            self.exchange.post(DecisionRequest(person, decision, tick, claim.deadline_s, seen))
        return True

    def decide(self, person: int, tick: int) -> Intent | None:
        return self.ready.pop(person, None)

    def end_tick(self, events: list[Event]) -> None:
        """What was said to outside-driven people this tick, for their next decision."""
        if not self.claims:
            return
        for event in events:
            if not isinstance(event, ConversationHeld):
                continue
            for listener in (event.a, event.b):
                if listener not in self.claims:
                    continue
                heard = self.heard.setdefault(listener, [])
                for side, text in event.lines:
                    speaker = (event.a, event.b)[side]
                    if speaker != listener:
                        heard.append({"from": speaker, "name": self.sim.people[speaker].name, "text": text,
                                      "tick": event.tick})
                del heard[:-HEARD_KEPT]

    def perception(self, person: int, tick: int, heard: list[dict[str, Any]] | None = None,
                   recall: tuple[str, int] | None = None) -> dict[str, Any]:
        """What ``person`` perceives now (read only: the same in a replay as live)."""
        sim = self.sim
        memories = self._recall(person, recall, tick) if recall else []
        senses = Senses(sim.city, sim.people, sim.pop, sim.clock, sim.ties)
        seen = perceive(senses, person, tick, heard or [], self.plans.get(person, ""), memories)
        last = self.exchange.last_outcome(person)
        if last is not None:
            seen["last_outcome"] = {"decision": last.decision, "status": last.status, "reason": last.reason}
        return seen

    # -- what validation asks of the world (a ``WorldView``) ---------------------------------------

    @property
    def buildings(self) -> int:
        return len(self.sim.city.buildings)

    def building_open(self, building: int) -> bool:
        return not self.sim.city.buildings[building].removed

    def can_talk(self, agent: int, other: int) -> bool:
        """Talk needs the same place (inside); outdoors one only sees people go by."""
        if not 0 <= other < len(self.sim.people) or self.sim.people[other].removed:
            return False
        here = int(self.sim.pop.location[agent])
        return here >= 0 and here == int(self.sim.pop.location[other])

    def here(self, agent: int) -> int:
        return int(self.sim.pop.location[agent])

    # -- ending a decision ------------------------------------------------------------------------

    def _claim(self, event: OutsideClaimed) -> list[Event]:
        agent = event.agent
        events: list[Event] = [event]
        if event.driven:
            self.claims[agent] = Claim(event.who, event.deadline_s)
            self.sim.pop.until[agent] = min(int(self.sim.pop.until[agent]), event.tick + 1)  # ask them soon
            return events
        self.claims.pop(agent, None)
        waiting = self.waiting.pop(agent, None)
        if waiting is not None:
            self.sim.pop.until[agent] = event.tick  # their own brain decides now
            self._close(Outcome(agent, waiting.decision, event.tick, "released", "no longer driven from outside"))
        self.heard.pop(agent, None)
        return events

    def _take(self, answer: Answer, tick: int) -> list[Event]:
        agent = answer.agent
        waiting = self.waiting.get(agent)
        if agent not in self.claims:
            return []
        if answer.decision == 0:  # steering: whatever they are doing, this is what they do next
            decision = waiting.decision if waiting else 0
            return self._end(agent, decision, "ok", answer.actions, "", tick, answer.received)
        if waiting is None or waiting.decision != answer.decision:
            self.exchange.close(Outcome(agent, answer.decision, tick, "late",
                                        f"decision {answer.decision} was already made"))
            return []
        if waiting.deadline and answer.sent > waiting.deadline:
            reason = f"answered {answer.sent - waiting.deadline + self.claims[agent].deadline_s:.2f} s after it " \
                     f"was asked, the deadline is {self.claims[agent].deadline_s:g} s: the rule brain decided"
            return self._end(agent, waiting.decision, "late", "", reason, tick)
        return self._end(agent, waiting.decision, "ok", answer.actions, "", tick, answer.received)

    def _end(self, agent: int, decision: int, status: str, actions: str, reason: str, tick: int,
             received: float | None = None) -> list[Event]:
        """Decide ``agent``'s next step from ``actions`` (or the rule brain), and record how."""
        parsed: Actions | None = None
        if status == "ok":
            try:
                parsed = parse_actions(actions, agent, self)
            except ActionError as error:
                status, reason = "invalid", f"{error}: the rule brain decided"
        recorded = OutsideDecided(tick, agent, decision, status, actions if status == "ok" else "", reason)
        events: list[Event] = [recorded]
        held = self.waiting.pop(agent, None) is not None
        if held:
            self.sim.pop.until[agent] = tick  # due this tick, to do what was decided
        events.extend(self._do(agent, parsed, tick, steer=not held))
        self.counts[status] = self.counts.get(status, 0) + 1
        if self._replay is None:
            self._close(Outcome(agent, decision, tick, status, reason), received)
        return events

    def _close(self, outcome: Outcome, received: float | None = None) -> None:
        if self._replay is None:
            self.exchange.close(outcome, received)

    def _do(self, agent: int, actions: Actions | None, tick: int, steer: bool) -> list[Event]:
        """Carry out ``actions`` (None: the rule brain decides their next step)."""
        sim, pop = self.sim, self.sim.pop
        if not steer and actions is None:
            self.ready[agent] = None
            return []
        if actions is None:
            return []  # steering that could not be done: they carry on
        events: list[Event] = []
        here = int(pop.location[agent])
        if steer and actions.move is not None:  # not at a decision point: stop (walkers where they are)
            pop.moving[agent] = False
            pop.destination[agent] = -1
            pop.until[agent] = tick
        if actions.move is not None:
            activity, building, minutes = actions.move
            self.ready[agent] = Intent(activity, building, tick + sim.clock.ticks_for(minutes))
        elif steer:
            pass  # words only: what they are doing goes on
        elif here >= 0:
            self.ready[agent] = Intent(int(pop.activity[agent]), here, tick + sim.clock.ticks_for(CARRY_ON_MINUTES))
        else:
            self.ready[agent] = None
        minds = sim.cognition
        for listener, text in actions.says:
            reply = self._reply(minds, agent, listener, text, tick)
            lines = ((0, text), (1, reply)) if reply else ((0, text),)  # speakers by their side: a, then b
            events.append(ConversationHeld(tick, agent, listener, here, lines))
        for text in actions.remembers:
            if minds is not None:
                minds.remember(agent, "observation", text, tick)
        if actions.plan is not None:
            self.plans[agent] = actions.plan
            events.append(PlanMade(tick, agent, "day", actions.plan[:200]))
        if actions.recall is not None:
            self.recall[agent] = actions.recall
        return events

    def _reply(self, minds: Cognition | None, speaker: int, listener: int, text: str, tick: int) -> str:
        """The listener answers as they would anyone (their rule-brain words: replay says them again)."""
        if listener in self.claims:
            return ""  # driven from outside too: their own program answers at their next decision
        if minds is None:
            return ""
        return minds.answer_person(listener, speaker, text, tick)

    def _recall(self, agent: int, recall: tuple[str, int], tick: int) -> list[str]:
        minds = self.sim.cognition
        if minds is None:
            return []
        return minds.recall(agent, recall[0], tick, recall[1])

    # -- replay -----------------------------------------------------------------------------------

    def replay(self, events: list[Event]) -> None:
        """Take claims and decisions from the recorded line (seeking into the past): nobody is asked."""
        by_tick: dict[int, list[Event]] = {}
        for event in events:
            if isinstance(event, OutsideClaimed | OutsideDecided):
                by_tick.setdefault(event.tick, []).append(event)
        self._replay = by_tick

    def end_replay(self) -> None:
        """Live again: whoever waits on a decision has it posted afresh, with a fresh deadline."""
        self._replay = None
        self._claim_requests.clear()
        self._answers.clear()
        for agent, waiting in sorted(self.waiting.items()):
            claim = self.claims[agent]
            waiting.deadline = time.monotonic() + claim.deadline_s if claim.deadline_s else 0.0
            self.exchange.post(DecisionRequest(agent, waiting.decision, self.sim.tick, claim.deadline_s,
                                               self.perception(agent, self.sim.tick)))

    def _replay_tick(self, tick: int) -> list[Event]:
        assert self._replay is not None
        events: list[Event] = []
        for event in self._replay.get(tick, []):
            if isinstance(event, OutsideClaimed):
                events.extend(self._claim(event))
            elif isinstance(event, OutsideDecided) and event.agent in self.claims:
                events.extend(self._end(event.agent, event.decision, event.status, event.actions, event.reason, tick))
        return events

    # -- state ------------------------------------------------------------------------------------

    def get_state(self) -> dict[str, Any]:
        """What a checkpoint keeps. What people heard since their last decision is left out: it only goes
        out to their program, and the simulation never reads it (checkpoints stay small at 500 agents)."""
        return {
            "claims": {str(a): [c.who, c.deadline_s] for a, c in sorted(self.claims.items())},
            "waiting": {str(a): [w.decision, w.tick] for a, w in sorted(self.waiting.items())},
            "plans": {str(a): p for a, p in sorted(self.plans.items())},
            "recall": {str(a): list(r) for a, r in sorted(self.recall.items())},
            "next_decision": self.next_decision,
            "counts": dict(self.counts),
        }

    def set_state(self, state: dict[str, Any] | None) -> None:
        state = state or {}
        self.claims = {int(a): Claim(str(c[0]), float(c[1])) for a, c in state.get("claims", {}).items()}
        self.waiting = {int(a): Waiting(int(w[0]), int(w[1]), 0.0) for a, w in state.get("waiting", {}).items()}
        self.heard = {}  # only ever shown to the person's program, never read back: not part of the state
        self.plans = {int(a): str(p) for a, p in state.get("plans", {}).items()}
        self.recall = {int(a): (str(r[0]), int(r[1])) for a, r in state.get("recall", {}).items()}
        self.next_decision = int(state.get("next_decision", 1))
        self.counts = {"ok": 0, "late": 0, "invalid": 0, **state.get("counts", {})}
        self.ready.clear()


def actions_json(actions: list[dict[str, Any]]) -> str:
    """The canonical JSON of a list of actions (what is recorded)."""
    return json.dumps(actions, separators=(",", ":"), sort_keys=True)
