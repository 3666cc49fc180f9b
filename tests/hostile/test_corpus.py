"""The crafted hostile corpus (tests/hostile/corpus.py) through the real command line.

Every case runs through ``run_cli``, the function behind ``townsfolk``, in this process
(fast); the worst of them also run as real subprocesses under an address-space limit,
which proves their memory is bounded, and with a deadline, which proves they end.
"""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.cli import run_cli
from engine import api
from tests.hostile.corpus import Case, build_corpus

ROOT = Path(__file__).resolve().parents[2]
SECONDS_PER_FILE = 8.0  # generous for a shared 2-core CI runner; typical cases take well under a second
MEMORY_LIMIT = 1024 * 1024 * 1024  # address space for a subprocess: the whole app runs a small world in ~800 MB


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Case]:
    return build_corpus(tmp_path_factory.mktemp("hostile"))


def _judge(case: Case, code: int, stdout: str, stderr: str) -> str | None:
    """Why this outcome breaks the promise, or None."""
    lines = stderr.splitlines()
    if "Traceback" in stderr:
        return "a traceback escaped"
    if case.refused:
        if code == 0 or (code == 1 and case.args[0] == "check" and stdout):
            return None if code == 1 else "was accepted"
        if len(lines) != 1:
            return f"{len(lines)} lines on stderr: {stderr[:300]!r}"
        if str(case.subject) not in lines[0]:
            return f"does not name {case.subject}: {lines[0]!r}"
        if "could not be handled" in lines[0]:
            return f"only the last-resort handler caught it: {lines[0]!r}"
        return None
    if code != 0:
        return f"refused a good file: {stderr.strip()!r}"
    if "\x1b" in stdout or "\x07" in stdout:
        return "printed a control character"
    return None


def test_every_hostile_file_gets_one_line_naming_it(corpus: list[Case], capsys: pytest.CaptureFixture[str]):
    problems, slowest = [], (0.0, "")
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for case in corpus:
        started = time.perf_counter()
        code = run_cli(list(case.args))
        seconds = time.perf_counter() - started
        out, err = capsys.readouterr()
        slowest = max(slowest, (seconds, case.name))
        why = _judge(case, code, out, err)
        if case.args[0] == "check" and case.refused and code == 1:
            why = None if out.strip() else "check found problems but printed none"
        if why:
            problems.append(f"{case.name}: {why}")
        if seconds > SECONDS_PER_FILE:
            problems.append(f"{case.name}: took {seconds:.1f} s")
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) / 1024
    assert not problems, "\n".join(problems)
    assert grown_mb < 600, f"peak memory grew by {grown_mb:.0f} MB"
    print(f"{len(corpus)} hostile cases; slowest {slowest[1]} in {slowest[0]:.2f} s; peak grew {grown_mb:.0f} MB")


def test_check_and_open_agree_on_every_world(corpus: list[Case]):
    """What `check` passes opens and runs; what fails to open is what `check` reports (one checker)."""
    for case in corpus:
        if case.args[0] not in ("check", "info", "sim") or not case.subject.is_file():
            continue
        try:
            _world, problems = api.check_world_file(case.subject)
        except api.WorldFileError:
            problems = ["unreadable"]
        try:
            world = api.open_world(case.subject)
        except api.WorldFileError:
            assert problems, f"{case.name}: check passed a world that does not open"
            continue
        assert not problems, f"{case.name}: opened a world check rejects: {problems}"
        api.run_headless(world, 3, checkpoint_minutes=0)  # and it runs


# The ones that used to loop, hang or eat gigabytes (the rest run in-process above).
WORST = ("branch_loop_in_info", "branch_cycle", "too_many_people", "state_bomb", "map_huge", "map_zlib_bomb",
         "map_dev_zero_tileset", "map_capacity_ten_million", "persona_dev_zero")


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.mark.parametrize("name", WORST)
def test_the_worst_files_end_quickly_in_bounded_memory(corpus: list[Case], name: str):
    case = next(c for c in corpus if c.name == name)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "app", *case.args], capture_output=True, text=True, timeout=60,
                          cwd=ROOT, preexec_fn=_limited, env={**os.environ, "PYTHONPATH": str(ROOT)})
    seconds = time.perf_counter() - started
    assert _judge(case, done.returncode, done.stdout, done.stderr) is None, done.stderr[-2000:]
    assert done.returncode == 2 and seconds < 30


def test_a_world_naming_a_server_embedder_stays_offline(corpus: list[Case], monkeypatch: pytest.MonkeyPatch):
    """A rule-brain run of a world whose memories were embedded on a server sends nothing anywhere."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    monkeypatch.setenv("OLLAMA_HOST", f"http://127.0.0.1:{listener.getsockname()[1]}")
    case = next(c for c in corpus if c.name == "server_embedder")
    try:
        world = api.open_world(case.subject)
        assert world.meta["embedder"].startswith("ollama:")
        summary = api.run_headless(world, 30, world_path=case.subject)
        assert summary.ticks == 30
        with pytest.raises(TimeoutError):
            listener.accept()  # nobody knocked
    finally:
        listener.close()


def test_escapes_never_reach_the_terminal(corpus: list[Case], capsys: pytest.CaptureFixture[str]):
    for name in ("escape_in_name", "map_escapes", "persona_escapes_in_name"):
        case = next(c for c in corpus if c.name == name)
        assert run_cli(list(case.args)) == 0
        out, err = capsys.readouterr()
        assert not any(ch in out + err for ch in "\x1b\x07\x9b"), (name, out)
    imported = next(c for c in corpus if c.name == "persona_escapes_in_name")
    world = api.open_world(imported.args[-1])
    assert "Malory Vance" in [p.name for p in world.people]
    assert all(p.name.isprintable() for p in world.people)
