"""The brigade: its station, its crew (as many as the council pays for), answering fires, and its cost."""

from __future__ import annotations

from typing import Any

from engine.contracts.enums import Activity, BuildingType
from engine.plugins import BuildingKind, MetricKind, PolicyKind, Town

PER_FIREFIGHTER = 30_000  # cents a day one firefighter costs the district
PUT_OUT_MINUTES = 10  # once the crew is there
DAMAGE_SPARED = 0.4  # of the repair bill, when the brigade answered
GRIEVANCE_DAYS = 7  # a fire is remembered at the council this long
KEPT_RESPONSES = 50  # the latest response times kept (their mean is the metric)
CALL, BUILDING, CALLED, ARRIVED = range(4)  # a call: [incident, building, tick called, tick arrived (-1 not yet)]


def _funding_text(value: float) -> str:
    return f"the fire brigade gets ${value / 100:,.0f}/day" if value > 0 else "no fire brigade funding"


STATION = BuildingKind("fire_station", "fire station", BuildingType.WORKSHOP, width=4, height=3, capacity=8,
                       activity=Activity.WORK, colour=(196, 40, 32),
                       description="home of the fire brigade; its crew answer every fire in town")
FUNDING = PolicyKind("fire_brigade_funding", "fire brigade funding", default=60_000, low=0, high=300_000,
                     text=_funding_text,
                     description="cents a day from the district's treasury; one firefighter for each $300")
METRICS = (MetricKind("fire_brigade.fires_put_out", "fires the brigade put out"),
           MetricKind("fire_brigade.response_minutes", "minutes from the alarm to the crew's arrival (mean of the latest)",
                      "min"),
           MetricKind("fire_brigade.crew", "firefighters on the roll", "people"))


def station(town: Town) -> int:
    found = town.buildings_of(STATION.key)
    return found[0] if found else -1


def start(town: Town) -> None:
    town.state.update(crew=[], station=-1, calls=[], put_out=0, responses=[], fires=[], fires_total=0)
    _roll(town)


def _roll(town: Town) -> None:
    town.state["crew"] = pick_crew(town)
    town.state["station"] = station(town)


def pick_crew(town: Town) -> list[int]:
    """As many firefighters as the funding pays for: the able adults living nearest the station."""
    where = station(town)
    if where < 0:
        return []
    size = int(town.policy(town.district_of(where), FUNDING.key)) // PER_FIREFIGHTER
    sx, sy = town.city.buildings[where].footprint.centre

    def distance(pid: int) -> tuple[float, int]:
        hx, hy = town.city.buildings[town.people[pid].home].footprint.centre
        return (hx - sx) ** 2 + (hy - sy) ** 2, pid

    able = [p.id for p in town.people if not p.removed and 18 <= p.age <= 60]
    return sorted(able, key=distance)[:size]


def tick(town: Town, tick: int) -> None:
    clock = town.clock
    if clock.minute_of_day(tick) < clock.minute_of_day(tick - 1):
        _midnight(town)
    elif station(town) != town.state["station"]:  # a station built or pulled down: a new roll at once
        _roll(town)
    for call in town.state["calls"]:
        if call[ARRIVED] == -1:
            _answer(town, call, tick)


def _midnight(town: Town) -> None:
    """The day's pay from the district's treasury, then the roll for tomorrow (the council may have changed it);
    answered calls and fires older than the council remembers are let go, so the state stays small."""
    state = town.state
    since = town.tick - town.clock.ticks_for(GRIEVANCE_DAYS * 24 * 60)
    state["fires"] = [f for f in state["fires"] if f[1] >= since]
    state["calls"] = [c for c in state["calls"] if c[ARRIVED] == -1]
    state["responses"] = state["responses"][-KEPT_RESPONSES:]
    where = station(town)
    if where >= 0 and state["crew"]:
        district = town.district_of(where)
        share = int(town.policy(district, FUNDING.key)) // len(state["crew"])
        for person in state["crew"]:
            town.pay(town.treasury_account(district), town.person_account(person), share, "funding")
    _roll(town)


