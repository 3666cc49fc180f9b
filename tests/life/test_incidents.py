"""Injected events have consequences: fires burn and are repaired, festivals draw crowds, storms send
people indoors, new shops draw customers; people talk about them, and a replay does the same."""

from __future__ import annotations

import numpy as np

from engine.contracts.edits import InjectEvent
from engine.contracts.enums import Activity, BuildingType
from engine.contracts.events import ConversationHeld, EditMade, IncidentChanged
from engine.edits import codec
from engine.edits.apply import apply
from engine.society import ledger as acct
from engine.society.incidents import kind_of
from engine.timeline.machine import TimeMachine
from tests.life.conftest import building, run, run_until, village


def inject(sim, text: str, place: int, radius: float) -> list:  # type: ignore[no-untyped-def]
    x, y = sim.city.buildings[place].footprint.centre
    (_summary, _inverse, _edit), events = apply(sim, InjectEvent(text=text, x=int(x), y=int(y), radius=radius))
    return events


def repair_rows(sim, payer: int) -> list[int]:  # type: ignore[no-untyped-def]
    ledger = sim.society.ledger
    return [row[4] for _i, row in ledger.rows() if ledger.kind_of(row) == "repair" and row[2] == payer]


def test_the_words_pick_what_happens():
    assert kind_of("A fire breaks out at the Mill") == "fire"
    assert kind_of("A new shop opens its doors at the corner") == "shop"
    assert kind_of("A festival with music and food stalls starts in the park") == "festival"
    assert kind_of("A violent storm breaks over the town") == "storm"
    assert kind_of("The mayor sings") == "event"


def test_a_fire_empties_closes_and_is_repaired_at_the_owners_cost():
    sim = village()
    run_until(sim, 1, 12 * 60 + 30)
    kettle = building(sim, "The Copper Kettle")
    inside = np.flatnonzero(sim.pop.location == kettle).tolist()
    assert inside, "someone is having lunch there"
    events = inject(sim, "A fire breaks out at The Copper Kettle", kettle, 10)
    assert any(isinstance(e, IncidentChanged) and e.phase == "burning" for e in events)
    run(sim, 10)
    assert not (sim.pop.location == kettle).any()  # out within ten sim minutes
    owner = sim.society.economy.properties[kettle].owner
    talk = [e for e in run(sim, 24 * 60) if isinstance(e, ConversationHeld)]
    talkers = {e.a if s == 0 else e.b for e in talk for s, text in e.lines if "Copper Kettle" in text}
    assert len(talkers) >= 5
    b = sim.city.buildings[kettle]
    assert not sim.society.open_now(b, 12 * 60) and not (sim.pop.location == kettle).any()  # closed, empty
    story = [e for e in run(sim, 36 * 60) if isinstance(e, IncidentChanged)]
    assert [e.phase for e in story][-1] == "repaired"
    assert sim.society.open_now(b, 12 * 60)
    paid = repair_rows(sim, acct.person(owner))
    assert sum(paid) == sim.society.incidents.items[0].paid > 0 and sim.society.ledger.verify() == []
    assert sim.people[owner].name in story[-1].text


def test_people_whose_home_burned_sleep_with_family_or_friends():
    sim = village(minds=False)
    run_until(sim, 1, 21 * 60)
    household = [p.id for p in sim.people if p.home == sim.people[0].home]
    inject(sim, f"A fire breaks out at {sim.city.buildings[sim.people[0].home].name}", sim.people[0].home, 6)
    run_until(sim, 2, 3 * 60)
    for person in household:  # asleep, somewhere with a roof that is not their own
        here = int(sim.pop.location[person])
        assert here not in (-1, sim.people[person].home) and sim.pop.activity[person] == Activity.SLEEP
        assert sim.city.buildings[here].type in (BuildingType.HOME, BuildingType.APARTMENT)


def test_a_festival_draws_a_crowd_that_cheers_up_and_spends():
    sim = village()
    run_until(sim, 1, 16 * 60)
    park = next(b.id for b in sim.city.buildings if b.type == BuildingType.PARK)
    before = int((sim.pop.location == park).sum())
    gdp_before = sim.society.economy.gdp()
    inject(sim, "A festival with music and food stalls starts at Millpond Park", park, 15)
    incident = sim.society.incidents.items[0]
    crowd = 0
    for _ in range(90):
        sim.step()
        crowd = max(crowd, int((sim.pop.location == park).sum()))
    assert crowd >= before + 5
    there = np.flatnonzero(sim.pop.location == park)
    assert sim.pop.needs[there, 3].mean() > 0.8  # fun
    assert incident.counts["came"] >= 5 and incident.counts["spent"] > 0
    assert sim.society.economy.gdp() > gdp_before


