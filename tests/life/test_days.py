"""Days on the rule brain: weekends are not weekdays, and people have hobbies, visits and errands."""

from __future__ import annotations

from collections import Counter, defaultdict

from engine.contracts import QueryMind, QueryThoughts
from engine.contracts.enums import Activity, BuildingType
from engine.runtime import queries
from tests.life.conftest import run, run_until, village

WEEKDAY_ONLY = (BuildingType.OFFICE, BuildingType.SCHOOL, BuildingType.TOWN_HALL)


def day_log(sim, minutes: int) -> tuple[dict[int, Counter], dict[int, int]]:  # type: ignore[no-untyped-def]
    """Minutes per (person, building), and the minute each person first got up."""
    where: dict[int, Counter] = defaultdict(Counter)
    woke: dict[int, int] = {}
    for _ in range(minutes):
        sim.step()
        m = sim.clock.minute_of_day(sim.tick)
        for person, (building, activity) in enumerate(zip(sim.pop.location.tolist(), sim.pop.activity.tolist(),
                                                          strict=True)):
            where[person][building] += 1
            if activity != Activity.SLEEP and person not in woke and m >= 4 * 60:
                woke[person] = m
    return where, woke


def test_weekends_differ_from_weekdays():
    sim = village(minds=False)
    run_until(sim, 5, 4 * 60)  # Friday
    friday, friday_woke = day_log(sim, 18 * 60)
    run_until(sim, 6, 4 * 60)  # Saturday
    saturday, saturday_woke = day_log(sim, 18 * 60)
    offices = [b.id for b in sim.city.buildings if b.type in WEEKDAY_ONLY]
    assert sum(friday[p][b] for p in friday for b in offices) > 1000
    assert sum(saturday[p][b] for p in saturday for b in offices) == 0  # no school, office or town hall
    lie_ins = [p for p in saturday_woke if p in friday_woke and saturday_woke[p] > friday_woke[p] + 30]
    assert len(lie_ins) >= len(sim.people) // 3
    homes = {p.home for p in sim.people}
    out_and_about = sum(minutes for p in saturday for b, minutes in saturday[p].items() if b >= 0 and b not in homes)
    working = sum(minutes for p in friday for b, minutes in friday[p].items() if b in offices)
    assert out_and_about > working // 4  # the free day is spent somewhere too


def test_hobbies_visits_and_errands_vary_the_days():
    sim = village(minds=False)
    kinds = Counter()
    for day in (1, 2, 6):
        for p in sim.people:
            kinds.update(o.kind for o in sim.brain.routine.outings(p.id, day))
    assert {"hobby", "visit", "errand", "walk", "play"} <= set(kinds), kinds
    visits = []
    for _ in range(2 * 24 * 60):
        sim.step()
        for p in sim.people:
            here = int(sim.pop.location[p.id])
            if sim.pop.activity[p.id] == Activity.SOCIAL and here >= 0 and here != p.home \
                    and sim.city.buildings[here].type == BuildingType.HOME:
                visits.append((p.id, here))
    assert len({person for person, _b in visits}) >= 3  # several people went round to someone's home


def test_the_plan_tab_shows_the_rule_brains_day():
    sim = village()
    run(sim, 60)
    clara = next(p for p in sim.people if p.first_name == "Clara")
    report = queries.mind_report(sim.cognition, QueryMind(agent=clara.id), sim.tick, sim.brain)
    assert report.strokes and any(s.place == clara.workplace and s.activity == Activity.WORK for s in report.strokes)
    run_until(sim, 6, 9 * 60)  # Saturday: no work in the plan
    report = queries.mind_report(sim.cognition, QueryMind(agent=clara.id), sim.tick, sim.brain)
    assert report.strokes and not any(s.activity == Activity.WORK for s in report.strokes)


def test_the_thoughts_tab_shows_how_the_rule_brain_chose_the_day():
    sim = village()
    run(sim, 60)
    report = queries.thoughts(sim.world, QueryThoughts(agent=4), sim.tick, sim.brain)
    assert report.thoughts and report.thoughts[-1].backend == "rule brain"
    rule = report.thoughts[-1]
    assert sim.people[4].name in rule.prompt and "Strongest traits" in rule.prompt
    outings = sim.brain.routine.outings(4, sim.clock.day(sim.tick))
    assert all(sim.brain.routine.words(o)[0] in rule.response for o in outings)


def test_the_nearest_places_come_as_many_as_asked_whoever_asked_first():
    brain = village(minds=False).brain
    home, homes = brain.people[0].home, int(BuildingType.HOME)  # 13 homes in the village
    few = brain.nearby(home, homes, 2)
    more = brain.nearby(home, homes, 4)
    assert len(few) == 2 and len(more) == 4 and more[:2] == few
    assert brain.nearby(home, homes, 3) == more[:3]
