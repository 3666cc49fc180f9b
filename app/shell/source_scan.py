"""Keep PySide6 from holding the source of every module imported after it.

Once PySide6 is imported, shiboken checks each newly imported module for ``from
__feature__ import ...`` (snake_case and true_property) by asking ``inspect.getsource``
for its whole text and searching it for "PySide6". ``inspect`` reads through
``linecache``, which keeps every line of every file it read for good: for the
window's imports (numpy, scipy, networkx, pyqtgraph, arcade, sqlalchemy, the
engine...) about 600,000 lines, ~75 MB of the window's memory that nothing ever
reads again, and clearing the cache afterwards gives little of it back (the
lines are spread among the modules' own objects).

:func:`scan_sources_uncached` makes the same check from the module's loader,
which reads the file without keeping it: which modules take part in
``__feature__`` is unchanged (Townsfolk uses none of its features).
"""

from __future__ import annotations

import sys
from types import ModuleType

FEATURE_MODULE = "PySide6.support.feature"  # where shiboken keeps the check (PySide6 6.1 and later)
CHECK = "_mod_uses_pyside"


def uses_pyside(module: ModuleType) -> bool:
    """What shiboken's own check answers (does the module's source mention PySide6?), reading it uncached."""
    spec = getattr(module, "__spec__", None)
    loader = getattr(spec, "loader", None)
    get_source = getattr(loader, "get_source", None)
    if get_source is None:
        return False
    try:
        source = get_source(module.__name__)
    except (ImportError, OSError, SyntaxError, UnicodeDecodeError):
        return False
    return isinstance(source, str) and "PySide6" in source


def scan_sources_uncached() -> bool:
    """Put :func:`uses_pyside` in place of shiboken's check; False when this PySide6 has no such check."""
    import PySide6  # noqa: F401  # imports shiboken, which loads its feature module

    feature = sys.modules.get(FEATURE_MODULE)
    if feature is None or not callable(getattr(feature, CHECK, None)):
        return False
    setattr(feature, CHECK, uses_pyside)
    return True
