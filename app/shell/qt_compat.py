"""Keep PySide6 6.12 from killing the app on Python 3.11.

PySide6 6.12.0 drops one reference to ``None`` each time a Qt method that returns
nothing (``setText``, ``processEvents``…) is called from Python, and one to
``True`` on every ``Signal.emit()``. On Python 3.12+ these singletons are
immortal, so nothing happens; on 3.11 their counts run down to zero within a
minute of a town playing and the process aborts with "Fatal Python error:
none_dealloc" (or "bool_dealloc"). PySide6 6.11.3 does not have the bug.

Until the dependency excludes that release, :func:`protect_singletons` checks
whether the installed PySide6 leaks, and if so gives the affected singletons an
immortal-sized reference count — what Python 3.12 does for every interpreter.
"""

from __future__ import annotations

import ctypes
import logging
import sys
from collections.abc import Callable

log = logging.getLogger(__name__)
IMMORTAL = 1 << 40  # far more references than any run can drop
PROBES = 64
_done = False


def _drops(fn: Callable[[], object], obj: object) -> bool:
    before = sys.getrefcount(obj)
    for _ in range(PROBES):
        fn()
    return sys.getrefcount(obj) < before - PROBES // 2


def leaking_singletons() -> list[object]:
    """Which of None, True, False the installed PySide6 loses references to (empty when it is sound)."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    leaking: list[object] = []
    if _drops(lambda: probe.setObjectName("probe"), None):
        leaking.append(None)
    if _drops(probe.ping.emit, True):
        leaking += [True, False]
    probe.deleteLater()
    return leaking


def protect_singletons() -> bool:
    """Apply the workaround once, only on CPython before 3.12 and only if PySide6 really leaks."""
    global _done
    if _done or sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return False
    _done = True
    leaking = leaking_singletons()
    for obj in leaking:
        ctypes.c_ssize_t.from_address(id(obj)).value += IMMORTAL  # ob_refcnt is the first field
    if leaking:
        import PySide6

        log.info("PySide6 %s loses references to %s on Python %d.%d: made them immortal to stay up "
                    "(install PySide6 6.11.3 or use Python 3.12+ to avoid this)", PySide6.__version__,
                    ", ".join(map(repr, leaking)), *sys.version_info[:2])
    return bool(leaking)
