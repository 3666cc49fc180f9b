#!/usr/bin/env bash
# CI for the desktop bundle, on a fresh Debian 12 machine after scripts/bootstrap.sh:
#   1. build dist/townsfolk/ (packaging/build.sh --clean)
#   2. check its shared libraries and required files (packaging/check_bundle.py)
#   3. run the bundled binary's --smoke-test under Xvfb, under Xvfb on the GL map backend (the path a
#      machine with a real GPU takes), and with QT_QPA_PLATFORM=offscreen (no X at all)
#   4. reject a blank screenshot (packaging/check_screenshot.py; the app also fails on a blank map)
#   5. time the start (to the window shown, and a whole --smoke-test --ticks 1) and print size and
#      start time as JSON lines
#
#   bash packaging/ci.sh            # JSON lines on stdout ({"metric": ...}), progress on stderr
#   KEEP_BUILD=1 bash packaging/ci.sh   # reuse build/pyinstaller (no --clean) when iterating
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
PYTHON=${PYTHON:-.venv/bin/python}
case "$PYTHON" in /*) ;; */*) PYTHON="$REPO/$PYTHON" ;; esac  # absolute: the smoke tests run elsewhere
SMOKE_SIZE=1280x800
SMOKE_TIMEOUT=300  # seconds; the smoke test has its own 180 s load timeout
START_RUNS=3       # start-time samples; the median is reported
# -noreset: Xvfb otherwise resets when its last client leaves, and a client connecting during the reset
# (the next start-time run, right after the last one and its xwininfo calls) is refused.
XVFB=(xvfb-run -a -s "-screen 0 1600x1000x24 -noreset")

say() { echo "ci: $*" >&2; }

# --- build prerequisites bootstrap.sh does not install -------------------------------------------
# PyInstaller needs binutils (objdump/objcopy) and the interpreter as a shared library, which
# Debian's python3 keeps in the libpython3.X package; the start-time probe uses xwininfo.
need_apt=()
command -v objdump >/dev/null 2>&1 || need_apt+=(binutils)
command -v xwininfo >/dev/null 2>&1 || need_apt+=(x11-utils)  # time_start.sh: when the window shows
if ! "$PYTHON" -c 'import sys, sysconfig, pathlib; n = sysconfig.get_config_var("INSTSONAME") or "";
sys.exit(0 if any((pathlib.Path(d) / n).exists() for d in (sysconfig.get_config_var("LIBDIR") or "",
  "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib")) else 1)'; then
  need_apt+=("libpython$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')")
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi
  say "installing build prerequisites: ${need_apt[*]}"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need_apt[@]}" >&2
fi

# --- 1. build --------------------------------------------------------------------------------------
build_args=(--clean)
[ "${KEEP_BUILD:-}" = 1 ] && build_args=()
build_started=$(date +%s.%N)
bash packaging/build.sh "${build_args[@]}" >&2
build_seconds=$(awk -v a="$build_started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
echo "{\"metric\": \"bundle_build_s\", \"value\": $build_seconds}"
BIN="$REPO/dist/townsfolk/townsfolk"

# --- 2. libraries and files ----------------------------------------------------------------------
"$PYTHON" packaging/check_bundle.py dist/townsfolk --json

# --- 3 + 4. smoke tests ----------------------------------------------------------------------------
# Run from an empty folder so nothing can come from the checkout by accident; the smoke test keeps
# its settings in a throw-away folder of its own.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

smoke() {  # smoke NAME [ENV=VALUE...] -- COMMAND...: run one smoke test and check its screenshot
  local name=$1; shift
  local png="/tmp/bundle-$name.png"
  rm -f "$png"
  say "smoke test: $name"
  if ! env "$@" --smoke-test "$png" --size "$SMOKE_SIZE" > "$work/$name.log" 2>&1; then
    cat "$work/$name.log" >&2
    say "FAILED: smoke test $name (log above)"
    exit 1
  fi
  grep -E '^smoke test ok' "$work/$name.log" >&2 || true
  grep -E '^\{"metric"' "$work/$name.log" || true  # timings, if the app prints them as JSON lines
  "$PYTHON" "$REPO/packaging/check_screenshot.py" "$png" --size "$SMOKE_SIZE" >&2
  echo "{\"metric\": \"smoke_ok\", \"value\": \"$name\", \"screenshot\": \"$png\"}"
}

smoke xvfb timeout "$SMOKE_TIMEOUT" "${XVFB[@]}" "$BIN"
smoke xvfb-gl TOWNSFOLK_MAP_BACKEND=gl timeout "$SMOKE_TIMEOUT" "${XVFB[@]}" "$BIN"
# This one also saves the world: a new memory stream is written by the app's executable started again
# as a writer process (memory_writer), which only the frozen app's entry script can start.
smoke offscreen QT_QPA_PLATFORM=offscreen timeout "$SMOKE_TIMEOUT" "$BIN" --save-to "$work/saved.town"
grep -E '^smoke test saved .*\(memories: v' "$work/offscreen.log" >&2 || { say "FAILED: the smoke test's save"; exit 1; }

# --- 5. start time ---------------------------------------------------------------------------------
# packaging/time_start.sh runs `--smoke-test --ticks 1` START_RUNS times on one Xvfb (so Xvfb's own
# start is not counted) and reports, per run, the seconds to the main window being mapped and to the
# end of the run. The smoke tests above warmed the disk cache, as a second start on a user's
# machine would be. The median is reported.
mapfile -t samples < <(timeout $(( SMOKE_TIMEOUT * START_RUNS )) "${XVFB[@]}" \
  bash "$REPO/packaging/time_start.sh" "$BIN" "$START_RUNS" "$SMOKE_SIZE")
if [ ${#samples[@]} -ne "$START_RUNS" ]; then
  say "FAILED: start-time runs (got ${#samples[@]} of $START_RUNS)"; exit 1
fi
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
shown=(); total=()
for sample in "${samples[@]}"; do shown+=("${sample%% *}"); total+=("${sample##* }"); done
if [ "${shown[0]}" != - ]; then
  echo "{\"metric\": \"start_time_s\", \"value\": $(median "${shown[@]}"), \"samples\": [$(IFS=,; echo "${shown[*]}")]," \
       "\"what\": \"process start to the main window mapped, on Xvfb\"}"
fi
echo "{\"metric\": \"smoke_run_s\", \"value\": $(median "${total[@]}"), \"samples\": [$(IFS=,; echo "${total[*]}")]," \
     "\"what\": \"wall clock of --smoke-test --ticks 1: start, load the village, 1 tick, first frame, screenshot, exit\"}"
say "OK"
