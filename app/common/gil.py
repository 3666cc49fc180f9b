"""Shorter turns at the GIL while a thread draws.

The engine thread runs Python flat out. Drawing (the map's frames, a dock's plots) is Python
between many calls into C (GL, Qt's painter) that each let the GIL go, and every time the
drawing wants it back it waits for the engine's turn to end, which the switch interval bounds.
Shortening the interval only while drawing lets the drawing finish sooner; the engine pays for
the extra switches only meanwhile.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def short_gil_turns(interval_s: float) -> Iterator[None]:
    """While inside, threads wanting the GIL wait at most ``interval_s`` for it (the interval is the
    process's: it is put back after, unless someone else changed it meanwhile)."""
    before = sys.getswitchinterval()
    if before <= interval_s:
        yield
        return
    sys.setswitchinterval(interval_s)
    mine = sys.getswitchinterval()  # as Python keeps it (whole microseconds), to compare with later
    try:
        yield
    finally:
        if sys.getswitchinterval() == mine:
            sys.setswitchinterval(before)
