"""Python's cyclic garbage collector, kept to moments the engine already pauses at.

A full collection walks every object the collector tracks, holding the GIL: at the city
(200,000+ objects: people, buildings, history, memories) that is 100-150 ms in which
neither the engine nor the agent API's event loop runs, several times a minute at max
speed; it was most of the agent API's slowest round trips. The world lives as long as the
engine, so it need not be walked again and again: what survives a collection is frozen
(``gc.freeze``) when the engine starts and after each checkpoint, where a collection only
walks what came since (a few ms). When the engine stops, everything is let go again, so
whatever the world leaves behind is collected as before.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Collect what is new since the last call, then keep the survivors out of later collections."""
    gc.collect()
    gc.freeze()


def release() -> None:
    """The engine stopped: its objects are the collector's again (garbage among them can go)."""
    gc.unfreeze()
