#!/usr/bin/env bash
# Install what Townsfolk needs on Debian/Ubuntu: system libraries for Qt and OpenGL
# (software rendering is fine), a virtual display for tests, and a Python venv in
# .venv with the app and its dev tools. Safe to run again: it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  python3 python3-venv python3-pip
  libgl1 libegl1 libgl1-mesa-dri libglx-mesa0 libegl-mesa0 libxkbcommon-x11-0 libxcb-cursor0
  libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-render-util0 libxcb-image0 libxcb-randr0
  libxcb-xfixes0 libxcb-sync1 libxcb-xkb1 libxcb-shm0 libxcb-glx0 libx11-xcb1 libdbus-1-3
  libfontconfig1 libfreetype6 libglib2.0-0 fonts-dejavu-core
  xvfb xauth x11-utils binutils
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi
  echo "Installing system packages: ${missing[*]}"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

PYTHON=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
    PYTHON="$candidate"; break
  fi
done
if [ -z "$PYTHON" ]; then
  echo "Townsfolk needs Python 3.11 or newer (Debian 12 and Ubuntu 24.04 ship one)." >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# The example plugins (plugins/*/) are installed too: the tests run the town with them, as a user would.
stamp=.venv/.installed-$(cat pyproject.toml plugins/*/pyproject.toml | sha1sum | cut -c1-12)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[dev]"
  for plugin in plugins/*/; do
    .venv/bin/python -m pip install -q -e "$plugin"
  done
  rm -f .venv/.installed-* && touch "$stamp"
fi
