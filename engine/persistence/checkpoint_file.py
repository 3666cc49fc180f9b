"""Checkpoints' states on disk, not in memory: a long run holds an index of its checkpoints, not their states.

The states of checkpoints that came with a world file stay in that file and are read
back one at a time when a seek needs one. Those taken since the last save go to a
scratch SQLite file in the temp folder (its name carries this process's id, so one a
killed run left behind is swept by the next); a save copies every kept state into the
new world file, which then becomes where they are read from, and the scratch file
starts again empty. Memory holds only the few states read last (scrubbing the
timeline often comes back to the same checkpoint).

A parted state (``engine.state.pieces``) goes into the scratch file as its skeleton and
the digests of its pieces, each piece stored once however many checkpoints hold it: a
checkpoint every 30 sim minutes writes only what changed since the ones before (the
town's old ties, pairs' notes and stories are the same pieces), and a piece goes when
the last checkpoint holding it is dropped. Read back, the state is whole again.

A checkpoint handed over unfinished (``put_later``: packed and hashed on the engine
thread, its new pieces not yet compressed) is compressed and written by this file's
writer thread, so the engine goes on with its next tick meanwhile; whoever reads or
drops states first waits for it (``settle``), and a second waits for the first.
"""

from __future__ import annotations

import sqlite3
import tempfile
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing, contextmanager
from pathlib import Path

import msgpack

from engine.persistence import leftovers
from engine.persistence.errors import WorldFileError
from engine.state.pieces import Parted, as_bytes, as_parted, join_parted, stored_size
from engine.state.timeline import Checkpoint, CheckpointStates, Unfinished

CACHED_STATES = 4
_BY_DIGESTS = b"TFDIGEST"  # a scratch row: [skeleton, [piece digest, ...]]; the pieces are in ``piece``
_READ_AT_ONCE = 500  # digests in one query (SQLite's limit on a statement's variables)


