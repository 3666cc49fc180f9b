"""The pairs' histories as checkpoint columns, kept by blocks so a checkpoint redoes only what changed.

A checkpoint every 30 sim minutes packs every pair's last few lines, ordered by pair; joining them
all afresh each time made a checkpoint cost more every day as a town's ties grew. Here the pairs are
grouped by their first person (the lower id): a new line re-forms only that person's block, and a
checkpoint joins the blocks (numpy concatenation, C's work) into the same columns as before.
"""

from __future__ import annotations

from bisect import insort
from itertools import chain

import numpy as np

Notes = tuple[list[int], list[str]]  # (ticks, texts) of one pair, oldest first
Block = tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]  # pairs, lengths, ticks, texts


class NoteColumns:
    def __init__(self) -> None:
        self._partners: dict[int, list[int]] = {}  # first person -> the others they have a history with, sorted
        self._blocks: dict[int, Block] = {}
        self._changed: set[int] = set()
        self._joined: dict[str, object] | None = None

    def noted(self, first: int, second: int, new_pair: bool) -> None:
        """A line was added to the pair's history (``new_pair``: their first)."""
        if new_pair:
            insort(self._partners.setdefault(first, []), second)
        self._changed.add(first)
        self._joined = None

    def columns(self, notes: dict[tuple[int, int], Notes]) -> dict[str, object]:
        """note_pairs, note_lengths, note_ticks, note_texts, ordered by pair."""
        if self._joined is None:
            for first in self._changed:
                self._blocks[first] = _block(first, self._partners[first], notes)
            self._changed.clear()
            blocks = [self._blocks[first] for first in sorted(self._blocks)]
            if not blocks:
                self._joined = {"note_pairs": np.zeros((0, 2), dtype=np.int64),
                                "note_lengths": np.zeros(0, dtype=np.int64),
                                "note_ticks": np.zeros(0, dtype=np.int64), "note_texts": []}
            else:
                self._joined = {"note_pairs": np.concatenate([b[0] for b in blocks]),
                                "note_lengths": np.concatenate([b[1] for b in blocks]),
                                "note_ticks": np.concatenate([b[2] for b in blocks]),
                                "note_texts": list(chain.from_iterable(b[3] for b in blocks))}
            for array in self._joined.values():
                if isinstance(array, np.ndarray):
                    array.flags.writeable = False  # shared by every state handed out until the next change
        joined = self._joined
        # Fresh containers each time: a caller may keep the state it was handed while the town runs on.
        return {"note_pairs": joined["note_pairs"], "note_lengths": joined["note_lengths"],
                "note_ticks": joined["note_ticks"], "note_texts": list(joined["note_texts"])}  # type: ignore[call-overload]


def _block(first: int, partners: list[int], notes: dict[tuple[int, int], Notes]) -> Block:
    histories = [notes[(first, second)] for second in partners]
    pairs = np.array([(first, second) for second in partners], dtype=np.int64).reshape(len(partners), 2)
    lengths = np.fromiter((len(ticks) for ticks, _texts in histories), dtype=np.int64, count=len(histories))
    ticks = np.fromiter(chain.from_iterable(ticks for ticks, _texts in histories), dtype=np.int64)
    texts = list(chain.from_iterable(texts for _ticks, texts in histories))
    return pairs, lengths, ticks, texts
