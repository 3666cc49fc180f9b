"""Names that say who made them, and the sweep of what killed saves and runs left behind.

Every temporary thing a save or a run makes (a half-written world file, a staging
folder, a new memory version not yet named by its world file, a session's working
copy of the memories) carries its process id in its name: ``-p<pid>-``. Anything
whose process is gone can never be finished, so the next open or save removes it;
anything of a live process (another window on the same world, mid-save) is left
alone. Within this process, names are active while registered here.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

_OWNER = re.compile(r"-p(\d+)-")
_active: set[str] = set()
_lock = threading.Lock()

SCRATCH_PREFIX = "townsfolk-memory-"
CHECKPOINTS_PREFIX = "townsfolk-checkpoints-"  # checkpoints taken since the last save (``checkpoint_file``)
#: Working copies from before names carried their owner: only age tells they are abandoned.
UNOWNED_SCRATCH_AGE_S = 12 * 3600
UNOWNED_TEMP_AGE_S = 600


def owned_name(prefix: str, suffix: str = "") -> str:
    """``prefix-p<pid>-<random><suffix>``: unique, and says which process made it."""
    return f"{prefix}-p{os.getpid()}-{secrets.token_hex(4)}{suffix}"


def owner_of(name: str) -> int | None:
    match = _OWNER.search(name)
    return int(match.group(1)) if match else None


@contextlib.contextmanager
def in_use(name: str) -> Iterator[None]:
    """While the block runs, ``name`` belongs to a live save of this process: no sweep touches it."""
    hold(name)
    try:
        yield
    finally:
        release(name)


def hold(name: str) -> None:
    with _lock:
        _active.add(name)


def release(name: str) -> None:
    with _lock:
        _active.discard(name)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process: alive as far as we can tell
    return True


def abandoned(name: str) -> bool | None:
    """True when the owner of ``name`` is gone (or is us, done with it); None when the name has no owner."""
    pid = owner_of(name)
    if pid is None:
        return None
    if pid == os.getpid():
        with _lock:
            return name not in _active
    return not _pid_alive(pid)


def remove(path: Path) -> None:
    """Best effort: a leftover that cannot be removed now is tried again next time."""
    with contextlib.suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink()


def _old(path: Path, age_s: float) -> bool:
    try:
        return time.time() - path.lstat().st_mtime > age_s
    except OSError:
        return False


def sweep_world_temps(folder: Path, world_name: str) -> None:
    """Half-written world files (and SQLite journals beside them) of saves that were killed."""
    with contextlib.suppress(OSError):  # ``.NAME-p<pid>-<random>.saving``; before owners: ``.NAME.<random>.saving``
        for stale in [*folder.glob(f".{world_name}-p*.saving*"), *folder.glob(f".{world_name}.*.saving*")]:
            verdict = abandoned(stale.name)
            if verdict or (verdict is None and _old(stale, UNOWNED_TEMP_AGE_S)):
                remove(stale)


def sweep_scratch(temp_root: Path | None = None) -> None:
    """Working copies of memories, and checkpoints not yet saved, in the system temp folder whose run was killed."""
    root = temp_root or Path(tempfile.gettempdir())
    with contextlib.suppress(OSError):
        for stale in [*root.glob(f"{SCRATCH_PREFIX}*"), *root.glob(f"{CHECKPOINTS_PREFIX}*")]:
            verdict = abandoned(stale.name)
            if verdict or (verdict is None and _old(stale, UNOWNED_SCRATCH_AGE_S)):
                remove(stale)
