"""Relationships grow from talk and shared events; policies change what people do; the engine answers reads."""

from __future__ import annotations

import time

import numpy as np
import pytest

from engine import api
from engine.contracts import Step
from engine.contracts import edits as e
from engine.contracts.enums import Activity, BuildingType
from engine.contracts.events import CommandRejected
from engine.contracts.society import LedgerResult, PairReport, QueryLedger, QueryPair
from engine.edits.apply import apply
from engine.society.places import district_of_person
from engine.state.relationships import Relationships, Tie
from tests.conftest import WORLDS
from tests.society.conftest import run


def test_trust_is_built_slowly_and_lost_quickly() -> None:
    ties = Relationships()
    for tick in range(10):
        ties.meet(1, 2, tick, warmth=0.8)
    warm = ties.get(1, 2)
    assert warm is not None and 0.2 < warm.trust < 0.5 and warm.meetings == 10
    assert warm.label == "close friend" or warm.affinity < 0.65
    trust = warm.trust
    ties.meet(1, 2, 11, warmth=-0.8)
    assert trust - ties.get(1, 2).trust > 0.05  # one bad meeting costs more than a good one earns


def test_labels_follow_the_numbers() -> None:
    assert Tie().label == "stranger"
    assert Tie(0.1, 0.2).label == "acquaintance"
    assert Tie(0.5, 0.5).label == "friend"
    assert Tie(0.8, 0.8, trust=0.1).label == "friend"  # close friends also trust each other
    assert Tie(0.8, 0.8, trust=0.4).label == "close friend"
    assert Tie(-0.5, 0.4).label == "rival"
    assert Tie(-0.9, 0.9, family=True).label == "family"


def test_ties_keep_their_history_and_read_older_saves() -> None:
    ties = Relationships()
    ties.meet(3, 4, 10, 0.5)
    for tick in range(12):
        ties.note(4, 3, tick, f"line {tick}")
    assert [text for _t, text in ties.history(3, 4)][:2] == ["line 11", "line 10"] and len(ties.history(3, 4)) == 6
    restored = Relationships()
    restored.set_state(ties.get_state())
    assert restored.history(3, 4) == ties.history(3, 4) and restored.get(3, 4) == ties.get(3, 4)
    old = Relationships()
    old.set_state([[3, 4, 0.5, 0.3, 2, 10, False]])  # the form saved before trust existed
    assert old.get(3, 4) == Tie(0.5, 0.3, 2, 10, False, 0.0, 0)


def test_conversations_write_the_pairs_history(village_sim) -> None:
    sim = village_sim
    run(sim, 12)
    talked = [(a, b) for (a, b), tie in sim.ties.items() if tie.meetings and sim.ties.history(a, b)]
    assert talked
    a, b = talked[0]
    assert sim.ties.history(a, b)[0][1].startswith("talked at ")


def test_a_curfew_sends_people_home(village_sim) -> None:
    sim = village_sim
    for district in sim.city.districts:
        apply(sim, e.SetPolicy(district=district.id, policy="curfew", value=20 * 60))
    run(sim, 15.5)  # to 21:30
    assert sim.clock.minute_of_day(sim.tick) == 21 * 60 + 30
    # (a council may lift its curfew by vote meanwhile: only districts still under one count)
    under = {d.id for d in sim.city.districts if sim.society.governance.policy(d.id, "curfew") >= 0}
    assert under
    out = [p.id for p in sim.people if not p.removed and sim.pop.location[p.id] != p.home
           and district_of_person(sim.city, p) in under]
    assert len(out) <= 2, [sim.people[i].name for i in out]  # (someone may still be on the way)


def test_later_opening_hours_keep_shops_open(village_sim) -> None:
    sim = village_sim
    society = sim.society
    shop = next(b for b in sim.city.buildings if b.type == BuildingType.SHOP and b.closes > b.opens)
    after_closing = shop.closes + 30
    assert not society.open_now(shop, after_closing)
    apply(sim, e.SetPolicy(district=society.economy.district(shop.id), policy="opening_hours", value=60))
    assert society.open_now(shop, after_closing) and not society.open_now(shop, shop.closes + 90)


def test_park_funding_makes_walks_in_the_park_likelier(village_sim) -> None:
    sim = village_sim
    person = 0
    district = district_of_person(sim.city, sim.people[person])
    assert sim.society.park_appeal(person) == 1.0
    apply(sim, e.SetPolicy(district=district, policy="park_funding", value=20_000))
    assert sim.society.park_appeal(person) == 2.0
    run(sim, 24)
    funding = [row for _i, row in sim.society.ledger.rows() if sim.society.ledger.kind_of(row) == "funding"]
    assert funding  # the treasury paid the parks at midnight


