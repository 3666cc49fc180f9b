"""Readers for untrusted bytes that stop at a limit instead of trusting a size the input claims."""

from __future__ import annotations

import io
import json
import zlib
from pathlib import Path
from typing import Any

import zstandard

from engine.untrusted.limits import MAX_BLOB_BYTES, MAX_INPUT_FILE_BYTES, MAX_JSON_DEPTH, MAX_TEXT_CHARS, TooBig


def decompress_zstd(data: bytes, limit: int = MAX_BLOB_BYTES, what: str = "data") -> bytes:
    """A zstd frame, refused when it claims or turns out to be larger than ``limit`` bytes."""
    try:
        claimed = zstandard.frame_content_size(data)
    except zstandard.ZstdError as exc:
        raise ValueError(f"{what} is not zstd data ({exc})") from None
    if claimed > limit:
        raise TooBig(f"{what} would decompress to {claimed:,} bytes (the limit is {limit:,})")
    reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data))
    return _read_capped(reader, limit, what)


def decompress_zlib(data: bytes, limit: int, what: str = "data", gzip: bool = False) -> bytes:
    """zlib (or gzip) data, refused past ``limit`` bytes without ever holding more than that."""
    inflater = zlib.decompressobj(wbits=31 if gzip else 15)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise ValueError(f"{what} is not {'gzip' if gzip else 'zlib'} data ({exc})") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise TooBig(f"{what} decompresses to more than {limit:,} bytes")
    return out


def _read_capped(reader: Any, limit: int, what: str) -> bytes:
    chunks, total = [], 0
    try:
        while True:
            chunk = reader.read(min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise TooBig(f"{what} decompresses to more than {limit:,} bytes")
    except zstandard.ZstdError as exc:
        raise ValueError(f"{what} is damaged ({exc})") from None
    return b"".join(chunks)


def read_small_file(path: Path, limit: int = MAX_INPUT_FILE_BYTES) -> bytes:
    """A regular file of at most ``limit`` bytes (not a device, a fifo or a folder)."""
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    if not path.is_file():
        raise ValueError(f"{path}: not a regular file")
    size = path.stat().st_size
    if size > limit:
        raise TooBig(f"{path}: {size:,} bytes is too big (the limit is {limit:,})")
    with open(path, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise TooBig(f"{path}: more than {limit:,} bytes")
    return data


def json_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> int:
    """How deeply ``value`` nests, refused past ``limit`` (checked without recursion)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                raise TooBig(f"JSON nested deeper than {limit} levels")
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def loads_bounded(text: str | bytes, max_chars: int = MAX_TEXT_CHARS, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` of at most ``max_chars`` characters nesting at most ``max_depth`` deep."""
    if len(text) > max_chars:
        raise TooBig(f"JSON of {len(text):,} characters (the limit is {max_chars:,})")
    try:
        value = json.loads(text)
    except RecursionError:  # the C parser counts its own depth and stops at the recursion limit
        raise TooBig(f"JSON nested deeper than {max_depth} levels") from None
    json_depth(value, max_depth)
    return value
