"""Townsfolk's simulation engine: pure Python, no GUI imports.

The public surface is :mod:`engine.api` and :mod:`engine.contracts`; everything
else is an implementation detail the Qt shell must not reach into.
"""

__version__ = "0.1.0"
