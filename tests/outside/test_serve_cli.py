"""`townsfolk serve`: the agent API in front of a headless world, driven from another process."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import ROOT


def test_serve_runs_a_world_an_outside_program_can_live_in(saved_village: Path, tmp_path: Path) -> None:
    out = tmp_path / "after.town"
    proc = subprocess.Popen([sys.executable, "-m", "app", "serve", str(saved_village), "--port", "0", "--speed", "20",
                             "--seconds", "8", "--save", str(out)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        url = re.search(r"(http://127\.0\.0\.1:\d+/v1)", line)
        assert url, f"no URL in {line!r}"
        with httpx.Client(base_url=url.group(1), timeout=20) as client:
            me = client.post(f"{url.group(1)}/register", json={"person": 2}).json()
            r = client.get(f"{url.group(1)}/decision", params={"wait": 15},
                           headers={"Authorization": f"Bearer {me['token']}"})
            assert r.status_code == 200 and r.json()["perception"]["agent"] == 2
    finally:
        stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert f"saved {out}" in stdout and out.exists()


def test_serve_refuses_to_listen_beyond_loopback_unless_asked(saved_village: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "app", "serve", str(saved_village), "--host", "0.0.0.0",
                           "--seconds", "1"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "loopback only" in done.stderr and "--allow-remote" in done.stderr and len(done.stderr.splitlines()) == 1