def call_out(town: Town, incident: Any, tick: int) -> None:
    state = town.state
    state["fires"].append([town.district_of(incident.building), tick])
    state["fires_total"] += 1
    if station(town) < 0 or not state["crew"]:
        town.say(f"Nobody answers the fire at {town.city.buildings[incident.building].name}: the town has no "
                 "fire brigade", incident.building)
        return
    state["calls"].append([incident.id, incident.building, tick, -1])
    for person in state["crew"]:
        town.call_out(person)
    town.say(f"The alarm sounds at the fire station: {len(state['crew'])} firefighters set off for "
             f"{town.city.buildings[incident.building].name}", incident.building)


def _answer(town: Town, call: list[int], tick: int) -> None:
    incident = town.society.incidents.items[call[CALL]]
    if not incident.active or incident.phase != "burning":
        call[ARRIVED] = -2  # burned out before anyone came
        return
    crew = town.state["crew"]
    if not any(int(town.pop.location[p]) == call[BUILDING] for p in crew):
        return
    call[ARRIVED] = tick
    minutes = round((tick - call[CALLED]) * town.clock.minutes_per_tick)
    town.state["responses"].append(minutes)
    town.state["put_out"] += 1
    incident.phase_end = min(incident.phase_end, tick + town.clock.ticks_for(PUT_OUT_MINUTES))
    incident.repair_total = round(incident.repair_total * (1 - DAMAGE_SPARED))
    town.say(f"The fire brigade reaches {town.city.buildings[call[BUILDING]].name} after {minutes} minutes: the fire "
             f"will be out within {PUT_OUT_MINUTES}", call[BUILDING])


def agenda(town: Town, person: int, tick: int) -> tuple[int, int, int] | None:
    state = town.state
    if not state["calls"] or person not in state["crew"]:
        return None
    for call in state["calls"]:
        incident = town.society.incidents.items[call[CALL]]
        if incident.active and incident.phase == "burning":
            return int(Activity.WORK), call[BUILDING], incident.phase_end
    return None


def grievances(town: Town, district: int) -> list[tuple[str, float, str, int, float]]:
    """After a fire in the district, its residents ask for more funding (all the more if nobody came)."""
    state = town.state
    since = town.tick - town.clock.ticks_for(GRIEVANCE_DAYS * 24 * 60)
    recent = [f for f in state["fires"] if f[0] == district and f[1] >= since]
    funding = town.policy(district, FUNDING.key)
    if not recent or funding >= FUNDING.high:
        return []
    economy = town.society.economy
    residents = [p.id for p in town.people if not p.removed and p.age >= 18 and economy.district(p.home) == district]
    if not residents:
        return []
    unanswered = not state["crew"] or station(town) < 0
    value = min(FUNDING.high, funding + PER_FIREFIGHTER * 2)
    reason = f"{len(recent)} fire{'s' if len(recent) > 1 else ''} this week" + (" and no brigade came" if unanswered else "")
    return [(FUNDING.key, value, reason, residents[0], 3.0 if unanswered else 2.0)]  # a fire tops the agenda


def measure(town: Town) -> dict[str, float]:
    state = town.state
    responses = state["responses"]
    return {"fire_brigade.fires_put_out": float(state["put_out"]),
            "fire_brigade.response_minutes": round(sum(responses) / len(responses), 1) if responses else 0.0,
            "fire_brigade.crew": float(len(state["crew"]))}


def summary(town: Town) -> dict[str, Any]:
    state = town.state
    where = station(town)
    return {
        "station": town.city.buildings[where].name if where >= 0 else None,
        "crew": len(state["crew"]),
        "fires": state["fires_total"],
        "put_out": state["put_out"],
        "response_minutes": list(state["responses"]),
    }
