"""Engine state <-> bytes: msgpack with numpy arrays, zstd-compressed.

Two forms. ``encode`` packs the state as one msgpack value and compresses it (a
world file's state). A checkpoint is *parted* (``PartedEncoder``): the state's
pieces (``engine.state.pieces``: read-only arrays and tuples its owners reuse while
they do not change) are packed and compressed one by one, and a skeleton holds the
rest with references to them, so a checkpoint redoes only the pieces it has not
seen. ``decode`` reads both.

The state hash is a digest of the parted form: of the skeleton, then of each
piece's own digest in order. It depends only on the state (never on what an
encoder has seen), and a checkpoint rehashes only new pieces.
"""

from __future__ import annotations

import hashlib
from typing import Any

import msgpack
import numpy as np
import zstandard

from engine.state.pieces import PARTED_MAGIC, Parted, Pieces, is_piece, join_parted, parted_size, split_parted
from engine.untrusted.limits import MAX_BLOB_BYTES, TooBig
from engine.untrusted.readers import decompress_zstd

_ARRAY = 1  # msgpack ext type code
_BIGINT = 2  # ints beyond 64 bits (numpy's PCG64 state)
_PIECE = 3  # parted form: piece number N
_JOINED = 4  # parted form: a column joined from pieces [numbers], or its empty value
_RAW, _ZSTD = b"\x00", b"\x01"  # how a parted form's piece is stored
SMALL_PIECE = 64  # packed bytes below which a piece is stored as it is (compressing it would not pay)
COMPRESSION_LEVEL = 1


def _default(value: Any) -> Any:
    if isinstance(value, Pieces):  # the plain form holds it joined
        value = value.joined()
        if not isinstance(value, np.ndarray):
            return value
    if isinstance(value, np.ndarray):
        array = np.ascontiguousarray(value)
        header = msgpack.packb([array.dtype.str, list(array.shape)])
        return msgpack.ExtType(_ARRAY, header + array.tobytes())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, int):
        return msgpack.ExtType(_BIGINT, str(value).encode())
    raise TypeError(f"cannot encode {type(value).__name__} in engine state")


def _ext_hook(code: int, data: bytes) -> Any:
    if code == _ARRAY:
        unpacker = msgpack.Unpacker(raw=False)
        unpacker.feed(data)
        dtype, shape = unpacker.unpack()
        offset = unpacker.tell()
        return np.frombuffer(data, dtype=np.dtype(dtype), offset=offset).reshape(shape).copy()
    if code == _BIGINT:
        return int(data.decode())
    return msgpack.ExtType(code, data)


def pack(state: dict[str, Any]) -> bytes:
    # An int beyond 64 bits reaches ``default`` when msgpack overflows, so the state is packed as it
    # is, without a Python walk over every value first (that walk grew with the ties and cost most of
    # a checkpoint in a long run).
    return msgpack.packb(state, default=_default, use_bin_type=True)


def compress(packed: bytes) -> bytes:
    # python-zstandard hands back bytes still holding the whole worst-case buffer (about the packed
    # size); a checkpoint kept for days must hold only its compressed bytes, so they are copied out.
    # Level 1: a checkpoint every 30 sim minutes compresses the whole state, and on these states level 1
    # is about 40% faster than 3 for the same size (measured: 896 KB against 900 KB for a 1,000-person town's
    # eighth day). The level changes the bytes on disk, never the state hash (a digest of the packed state).
    return bytes(memoryview(zstandard.ZstdCompressor(level=COMPRESSION_LEVEL).compress(packed)))


def encode(state: dict[str, Any]) -> bytes:
    return compress(pack(state))


def decode(blob: bytes) -> dict[str, Any]:
    """The state in ``blob``; ValueError when it is damaged, too large or not a state at all (it may come
    from a shared world file)."""
    if blob[:len(PARTED_MAGIC)] == PARTED_MAGIC:
        state = _decode_parted(blob)
    else:
        raw = decompress_zstd(blob, MAX_BLOB_BYTES, "the saved engine state")
        try:
            state = _unpack(raw, _ext_hook)
        except (msgpack.UnpackException, ValueError, TypeError, RecursionError) as exc:
            raise ValueError(f"the saved engine state is damaged ({type(exc).__name__})") from None
    if not isinstance(state, dict):
        raise ValueError("the saved engine state is damaged (not a table of values)")
    return state


def digest(state: dict[str, Any]) -> str:
    """The state hash (see the module's note)."""
    return PartedEncoder().encode(state, store=False)[1]


def _hash(packed: bytes) -> bytes:
    return hashlib.blake2b(packed, digest_size=16).digest()