def test_the_engine_answers_ledger_and_pair_queries() -> None:
    handle = api.EngineHandle.open(WORLDS / "village.town", seed=1)
    handle.start()
    try:
        handle.submit(Step(ticks=600))
        deadline = time.monotonic() + 30
        while (handle.latest_snapshot() is None or handle.latest_snapshot().tick < 600) and time.monotonic() < deadline:
            time.sleep(0.02)
        snapshot = handle.latest_snapshot()
        assert snapshot.society is not None and snapshot.society.governance.councils
        assert len(snapshot.relationships.trust) == len(snapshot.relationships)
        wages = _ask(handle, QueryLedger(kind="wage", limit=20))
        assert isinstance(wages, LedgerResult) and wages.rows and {r.kind for r in wages.rows} == {"wage"}
        assert all(r.payee.kind == "person" and r.amount > 0 for r in wages.rows)
        a, b = int(snapshot.relationships.a[0]), int(snapshot.relationships.b[0])
        pair = _ask(handle, QueryPair(a=a, b=b))
        assert isinstance(pair, PairReport) and pair.label and pair.meetings >= 0
        refused = _ask(handle, QueryPair(a=0, b=9999))
        assert isinstance(refused, CommandRejected) and "no person 9999" in refused.reason
    finally:
        handle.stop()


def _ask(handle, query):  # type: ignore[no-untyped-def]
    cid = handle.submit(query)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for event in handle.drain_events():
            if getattr(event, "command_id", None) == cid and type(event).__name__ != "CommandApplied":
                return event
        time.sleep(0.02)
    raise AssertionError("no answer")


def test_activity_codes_fit_the_population_arrays() -> None:
    assert np.int8(int(Activity.SOCIAL)) == int(Activity.SOCIAL)


def test_going_through_an_event_together_counts_as_shared() -> None:
    from tests.cognition.test_cognition import thinking_village

    sim, cognition = thinking_village()
    (a, b), tie = next(((pair, tie) for pair, tie in sim.ties.items()), (None, None))
    for person in (a, b):  # both at the first one's home
        sim.teleport(person, sim.people[a].home, (0.0, 0.0))
    door = sim.city.buildings[sim.people[a].home].entrance
    before = tie.shared
    apply(sim, e.InjectEvent(text="A chimney fire next door", x=door[0], y=door[1], radius=6))
    cognition.close()
    assert sim.ties.get(a, b).shared == before + 1
    assert sim.ties.history(a, b)[0][1] == "both there when: A chimney fire next door"


def test_ties_go_into_the_state_as_columns_and_damaged_columns_are_refused() -> None:
    import numpy as np
    import pytest

    ties = Relationships()
    for a, b in ((5, 2), (1, 9), (1, 3)):
        ties.meet(a, b, 7, 0.4)
    ties.note(9, 1, 7, "talked at the cafe")
    from engine.state.pieces import joined

    state = ties.get_state()
    assert joined(state["pairs"]).tolist() == [[1, 3], [1, 9], [2, 5]]
    restored = Relationships()
    restored.set_state(state)
    assert list(restored.items()) == list(ties.items()) and restored.history(1, 9) == ties.history(1, 9)
    damaged = {**state, "reals": np.zeros((2, 3))}
    with pytest.raises(ValueError, match="damaged"):
        Relationships().set_state(damaged)


def test_a_checkpoint_after_changes_packs_the_same_ties_as_a_fresh_town() -> None:
    """A checkpoint repacks only the ties changed since the last one; what it packs must be what
    packing every tie afresh gives, whichever way a tie changed."""
    from engine.sim import state_codec

    ties = Relationships()
    for a, b in [(5, 2), (1, 3), (0, 9), (4, 2)]:
        ties.meet(a, b, 1, 0.5)
        ties.note(a, b, 1, f"met {a} and {b}")
    ties.get_state()  # the columns are built here; everything below changes them row by row
    for tick in range(2, 10):  # more lines than a pair keeps
        ties.note(3, 1, tick, f"talked at {tick}")
    ties.note(6, 8, 2, "a new pair's first line")
    ties.meet(1, 3, 2, -0.4)  # a change through meet
    ties.known_tie(0, 9).shared += 2  # a change by a caller, through the tie's own attribute
    ties.tie(7, 1).trust = 0.3  # a tie made since the last checkpoint
    ties.set(4, 2, Tie(0.9, 0.9, 3, 2, True))  # a tie set over another
    ties.set(8, 6, Tie(0.1, 0.2))  # and one set where there was none
    fresh = Relationships()
    fresh.set_state(ties.get_state())
    assert state_codec.pack(ties.get_state()) == state_codec.pack(fresh.get_state())
    ties.remove_person(2)
    ties.meet(9, 0, 3, 0.2)
    fresh = Relationships()
    fresh.set_state(ties.get_state())
    assert state_codec.pack(ties.get_state()) == state_codec.pack(fresh.get_state())
    assert ties.get(9, 0) == fresh.get(0, 9) and len(ties) == len(fresh) == 4


