"""A column of engine state held as pieces its owner reuses until they change.

A checkpoint every 30 sim minutes encodes the whole state, and a town's state grows
with its age (pairs' histories, word of mouth). Most of it is the same from one
checkpoint to the next, so the owners that can tell hand out what did not change as
the very same objects: read-only numpy arrays that own their data, and tuples. A
checkpoint (``engine.sim.state_codec.PartedEncoder``) packs, compresses and hashes
only pieces it has not seen; everywhere else a ``Pieces`` is its joined column.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

import numpy as np


class Pieces:
    """A column as pieces in order (read-only arrays, or tuples of values); ``empty`` stands for no pieces.

    With ``column``, each piece is a block of several columns (a tuple) and this column is its
    ``column``-th: the columns of one table share their blocks, so a block is packed once for all.
    """

    __slots__ = ("column", "empty", "pieces")

    def __init__(self, pieces: list[Any], empty: np.ndarray | list[Any], column: int | None = None):
        self.pieces = pieces
        self.empty = empty
        self.column = column

    def joined(self) -> np.ndarray | list[Any]:
        parts = self.pieces if self.column is None else [piece[self.column] for piece in self.pieces]
        if not parts:
            return self.empty.copy() if isinstance(self.empty, np.ndarray) else list(self.empty)
        if isinstance(parts[0], np.ndarray):
            return np.concatenate(parts)
        return list(chain.from_iterable(parts))


def frozen(array: np.ndarray) -> np.ndarray:
    """``array`` made a piece: read-only (its owner makes a new one when it changes)."""
    if not array.flags.owndata:
        array = array.copy()
    array.flags.writeable = False
    return array


def is_piece(value: object) -> bool:
    """Whether ``value`` may be remembered by identity: it cannot change while it lives."""
    if isinstance(value, np.ndarray):
        return not value.flags.writeable and value.flags.owndata
    return isinstance(value, tuple)


def joined(value: Any) -> Any:
    """A column as a plain value (``Pieces`` joined, anything else as it is)."""
    return value.joined() if isinstance(value, Pieces) else value
