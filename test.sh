#!/usr/bin/env bash
# Install everything (first run only) and run the whole test suite on a virtual display.
# Extra arguments go to pytest, e.g. ./test.sh tests/test_cli.py -x
set -euo pipefail
cd "$(dirname "$0")"
[ -n "${TOWNSFOLK_TESTS_ON_XVFB:-}" ] || bash scripts/bootstrap.sh  # (run once: not again on the display below)
XVFB=(xvfb-run -a -s "-screen 0 1600x1000x24")
if [ $# -gt 0 ]; then
  exec "${XVFB[@]}" .venv/bin/python -m pytest -q "$@"
fi
# Everything but the tests against a real model, which build one first (.ci/run runs them; so does
# `./test.sh tests/real_model`). Two pytest processes side by side, as each keeps about one core busy:
# the window tests (under Xvfb, then once more without any display server: the offscreen map path must
# work too), and everything else under Xvfb. Both share one virtual display: two `xvfb-run -a` started
# together can pick the same display number. The window tests' output is shown when both are done.
if [ -z "${TOWNSFOLK_TESTS_ON_XVFB:-}" ]; then
  TOWNSFOLK_TESTS_ON_XVFB=1 exec "${XVFB[@]}" bash "./$(basename "$0")"
fi
gui_log=$(mktemp -t townsfolk-gui-tests.XXXXXX)
trap 'rm -f "$gui_log"' EXIT
(
  status=0
  .venv/bin/python -m pytest -q -m "not real_model" tests/gui || status=$?
  env -u DISPLAY QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -q -m "not real_model" tests/gui || status=$?
  exit "$status"
) >"$gui_log" 2>&1 &
gui_tests=$!
rest=0
.venv/bin/python -m pytest -q -m "not real_model" --ignore=tests/gui || rest=$?
gui=0
wait "$gui_tests" || gui=$?
echo "--- the window tests (Xvfb, then offscreen) ---"
cat "$gui_log"
if [ "$gui" -ne 0 ] || [ "$rest" -ne 0 ]; then
  echo "test.sh: FAILED (window tests: exit $gui; the rest: exit $rest)" >&2
  exit 1
fi
