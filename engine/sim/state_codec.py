"""Engine state <-> bytes: msgpack with numpy arrays, zstd-compressed.

The same state always encodes to the same bytes, so a digest of the encoding is
the world's ``state_hash``.
"""

from __future__ import annotations

import hashlib
from typing import Any

import msgpack
import numpy as np
import zstandard

from engine.untrusted.limits import MAX_BLOB_BYTES
from engine.untrusted.readers import decompress_zstd

_ARRAY = 1  # msgpack ext type code
_BIGINT = 2  # ints beyond 64 bits (numpy's PCG64 state)
COMPRESSION_LEVEL = 1


def _default(value: Any) -> Any:
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
    raw = decompress_zstd(blob, MAX_BLOB_BYTES, "the saved engine state")
    try:
        state = msgpack.unpackb(raw, ext_hook=_ext_hook, raw=False, strict_map_key=False)
    except (msgpack.UnpackException, ValueError, TypeError, RecursionError) as exc:
        raise ValueError(f"the saved engine state is damaged ({type(exc).__name__})") from None
    if not isinstance(state, dict):
        raise ValueError("the saved engine state is damaged (not a table of values)")
    return state


def digest(state: dict[str, Any]) -> str:
    return digest_packed(pack(state))


def digest_packed(packed: bytes) -> str:
    return hashlib.blake2b(packed, digest_size=16).hexdigest()