class PartedEncoder:
    """Encodes checkpoints in the parted form: every array, and every piece of a ``Pieces``, is a piece.
    It remembers the last state's pieces that cannot change while they live (``is_piece``), by identity:
    it holds them until the next state, so their ids are not reused."""

    def __init__(self) -> None:
        self._seen: dict[int, _Piece] = {}  # id of a piece -> what was made of it

    def encode(self, state: dict[str, Any], store: bool = True) -> tuple[bytes, str]:
        """(the parted bytes, or b"" when not ``store``; the state hash)."""
        parts, state_hash = self.encode_parts(state, store)
        return (join_parted(*parts) if store else b""), state_hash

    def encode_parts(self, state: dict[str, Any], store: bool = True) -> tuple[Parted, str]:
        """(skeleton, stored pieces, their digests; the state hash): the parted form before it is joined into
        bytes, which a checkpoint file takes as it is (it stores only the pieces it has not got)."""
        capture = self.capture(state, store)
        return capture.finish(), capture.state_hash

    def capture(self, state: dict[str, Any], store: bool = True, later_bytes: int = 0) -> Capture:
        """The state packed and hashed now (it may change as soon as this returns), its new pieces compressed
        by ``Capture.finish`` -- on another thread if the caller likes. Up to ``later_bytes`` of new pieces are
        left for then; beyond that they are compressed here, so a capture never holds much uncompressed."""
        seen, now = self._seen, dict[int, _Piece]()
        used: list[_Piece] = []
        made: list[_Piece] = []  # the pieces packed this time (the others were made by an earlier capture)
        later = [later_bytes]

        def make(piece: object) -> _Piece:
            done = _Piece(piece, msgpack.packb(piece, default=_default, use_bin_type=True), store)
            if store and len(done.packed) > later[0]:
                done.stored()
            else:
                later[0] -= len(done.packed)
            made.append(done)
            return done

        def numbers(pieces: list[Any]) -> list[int]:
            """Each piece's number in the state, reusing what an earlier capture made of it, in one loop: a
            month-old town's tables hold thousands of blocks, nearly all seen before, and a call each was most
            of a checkpoint's cost per piece."""
            first, seen_get, now_set, use = len(used), seen.get, now.__setitem__, used.append
            for piece in pieces:
                key = id(piece)
                done = seen_get(key) if type(piece) is tuple or is_piece(piece) else None
                if done is None or done.piece is not piece or (store and not done.storable):
                    done = make(piece)
                now_set(key, done)
                use(done)
            return list(range(first, len(used)))

        blocks: dict[int, tuple[list[Any], list[int]]] = {}  # id of a Pieces' list -> (it, its numbers)

        def default(value: Any) -> Any:
            if isinstance(value, Pieces):
                shared = blocks.get(id(value.pieces))  # the columns of one table share their blocks
                if shared is None:
                    shared = blocks[id(value.pieces)] = (value.pieces, numbers(value.pieces))
                numbered = shared[1]
                empty = value.empty if not numbered else None
                payload = [numbered, empty, value.column, value.apart]
                return msgpack.ExtType(_JOINED, msgpack.packb(payload, default=_default, use_bin_type=True))
            if isinstance(value, np.ndarray):  # every array is a piece, so the hash never depends on which are kept
                return msgpack.ExtType(_PIECE, msgpack.packb(numbers([value])[0]))
            return _default(value)

        skeleton = _Piece(None, msgpack.packb(state, default=default, use_bin_type=True), store)
        if store and len(skeleton.packed) > later[0]:
            skeleton.stored()
        self._seen = now
        digests = [p.digest for p in used]
        state_hash = hashlib.blake2b(skeleton.digest + b"".join(digests), digest_size=16).hexdigest()
        return Capture(skeleton, used, made, digests, state_hash, store)


class _Piece:
    """A packed piece (or skeleton): its digest at once, its stored form when first asked for."""

    __slots__ = ("_stored", "digest", "packed", "piece", "storable")

    def __init__(self, piece: object, packed: bytes, storable: bool):
        self.piece = piece
        self.digest = _hash(packed)
        self.storable = storable
        self.packed = packed if storable else b""
        self._stored: bytes | None = None

    def size_bound(self) -> int:
        """The length of ``stored()``, or at most that while it is not made yet: zstd's worst case
        (ZSTD_COMPRESSBOUND) with a frame's header and this form's mark."""
        if self._stored is not None:
            return len(self._stored)
        n = len(self.packed)
        return 1 + n + (n >> 8) + (((128 << 10) - n) >> 11 if n < 128 << 10 else 0) + 32

    def set_stored(self, made: bytes) -> None:
        """Its stored form, made elsewhere from ``packed`` (the same bytes ``stored`` would make)."""
        self._stored = made
        self.packed = b""

    def stored(self) -> bytes:
        # The engine thread and a checkpoint's writer may come to the same piece at once: both then make the
        # same bytes. ``packed`` is read before ``_stored`` is looked at, and let go only after it is set.
        packed, made = self.packed, self._stored
        if made is None:
            made = self._stored = _stored(packed)
            self.packed = b""
        return made


