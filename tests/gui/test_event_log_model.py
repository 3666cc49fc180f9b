"""The event log's model: what it lists of the store, batch by batch, as its filter changes."""

from __future__ import annotations

from app.common.event_store import EventStore
from app.docks.event_log import EVENT_ROLE, FILTERS, EventLogModel
from engine.contracts.events import Arrived, CommandRejected, Event, RelationshipChanged


def _listed(model: EventLogModel) -> list[Event]:
    return [model.data(model.index(row, 0), EVENT_ROLE) for row in range(model.rowCount())]


def _batch(tick: int) -> list[Event]:
    """One notable event between two arrivals, as a poll brings them."""
    return [Arrived(tick, 1, 2), RelationshipChanged(tick, 1, 2, 0.5, 0.3, "friend"), Arrived(tick, 2, 3)]


def test_a_batch_is_listed_through_the_filter_in_one_insert(qapp) -> None:  # type: ignore[no-untyped-def]
    model = EventLogModel(EventStore(limit=100))
    inserts: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserts.append((first, last)))
    model.append(_batch(1) + _batch(2))
    assert model.rowCount() == 0 and len(model.pending) == 2  # listed at the next flush, in one insert
    model.flush()
    assert [e.tick for e in _listed(model)] == [1, 2]  # notable only, oldest first
    assert all(isinstance(e, RelationshipChanged) for e in _listed(model))
    assert inserts == [(0, 1)]
    assert len(model.store) == 6  # the store keeps everything: the inspector reads it
    assert model.data(model.index(0, 0)).endswith("person 1 and person 2 are now friend (affinity +0.50)")


def test_changing_the_filter_lists_the_store_again(qapp) -> None:  # type: ignore[no-untyped-def]
    model = EventLogModel(EventStore(limit=100))
    model.append(_batch(1) + _batch(2) + [CommandRejected(3, 7, "no such person")])
    model.filter.kinds = FILTERS["all"][1]
    model.refilter()
    assert len(_listed(model)) == 7
    model.filter.kinds = FILTERS["Arrived"][1]
    model.refilter()
    assert [e.tick for e in _listed(model)] == [1, 1, 2, 2]
    model.filter.kinds = None
    model.filter.until = 1  # looking at tick 1: what came after is hidden
    model.refilter()
    assert {e.tick for e in _listed(model)} == {1}
    model.filter.until = None
    model.filter.text = "no such person"  # searching words the lines
    model.refilter()
    assert [type(e) for e in _listed(model)] == [CommandRejected]


def test_what_falls_off_the_store_is_no_longer_listed(qapp) -> None:  # type: ignore[no-untyped-def]
    model = EventLogModel(EventStore(limit=6))
    for tick in range(1, 5):
        model.append(_batch(tick))
        model.flush()
    assert len(model.store) == 6  # ticks 3 and 4
    assert [e.tick for e in _listed(model)] == [3, 4]
    model.append(_batch(5) * 3)  # more than the store holds at once: only its last six count
    model.flush()
    assert len(model.store) == 6 and [e.tick for e in _listed(model)] == [5, 5]


def test_a_stale_log_fills_the_store_only_and_catches_up_in_one_reset(qapp) -> None:  # type: ignore[no-untyped-def]
    model = EventLogModel(EventStore(limit=100))
    model.append(_batch(1))
    model.flush()
    model.stale = True
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    model.append(_batch(2))
    model.flush()
    assert model.rowCount() == 1 and len(model.store) == 6
    model.catch_up()
    assert [e.tick for e in _listed(model)] == [1, 2] and resets == [True] and not model.stale
