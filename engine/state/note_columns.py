"""The pairs' histories as checkpoint columns, kept by blocks so a checkpoint redoes only what changed.

A checkpoint every 30 sim minutes packs every pair's last few lines, ordered by pair; joining them
all afresh each time made a checkpoint cost more every day as a town's ties grew. Here the pairs are
grouped by their first person (the lower id): a new line re-forms only that person's block. The
columns are handed out as pieces, a block each (``engine.state.pieces``; one tuple holds a block's four): a checkpoint packs,
compresses and hashes only the blocks it has not seen, and anything else reads them joined.

A block grows with its person's acquaintances (a few dozen pairs, a hundred lines and more after a
month), and a checkpoint re-forms dozens of blocks for one new line each: a block is re-formed by
splicing the pairs that changed into the last form's columns (slices copied in C), so its cost in
Python is that of the lines added, not of the block's.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from itertools import chain
from typing import Any

import numpy as np

from engine.state.pieces import Pieces, frozen

Notes = tuple[Any, ...]  # one pair's history: its ticks (int), then as many texts (str), oldest first
Block = tuple[np.ndarray, np.ndarray, np.ndarray, tuple[str, ...]]  # pairs, lengths, ticks, texts
SPLICE_SHARE = 4  # a block with at least 1/4 of its pairs changed is formed afresh (splicing would not pay)


class NoteColumns:
    def __init__(self) -> None:
        self._partners: dict[int, list[int]] = {}  # first person -> the others they have a history with, sorted
        self._blocks: dict[int, Block] = {}
        self._changed: dict[int, set[int]] = {}  # first person -> the others whose history with them changed
        self._joined: list[Block] | None = None  # the blocks in order, until the next change

    def noted(self, first: int, second: int, new_pair: bool) -> None:
        """A line was added to the pair's history (``new_pair``: their first)."""
        if new_pair:
            insort(self._partners.setdefault(first, []), second)
        changed = self._changed.get(first)
        if changed is None:
            changed = self._changed[first] = set()
        changed.add(second)
        self._joined = None

    def columns(self, notes: dict[tuple[int, int], Notes]) -> dict[str, Pieces]:
        """note_pairs, note_lengths, note_ticks, note_texts, ordered by pair."""
        if self._joined is None:
            blocks = self._blocks
            for first, seconds in self._changed.items():
                partners = self._partners[first]
                old = blocks.get(first)
                if old is None or len(seconds) * SPLICE_SHARE >= len(partners):
                    blocks[first] = block(first, partners, notes)
                else:
                    blocks[first] = spliced(old, first, partners, sorted(seconds), notes)
            self._changed.clear()
            self._joined = [blocks[first] for first in sorted(blocks)]
        joined = self._joined
        # The four columns share the blocks (a checkpoint packs a block once); the blocks are read-only.
        return {"note_pairs": Pieces(joined, np.zeros((0, 2), dtype=np.int64), 0),
                "note_lengths": Pieces(joined, np.zeros(0, dtype=np.int64), 1),
                "note_ticks": Pieces(joined, np.zeros(0, dtype=np.int64), 2),
                "note_texts": Pieces(joined, [], 3)}


def block(first: int, partners: list[int], notes: dict[tuple[int, int], Notes]) -> Block:
    """``first``'s block formed from every pair's history."""
    histories = [notes[(first, second)] for second in partners]
    counts = [len(history) // 2 for history in histories]
    lengths = np.array(counts, dtype=np.int64)
    ticks = np.fromiter(chain.from_iterable(h[:n] for h, n in zip(histories, counts, strict=True)), dtype=np.int64)
    texts = chain.from_iterable(h[n:] for h, n in zip(histories, counts, strict=True))
    return frozen(_pairs(first, partners)), frozen(lengths), frozen(ticks), tuple(texts)


def spliced(old: Block, first: int, partners: list[int], changed: list[int],
            notes: dict[tuple[int, int], Notes]) -> Block:
    """``first``'s block as ``block`` would form it, from its last form and the histories of the pairs in
    ``changed`` (sorted; new pairs among them): the rows between them are copied from ``old`` as slices."""
    old_pairs, old_lengths, old_ticks, old_texts = old
    old_seconds = old_pairs[:, 1].tolist()
    ends = np.cumsum(old_lengths).tolist()  # where each old row's lines end
    lengths: list[np.ndarray] = []
    ticks: list[np.ndarray] = []
    texts: list[tuple[str, ...]] = []
    row = at = 0  # the next old row to copy, and where its lines start
    for second in changed:
        stop = bisect_left(old_seconds, second, row)  # old rows before this pair
        until = ends[stop - 1] if stop else 0
        lengths.append(old_lengths[row:stop])
        ticks.append(old_ticks[at:until])
        texts.append(old_texts[at:until])
        history = notes[(first, second)]
        count = len(history) // 2
        lengths.append(np.array([count], dtype=np.int64))
        ticks.append(np.array(history[:count], dtype=np.int64))
        texts.append(history[count:])
        row = stop + 1 if stop < len(old_seconds) and old_seconds[stop] == second else stop
        at = ends[row - 1] if row else 0
    lengths.append(old_lengths[row:])
    ticks.append(old_ticks[at:])
    texts.append(old_texts[at:])
    pairs = old_pairs if len(partners) == len(old_seconds) else frozen(_pairs(first, partners))
    return (pairs, frozen(np.concatenate(lengths)), frozen(np.concatenate(ticks)),
            tuple(chain.from_iterable(texts)))


def _pairs(first: int, partners: list[int]) -> np.ndarray:
    pairs = np.empty((len(partners), 2), dtype=np.int64)
    pairs[:, 0] = first
    pairs[:, 1] = partners
    return pairs
