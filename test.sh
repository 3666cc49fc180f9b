#!/usr/bin/env bash
# Install everything (first run only) and run the whole test suite on a virtual display.
# Extra arguments go to pytest, e.g. ./test.sh tests/test_cli.py -x
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/bootstrap.sh
exec xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python -m pytest -q "$@"
