"""The word-of-mouth experiment's numbers: how far seeded facts spread, and who came.

Sampled once a sim hour while a headless run goes: the share of the town that
knows each fact, the density of the acquaintance network before and after, and
for an event, who meant to go and who came.
"""

from __future__ import annotations

from engine.sim.simulation import Simulation
from engine.society.grapevine import Grapevine
from engine.state.person import Person


class Diffusion:
    def __init__(self, sim: Simulation, facts: list[int]):
        self.sim = sim
        self.facts = facts
        self.density_before = self._density()
        self.samples: dict[int, list[dict[str, object]]] = {fact: [] for fact in facts}
        self._sample()

    def _alive(self) -> int:
        return sum(1 for p in self.sim.people if not p.removed)

    def _density(self) -> float:
        return round(self.sim.ties.density(self._alive()), 4)

    def after_step(self) -> None:
        clock = self.sim.clock
        if clock.minute_of_day(self.sim.tick) % 60 == 0 and clock.total_minutes(self.sim.tick - 1) % 60 != 0:
            self._sample()

    def _sample(self) -> None:
        grapevine, tick = self.sim.society.grapevine, self.sim.tick
        for fact in self.facts:
            knowers = grapevine.knowers(fact)
            self.samples[fact].append({"tick": tick, "time": self.sim.clock.text(tick), "knowers": knowers,
                                       "share": round(grapevine.share(fact), 4)})

    def report(self) -> dict[str, object]:
        self._sample()
        grapevine, people, city = self.sim.society.grapevine, self.sim.people, self.sim.city
        diffusion, attendance = [], []
        for fact_id in self.facts:
            fact = grapevine.facts[fact_id]
            samples = _deduplicated(self.samples[fact_id])
            diffusion.append({
                "fact": fact_id, "text": fact.text, "kind": fact.kind, "origin": people[fact.origin].name,
                "knowers": samples[-1]["knowers"], "share": samples[-1]["share"], "over_time": samples,
                "told_by": _told_by(grapevine, fact_id, people),
            })
            if fact.kind == "event":
                came = sorted(grapevine.came.get(fact_id, ()))
                going = sorted(grapevine.going.get(fact_id, ()))
                guests = [p for p in came if p != fact.origin]
                attendance.append({
                    "fact": fact_id, "place": city.buildings[fact.building].name,
                    "starts": self.sim.clock.text(fact.start), "ends": self.sim.clock.text(fact.end),
                    "over": self.sim.tick >= fact.end, "heard": grapevine.knowers(fact_id),
                    "meant_to_go": len(going), "attended": len(came), "guests": len(guests),
                    "attendees": [people[p].name for p in came],
                })
        return {
            "diffusion": diffusion,
            "density": {"before": self.density_before, "after": self._density()},
            "attendance": attendance,
        }


def _deduplicated(samples: list[dict[str, object]]) -> list[dict[str, object]]:
    """One sample per tick (the closing sample may repeat the last hourly one)."""
    seen: dict[object, dict[str, object]] = {}
    for sample in samples:
        seen[sample["tick"]] = sample
    return list(seen.values())


def _told_by(grapevine: Grapevine, fact: int, people: list[Person]) -> list[list[str]]:
    """Who heard it from whom, in the order they heard it: the chain of word of mouth."""
    return [[people[teller].name, people[person].name]
            for _tick, person, teller in grapevine.hearings[fact].in_order_heard() if teller >= 0]
