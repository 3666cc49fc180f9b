"""PyInstaller's entry script: the same ``main()`` as the ``townsfolk`` console script.

A separate file rather than ``app/__main__.py`` so the bundle's ``__main__`` is not a
second copy of a module inside the ``app`` package. It also starts the processes the app
starts as itself (a frozen app has no ``python -m``): experiment workers, and the process a
save writes a memory version with (``engine.persistence.memory_writer``).
"""

import multiprocessing
import sys

from app.__main__ import main

if __name__ == "__main__":
    # An experiment's worker processes start as this executable again: let them run their task, not the app.
    multiprocessing.freeze_support()
    if sys.argv[1:2] == ["--write-memory-version"]:  # memory_writer.WRITER_ARG
        from engine.persistence.memory_writer import main as write_memory_version

        sys.exit(write_memory_version())
    sys.exit(main())
