"""Python's cyclic garbage collector, kept to moments the engine already pauses at.

A full collection walks every object the collector tracks, holding the GIL: at the city
(200,000+ objects: people, buildings, history, memories) that is 100-150 ms in which
neither the engine nor the agent API's event loop runs, several times a minute at max
speed; it was most of the agent API's slowest round trips. The world lives as long as the
engine, so it need not be walked again and again: what survives a collection is frozen
(``gc.freeze``) when the engine starts and after each checkpoint, where a collection only
walks what came since (a few ms). When the engine stops, everything is let go again, so
whatever the world leaves behind is collected as before.

In a process with a Qt window, garbage may hold Qt objects (a closed dock, a window
reopened on another world), and a Qt object must be destroyed on the GUI thread: the
engine thread destroying one in its collection deadlocks in Qt's destructor. There the GUI
calls ``collect_on_this_thread_only`` once: automatic collections are switched off (they
run on whichever thread happens to allocate), a settling asked for by another thread is
left to the GUI thread, and the GUI thread calls ``tend`` from a timer, standing in for the
automatic collections with the same thresholds.
"""

from __future__ import annotations

import gc
import threading

from engine.runtime import heap

_owner: int | None = None  # the only thread that may collect, when one is set
_settle_wanted = threading.Event()


def collect_on_this_thread_only() -> None:
    """From now on only the calling thread collects; it must call ``tend`` every few hundred ms."""
    global _owner
    _owner = threading.get_ident()
    gc.disable()


def settle() -> None:
    """Collect what is new since the last call, then keep the survivors out of later collections; and hand
    what is free back to the operating system now and then (``engine.runtime.heap``)."""
    if _owner is not None and threading.get_ident() != _owner:
        _settle_wanted.set()  # the owner's next tend does it, and hands back what it freed
        return
    gc.collect()
    gc.freeze()
    heap.now_and_then()


def collect() -> None:
    """Collect now what is garbage (a large structure just let go, full of cycles, before a like one is built);
    on a thread other than the owner, the owner's next ``tend`` does it."""
    if _owner is not None and threading.get_ident() != _owner:
        _settle_wanted.set()
        return
    gc.collect()
    heap.give_back()


def tend() -> None:
    """On the owner thread: a settling another thread asked for, else the collections automatic ones would be."""
    if _settle_wanted.is_set():
        _settle_wanted.clear()
        gc.collect()
        gc.freeze()
        heap.now_and_then()  # after the collection, so what it freed is among what goes back
        return
    counts, thresholds = gc.get_count(), gc.get_threshold()
    for generation in (2, 1, 0):  # the oldest generation over its threshold takes the younger ones with it
        if thresholds[generation] and counts[generation] > thresholds[generation]:
            gc.collect(generation)
            return


def release() -> None:
    """The engine stopped: its objects are the collector's again (garbage among them can go)."""
    gc.unfreeze()
