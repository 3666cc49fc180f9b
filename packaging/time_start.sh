#!/usr/bin/env bash
# Time how fast a Townsfolk binary starts, on the X display in $DISPLAY (ci.sh runs it in xvfb-run):
#
#   packaging/time_start.sh BINARY [RUNS] [SIZE]
#
# Each run is `BINARY --smoke-test OUT.png --ticks 1`. Prints one line per run: the seconds until
# the main window is viewable (mapped on the X server; "-" without xwininfo from x11-utils) and the
# seconds the whole run took (Qt start, loading the village, one tick, the first map frame, the
# screenshot and exit). Exits non-zero, with the run's log on stderr, if a run fails.
set -euo pipefail
binary=${1:?usage: time_start.sh BINARY [RUNS] [SIZE]}
runs=${2:-3}
size=${3:-1280x800}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# A top-level window of class "Townsfolk" (Qt sets WM_CLASS from the application name) that is
# mapped. xwininfo lists unmapped windows too, hence the second look at its map state.
window_viewable() {
  local id
  for id in $(xwininfo -root -children 2>/dev/null | awk '/"Townsfolk"\)/ { print $1 }'); do
    xwininfo -id "$id" 2>/dev/null | grep -q IsViewable && return 0
  done
  return 1
}

for _ in $(seq "$runs"); do
  started=$(now)
  "$binary" --smoke-test "$work/start.png" --ticks 1 --size "$size" > "$work/log" 2>&1 &
  pid=$!
  shown=-
  if command -v xwininfo >/dev/null 2>&1; then
    while kill -0 "$pid" 2>/dev/null; do
      if window_viewable; then shown=$(since "$started"); break; fi
      sleep 0.02
    done
  fi
  if ! wait "$pid"; then
    cat "$work/log" >&2
    echo "time_start.sh: $binary --smoke-test failed" >&2
    exit 1
  fi
  echo "$shown $(since "$started")"
done
