"""Who knows whom, and how they feel about it.

Ties are sparse (most of a city are strangers to each other), so they live in a
dict keyed by the ordered pair. Each tie holds affinity (liking), familiarity
(how well they know each other), trust (whether the other's word and company
have held up), how often and when they last met, how many events they shared,
and a short history in words. Labels are derived, never stored.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable, Iterator
from collections.abc import Set as ReadOnlySet
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter, itemgetter
from typing import Any

import numpy as np

from engine.state.note_columns import SPLICE_SHARE, NoteColumns, Notes
from engine.state.pieces import Pieces, frozen, joined

_REALS = attrgetter("affinity", "familiarity", "trust")
_COUNTS = attrgetter("meetings", "last_tick", "family", "shared")
_FIRST, _SECOND = itemgetter(0), itemgetter(1)
_TIE_FIELDS = ("affinity", "familiarity", "meetings", "last_tick", "family", "trust", "shared")
NOTES_KEPT = 6  # the newest lines of a pair's history (older ones are in the event log)


@dataclass(slots=True)
class Tie:
    # The pairs changed since the last checkpoint, and this tie's pair in its town's checkpoint columns
    # (None: not in any town's columns yet). Callers change a tie by its attributes, so the tie itself
    # says it changed: a checkpoint then re-forms that row of its first person's block, not every tie in
    # town. First, so that they are set before the fields below (each assignment looks at them); slots
    # keep a tie small.
    _changed: set[tuple[int, int]] | None = field(default=None, init=False, repr=False, compare=False)
    _pair: tuple[int, int] = field(default=(-1, -1), init=False, repr=False, compare=False)
    affinity: float = 0.0  # -1 (loathing) .. 1 (love)
    familiarity: float = 0.0  # 0 (never met) .. 1 (know each other inside out)
    meetings: int = 0
    last_tick: int = -1
    family: bool = False
    trust: float = 0.0  # -1 (wary) .. 1 (would trust them with anything)
    shared: int = 0  # events both took part in

    def __setattr__(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)
        changed = self._changed
        if changed is not None:
            changed.add(self._pair)

    # A copy (pickled, deep-copied) is in no town's columns: it carries the numbers, not the marks.
    def __getstate__(self) -> tuple[float | int | bool, ...]:
        return tuple(object.__getattribute__(self, name) for name in _TIE_FIELDS)

    def __setstate__(self, state: tuple[float | int | bool, ...]) -> None:
        object.__setattr__(self, "_changed", None)
        object.__setattr__(self, "_pair", (-1, -1))
        for name, value in zip(_TIE_FIELDS, state, strict=True):
            object.__setattr__(self, name, value)

    @property
    def label(self) -> str:
        if self.family:
            return "family"
        if self.affinity <= -0.3 and self.familiarity >= 0.2:
            return "rival"
        if self.affinity >= 0.65 and self.familiarity >= 0.6 and self.trust >= 0.2:
            return "close friend"
        if self.affinity >= 0.35 and self.familiarity >= 0.35:
            return "friend"
        if self.familiarity >= 0.1:
            return "acquaintance"
        return "stranger"


def _key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


class _TieBlocks:
    """Every tie as numpy columns in blocks by first person (the lower id), ordered by pair.

    A checkpoint every 30 sim minutes packs all ties, and a town's ties only grow. Each tie reports its
    own changes (its pair), so a checkpoint re-forms only the blocks of people whose ties changed and
    hands the columns out as pieces (``engine.state.pieces``): what did not change is the very same
    arrays, which the checkpoint neither packs nor hashes again. A block is re-formed from its last
    form, copied in C, with the rows of the ties that changed written again: the cost in Python of
    the ties that changed, not of a block that grows with its person's acquaintances.
    """

    def __init__(self, ties: dict[tuple[int, int], Tie]):
        self.changed: set[tuple[int, int]] = set()  # pairs whose rows must be formed again
        self.partners: dict[int, list[int]] = {}  # first person -> the others they have a tie with, sorted
        self.blocks: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self.order: list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None
        for key, tie in sorted(ties.items()):
            self.partners.setdefault(key[0], []).append(key[1])
            self.attach(tie, key)

    def attach(self, tie: Tie, key: tuple[int, int]) -> None:
        object.__setattr__(tie, "_pair", key)
        object.__setattr__(tie, "_changed", self.changed)
        self.changed.add(key)

    def made(self, key: tuple[int, int], tie: Tie) -> None:
        insort(self.partners.setdefault(key[0], []), key[1])
        self.attach(tie, key)

    def replace(self, old: Tie, new: Tie, key: tuple[int, int]) -> None:
        """``new`` takes the place of ``old`` (a tie set over an existing one)."""
        object.__setattr__(old, "_changed", None)
        self.attach(new, key)

    def columns(self, ties: dict[tuple[int, int], Tie]) -> dict[str, Pieces]:
        if self.changed:
            by_first: dict[int, list[int]] = {}
            for first, second in self.changed:
                by_first.setdefault(first, []).append(second)
            self.changed.clear()
            for first, seconds in by_first.items():
                partners = self.partners[first]
                old = self.blocks.get(first)
                if old is None or len(seconds) * SPLICE_SHARE >= len(partners):
                    self.blocks[first] = _tie_block(first, partners, ties)
                else:
                    self.blocks[first] = _tie_rows(old, first, partners, seconds, ties)
            self.order = None
        if self.order is None:
            self.order = [self.blocks[first] for first in sorted(self.blocks)]
        blocks = self.order
        return {"pairs": Pieces(blocks, np.zeros((0, 2), dtype=np.int64), 0),
                "reals": Pieces(blocks, np.zeros((0, 3), dtype=np.float64), 1),
                "counts": Pieces(blocks, np.zeros((0, 4), dtype=np.int64), 2)}


def _tie_block(first: int, partners: list[int], ties: dict[tuple[int, int], Tie]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = [ties[(first, second)] for second in partners]
    return frozen(_pairs(first, partners)), frozen(_reals(rows)), frozen(_counts(rows))


def _tie_rows(old: tuple[np.ndarray, np.ndarray, np.ndarray], first: int, partners: list[int], seconds: list[int],
              ties: dict[tuple[int, int], Tie]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``first``'s block as ``_tie_block`` would form it, from its last form and the ties with ``seconds``
    (which changed, or are new): the other rows are copied from ``old``."""
    old_pairs, old_reals, old_counts = old
    if len(partners) == len(old_pairs):
        pairs, reals, counts = old_pairs, old_reals.copy(), old_counts.copy()
    else:  # new partners: the old rows move down to make room for them
        pairs = _pairs(first, partners)
        moved = np.searchsorted(pairs[:, 1], old_pairs[:, 1])
        reals = np.empty((len(partners), 3), dtype=np.float64)
        counts = np.empty((len(partners), 4), dtype=np.int64)
        reals[moved] = old_reals
        counts[moved] = old_counts
    for second in seconds:
        row = bisect_left(partners, second)
        tie = ties[(first, second)]
        reals[row] = _REALS(tie)
        counts[row] = _COUNTS(tie)
    return frozen(pairs), frozen(reals), frozen(counts)


