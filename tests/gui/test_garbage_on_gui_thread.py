"""Garbage holding Qt objects is collected on the GUI thread, never on the engine's.

An engine thread's collection that reached a closed window's widgets destroyed them there, and Qt
deadlocked in the destructor (the whole window froze); the engine now leaves its collections to the
GUI thread's timer (engine/runtime/collector.py, app/shell/gui.py).
"""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtWidgets import QLabel

from engine.runtime import collector


def test_a_settling_asked_on_another_thread_is_done_on_the_gui_thread(app_qt, qtbot):
    assert not gc.isenabled()  # automatic collections would run on whichever thread allocates
    destroyed_on: list[str] = []

    class Looped(QLabel):
        pass

    label = Looped("closed dock")
    label.me = label  # type: ignore[attr-defined]  # a reference cycle: only the cyclic collector frees it
    weakref.finalize(label, lambda: destroyed_on.append(threading.current_thread().name))
    del label

    engine = threading.Thread(target=collector.settle, name="townsfolk-engine")
    engine.start()
    engine.join(10)
    assert not engine.is_alive() and destroyed_on == []  # the engine thread asked, and did not collect
    qtbot.waitUntil(lambda: bool(destroyed_on), timeout=5000)
    assert destroyed_on == [threading.main_thread().name]
    collector.release()


def test_the_timer_stands_in_for_automatic_collections(app_qt, qtbot):
    destroyed_on: list[str] = []
    for _ in range(3):
        label = QLabel("young garbage")
        label.me = label  # type: ignore[attr-defined]
        weakref.finalize(label, lambda: destroyed_on.append(threading.current_thread().name))
        del label
    kept = [[i] for i in range(5000)]  # live allocations past the youngest generation's threshold
    qtbot.waitUntil(lambda: len(destroyed_on) == 3, timeout=5000)
    assert len(kept) == 5000
    assert set(destroyed_on) == {threading.main_thread().name}
