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

import msgpack
import numpy as np

# A parted state's container: the magic, then [skeleton, [stored piece, ...], [piece digest, ...]]
# (``engine.sim.state_codec`` makes and reads its contents; the checkpoint file stores each piece once).
PARTED_MAGIC = b"TFPARTS1"  # never the start of a zstd frame (28 b5 2f fd)
Parted = tuple[bytes, list[bytes], list[bytes]]


class Pieces:
    """A column as pieces in order (read-only arrays, or tuples of values); ``empty`` stands for no pieces.

    With ``column``, each piece is a block of several columns (a tuple) and this column is its
    ``column``-th: the columns of one table share their blocks, so a block is packed once for all.
    ``apart``: the column is the list of the parts, not their concatenation.
    """

    __slots__ = ("apart", "column", "empty", "pieces")

    def __init__(self, pieces: list[Any], empty: np.ndarray | list[Any], column: int | None = None,
                 apart: bool = False):
        self.pieces = pieces
        self.empty = empty
        self.column = column
        self.apart = apart

    def joined(self) -> np.ndarray | list[Any]:
        parts = self.pieces if self.column is None else [piece[self.column] for piece in self.pieces]
        if self.apart:
            return parts
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


def join_parted(skeleton: bytes, stored: list[bytes], digests: list[bytes]) -> bytes:
    return PARTED_MAGIC + msgpack.packb([skeleton, stored, digests], use_bin_type=True)


def as_parted(state: bytes | Parted) -> Parted | None:
    """A state handed over in parts as it is; bytes split when they are a parted state (None: another form)."""
    return state if isinstance(state, tuple) else split_parted(state)


def as_bytes(state: bytes | Parted) -> bytes:
    return join_parted(*state) if isinstance(state, tuple) else state


def stored_size(state: bytes | Parted) -> int:
    """The length of ``as_bytes(state)``, without joining the parts (a checkpoint's few MB copied for a number)."""
    if not isinstance(state, tuple):
        return len(state)
    skeleton, stored, digests = state
    return parted_size(len(skeleton), list(map(len, stored)), list(map(len, digests)))


def parted_size(skeleton: int, stored: list[int], digests: list[int]) -> int:
    """The bytes of a joined parted state whose skeleton, pieces and digests are this long."""
    return (len(PARTED_MAGIC) + 1 + _bin_size(skeleton) + 2 * _array_header(len(stored))
            + _bins_size(stored) + _bins_size(digests))


def _bin_size(length: int) -> int:
    """msgpack's bytes of a bin of ``length`` bytes: a header of 2, 3 or 5, then the bytes."""
    return length + (2 if length < 2**8 else 3 if length < 2**16 else 5)


def _bins_size(lengths: list[int]) -> int:
    """``sum(map(_bin_size, lengths))`` in C: a month-old town's checkpoint has thousands of pieces."""
    counted = np.fromiter(lengths, dtype=np.int64, count=len(lengths))
    return int(counted.sum() + 2 * len(lengths) + np.count_nonzero(counted >= 2**8) + 2 * np.count_nonzero(counted >= 2**16))


def _array_header(count: int) -> int:
    return 1 if count < 16 else 3 if count < 2**16 else 5


def split_parted(blob: bytes) -> Parted | None:
    """(skeleton, stored pieces, their digests) of a parted state; None for another form; ValueError if damaged."""
    if blob[:len(PARTED_MAGIC)] != PARTED_MAGIC:
        return None
    try:
        skeleton, stored, digests = msgpack.unpackb(memoryview(blob)[len(PARTED_MAGIC):], raw=False, use_list=True)
    except (msgpack.UnpackException, ValueError, TypeError) as exc:
        raise ValueError(f"the saved engine state is damaged ({type(exc).__name__})") from None
    if (not isinstance(skeleton, bytes) or not isinstance(stored, list) or not isinstance(digests, list)
            or len(stored) != len(digests) or not all(isinstance(x, bytes) for x in chain(stored, digests))):
        raise ValueError("the saved engine state is damaged (not a parted state)")
    return skeleton, stored, digests
