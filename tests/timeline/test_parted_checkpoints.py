"""Checkpoints in the parted form: exact, hashed by their parts, and redoing only what changed."""

from pathlib import Path

import numpy as np
import pytest

from engine import api
from engine.sim import state_codec
from engine.sim.metrics import CHUNK_TICKS, Metrics
from engine.sim.simulation import Simulation
from engine.state.pieces import Pieces, frozen, join_parted, stored_size
from engine.timeline.machine import TimeMachine


def running_city(ticks: int) -> Simulation:
    sim = Simulation(api.new_world(120, seed=4, template="city"), 4)
    for _ in range(ticks):
        sim.step()
    return sim


def test_a_parted_checkpoint_gives_back_the_state_it_was_made_from_and_its_hash():
    sim = running_city(600)
    state = sim.get_state()
    blob, state_hash = state_codec.PartedEncoder().encode(state)
    assert blob.startswith(state_codec.PARTED_MAGIC)
    back = state_codec.decode(blob)
    assert state_codec.pack(back) == state_codec.pack(state)  # the plain form: the same bytes
    assert state_hash == state_codec.digest(state) == sim.state_hash()
    twin = Simulation(api.new_world(120, seed=4, template="city"), 4)
    twin.set_state(back)
    assert twin.state_hash() == state_hash


def test_a_checkpoint_handed_over_in_parts_is_the_same_as_its_bytes(tmp_path: Path):
    sim = running_city(300)
    parts, state_hash = state_codec.PartedEncoder().encode_parts(sim.get_state())
    blob = join_parted(*parts)
    assert stored_size(parts) == len(blob) and (blob, state_hash) == state_codec.PartedEncoder().encode(sim.get_state())
    big = (b"s" * 70_000, [b"p" * 300, b"q" * 20] * 20, [b"d" * 16] * 40)  # every length of msgpack's headers
    assert stored_size(big) == len(join_parted(*big))
    machine = TimeMachine(sim)  # the time machine's checkpoint file takes the parts as they are
    checkpoint = machine.checkpoint("user")
    assert machine.timeline.state_of(checkpoint) == blob and checkpoint.size == len(blob)


def test_the_hash_does_not_depend_on_what_the_encoder_has_seen():
    sim = running_city(300)
    encoder = state_codec.PartedEncoder()
    encoder.encode(sim.get_state())
    for _ in range(30):
        sim.step()
    blob, state_hash = encoder.encode(sim.get_state())
    fresh_blob, fresh_hash = state_codec.PartedEncoder().encode(sim.get_state())
    assert (blob, state_hash) == (fresh_blob, fresh_hash)


def test_a_checkpoint_packs_again_only_the_pieces_that_changed(monkeypatch: pytest.MonkeyPatch):
    sim = running_city(600)
    stored: list[int] = []
    real = state_codec._stored
    monkeypatch.setattr(state_codec, "_stored", lambda data: stored.append(len(data)) or real(data))
    encoder = state_codec.PartedEncoder()
    encoder.encode(sim.get_state())
    first = len(stored)
    stored.clear()
    encoder.encode(sim.get_state())  # nothing happened in between: the ties, notes and stories are as they were
    ties = sim.get_state()["relationships"]
    blocks = len(ties["pairs"].pieces) + len(ties["note_texts"].pieces)
    assert blocks > 100 and len(stored) < first - blocks  # only the skeleton and arrays kept writable


def test_pieces_read_as_their_joined_column_everywhere_else():
    column = Pieces([frozen(np.arange(3)), frozen(np.arange(3, 5))], np.zeros(0, dtype=np.int64))
    texts = Pieces([("a", "b"), ("c",)], [])
    state = {"ticks": column, "texts": texts, "none": Pieces([], np.zeros((0, 2)))}
    plain = state_codec.decode(state_codec.encode(state))
    parted = state_codec.decode(state_codec.PartedEncoder().encode(state)[0])
    for back in (plain, parted):
        assert back["ticks"].tolist() == [0, 1, 2, 3, 4] and back["texts"] == ["a", "b", "c"]
        assert back["none"].shape == (0, 2)


