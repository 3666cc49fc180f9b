"""GL state calls that keep the GIL: fewer hand-offs of it between the map's render thread and the engine.

pyglet's GL functions are ctypes ``CDLL`` functions, and ctypes lets the GIL go around every
call. A frame of the offscreen map at 10,000 people makes ~75-280 GL calls on the render thread,
most of them state calls (binds, enables, the viewport, uniforms) that cost the driver a
microsecond or two. A py-spy profile of the window's benchmark at max speed had the render
thread waiting to win the GIL back after a GL call for ~70% of its time inside a frame; most
of that after the calls that take long (the read-back, the backdrop's blit), where the busy
engine thread takes the GIL each time, and the rest spread over the others.

Here the state calls are called through ``ctypes.PYFUNCTYPE`` at the same address instead: the
same C function, called with the GIL held. Only calls that are driver bookkeeping are on the
list. Draws, buffer and texture uploads, clears, blits, read-backs, fences and anything else
that can wait for the rasterizer (llvmpipe rasterizes on threads of its own, and a call that
touches a buffer still being drawn from waits for them) keep letting the GIL go, so the engine
runs meanwhile (``app.map.backdrop`` holds it through a blit known not to wait).

What it buys is modest: the render thread's own Python (~3 ms a frame) still alternates with
the engine at every switch interval, so a frame's wall time hardly changes; with fewer hand-offs
the engine ran a little faster beside the window (see docs/benchmarks-log.md).
"""

from __future__ import annotations

import ctypes
from types import ModuleType
from typing import Any

__all__ = ["STATE_CALLS", "hold_gil_through_state_calls", "holding_gil"]

# Each sets state the driver records for the next draw and returns at once (Mesa, llvmpipe included).
STATE_CALLS = (
    "glActiveTexture",
    "glBindBuffer",
    "glBindBufferBase",
    "glBindBufferRange",
    "glBindFramebuffer",
    "glBindSampler",
    "glBindTexture",
    "glBindVertexArray",
    "glBlendEquation",
    "glBlendEquationSeparate",
    "glBlendFunc",
    "glBlendFuncSeparate",
    "glClearColor",
    "glColorMask",
    "glCullFace",
    "glDepthFunc",
    "glDepthMask",
    "glDisable",
    "glDrawBuffer",
    "glDrawBuffers",
    "glEnable",
    "glFrontFace",
    "glPixelStorei",
    "glPolygonMode",
    "glProgramUniform1fv",
    "glProgramUniform1iv",
    "glProgramUniform2fv",
    "glProgramUniform2iv",
    "glProgramUniform3fv",
    "glProgramUniform4fv",
    "glProgramUniformMatrix4fv",
    "glScissor",
    "glTexParameterf",
    "glTexParameteri",
    "glUniform1fv",
    "glUniform1iv",
    "glUniform2fv",
    "glUniform3fv",
    "glUniform4fv",
    "glUseProgram",
    "glViewport",
)


_FUNCTION_POINTER: Any = ctypes.CFUNCTYPE(None).__mro__[1]  # ctypes' base of every C function
# The flag that makes ctypes keep the GIL through a call: what PYFUNCTYPE's functions have and CFUNCTYPE's lack.
_HOLDS_GIL: int = ctypes.PYFUNCTYPE(None)._flags_ & ~ctypes.CFUNCTYPE(None)._flags_


def holding_gil(function: Any) -> Any:
    """The same C function (a ctypes function), called without letting the GIL go."""
    address = ctypes.cast(function, ctypes.c_void_p).value
    assert address, "a linked GL function has an address"
    holding: Any = ctypes.PYFUNCTYPE(function.restype, *(function.argtypes or ()))(address)
    holding.__name__ = getattr(function, "__name__", "gl")
    if function.errcheck is not None:  # pyglet's debug_gl check, when it is on
        holding.errcheck = function.errcheck
    return holding


def hold_gil_through_state_calls(gl: ModuleType, uniform_class: Any) -> None:
    """Swap ``gl``'s state calls (``pyglet.gl``, as arcade reads them at each call) for GIL-holding ones,
    and the same in arcade's uniform setter table, which keeps its own references. Before any program is made:
    a uniform takes its setter from the table when it is made."""
    swapped: dict[int, Any] = {}
    for name in STATE_CALLS:
        function: Any = getattr(gl, name, None)
        if not isinstance(function, _FUNCTION_POINTER) or function._flags_ & _HOLDS_GIL:
            continue  # a missing function's stand-in, or swapped already
        holding = holding_gil(function)
        setattr(gl, name, holding)
        swapped[id(function)] = holding
    table = uniform_class._uniform_setters
    for kind, entry in table.items():
        table[kind] = tuple(swapped.get(id(part), part) for part in entry)
