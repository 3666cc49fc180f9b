"""Handing memory the process has freed back to the operating system.

A long run frees as much as it makes: every checkpoint packs, compresses and drops a
few MB, every save a few more. On Linux, C's allocator (glibc) keeps freed memory
in its heap for reuse, and among long-lived objects the holes it leaves are seldom
handed back: over 30 sim days of a 1,000-person town the process held ~90 MB more than
it used (``benchmarks/soak.py``). ``malloc_trim`` hands back every free page in the
heap. The pages handed back are zeroed again when next used, which after every
checkpoint cost ~5% of a sim hour, so the engine does it after every few checkpoints'
settlings (``now_and_then``, from ``engine.runtime.collector``). Elsewhere there is no
such call and this does nothing.
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
EVERY = 8  # settlings between two hand-backs: every 4 sim hours of checkpoints
_since = EVERY - 1  # so the first settling (the world as opened or made, with what that freed) hands back too


def give_back() -> None:
    """Return the heap's free pages to the operating system (where the C library can)."""
    if _trim is not None:
        _trim(0)


def now_and_then() -> None:
    """``give_back`` on the first call and every ``EVERY``-th after."""
    global _since
    _since += 1
    if _since >= EVERY:
        _since = 0
        give_back()
