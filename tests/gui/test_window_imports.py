"""The window loads only what it uses: the agent API's web stack (FastAPI, uvicorn, ~7 MB) comes
in when the API is first asked for, not with every window."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import sys
from PySide6.QtWidgets import QApplication
from engine import api
from app.shell.controller import Controller

qt = QApplication([])
api.save_world(api.new_world(12, 3, "village"), sys.argv[1])
controller = Controller(quiet=True)
controller.window.resize(1280, 800)
controller.window.show()
loaded = []
controller.world_loaded.connect(loaded.append)
controller.open_path(sys.argv[1])
import time
deadline = time.monotonic() + 60
while not (loaded and controller.bridge.latest is not None) and time.monotonic() < deadline:
    qt.processEvents()
    time.sleep(0.01)
assert loaded and not controller.errors, controller.errors
web = sorted(m for m in sys.modules if m.split(".")[0] in ("fastapi", "uvicorn", "starlette"))
assert not web, web[:5]
problem = controller.agent_api.start(0, remote=False)  # asked for: the stack comes in, and serves
assert problem == "" and controller.agent_api.running, problem
controller.agent_api.stop()
print("ok", flush=True)
controller.shutdown()  # as closing the window does: the engine stops before the process ends
"""


def test_a_window_on_a_world_does_not_load_the_agent_apis_web_stack(tmp_path: Path) -> None:
    # In a process of its own: this test run has imported the server already.
    paths = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    done = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "small.town")],
                          env={**os.environ, "PYTHONPATH": paths}, capture_output=True, text=True, timeout=180,
                          check=False)
    # stdout says how far the probe got (a crash on the way out comes after its "ok").
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), (
        f"exit {done.returncode}; stdout: {done.stdout[-300:]!r}; stderr: {done.stderr[-2000:]}")
