"""A save that fails (disk full, permission, read-only) keeps the old pair whole and says so truthfully."""

from __future__ import annotations

import errno
import math
import os
import subprocess
from pathlib import Path

import pytest

from engine import api
from engine.persistence import memory_files, world_file
from engine.persistence.memory_files import memory_folder
from tests.persistence.pairs import fingerprint, listing, read_pair, thinking_world, townsfolk


def _fail_after(files: int, number: int):  # type: ignore[no-untyped-def]
    """A copy function that writes ``files`` files, then fails the way the disk would."""
    copied = []
    real = memory_files._copy_file

    def copy(source: str, target: str) -> object:
        if len(copied) >= files:
            raise OSError(number, os.strerror(number), target)
        copied.append(target)
        return real(source, target)

    return copy


@pytest.mark.parametrize(("number", "cause"), [
    (errno.ENOSPC, "the disk is full"),
    (errno.EACCES, "permission denied"),
    (errno.EROFS, "the disk is read-only"),
])
def test_a_failure_while_writing_the_memories_keeps_the_old_pair(tmp_path: Path, monkeypatch, number: int, cause: str):
    world, memory = thinking_world()
    path = tmp_path / "v.town"
    api.save_world(world, path, memory=memory)
    before, entries, meta = fingerprint(path), listing(tmp_path), dict(world.meta)
    api.run_headless(world, 10)  # the world moves on; its next save must fail
    monkeypatch.setattr(memory_files, "_copy_file", _fail_after(3, number))
    with pytest.raises(api.WorldFileError) as failure:
        api.save_world(world, path, memory=memory)
    message = str(failure.value)
    assert message == (f"{path}: could not save the memories ({cause}); "
                       "v.town and v.memory/ are as they were before this save")
    assert fingerprint(path) == before  # truly as they were: every byte
    assert {k: world.meta[k] for k in memory_files.MEMORY_KEYS} == {k: meta[k] for k in memory_files.MEMORY_KEYS}
    assert listing(tmp_path) == entries  # no staging folder, no half-written file
    monkeypatch.undo()
    api.save_world(world, path, memory=memory)  # once the disk has room again, the save goes through
    assert read_pair(path).tick == world.tick


def test_a_full_disk_while_writing_the_world_file_removes_the_new_memories(tmp_path: Path, monkeypatch):
    world, memory = thinking_world()
    path = tmp_path / "v.town"
    api.save_world(world, path, memory=memory)
    before = fingerprint(path)

    def full(world: api.World, tmp: Path) -> None:
        tmp.write_bytes(b"SQLite format 3\x00 and then the disk ran out")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(world_file, "_write", full)
    with pytest.raises(api.WorldFileError, match=r"could not save the world file \(the disk is full\); "
                                                 r"v.town and v.memory/ are as they were before this save"):
        api.save_world(world, path, memory=memory)
    assert fingerprint(path) == before
    assert len(list(memory_folder(path).iterdir())) == 1  # the new version went again


@pytest.mark.parametrize("stage", ["the memories", "the world file"])
def test_a_first_save_that_fails_writes_nothing(tmp_path: Path, monkeypatch, stage: str):
    world, memory = thinking_world()
    if stage == "the memories":
        monkeypatch.setattr(memory_files, "_copy_file", _fail_after(0, errno.ENOSPC))
    else:
        monkeypatch.setattr(world_file, "_write", lambda world, tmp: (_ for _ in ()).throw(OSError(errno.ENOSPC, "")))
    with pytest.raises(api.WorldFileError, match=rf"could not save {stage} \(the disk is full\); nothing was written$"):
        api.save_world(world, tmp_path / "new.town", memory=memory)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_save_is_one_line_on_the_command_line(tmp_path: Path):
    (tmp_path / "out.memory").write_text("a file where the memory folder goes")
    result = townsfolk("sim", str(_saved_village(tmp_path)), "--ticks", "5", "--brain", "fake", "--embedder",
                       "hashing", "--save", str(tmp_path / "out.town"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr == (f"townsfolk: error: {tmp_path / 'out.town'}: could not save the memories "
                             "(a file is in the way of a folder); nothing was written\n")


def _saved_village(folder: Path) -> Path:
    path = folder / "in.town"
    api.save_world(api.new_world(12, seed=5, template="village"), path)
    return path


def _pages(path: Path) -> int:
    return sum(math.ceil(p.stat().st_size / 4096) for p in path.rglob("*") if p.is_file())


def test_a_really_full_disk_keeps_the_old_pair(tmp_path: Path):
    """The same on a small tmpfs, where the machine allows mounting one (root, not in a container that forbids it)."""
    world, memory = thinking_world()
    probe = tmp_path / "probe" / "v.town"
    probe.parent.mkdir()
    api.save_world(world, probe, memory=memory)
    old_pages = _pages(probe.parent)
    disk = tmp_path / "disk"
    disk.mkdir()
    # Room for the old pair and about half of a new one: the new pair can never fit beside it.
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={(old_pages * 3 // 2 + 2) * 4096}", "tmpfs",
                              str(disk)], capture_output=True, text=True)
    if mounted.returncode != 0:
        reason = mounted.stderr.strip() or f"mount exited {mounted.returncode}"
        print(f"skipped: cannot mount a tmpfs here ({reason}); the injected ENOSPC tests cover this path")
        pytest.skip(f"cannot mount a tmpfs here ({reason})")
    try:
        path = disk / "v.town"
        api.save_world(world, path, memory=memory)
        before = fingerprint(path)
        api.run_headless(world, 30)
        memory.add(0, world.tick, "observation", "a long day " * 2000, 3.0)
        with pytest.raises(api.WorldFileError, match=r"\(the disk is full\); v.town and v.memory/ are as they were"):
            api.save_world(world, path, memory=memory)
        assert fingerprint(path) == before
        assert sorted(p.name for p in disk.iterdir()) == ["v.memory", "v.town"]
        assert len(list(memory_folder(path).iterdir())) == 1
        assert read_pair(path).warning is None
    finally:
        subprocess.run(["umount", str(disk)], check=False)

