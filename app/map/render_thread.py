"""The one thread that owns the offscreen map's GL context.

A software rasterizer (llvmpipe) does its real work, rasterizing and writing pixels,
in whichever thread flushes: for the offscreen map that is ``glReadPixels``, 10-130 ms
a frame on a busy two-core machine, against ~3 ms for the draw calls themselves. Done
on the GUI thread, that wait held up every key press and every other callback behind
it. All of the offscreen map's GL work runs here instead, one job at a time, in order
(a job can also be put off until a moment: the map's frames come on a clock of their own,
see ``app.map.host.OffscreenMapWidget``).
"""

from __future__ import annotations

import atexit
import functools
import heapq
import itertools
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")
__all__ = ["FRAME_SWITCH_INTERVAL_S", "RenderThread", "render_thread"]

# The GIL's switch interval while a frame is drawn (``app.common.gil.short_gil_turns``). A frame is a
# few ms of Python between dozens of GL calls, each of which lets the GIL go; with the engine thread
# running Python flat out, each time the frame wants the GIL back it waits for the engine's turn to
# end, which the switch interval bounds (0.5 ms in the window, ``app.shell.gui``). A tenth of a ms
# only while the frame is drawn took the 10,000-person town's map from 26 / 19 to 32 / 28 fps (far
# out / close up) at max speed, the engine's ticks unchanged: the engine pays for the extra switches
# only during frames.
FRAME_SWITCH_INTERVAL_S = 0.0001


def _STOP() -> None:
    """The job that ends the thread (``RenderThread.stop``)."""


class RenderThread:
    """Runs jobs one after another on a single daemon thread; each job's result comes back as a Future."""

    def __init__(self, name: str = "townsfolk-map-render"):
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]] = queue.SimpleQueue()
        self._later: list[tuple[float, int, Callable[[], Any], Future[Any]]] = []  # a heap, by when due
        self._order = itertools.count()  # ties in _later keep the order they were put off in
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()
        # At exit the thread may be in the middle of a frame: GL calls into a driver that is being torn
        # down (Mesa's own exit handlers run after Python's) can crash the process on its way out.
        atexit.register(self.stop)

    def stop(self, timeout: float = 2.0) -> None:
        """Let the job under way finish, run no more (jobs put off are dropped), and wait for the thread."""
        if not self._thread.is_alive() or threading.current_thread() is self._thread:
            return
        self._jobs.put((_STOP, Future()))
        self._thread.join(timeout)

    def submit(self, job: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()
        self._jobs.put((job, future))
        return future

    def submit_at(self, when: float, job: Callable[[], T]) -> Future[T]:
        """Run ``job`` once ``time.perf_counter()`` reaches ``when``; jobs submitted meanwhile run first.
        Called from this thread only (a job putting off its successor)."""
        assert threading.current_thread() is self._thread, "put off from the render thread only"
        future: Future[T] = Future()
        heapq.heappush(self._later, (when, next(self._order), job, future))
        return future

    def call(self, job: Callable[[], T]) -> T:
        """Run ``job`` on the thread and wait for its result (its exception is raised here)."""
        if threading.current_thread() is self._thread:
            return job()
        return self.submit(job).result()

    def _run(self) -> None:
        while True:
            job, future = self._next_job()
            if job is _STOP:
                return
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(job())
            except BaseException as error:  # handed to whoever waits on the job
                future.set_exception(error)

    def _next_job(self) -> tuple[Callable[[], Any], Future[Any]]:
        while self._later:
            wait = self._later[0][0] - time.perf_counter()
            if wait <= 0:
                _when, _order, job, future = heapq.heappop(self._later)
                return job, future
            try:
                return self._jobs.get(timeout=wait)
            except queue.Empty:
                continue
        return self._jobs.get()


@functools.cache  # called from the GUI thread only, so never raced
def render_thread() -> RenderThread:
    """This process's render thread (the offscreen GL context is one per process too)."""
    return RenderThread()