def test_a_damaged_parted_checkpoint_is_refused_with_a_clear_error():
    blob, _hash = state_codec.PartedEncoder().encode(running_city(60).get_state())
    for damaged in (blob[: len(blob) // 2], state_codec.PARTED_MAGIC + b"\x93\x01\x02\x03", blob[:9]):
        with pytest.raises(ValueError, match="saved engine state"):
            state_codec.decode(damaged)


def test_the_scratch_file_holds_each_piece_once_and_gives_back_whole_states():
    from engine.persistence.checkpoint_file import CheckpointFile

    sim = running_city(600)
    encoder = state_codec.PartedEncoder()
    first = encoder.encode(sim.get_state())[0]
    for _ in range(30):
        sim.step()
    second = encoder.encode(sim.get_state())[0]
    states = CheckpointFile(cache_size=0)
    try:
        states.put(1, first)
        states.put(2, second)
        assert states.get(1) == first and states.get(2) == second
        conn = states._spill()
        on_disk = conn.execute("SELECT SUM(LENGTH(data)) FROM piece").fetchone()[0]
        assert on_disk < 1.5 * len(first) < len(first) + len(second)  # what the second shares is not written again
        states.drop([1])
        assert states.get(2) == second
        states.drop([2])
        assert conn.execute("SELECT COUNT(*) FROM piece").fetchone()[0] == 0
    finally:
        states.close()


def test_a_checkpoint_is_compressed_and_written_off_the_thread_that_takes_it(monkeypatch: pytest.MonkeyPatch):
    import threading

    sim = running_city(300)
    machine = TimeMachine(sim)  # the first checkpoint: the whole state, compressed where it is taken
    for _ in range(30):
        sim.step()
    threads: list[str] = []
    real, together = state_codec._stored, state_codec._store_together
    monkeypatch.setattr(state_codec, "_stored", lambda data: threads.append(threading.current_thread().name)
                        or real(data))
    monkeypatch.setattr(state_codec, "_store_together", lambda pieces: threads.append(
        threading.current_thread().name) or together(pieces))
    checkpoint = machine.checkpoint("user")
    assert checkpoint.state_hash == sim.state_hash()  # hashed at once, from the state as it was
    machine.timeline.settle()
    assert threads and all(name.startswith("townsfolk-checkpoints") for name in threads)
    blob = machine.timeline.state_of(checkpoint)
    assert checkpoint.size == len(blob)  # the bound it had until then is now the size
    # A fresh encoder compresses every piece as it packs it, one call each: the writer's batch is the same bytes.
    fresh, fresh_hash = state_codec.PartedEncoder().encode(sim.get_state())
    assert (blob, checkpoint.state_hash) == (fresh, fresh_hash)


def test_a_failed_write_is_raised_to_whoever_waits_for_it(monkeypatch: pytest.MonkeyPatch):
    from engine.persistence.checkpoint_file import CheckpointFile

    sim = running_city(60)
    machine = TimeMachine(sim)
    machine.timeline.settle()
    states = machine.timeline.states
    assert isinstance(states, CheckpointFile)

    def full(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(states, "_put", full)
    machine.checkpoint("user")
    with pytest.raises(OSError, match="No space"):
        machine.timeline.settle()
    machine.timeline.settle()  # said once; the next checkpoint starts afresh


def test_the_curves_in_a_state_are_chunks_of_sim_time_kept_until_thinned():
    """The metric samples grow all run: a checkpoint repacks only the open chunk, and the chunks (so the state
    hash) are the same whether states were asked for every 30 minutes or once."""
    sim = running_city(CHUNK_TICKS * 3 + 200)  # past a midnight's thinning
    samples = sim.get_state()["metrics"]["samples"]
    assert isinstance(samples, Pieces) and len(samples.pieces) >= 4
    again = sim.get_state()["metrics"]["samples"]
    assert all(a is b for a, b in zip(samples.pieces[:-1], again.pieces[:-1], strict=True))  # closed: reused
    assert samples.joined() == [tuple(row) for row in sim.metrics.samples]
    spans = [{int(row[0]) // CHUNK_TICKS for row in chunk} for chunk in samples.pieces]
    assert all(len(span) == 1 for span in spans)
    fresh = Metrics()
    fresh.set_state(state_codec.decode(state_codec.encode(sim.get_state()))["metrics"])  # held whole, as in old files
    assert fresh.get_state()["samples"].pieces == samples.pieces


def test_a_run_asked_for_states_often_hashes_as_one_asked_once():
    often, once = running_city(0), running_city(0)
    for tick in range(1, CHUNK_TICKS + 300):
        often.step()
        once.step()
        if tick % 30 == 0:
            often.state_hash()
    assert often.state_hash() == once.state_hash()
