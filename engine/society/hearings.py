"""Who has heard one fact of word of mouth, when, and from whom.

A fact reaches a few dozen people of a town of thousands (at 10,000 people, a day after it
started, half the facts had reached six people or fewer). Held as two columns over the whole town
(the tick each person heard it, and from whom) every fact cost 12 bytes a person, ~95% of them
saying "not heard": ~120 KB a fact at 10,000 people, 1.2 MB at 100,000, and a town makes a
few dozen facts a day and keeps them all. Here a fact that is spreading holds a row of three
int32 (person, tick, teller; teller -1: nobody told them, they started it) per knower, in an
array that doubles as it fills.

A checkpoint takes the fact as its *piece*: its knowers by person (people, ticks, tellers)
while fewer than three in four know it, else the two columns over the town (then the smaller,
and they compress better: in a small town most facts reach nearly everyone). The piece is
kept, read-only, in place of the rows until someone else hears the fact: most facts have gone
stale, and a stale fact is then held once, as its checkpoints hold it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.state.pieces import frozen

PERSON, TICK, TELLER = range(3)
KNOWER_BYTES, COLUMN_BYTES = 16, 12  # a knower's bytes in the first form of a piece, a person's in the second
FIRST_ROWS = 4  # a new fact's room: its starter and the first few they tell
INT32 = np.iinfo(np.int32)
# (people, ticks, tellers) by person, or (heard tick, teller) over the whole town (-1: not heard); read-only
Piece = tuple[np.ndarray, ...]


class Hearings:
    __slots__ = ("_count", "_lookup", "_piece", "_rows")

    def __init__(self) -> None:
        self._rows: np.ndarray | None = np.empty((FIRST_ROWS, 3), dtype=np.int32)  # None: the piece holds them
        self._count = 0
        self._piece: Piece | None = None
        # Who told whom, until the next hearing or checkpoint: an election asks who told each voter of each
        # campaign, thousands of questions with nobody hearing anything in between.
        self._lookup: dict[int, int] | None = None

    @classmethod
    def of(cls, people: Any, ticks: Any, tellers: Any, town: int) -> Hearings:
        """From a saved piece's knowers, dropping people beyond a town of ``town`` (it may have been smaller)."""
        columns = [np.asarray(column, dtype=np.int64) for column in (people, ticks, tellers)]
        if not all(column.ndim == 1 for column in columns) or len({len(column) for column in columns}) != 1:
            raise ValueError("the saved word of mouth is damaged (a fact's knowers do not line up)")
        if (columns[PERSON] < 0).any():
            raise ValueError("the saved word of mouth is damaged (a knower who is nobody)")
        if any(len(column) and (column.min() < INT32.min or column.max() > INT32.max) for column in columns):
            raise ValueError("the saved word of mouth is damaged (a tick or a person past any town's count)")
        inside = columns[PERSON] < town
        hearings = cls()
        rows = np.stack([column[inside] for column in columns], axis=1).astype(np.int32)
        hearings._rows = rows[np.argsort(rows[:, PERSON], kind="stable")] if len(rows) else hearings._rows
        hearings._count = len(rows)
        return hearings

    @classmethod
    def of_columns(cls, heard: Any, told: Any, town: int) -> Hearings:
        """From the two columns over the town a piece (or an older file) holds (a tick per person, -1: not heard)."""
        heard, told = (_sized(np.asarray(column, dtype=np.int64), town) for column in (heard, told))
        people = np.flatnonzero(heard >= 0)
        return cls.of(people, heard[people], told[people], town)

    def __len__(self) -> int:
        return self._count

    @property
    def nbytes(self) -> int:
        """The bytes held for the fact's knowers (rows, or the piece that stands in for them)."""
        return sum(array.nbytes for array in (self._piece or ())) + (0 if self._rows is None else self._rows.nbytes)

    def add(self, person: int, tick: int, teller: int) -> None:
        """``person``, who had not heard it, heard it at ``tick`` from ``teller``."""
        rows = self._own_rows()
        if self._count == len(rows):
            rows = self._rows = np.concatenate([rows, np.empty_like(rows)])
        rows[self._count] = (person, tick, teller)
        self._count += 1
        self._lookup = None

    def clear(self) -> None:
        self._rows, self._count, self._piece, self._lookup = np.empty((FIRST_ROWS, 3), dtype=np.int32), 0, None, None

    def piece(self, town: int) -> Piece:
        """The fact's piece of a checkpoint in a town of ``town`` people: the same arrays until someone else
        hears it (or the town grows, for columns over it)."""
        self._lookup = None  # held until the next checkpoint at most: most facts are never asked about again
        piece = self._piece
        if piece is not None and (len(piece) == 3 or len(piece[0]) == town):
            return piece
        people, ticks, tellers = self._knowers()
        if len(people) * KNOWER_BYTES < town * COLUMN_BYTES:
            order = np.argsort(people, kind="stable")
            piece = (frozen(people[order]), frozen(ticks[order].astype(np.int64)), frozen(tellers[order]))
        else:
            heard, told = np.full(town, -1, dtype=np.int64), np.full(town, -1, dtype=np.int32)
            heard[people], told[people] = ticks, tellers
            piece = (frozen(heard), frozen(told))
        self._piece, self._rows = piece, None
        return piece

    def people(self) -> np.ndarray:
        """Everyone who heard it (in no particular order)."""
        return self._knowers()[PERSON]

    def teller_of(self, person: int) -> int:
        """Who told ``person`` (-1: nobody did, or they have not heard it)."""
        if self._rows is None and self._piece is not None and len(self._piece) == 2:
            told = self._piece[1]
            return int(told[person]) if 0 <= person < len(told) else -1
        if self._lookup is None:
            people, _ticks, tellers = self._knowers()
            self._lookup = dict(zip(people.tolist(), tellers.tolist(), strict=True))
        return self._lookup.get(person, -1)

    def in_order_heard(self) -> list[tuple[int, int, int]]:
        """(tick, person, teller) of every hearing, earliest first (the same tick: by person)."""
        people, ticks, tellers = self._knowers()
        order = np.lexsort((people, ticks))
        return list(zip(ticks[order].tolist(), people[order].tolist(), tellers[order].tolist(), strict=True))

    def _knowers(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(people, ticks, tellers) in whatever order they are held."""
        if self._rows is not None:
            rows = self._rows[: self._count]
            return rows[:, PERSON], rows[:, TICK], rows[:, TELLER]
        assert self._piece is not None  # one of the two is always held
        if len(self._piece) == 3:
            return self._piece[0], self._piece[1], self._piece[2]
        heard, told = self._piece
        people = np.flatnonzero(heard >= 0)
        return people, heard[people], told[people]

    def _own_rows(self) -> np.ndarray:
        """The rows, made again from the piece when only it is held (the piece stays as checkpoints took it)."""
        if self._rows is None:
            people, ticks, tellers = self._knowers()
            self._rows = np.empty((max(FIRST_ROWS, 2 * self._count), 3), dtype=np.int32)
            self._rows[: self._count] = np.stack([people, ticks, tellers], axis=1)
            self._piece = None
        return self._rows


def _sized(column: np.ndarray, town: int) -> np.ndarray:
    """A column over a town of ``town``: cut, or padded with "not heard" for people who came after it was saved."""
    if len(column) >= town:
        return column[:town]
    return np.concatenate([column, np.full(town - len(column), -1, dtype=column.dtype)])
