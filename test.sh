#!/usr/bin/env bash
# Install everything (first run only) and run the whole test suite on a virtual display.
# Extra arguments go to pytest, e.g. ./test.sh tests/test_cli.py -x
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/bootstrap.sh
if [ $# -gt 0 ]; then
  exec xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python -m pytest -q "$@"
fi
# The GUI tests once more without any display server: the offscreen map path must work too.
QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -q tests/gui
# Everything but the tests against a real model, which build one first (.ci/run runs them; so does
# `./test.sh tests/real_model`).
xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python -m pytest -q -m "not real_model"
