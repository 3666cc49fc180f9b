"""The pairs' histories as checkpoint columns, kept by blocks so a checkpoint redoes only what changed.

A checkpoint every 30 sim minutes packs every pair's last few lines, ordered by pair; joining them
all afresh each time made a checkpoint cost more every day as a town's ties grew. Here the pairs are
grouped by their first person (the lower id): a new line re-forms only that person's block. The
columns are handed out as pieces, a block each (``engine.state.pieces``; one tuple holds a block's four): a checkpoint packs,
compresses and hashes only the blocks it has not seen, and anything else reads them joined.
"""

from __future__ import annotations

from bisect import insort
from itertools import chain

import numpy as np

from engine.state.pieces import Pieces, frozen

Notes = tuple[list[int], list[str]]  # (ticks, texts) of one pair, oldest first
Block = tuple[np.ndarray, np.ndarray, np.ndarray, tuple[str, ...]]  # pairs, lengths, ticks, texts


class NoteColumns:
    def __init__(self) -> None:
        self._partners: dict[int, list[int]] = {}  # first person -> the others they have a history with, sorted
        self._blocks: dict[int, Block] = {}
        self._changed: set[int] = set()
        self._joined: list[Block] | None = None  # the blocks in order, until the next change

    def noted(self, first: int, second: int, new_pair: bool) -> None:
        """A line was added to the pair's history (``new_pair``: their first)."""
        if new_pair:
            insort(self._partners.setdefault(first, []), second)
        self._changed.add(first)
        self._joined = None

    def columns(self, notes: dict[tuple[int, int], Notes]) -> dict[str, Pieces]:
        """note_pairs, note_lengths, note_ticks, note_texts, ordered by pair."""
        if self._joined is None:
            for first in self._changed:
                self._blocks[first] = _block(first, self._partners[first], notes)
            self._changed.clear()
            self._joined = [self._blocks[first] for first in sorted(self._blocks)]
        blocks = self._joined
        # The four columns share the blocks (a checkpoint packs a block once); the blocks are read-only.
        return {"note_pairs": Pieces(blocks, np.zeros((0, 2), dtype=np.int64), 0),
                "note_lengths": Pieces(blocks, np.zeros(0, dtype=np.int64), 1),
                "note_ticks": Pieces(blocks, np.zeros(0, dtype=np.int64), 2),
                "note_texts": Pieces(blocks, [], 3)}


def _block(first: int, partners: list[int], notes: dict[tuple[int, int], Notes]) -> Block:
    histories = [notes[(first, second)] for second in partners]
    pairs = np.array([(first, second) for second in partners], dtype=np.int64).reshape(len(partners), 2)
    lengths = np.fromiter((len(ticks) for ticks, _texts in histories), dtype=np.int64, count=len(histories))
    ticks = np.fromiter(chain.from_iterable(ticks for ticks, _texts in histories), dtype=np.int64)
    texts = chain.from_iterable(texts for _ticks, texts in histories)
    return frozen(pairs), frozen(lengths), frozen(ticks), tuple(texts)
