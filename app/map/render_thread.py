"""The one thread that owns the offscreen map's GL context.

A software rasterizer (llvmpipe) does its real work, rasterizing and writing pixels,
in whichever thread flushes: for the offscreen map that is ``glReadPixels``, 10-130 ms
a frame on a busy two-core machine, against ~3 ms for the draw calls themselves. Done
on the GUI thread, that wait held up every key press and every other callback behind
it. All of the offscreen map's GL work runs here instead, one job at a time, in order;
the GUI thread waits only while a job draws (see ``app.map.host.OffscreenMapWidget``).
"""

from __future__ import annotations

import functools
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")
__all__ = ["RenderThread", "render_thread"]


class RenderThread:
    """Runs jobs one after another on a single daemon thread; each job's result comes back as a Future."""

    def __init__(self, name: str = "townsfolk-map-render"):
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, job: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()
        self._jobs.put((job, future))
        return future

    def call(self, job: Callable[[], T]) -> T:
        """Run ``job`` on the thread and wait for its result (its exception is raised here)."""
        if threading.current_thread() is self._thread:
            return job()
        return self.submit(job).result()

    def _run(self) -> None:
        while True:
            job, future = self._jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(job())
            except BaseException as error:  # handed to whoever waits on the job
                future.set_exception(error)


@functools.cache  # called from the GUI thread only, so never raced
def render_thread() -> RenderThread:
    """This process's render thread (the offscreen GL context is one per process too)."""
    return RenderThread()
