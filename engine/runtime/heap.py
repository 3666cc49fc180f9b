"""Handing memory the process has freed back to the operating system.

A long run frees as much as it makes: every checkpoint packs, compresses and drops a
few MB, every save a few more. On Linux, C's allocator (glibc) keeps freed memory
in its heap for reuse, and among long-lived objects the holes it leaves are seldom
handed back: over 30 sim days of a 1,000-person town the process held ~90 MB more than
it used (``benchmarks/soak.py``). ``malloc_trim`` hands back every free page in the
heap; it takes a few ms, so it runs where the engine already pauses (after a
checkpoint's settling, ``engine.runtime.collector``). Elsewhere there is no such call
and this does nothing.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable


def _find_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim  # glibc only
    except (AttributeError, OSError, TypeError):  # another C library, or Windows (no process handle by None)
        return None
    return trim


_trim = _find_trim()


def give_back() -> None:
    """Return the heap's free pages to the operating system (where the C library can)."""
    if _trim is not None:
        _trim(0)
