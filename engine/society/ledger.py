"""The town's books: every movement of money, append-only; balances follow from it.

Nothing ever sets a balance: money only moves by :meth:`Ledger.post`, which
writes a row and updates the running balances in the same step. ``verify``
recomputes every balance from the rows and the opening balances and says
whether they agree, so "balances are derived from transactions" is checked, not
assumed.

A row is five integers (tick, kind, payer, payee, amount). To keep checkpoints
small at city scale the books are *closed* now and then: rows older than the
window are folded into each account's opening balance, as an accountant carries
balances forward. The window (two sim days by default) is what the economy dock
pages through.

People's balances live in the population's ``money`` array (the walkers and the
rule brain read it every tick), so the ledger writes straight into it; other
accounts (businesses, treasuries, the world outside) live here.

In a state the window's rows are chunks of ``CHUNK_ROWS`` rows counted from the
first row ever posted (``engine.state.pieces``): rows are only appended, and
closing the books only drops old ones, so a chunk once full never changes and a
checkpoint packs and hashes only the open chunk (and the first after a closing),
however long the window.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from engine.contracts.society import BUILDING, OUTSIDE, PERSON, TRANSACTION_KINDS, TREASURY, Account
from engine.state.pieces import Pieces, frozen, joined

KIND_CODE = {kind: code for code, kind in enumerate(TRANSACTION_KINDS)}
_KIND_BASE = 1 << 32  # account code = kind * base + id: one int per account, ordered by kind then id
_ACCOUNT_KINDS = (PERSON, BUILDING, TREASURY, OUTSIDE)
OUTSIDE_CODE = 3 * _KIND_BASE
CHUNK_ROWS = 1024  # rows of a state's chunk (40 KB): the most a checkpoint repacks of the books


def person(pid: int) -> int:
    return pid


def building(bid: int) -> int:
    return _KIND_BASE + bid


def treasury(district: int) -> int:
    return 2 * _KIND_BASE + district


def account(code: int) -> Account:
    kind, ident = divmod(code, _KIND_BASE)
    return Account(_ACCOUNT_KINDS[kind], -1 if kind == 3 else ident)


class Ledger:
    def __init__(self, money: np.ndarray):
        self.money = money  # people's balances (the population's array): rebind after it is replaced
        self.balances: dict[int, int] = {}  # every other account
        self.opening: dict[int, int] = {}  # balances when the window began (people included)
        self.first = 0  # index (since the world began) of the first row kept
        self.window_start_tick = 0
        self._rows: list[tuple[int, int, int, int, int]] = []
        # Chunks handed out in states, by chunk number -> (first row, end row, the rows as a read-only array):
        # a chunk whose span is unchanged is the same object, so a checkpoint skips it (see the module's note).
        self._chunks: dict[int, tuple[int, int, np.ndarray]] = {}

    def open_books(self) -> None:
        """Start the books from the balances as they are (a new world, or one saved before the ledger)."""
        self.opening = {pid: int(c) for pid, c in enumerate(self.money.tolist()) if c}
        self.opening.update({code: cents for code, cents in self.balances.items() if cents})
        self._rows = []
        self._chunks = {}

    def __len__(self) -> int:
        """Rows ever posted (closed ones included)."""
        return self.first + len(self._rows)

    def bind(self, money: np.ndarray) -> None:
        self.money = money

    def balance(self, code: int) -> int:
        if code < _KIND_BASE:
            return int(self.money[code])
        return self.balances.get(code, 0)

    def post(self, tick: int, kind: str, payer: int, payee: int, amount: int) -> None:
        """Move ``amount`` cents from ``payer`` to ``payee`` (accounts may go below zero: debt)."""
        if amount <= 0 or payer == payee:
            return
        self._rows.append((tick, KIND_CODE[kind], payer, payee, amount))
        self._add(payer, -amount)
        self._add(payee, amount)

    def _add(self, code: int, cents: int) -> None:
        if code < _KIND_BASE:
            self.money[code] += cents
        else:
            self.balances[code] = self.balances.get(code, 0) + cents

    def opened(self, code: int, cents: int) -> None:
        """A new account that came with money (a newcomer's savings, already in their purse)."""
        if cents:
            self.opening[code] = self.opening.get(code, 0) + cents

    # -- reading ---------------------------------------------------------------------------

    def rows(self, newest_first: bool = True) -> Iterator[tuple[int, tuple[int, int, int, int, int]]]:
        """(index, row) pairs of the window."""
        indexed = enumerate(self._rows, start=self.first)
        return reversed(list(indexed)) if newest_first else indexed

    def touches(self, code: int) -> bool:
        """Whether any row in the window moved money to or from ``code``."""
        return any(payer == code or payee == code for _t, _k, payer, payee, _a in self._rows)

    def kind_of(self, row: tuple[int, int, int, int, int]) -> str:
        return TRANSACTION_KINDS[row[1]]

    def verify(self) -> list[str]:
        """Accounts whose balance is not opening + the rows since (empty: the books agree)."""
        expected = dict(self.opening)
        for _tick, _kind, payer, payee, amount in self._rows:
            expected[payer] = expected.get(payer, 0) - amount
            expected[payee] = expected.get(payee, 0) + amount
        actual = {code: cents for code, cents in self.balances.items() if cents}
        actual.update({pid: int(c) for pid, c in enumerate(self.money.tolist()) if c})
        problems = []
        for code in sorted(set(expected) | set(actual)):
            if expected.get(code, 0) != actual.get(code, 0):
                problems.append(f"{account(code)}: books say {expected.get(code, 0)}, balance {actual.get(code, 0)}")
        return problems

    # -- closing the books -----------------------------------------------------------------

    def close_books(self, keep_from_tick: int) -> None:
        """Fold rows older than ``keep_from_tick`` into the opening balances."""
        cut = 0
        while cut < len(self._rows) and self._rows[cut][0] < keep_from_tick:
            _tick, _kind, payer, payee, amount = self._rows[cut]
            self.opening[payer] = self.opening.get(payer, 0) - amount
            self.opening[payee] = self.opening.get(payee, 0) + amount
            cut += 1
        if cut:
            del self._rows[:cut]
            self.first += cut
        self.window_start_tick = keep_from_tick
        self.opening = {code: cents for code, cents in self.opening.items() if cents}

    # -- state -----------------------------------------------------------------------------

    def get_state(self) -> dict[str, object]:
        return {
            "first": self.first,
            "window_start_tick": self.window_start_tick,
            "rows": Pieces(self._row_chunks(), _NO_ROWS),
            "balances": sorted([code, cents] for code, cents in self.balances.items()),
            "opening": sorted([code, cents] for code, cents in self.opening.items()),
        }

    def _row_chunks(self) -> list[np.ndarray]:
        """The window's rows as chunks of the absolute rows [k * CHUNK_ROWS, (k + 1) * CHUNK_ROWS), cut to the
        window: the chunks depend only on the rows, never on when a state was last asked for."""
        end = len(self)
        numbers = range(self.first // CHUNK_ROWS, (end - 1) // CHUNK_ROWS + 1) if end > self.first else range(0)
        chunks, made = [], {}
        for number in numbers:
            start, stop = max(self.first, number * CHUNK_ROWS), min(end, (number + 1) * CHUNK_ROWS)
            known = self._chunks.get(number)
            if known is None or known[:2] != (start, stop):
                if known is not None and known[0] == start and known[1] < stop:
                    # The open chunk grew at its end: only the rows posted since are converted from Python.
                    rows = np.concatenate([known[2], self._array(known[1], stop)])
                else:
                    rows = self._array(start, stop)
                known = (start, stop, frozen(rows))
            made[number] = known
            chunks.append(known[2])
        self._chunks = made
        return chunks

    def _array(self, start: int, stop: int) -> np.ndarray:
        """Rows ``start`` to ``stop`` (counted since the world began) as an array."""
        return np.array(self._rows[start - self.first:stop - self.first], dtype=np.int64).reshape(-1, 5)

    def set_state(self, state: dict[str, Any]) -> None:
        self.first = int(state["first"])
        self.window_start_tick = int(state["window_start_tick"])
        rows = np.asarray(joined(state["rows"]), dtype=np.int64).reshape(-1, 5)  # a state of any age holds them whole
        self._chunks = {}
        self._rows = [(int(tick), int(kind), int(payer), int(payee), int(amount))
                      for tick, kind, payer, payee, amount in rows.tolist()]
        self.balances = {int(c): int(v) for c, v in state["balances"]}
        self.opening = {int(c): int(v) for c, v in state["opening"]}


_NO_ROWS = np.zeros((0, 5), dtype=np.int64)
