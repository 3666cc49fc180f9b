"""The one error type for world files: it names the file and says what is wrong."""

from __future__ import annotations

from pathlib import Path


class WorldFileError(Exception):
    def __init__(self, path: str | Path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")
