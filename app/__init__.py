"""Townsfolk's desktop shell (PySide6) and command line.

Headless sub-commands live in :mod:`app.cli` and never import Qt, so they run on
machines without a display.

The GUI's packages, each importing only those below it (an import-linter contract):
``shell`` (the controller and start-up) over ``godmode`` and ``thinking`` (features
wired to the engine), over ``window`` and ``files``, over ``docks`` and ``map``
(widgets), over ``common`` (the bridge, the selection, words and art).
"""