@pytest.mark.parametrize("seed", range(4))
def test_blocks_re_formed_from_their_last_form_are_those_formed_afresh(seed: int) -> None:
    """A checkpoint re-forms a busy person's block by writing only the rows that changed into its last
    form; the pieces, and so the state hash, must be those of every row formed afresh."""
    import random

    from engine.sim import state_codec

    rng = random.Random(seed)
    ties = Relationships()
    for tick in range(1, 1500):
        a, b = rng.randrange(6), rng.randrange(60)  # a few people with many acquaintances each
        if a == b:
            continue
        roll = rng.random()
        if roll < 0.5:
            ties.meet(a, b, tick, rng.uniform(-1, 1))
            ties.note(a, b, tick, f"talked at {tick}: {rng.choice(['hello', 'morning', 'bye'])}")
        elif roll < 0.7:
            ties.tie(a, b).trust = rng.uniform(-1, 1)
        elif roll < 0.75:
            ties.set(a, b, Tie(rng.random(), rng.random(), tick, tick, rng.random() < 0.2))
        else:
            ties.note(a, b, tick, "both there when: a fire")
        if tick % 37 == 0:
            ties.get_state()  # a checkpoint: the columns are formed, later changes re-form them row by row
    fresh = Relationships()
    fresh.set_state(ties.get_state())
    assert state_codec.pack(ties.get_state()) == state_codec.pack(fresh.get_state())
    assert state_codec.digest({"ties": ties.get_state()}) == state_codec.digest({"ties": fresh.get_state()})


@pytest.mark.parametrize("seed", range(3))
def test_the_readers_table_of_ties_is_every_tie_as_it_is_now(seed: int) -> None:
    """The snapshot's table is joined from the checkpoint's blocks, so tables and checkpoints taken in
    any order between changes must each hold every tie with its numbers of that moment."""
    import random

    from engine.sim.snapshot import build_relationships

    rng = random.Random(seed)
    ties = Relationships()
    for tick in range(1, 800):
        a, b = rng.randrange(8), rng.randrange(40)
        if a != b:
            if rng.random() < 0.7:
                ties.meet(a, b, tick, rng.uniform(-1, 1))
            else:
                ties.set(a, b, Tie(rng.random(), rng.random(), tick, tick, rng.random() < 0.2, trust=0.1))
        if tick % 53 == 0:
            ties.get_state()  # a checkpoint between the tables
        if tick == 400:
            ties.remove_person(3)  # rows shift: the blocks are formed afresh
        if tick % 29 == 0 or tick == 799:
            table = build_relationships(ties)
            rows = list(ties.items())
            assert table.a.tolist() == [a for (a, _b), _t in rows] and table.b.tolist() == [b for (_a, b), _t in rows]
            assert table.affinity.tolist() == [np.float32(t.affinity) for _p, t in rows]
            assert table.trust.tolist() == [np.float32(t.trust) for _p, t in rows]
            assert table.familiarity.tolist() == [np.float32(t.familiarity) for _p, t in rows]
            assert table.meetings.tolist() == [t.meetings for _p, t in rows]
            assert table.last_tick.tolist() == [t.last_tick for _p, t in rows]
            assert table.family.tolist() == [t.family for _p, t in rows]
            assert table.a.dtype == np.int32 and table.affinity.dtype == np.float32 and not table.a.flags.writeable
    assert len(table) == len(ties) > 100


def test_an_empty_town_has_an_empty_table_of_ties() -> None:
    from engine.sim.snapshot import build_relationships

    table = build_relationships(Relationships())
    assert len(table) == 0 and table.a.dtype == np.int32 and table.last_tick.dtype == np.int64