class Capture:
    """A state as the encoder took it: packed and hashed, its new pieces perhaps not yet compressed."""

    def __init__(self, skeleton: _Piece, pieces: list[_Piece], made: list[_Piece], digests: list[bytes],
                 state_hash: str, store: bool):
        self._skeleton = skeleton
        self._pieces = pieces
        self._made = made  # those of ``pieces`` packed by this capture: the only ones it may have to compress
        self.digests = digests
        self.state_hash = state_hash
        self._store = store

    def size_bound(self) -> int:
        """At least the length of the finished state's bytes (``stored_size``), known before it is finished."""
        sizes = [len(stored) if (stored := p._stored) is not None else p.size_bound() for p in self._pieces]
        return parted_size(self._skeleton.size_bound(), sizes, [len(d) for d in self.digests])

    def finish(self) -> Parted:
        """(skeleton, stored pieces, their digests): compresses what is left to compress (any thread)."""
        if not self._store:
            return b"", [b""] * len(self._pieces), self.digests
        _store_together([self._skeleton, *self._made])
        return (self._skeleton.stored(),
                [stored if (stored := p._stored) is not None else p.stored() for p in self._pieces], self.digests)


def _store_together(pieces: list[_Piece]) -> None:
    """Compress every piece still waiting in one call. A big town's checkpoint leaves thousands of small
    pieces for the writer thread; one call each handed the GIL over and back thousands of times, which
    starved the window's GUI thread (and cost ~6x the CPU: a compressor made, bytes copied, per piece).
    The batch gives the same bytes, piece for piece, as ``compress``."""
    waiting: list[tuple[_Piece, bytes]] = []
    for piece in pieces:
        packed, made = piece.packed, piece._stored  # read in this order: see ``_Piece.stored``
        if made is None and len(packed) >= SMALL_PIECE:
            waiting.append((piece, packed))
    if len(waiting) < 2:
        return
    done = zstandard.ZstdCompressor(level=COMPRESSION_LEVEL).multi_compress_to_buffer(
        [packed for _piece, packed in waiting], threads=0)
    for (piece, _packed), i in zip(waiting, range(len(done)), strict=True):
        piece.set_stored(_ZSTD + done[i].tobytes())


def _stored(packed: bytes) -> bytes:
    if len(packed) < SMALL_PIECE:
        return _RAW + packed
    return _ZSTD + compress(packed)


def _decode_parted(blob: bytes) -> Any:
    parted = split_parted(blob)
    assert parted is not None
    skeleton, stored, _digests = parted
    try:
        budget = [MAX_BLOB_BYTES]
        pieces = [_unpack(_unstored(s, budget), _ext_hook) for s in stored]

        def hook(code: int, data: bytes) -> Any:
            if code == _PIECE:
                return pieces[msgpack.unpackb(data)]
            if code == _JOINED:
                numbers, empty, column, apart = msgpack.unpackb(data, ext_hook=_ext_hook, raw=False, strict_map_key=False)
                parts = [pieces[n] for n in numbers]
                return Pieces(parts, empty, column, bool(apart)).joined() if parts or apart else empty
            return _ext_hook(code, data)

        return _unpack(_unstored(skeleton, budget), hook)
    except TooBig:
        raise
    except (msgpack.UnpackException, ValueError, TypeError, IndexError, RecursionError) as exc:
        raise ValueError(f"the saved engine state is damaged ({type(exc).__name__})") from None


def _unstored(data: bytes, budget: list[int]) -> bytes:
    """A stored piece's packed bytes; all of a state's together stay within ``MAX_BLOB_BYTES``."""
    raw = data[1:] if data[:1] == _RAW else decompress_zstd(data[1:], budget[0], "the saved engine state")
    if data[:1] not in (_RAW, _ZSTD) or len(raw) > budget[0]:
        raise ValueError("a piece of the saved engine state is damaged or too large")
    budget[0] -= len(raw)
    return raw


def _unpack(raw: bytes, hook: Any) -> Any:
    return msgpack.unpackb(raw, ext_hook=hook, raw=False, strict_map_key=False)
