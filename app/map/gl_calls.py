"""GL calls that return at once keep the GIL.

pyglet binds every GL function through ctypes as a C function, and ctypes lets the GIL
go around each call. A frame of the map makes ~150 GL calls, nearly all of them state
(bind this buffer, set that uniform) that return within a microsecond; each let the GIL
go, the engine thread took it, and the call's return then waited for the engine's turn to
end. With 10,000 people at max speed that was ~100 waits a frame: close up, a frame took
22-27 ms at the median where the same calls holding the GIL take 19-20 (``benchmarks/gui.py``).

So after arcade is imported, the GL functions in ``pyglet.gl`` are bound again as Python
API functions (``ctypes.PYFUNCTYPE``: the GIL is kept) -- except the calls that may take a
while on a software rasterizer or wait for one: drawing, clearing, reading back, copying
and uploading pixels or buffers, compiling and linking, switching framebuffers, fences and
queries. Those still let the engine run meanwhile.
"""

from __future__ import annotations

import ctypes
from _ctypes import CFuncPtr
from types import ModuleType
from typing import Any

# Calls that may take long (their names start with one of these): they still let the GIL go.
WAITING_CALLS = (
    "glDraw", "glMultiDraw", "glDispatchCompute", "glClear", "glReadPixels", "glReadnPixels", "glFinish", "glFlush",
    "glClientWaitSync", "glWaitSync", "glMemoryBarrier", "glGetQueryObject", "glGetQueryBufferObject",
    "glTexImage", "glTexSubImage", "glTextureSubImage", "glTexStorage", "glTextureStorage", "glCompressedTex",
    "glGetTexImage", "glGetTextureImage", "glGetCompressedTex", "glGenerateMipmap", "glGenerateTextureMipmap",
    "glCopy", "glBlitFramebuffer", "glBlitNamedFramebuffer", "glBindFramebuffer", "glInvalidate",
    "glBufferData", "glBufferSubData", "glBufferStorage", "glNamedBuffer", "glGetBufferSubData",
    "glGetNamedBufferSubData", "glMapBuffer", "glMapNamedBuffer", "glUnmapBuffer", "glUnmapNamedBuffer",
    "glCompileShader", "glLinkProgram", "glProgramBinary", "glGetProgramBinary", "glShaderBinary",
    "glValidateProgram",
)
_KEEPS_GIL = getattr(ctypes, "_FUNCFLAG_PYTHONAPI", 0x4)


def keeps_gil(function: Any) -> bool:
    """Whether calling ``function`` (a ctypes function pointer) holds on to the GIL."""
    return bool(getattr(function, "_flags_", 0) & _KEEPS_GIL)


def keep_gil_in_quick_calls(gl: ModuleType, *more: ModuleType) -> int:
    """Rebind ``gl``'s quick GL functions so that they keep the GIL, in ``gl`` and in each of ``more``
    that holds the same function (pyglet's modules re-export them); returns how many were rebound."""
    rebound = 0
    for name, function in list(vars(gl).items()):
        if not name.startswith("gl") or name.startswith(WAITING_CALLS) or not isinstance(function, CFuncPtr):
            continue
        address = ctypes.cast(function, ctypes.c_void_p).value
        if keeps_gil(function) or function.argtypes is None or not address:
            continue  # done already; or a prototype not declared, which its callers may lean on
        restype: Any = function.restype  # a C type: pyglet declares no function that returns through a callable
        quick = ctypes.PYFUNCTYPE(restype, *function.argtypes)(address)
        if getattr(function, "errcheck", None) is not None:  # pyglet's debug mode checks glGetError after each
            quick.errcheck = function.errcheck
        setattr(gl, name, quick)
        for module in more:
            if getattr(module, name, None) is function:
                setattr(module, name, quick)
        rebound += 1
    return rebound
