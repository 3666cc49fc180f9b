"""GL calls that return at once keep the GIL; those that may wait on the rasterizer let it go."""

from __future__ import annotations

import ctypes
import sys
import threading
import time
import types
from typing import Any

from app.map.gl_calls import WAITING_CALLS, keep_gil_in_quick_calls, keeps_gil


def _c_function(name: str, *argtypes: type) -> Any:
    function = getattr(ctypes.CDLL(None), name)  # a library object of its own: nobody else's binding changes
    function.argtypes, function.restype = list(argtypes), ctypes.c_int
    return function


def test_the_map_binds_quick_gl_calls_to_keep_the_gil_and_waiting_ones_to_let_it_go() -> None:
    from app.map.boot import arcade_module

    arcade_module()
    import pyglet.gl as gl
    import pyglet.gl.gl as gl_functions

    for quick in ("glBindBuffer", "glUseProgram", "glBindVertexArray", "glProgramUniform4fv", "glEnable"):
        assert keeps_gil(getattr(gl, quick)) and getattr(gl_functions, quick) is getattr(gl, quick), quick
    for waiting in ("glDrawArraysInstanced", "glDrawElementsInstanced", "glReadPixels", "glFinish", "glClear",
                    "glBufferData", "glTexSubImage2D", "glBindFramebuffer", "glLinkProgram"):
        assert not keeps_gil(getattr(gl, waiting)), waiting
    assert keep_gil_in_quick_calls(gl, gl_functions) == 0  # a second call finds them done


def test_a_rebound_call_answers_as_before_in_every_module_that_held_it() -> None:
    gl: Any = types.ModuleType("gl")
    again: Any = types.ModuleType("gl_again")
    gl.glAbs = again.glAbs = _c_function("abs", ctypes.c_int)
    gl.glBlendLike = _c_function("labs", ctypes.c_long)
    gl.glReadPixels = _c_function("abs", ctypes.c_int)
    gl.glUndeclared = ctypes.CDLL(None).abs  # no prototype: kept as it is
    checked: list[int] = []

    def errcheck(result: int, _function: object, _arguments: object) -> int:
        checked.append(result)
        return result

    gl.glBlendLike.errcheck = errcheck
    assert "glReadPixels".startswith(WAITING_CALLS)

    assert keep_gil_in_quick_calls(gl, again) == 2
    assert keeps_gil(gl.glAbs) and again.glAbs is gl.glAbs and gl.glAbs(-7) == 7
    assert keeps_gil(gl.glBlendLike) and gl.glBlendLike(-9) == 9 and checked == [9]
    assert not keeps_gil(gl.glReadPixels) and not keeps_gil(gl.glUndeclared)


def test_a_call_that_keeps_the_gil_gives_no_other_thread_a_turn() -> None:
    """What the rebinding is for: a thread spinning in Python gets no turn while a call that keeps the GIL
    runs (here a C call that sleeps 0.5 ms), where a call that lets it go lets it in every time."""
    gl: Any = types.ModuleType("gl")
    gl.glSleep = _c_function("usleep", ctypes.c_uint)
    letting_go = gl.glSleep
    keep_gil_in_quick_calls(gl)
    keeping = gl.glSleep
    spins = [0]
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            spins[0] += 1

    interval = sys.getswitchinterval()
    sys.setswitchinterval(0.05)  # far longer than the calls below: no turn is forced on the caller meanwhile
    spinner = threading.Thread(target=spin, daemon=True)
    spinner.start()
    time.sleep(0.1)
    try:
        turns = {}
        for name, call in (("keeping", keeping), ("letting go", letting_go)):
            before = spins[0]
            for _ in range(10):
                call(500)
            turns[name] = spins[0] - before
    finally:
        stop.set()
        spinner.join()
        sys.setswitchinterval(interval)
    assert turns["letting go"] > 5 * max(1, turns["keeping"]), turns
