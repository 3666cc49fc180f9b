"""Townsfolk's desktop shell (PySide6) and command line.

Headless sub-commands live in :mod:`app.cli` and never import Qt, so they run on
machines without a display.
"""
