"""Writing a session's held memory rows (``DeferredStore``) as a LanceDB database from a short-lived process.

Importing LanceDB maps ~77 MB into a process for good, and each open table ~23 MB more. A town
on the rule brain keeps its new memory stream in RAM and never needs LanceDB itself, so its
saves (the window autosaves every few minutes) would be the only reason to bring LanceDB in.
Instead, while this process has not imported it, a save hands the rows (vectors already
embedded here, so the writer needs no embedder) and the tags to a fresh process that writes the
database into the save's staging folder and exits; its memory goes with it. Once this process
has LanceDB anyway (a model thinking, time travel, tests), the rows are written here: faster, and
no memory is left to save.

The staging folder is the save's own (``memory_files.write_version``): if either process is
killed, nothing names what was written and the next open or save sweeps it. A failure in the
writer comes back as an ``OSError`` whose text says what happened (the save turns it into its
one-line error naming the file). The writer is this module run by this interpreter; in the frozen
app it is the app's own executable with ``WRITER_ARG`` (``packaging/launcher.py`` hands it to ``main`` here).
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from engine.memory.deferred_store import DeferredStore
from engine.memory.embedders import CallableEmbedder

#: The argument that makes the frozen app's executable run the writer instead of the app.
WRITER_ARG = "--write-memory-version"
#: The writer's exit code when it failed and said why.
FAILED = 3
#: Longest failure text carried back from the writer (the save's error stays one readable line).
MAX_REASON = 300


class MemoryWriterError(OSError):
    """The writer process failed or died; the text says how."""


@dataclass(frozen=True)
class HeldRows:
    """Everything the writer needs: where, which embedder (name and width only), the rows and the tags."""

    folder: str
    embedder: str
    dim: int
    tick_seconds: float
    columns: dict[str, Any]  # as RamRows.columns gives them, vectors embedded
    marks: list[tuple[str, int]]  # each tag and the row count it marks, oldest first


def lancedb_loaded() -> bool:
    return "lancedb" in sys.modules


def write_held(store: DeferredStore, folder: Path, tick_seconds: float) -> None:
    """Write ``store``'s held rows and tags into a new database at ``folder``, as ``store.copy_into`` would:
    in this process if LanceDB is here already, else in a process of its own."""
    if lancedb_loaded():
        from engine.memory.lance_store import LanceMemoryStore

        copy = LanceMemoryStore(folder, store.embedder, tick_seconds)
        store.copy_into(copy)
        copy.close()
        return
    columns, marks = store.held_columns()
    write_in_child(HeldRows(str(folder), store.embedder.name, store.embedder.dim, tick_seconds, columns, marks))


def writer_command() -> list[str]:
    """How to start the writer: this interpreter on this module, or in the frozen app its own executable,
    whose entry script (``packaging/launcher.py``) hands ``WRITER_ARG`` to ``main`` here."""
    if getattr(sys, "frozen", False):
        return [sys.executable, WRITER_ARG]
    return [sys.executable, "-m", __name__]


def write_in_child(job: HeldRows) -> None:
    """Run ``write_rows(job)`` in a fresh process and wait for it; ``MemoryWriterError`` if it fails.

    A fresh interpreter rather than a fork (the window's threads may hold locks mid-way) and rather than
    multiprocessing's spawn (which runs the caller's main script again in the child). The job goes in
    on stdin; a failure's reason comes back as the last line on stdout.
    """
    env = dict(os.environ)
    if not getattr(sys, "frozen", False):  # this checkout's engine, whatever else is installed
        engine_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (engine_root, os.environ.get("PYTHONPATH")) if p)
    try:
        done = subprocess.run(writer_command(), input=pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL),
                              stdout=subprocess.PIPE, env=env, check=False,
                              creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))  # Windows: no console
    except OSError as exc:
        raise MemoryWriterError(f"could not start the process that writes them ({exc})") from exc
    if done.returncode == 0:
        return
    said = done.stdout.decode(errors="replace").strip().splitlines()
    if done.returncode == FAILED and said:
        raise MemoryWriterError(said[-1])
    raise MemoryWriterError(f"the process writing them {_how_it_ended(done.returncode)}")


def _how_it_ended(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"stopped with exit code {code}"


def main() -> int:
    """The writer process: read the job from stdin, write it; on failure say why in one line on stdout."""
    try:
        job = pickle.loads(sys.stdin.buffer.read())
        if not isinstance(job, HeldRows):
            raise TypeError(f"expected the rows of a save, got {type(job).__name__}")
        write_rows(job)
    except Exception as exc:  # everything goes back to the saving process, which says it with the file's name
        reason = " ".join(f"the process writing them failed: {type(exc).__name__}: {exc}".split())
        sys.stdout.write(reason[:MAX_REASON] + "\n")
        sys.stdout.flush()
        return FAILED
    return 0


def write_rows(job: HeldRows) -> None:
    """Write the rows in order, tagging each mark as it is passed (the same versions and tags as
    ``DeferredStore.copy_into``). Imports LanceDB."""
    from engine.memory.lance_store import LanceMemoryStore

    store = LanceMemoryStore(job.folder, CallableEmbedder(job.embedder, _embedded_already, job.dim), job.tick_seconds)
    written = 0
    for name, upto in job.marks:
        store.add_embedded(_rows(job.columns, written, upto))
        written = upto
        store.tag(name, replace=True)
    store.add_embedded(_rows(job.columns, written, len(job.columns["id"])))
    store.close()


def _rows(columns: dict[str, Any], start: int, stop: int) -> dict[str, Any]:
    return {name: column[start:stop] for name, column in columns.items()}


def _embedded_already(texts: list[str]) -> np.ndarray:
    raise RuntimeError("the writer got rows without their vectors")  # every row arrives embedded


if __name__ == "__main__":
    # Through the module's own name: the job's class must be the one pickle finds there, not this copy's.
    from engine.persistence.memory_writer import main as writer_main

    sys.exit(writer_main())