def test_a_storm_sends_people_indoors_and_drops_walks_in_the_park():
    sim = village(minds=False)
    run_until(sim, 1, 17 * 60)
    park = next(b.id for b in sim.city.buildings if b.type == BuildingType.PARK)
    events = inject(sim, "A violent storm breaks over Willowmere, with thunder and sheets of rain", park, 40)
    assert any(isinstance(e, IncidentChanged) and e.what == "storm" for e in events)
    run(sim, 15)
    for _ in range(150):
        sim.step()
        assert not ((sim.pop.location == park) & (sim.pop.activity == Activity.LEISURE)).any()
    run(sim, 60)
    assert not sim.society.incidents.items[0].active  # the storm has passed


def test_a_new_shop_opens_and_draws_customers_from_its_rivals():
    sim = village()
    run_until(sim, 1, 10 * 60)
    pharmacy = building(sim, "Willowmere Pharmacy")
    price = sim.society.economy.businesses[pharmacy].price
    inject(sim, "A new shop opens its doors at Willowmere Pharmacy", pharmacy, 10)
    incident = sim.society.incidents.items[0]
    assert incident.building == pharmacy and sim.society.economy.businesses[pharmacy].price < price
    run(sim, 8 * 60)
    assert incident.counts["customers"] >= 3
    run(sim, 2 * 24 * 60)
    assert not incident.active and sim.society.economy.businesses[pharmacy].price > 0


def test_time_travel_replays_an_incident_exactly():
    sim = village(minds=False)
    machine = TimeMachine(sim, None, every_minutes=30)
    for _ in range(11 * 60):
        machine.before_change()
        sim.step()
        machine.after_step()
    machine.checkpoint("edit")
    kettle = sim.city.buildings[building(sim, "The Copper Kettle")]
    x, y = kettle.footprint.centre
    (_summary, inverse, applied), extra = apply(sim, InjectEvent(text="A fire breaks out at The Copper Kettle",
                                                                 x=int(x), y=int(y), radius=10))
    made = EditMade(sim.tick, codec.to_json(applied), codec.to_json(inverse) if inverse else "")
    sim.world.record([made, *extra], [], sim.tick)
    machine.note_edit(made)
    for _ in range(5 * 60):
        machine.before_change()
        sim.step()
        machine.after_step()
    live = sim.state_hash()
    head = sim.tick
    machine.seek(10 * 60)
    assert sim.state_hash() != live
    machine.seek(head)
    assert sim.tick == head and sim.state_hash() == live
    assert sim.society.incidents.items and sim.society.incidents.items[0].kind == "fire"


def test_undoing_a_fire_puts_it_out_and_nobody_talks_of_it():
    sim = village()
    run_until(sim, 1, 12 * 60 + 30)
    kettle = building(sim, "The Copper Kettle")
    x, y = sim.city.buildings[kettle].footprint.centre
    (_summary, undo, _edit), _events = apply(sim, InjectEvent(text="A fire breaks out at The Copper Kettle",
                                                              x=int(x), y=int(y), radius=10))
    run(sim, 5)
    b = sim.city.buildings[kettle]
    assert not sim.society.open_now(b, 12 * 60)  # burning: shut
    (_summary, redo, _undone), _events = apply(sim, codec.from_json(codec.to_json(undo)))  # as the undo stack sends it
    assert sim.society.open_now(b, 12 * 60) and not sim.society.incidents.closed
    assert not any(i.active for i in sim.society.incidents.items)
    assert not sim.society.incidents.plans  # nobody is still sent away from it
    assert undo.memory_ids and sim.cognition.memory.get(undo.memory_ids) == []  # the witnesses forgot it
    story = [e for e in run(sim, 6 * 60) if isinstance(e, IncidentChanged)]
    assert story == []  # no "repaired" or any other step of a fire that never was
    talk = [e for e in run(sim, 12 * 60) if isinstance(e, ConversationHeld)]
    assert not any("fire" in text.lower() and "Copper Kettle" in text for e in talk for _s, text in e.lines)
    assert sim.society.ledger.verify() == []
    assert isinstance(redo, InjectEvent) and redo.text == "A fire breaks out at The Copper Kettle"