class CheckpointFile:
    """``CheckpointStates`` kept in the world file (``source``) and a scratch file, with a small cache."""

    def __init__(self, source: Path | None = None, in_source: Mapping[int, str] | None = None,
                 cache_size: int = CACHED_STATES):
        self.source = source  # the world file the states of ``in_source`` are read from
        self.in_source = dict(in_source or {})  # checkpoint id -> its state hash (so a foreign file is noticed)
        self.cache_size = cache_size
        self.spill: Path | None = None
        self._conn: sqlite3.Connection | None = None
        self._in_spill: set[int] = set()
        self._held_by: dict[bytes, int] = {}  # piece digest -> how many checkpoints hold it
        # piece digest -> its row in the scratch file. Rows are numbered here, in order, so a checkpoint's
        # new pieces are appended to the table rather than placed among the others by digest (an index kept
        # on random digests was most of a checkpoint's writing).
        self._row_of: dict[bytes, int] = {}
        self._rows_made = 0
        self._cache: OrderedDict[int, bytes] = OrderedDict()
        self._lock = threading.Lock()  # the engine thread takes checkpoints; a save may run from another
        self._finalizer: weakref.finalize | None = None
        self._writer: ThreadPoolExecutor | None = None
        self._pending: Future[None] | None = None  # the state ``put_later`` is writing...
        self._pending_id = -1  # ...for this checkpoint

    @classmethod
    def opened(cls, path: Path, checkpoints: Iterable[Checkpoint]) -> CheckpointFile:
        return cls(path, {c.id: c.state_hash for c in checkpoints})

    @classmethod
    def taking_over(cls, held: CheckpointStates, checkpoints: Iterable[Checkpoint]) -> CheckpointFile:
        """The states ``held`` (in memory) has, moved to disk."""
        moved = cls()
        for c in checkpoints:
            moved.put(c.id, held.get(c.id, keep=False))
        held.drop(c.id for c in checkpoints)
        return moved

    # -- CheckpointStates --------------------------------------------------------------------

    def put(self, checkpoint_id: int, state: bytes | Parted) -> None:
        self.settle()  # in the order they were handed over
        self._put(checkpoint_id, state)

    def put_later(self, checkpoint_id: int, state: Unfinished, stored: Callable[[int], None]) -> None:
        self.settle()
        if self._writer is None:
            self._writer = ThreadPoolExecutor(1, thread_name_prefix="townsfolk-checkpoints")
        self._pending_id = checkpoint_id
        self._pending = self._writer.submit(self._finish, checkpoint_id, state, stored)

    def _finish(self, checkpoint_id: int, state: Unfinished, stored: Callable[[int], None]) -> None:
        parted = state.finish()
        self._put(checkpoint_id, parted)
        stored(stored_size(parted))

    def settle(self) -> None:
        pending = self._pending
        if pending is None:
            return
        try:
            pending.result()
        finally:
            if self._pending is pending:
                self._pending = None

    def _put(self, checkpoint_id: int, state: bytes | Parted) -> None:
        with self._lock, _transaction(self._spill()) as conn:
            if checkpoint_id in self._in_spill:
                self._release(conn, [checkpoint_id])
            parted = as_parted(state)
            if parted is None:  # a state in another form (as it is)
                row = as_bytes(state)
            else:
                skeleton, stored, digests = parted
                held_by, row_of = self._held_by, self._row_of
                new = {d: s for d, s in zip(digests, stored, strict=True) if d not in held_by}
                numbers = range(self._rows_made + 1, self._rows_made + 1 + len(new))
                self._rows_made += len(new)
                row_of.update(zip(new, numbers, strict=True))
                _insert_pieces(conn, list(zip(numbers, new.values(), strict=True)))
                for digest in digests:
                    held_by[digest] = held_by.get(digest, 0) + 1
                row = _BY_DIGESTS + msgpack.packb([skeleton, digests], use_bin_type=True)
            conn.execute("INSERT OR REPLACE INTO state (id, data) VALUES (?, ?)", (checkpoint_id, row))
            self._in_spill.add(checkpoint_id)
            self._cache.pop(checkpoint_id, None)

    def get(self, checkpoint_id: int, keep: bool = True) -> bytes:
        self.settle()
        with self._lock:
            state = self._cache.get(checkpoint_id)
            if state is not None:
                self._cache.move_to_end(checkpoint_id)
                return state
            state = self._read(checkpoint_id)
            if not keep:
                return state
            self._cache[checkpoint_id] = state
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
            return state

    def drop(self, checkpoint_ids: Iterable[int]) -> None:
        gone = list(checkpoint_ids)
        if self._pending_id in gone:  # being written: let it be, then drop it (others need not wait for it)
            self.settle()
        with self._lock:
            for checkpoint_id in gone:
                self._cache.pop(checkpoint_id, None)
                self.in_source.pop(checkpoint_id, None)
            spilled = [i for i in gone if i in self._in_spill]
            if spilled and self._conn is not None:
                with _transaction(self._conn) as conn:
                    self._release(conn, spilled)
                    conn.executemany("DELETE FROM state WHERE id = ?", [(i,) for i in spilled])
                self._in_spill.difference_update(spilled)

    def held_bytes(self) -> int:
        self.settle()
        return sum(map(len, self._cache.values()))

    def saved_to(self, path: Path, checkpoints: Iterable[Checkpoint]) -> None:
        """Every state is now in the world file at ``path``: read them from there, and empty the scratch file."""
        self.settle()
        with self._lock:
            self.source = path
            self.in_source = {c.id: c.state_hash for c in checkpoints}
            self._in_spill.clear()
            self._close_spill()

    def _release(self, conn: sqlite3.Connection, checkpoint_ids: list[int]) -> None:
        """The pieces only these checkpoints held leave the scratch file. Which pieces a state holds is read
        back from its row (tens of thousands of digests a checkpoint at 10,000 people are not kept in memory)."""
        gone: list[int] = []
        for checkpoint_id in checkpoint_ids:
            for digest in self._digests_in(conn, checkpoint_id):
                left = self._held_by[digest] - 1
                if left:
                    self._held_by[digest] = left
                else:
                    del self._held_by[digest]
                    gone.append(self._row_of.pop(digest))
        _delete_pieces(conn, gone)

    @staticmethod
    def _digests_in(conn: sqlite3.Connection, checkpoint_id: int) -> list[bytes]:
        row = conn.execute("SELECT data FROM state WHERE id = ?", (checkpoint_id,)).fetchone()
        if row is None or bytes(row[0][:len(_BY_DIGESTS)]) != _BY_DIGESTS:
            return []  # a state in another form holds no pieces
        _skeleton, digests = msgpack.unpackb(memoryview(row[0])[len(_BY_DIGESTS):], raw=False)
        return list(digests)

    def close(self) -> None:
        self.settle()
        if self._writer is not None:
            self._writer.shutdown()
            self._writer = None
        with self._lock:
            self._close_spill()

    # -- where the states are ----------------------------------------------------------------

    def _read(self, checkpoint_id: int) -> bytes:
        if checkpoint_id in self._in_spill:
            assert self._conn is not None
            row = self._conn.execute("SELECT data FROM state WHERE id = ?", (checkpoint_id,)).fetchone()
            if row is None:
                raise KeyError(checkpoint_id)
            data = bytes(row[0])
            return self._whole(data) if data.startswith(_BY_DIGESTS) else data
        expected = self.in_source.get(checkpoint_id)
        if expected is None or self.source is None:
            raise KeyError(checkpoint_id)
        try:  # closed here: ``with`` on a connection only ends its transaction, and an unclosed one lived on
            # with its page cache until a garbage collection (a save reads every state: ~60 MB at day 20)
            with closing(sqlite3.connect(f"file:{self.source}?mode=ro", uri=True)) as conn:
                row = conn.execute("SELECT state FROM checkpoint WHERE id = ? AND state_hash = ?",
                                   (checkpoint_id, expected)).fetchone()
        except sqlite3.Error as exc:
            raise WorldFileError(self.source, f"cannot read checkpoint {checkpoint_id} ({exc})") from exc
        if row is None:
            raise WorldFileError(self.source, f"checkpoint {checkpoint_id} is no longer in the file (was it replaced "
                                              "by another world since it was opened?)")
        return bytes(row[0])

    def _whole(self, row: bytes) -> bytes:
        """A parted state from its scratch row and its pieces."""
        assert self._conn is not None
        skeleton, digests = msgpack.unpackb(memoryview(row)[len(_BY_DIGESTS):], raw=False)
        rows = [self._row_of[d] for d in digests]
        found: dict[int, bytes] = {}
        for start in range(0, len(rows), _READ_AT_ONCE):
            batch = rows[start:start + _READ_AT_ONCE]
            found.update(self._conn.execute(f"SELECT id, data FROM piece WHERE id IN ({','.join('?' * len(batch))})",
                                            batch).fetchall())
        return join_parted(skeleton, [found[r] for r in rows], digests)

    def _spill(self) -> sqlite3.Connection:
        if self._conn is None:
            leftovers.sweep_scratch()  # killed runs' scratch files, checkpoints' included
            self.spill = Path(tempfile.gettempdir()) / leftovers.owned_name(leftovers.CHECKPOINTS_PREFIX.rstrip("-"), ".db")
            leftovers.hold(self.spill.name)
            conn = sqlite3.connect(self.spill, check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA journal_mode = OFF")  # scratch: nobody reads it after this process
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute("CREATE TABLE state (id INTEGER PRIMARY KEY, data BLOB NOT NULL)")
            conn.execute("CREATE TABLE piece (id INTEGER PRIMARY KEY, data BLOB NOT NULL)")
            self._conn = conn
            self._finalizer = weakref.finalize(self, _remove_spill, conn, self.spill)
        return self._conn

    def _close_spill(self) -> None:
        if self._finalizer is not None:
            self._finalizer()
        self._finalizer = None
        self._conn = None
        self.spill = None
        self._held_by.clear()
        self._row_of.clear()
        self._rows_made = 0


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One transaction for a checkpoint's rows. The scratch connection commits each statement on its own
    otherwise, and a checkpoint's few hundred new pieces were as many transactions: most of the writer
    thread's time (each locks, writes and syncs the file's header anew)."""
    conn.execute("BEGIN")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


# sqlite3 lets the GIL go around every step of a statement, and ``executemany`` steps once a row: the
# ~700 new pieces of a checkpoint at 10,000 people handed the GIL to the engine thread and waited for it
# back as many times, on the writer thread. A statement of many rows is one step.
def _insert_pieces(conn: sqlite3.Connection, rows: list[tuple[int, bytes]]) -> None:
    """Insert (row id, stored piece) rows, a few hundred to a statement."""
    per = _READ_AT_ONCE // 2  # two variables a row
    for start in range(0, len(rows), per):
        batch = rows[start:start + per]
        conn.execute(f"INSERT INTO piece (id, data) VALUES {', '.join(['(?, ?)'] * len(batch))}",
                     [value for row in batch for value in row])


def _delete_pieces(conn: sqlite3.Connection, ids: list[int]) -> None:
    """Delete the pieces of these row ids, a few hundred to a statement."""
    for start in range(0, len(ids), _READ_AT_ONCE):
        batch = ids[start:start + _READ_AT_ONCE]
        conn.execute(f"DELETE FROM piece WHERE id IN ({','.join('?' * len(batch))})", batch)


def _remove_spill(conn: sqlite3.Connection, path: Path) -> None:
    conn.close()
    leftovers.release(path.name)
    leftovers.remove(path)
