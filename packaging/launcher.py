"""PyInstaller's entry script: the same ``main()`` as the ``townsfolk`` console script.

A separate file rather than ``app/__main__.py`` so the bundle's ``__main__`` is not a
second copy of a module inside the ``app`` package.
"""

import multiprocessing
import sys

from app.__main__ import main

if __name__ == "__main__":
    # An experiment's worker processes start as this executable again: let them run their task, not the app.
    multiprocessing.freeze_support()
    sys.exit(main())