def _pairs(first: int, partners: list[int]) -> np.ndarray:
    pairs = np.empty((len(partners), 2), dtype=np.int64)
    pairs[:, 0] = first
    pairs[:, 1] = partners
    return pairs


def _reals(ties: list[Tie]) -> np.ndarray:
    count = len(ties)
    return np.fromiter(chain.from_iterable(map(_REALS, ties)), dtype=np.float64, count=3 * count).reshape(count, 3)


def _counts(ties: list[Tie]) -> np.ndarray:
    count = len(ties)
    return np.fromiter(chain.from_iterable(map(_COUNTS, ties)), dtype=np.int64, count=4 * count).reshape(count, 4)


class Relationships:
    def __init__(self) -> None:
        self._ties: dict[tuple[int, int], Tie] = {}
        self._friends: dict[int, set[int]] = {}
        # A pair's history as one tuple, its ticks then its texts (``note_columns.Notes``): a month-old town has
        # tens of thousands of pairs, most with a line or two, and two lists in a tuple were three objects a
        # pair. A checkpoint every 30 sim minutes packs them all, so they are also kept as checkpoint columns,
        # re-formed only where a line was added.
        self._notes: dict[tuple[int, int], Notes] = {}
        self._note_columns = NoteColumns()
        self._columns: _TieBlocks | None = None  # built by the first checkpoint
        self.version = 0  # bumped on every change, so readers know when to rebuild views

    def __len__(self) -> int:
        return len(self._ties)

    def get(self, a: int, b: int) -> Tie | None:
        return self._ties.get(_key(a, b))

    def known_tie(self, a: int, b: int) -> Tie:
        """The tie of two who know each other (one of them is in the other's ``known_by``)."""
        return self._ties[_key(a, b)]

    def affinity(self, a: int, b: int) -> float:
        """How much ``a`` and ``b`` like each other (0.0, neutral, for two who never met)."""
        tie = self._ties.get(_key(a, b))
        return 0.0 if tie is None else tie.affinity

    def tie(self, a: int, b: int) -> Tie:
        key = _key(a, b)
        tie = self._ties.get(key)
        if tie is None:
            self.version += 1
            tie = self._ties[key] = Tie()
            if self._columns is not None:
                self._columns.made(key, tie)
            self._friends.setdefault(a, set()).add(b)
            self._friends.setdefault(b, set()).add(a)
        return tie

    def set(self, a: int, b: int, tie: Tie) -> None:
        old = self.tie(a, b)
        if self._columns is not None:
            self._columns.replace(old, tie, _key(a, b))
        self._ties[_key(a, b)] = tie
        self.version += 1

    def known_by(self, person: int) -> ReadOnlySet[int]:
        return self._friends.get(person, set())

    def closest(self, person: int, count: int) -> list[int]:
        """The people ``person`` likes most, best first, ties broken by id."""
        others = self._friends.get(person, ())
        ranked = sorted(others, key=lambda o: (-self._ties[_key(person, o)].affinity, o))
        return ranked[:count]

    def items(self) -> Iterator[tuple[tuple[int, int], Tie]]:
        return iter(sorted(self._ties.items()))

    def meet(self, a: int, b: int, tick: int, warmth: float) -> Tie:
        """A conversation happened; ``warmth`` in [-1, 1] says how it went."""
        tie = self.tie(a, b)
        tie.familiarity = min(1.0, tie.familiarity + 0.08 * (1.0 - tie.familiarity) + 0.02)
        tie.affinity = max(-1.0, min(1.0, tie.affinity + 0.12 * warmth))
        # Trust is slow: built by many warm meetings, lost faster by cold ones.
        tie.trust = max(-1.0, min(1.0, tie.trust + (0.04 * warmth * (1.0 - tie.trust) if warmth > 0 else 0.08 * warmth)))
        tie.meetings += 1
        tie.last_tick = tick
        self.version += 1
        return tie

    def note(self, a: int, b: int, tick: int, text: str) -> None:
        """A line of the pair's history ("talked at the cafe: ...")."""
        key = _key(a, b)
        notes = self._notes.get(key)
        self._note_columns.noted(key[0], key[1], notes is None)
        if notes is None:
            tie = self._ties.get(key)
            if tie is not None and tie._pair == key:
                key = tie._pair  # the tie's own key, rather than another tuple for each of tens of thousands of pairs
            self._notes[key] = (tick, text)
            return
        count = len(notes) // 2
        kept = max(0, count + 1 - NOTES_KEPT)  # the oldest lines go when the pair's history is full
        self._notes[key] = (*notes[kept:count], tick, *notes[count + kept:], text)

    def history(self, a: int, b: int) -> list[tuple[int, str]]:
        """The pair's recent history, newest first."""
        notes = self._notes.get(_key(a, b), ())
        count = len(notes) // 2
        return list(zip(reversed(notes[:count]), reversed(notes[count:]), strict=True))

    def remove_person(self, person: int) -> None:
        self.version += 1
        self._columns = None  # rows shift: built afresh at the next checkpoint
        for other in self._friends.pop(person, set()):
            self._ties.pop(_key(person, other), None)
            self._notes.pop(_key(person, other), None)
            self._friends.get(other, set()).discard(person)
        self._note_columns = NoteColumns()  # built afresh from the histories that are left
        for first, second in sorted(self._notes):
            self._note_columns.noted(first, second, True)

    def get_state(self) -> dict[str, object]:
        """Columns (numpy arrays) rather than a row per tie: a checkpoint every 30 sim minutes packs them,
        and a town's ties only grow, so the cost per tie must be C's, not Python's."""
        return {**self._tie_pieces(), **self._note_columns.columns(self._notes)}

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every tie in pair order, as the checkpoint holds them: pairs (m, 2), reals (m, 3: affinity,
        familiarity, trust), counts (m, 4: meetings, last tick, family, shared). Joined from the checkpoint's
        blocks, so only the ties changed since the last call or checkpoint are read in Python (a reader's
        table of 60,000 ties took ~260 ms a tie at a time, with the GIL held)."""
        pieces = self._tie_pieces()
        return joined(pieces["pairs"]), joined(pieces["reals"]), joined(pieces["counts"])

    def _tie_pieces(self) -> dict[str, Pieces]:
        if self._columns is None:
            self._columns = _TieBlocks(self._ties)
        return self._columns.columns(self._ties)

    def set_state(self, state: dict[str, Any] | list[list[float | int | bool]]) -> None:
        """Restore; also reads the older forms (a row per tie; before that no trust and no history)."""
        self._ties.clear()
        self._columns = None
        self._friends.clear()
        self._notes.clear()
        self._note_columns = NoteColumns()
        if isinstance(state, dict) and "pairs" in state:
            self._set_columns(state)
            return
        rows = state["ties"] if isinstance(state, dict) else state
        for row in rows:
            a, b, affinity, familiarity, meetings, last_tick, family, *more = row
            trust, shared = (float(more[0]), int(more[1])) if more else (0.0, 0)
            self.set(int(a), int(b), Tie(float(affinity), float(familiarity), int(meetings), int(last_tick),
                                         bool(family), trust, shared))
        if isinstance(state, dict):
            for a, b, notes in state["notes"]:
                self._put_notes((int(a), int(b)), [int(t) for t, _x in notes], [str(x) for _t, x in notes])

    def _set_columns(self, state: dict[str, Any]) -> None:
        pairs, reals, counts = (np.asarray(joined(state[k])) for k in ("pairs", "reals", "counts"))
        note_pairs, lengths, ticks = (np.asarray(joined(state[k])) for k in ("note_pairs", "note_lengths", "note_ticks"))
        texts = joined(state["note_texts"])
        n, m = len(pairs), len(note_pairs)
        if (pairs.shape != (n, 2) or reals.shape != (n, 3) or counts.shape != (n, 4) or note_pairs.shape != (m, 2)
                or lengths.shape != (m,) or not isinstance(texts, list) or not int(lengths.sum()) == len(ticks) == len(texts)
                or (lengths < 0).any()):
            raise ValueError("the saved ties are damaged (their columns do not match)")
        self.restore((a, b, affinity, familiarity, meetings, last_tick, bool(family), trust, shared)
                     for (a, b), (affinity, familiarity, trust), (meetings, last_tick, family, shared)
                     in zip(pairs.tolist(), reals.tolist(), counts.tolist(), strict=True))
        start = 0
        tick_list = ticks.tolist()
        # The same line said to many ("Morning! I'm Sam.") is one string again, as a third of a long run's are.
        same: dict[str, str] = {}
        texts = [same.setdefault(str(x), str(x)) for x in texts]
        for (a, b), length in zip(note_pairs.tolist(), lengths.tolist(), strict=True):
            self._put_notes((a, b), tick_list[start:start + length], texts[start:start + length])
            start += length

    def restore(self, rows: Iterable[tuple[int, int, float, float, int, int, bool, float, int]]) -> None:
        """Ties read back, each ``(a, b, affinity, familiarity, meetings, last_tick, family, trust, shared)``, as
        ``set`` would make them one by one, but without a tie made and replaced for each of tens of thousands of
        pairs, nor a change noted for each field (a quarter of restoring a month-old town's ties and notes).
        Not yet in any checkpoint's columns (a restored table's are built afresh by its next checkpoint)."""
        if self._columns is not None:
            for a, b, affinity, familiarity, meetings, last_tick, family, trust, shared in rows:
                self.set(a, b, Tie(affinity, familiarity, meetings, last_tick, family, trust, shared))
            return
        ties, friends, made = self._ties, self._friends, Tie.__new__
        count = 0
        for row in rows:
            a, b = row[0], row[1]
            key = _key(a, b)
            if key not in ties:
                friends.setdefault(a, set()).add(b)
                friends.setdefault(b, set()).add(a)
            tie = ties[key] = made(Tie)
            tie.__setstate__(row[2:])
            count += 1
        self.version += 2 * count  # as many bumps as ``set`` makes

    def _put_notes(self, key: tuple[int, int], ticks: list[int], texts: list[str]) -> None:
        self._note_columns.noted(key[0], key[1], key not in self._notes)
        self._notes[key] = (*ticks, *texts)

    def density(self, population: int, min_familiarity: float = 0.1) -> float:
        """Share of all possible pairs who at least know each other."""
        if population < 2:
            return 0.0
        known = sum(1 for t in self._ties.values() if t.familiarity >= min_familiarity)
        return known / (population * (population - 1) / 2)
