#!/usr/bin/env bash
# Build the one-folder bundle: dist/townsfolk/ with the binary dist/townsfolk/townsfolk.
#
#   packaging/build.sh            # incremental: PyInstaller reuses build/pyinstaller/ when nothing changed
#   packaging/build.sh --clean    # from scratch (also what a fresh CI machine gets)
#
# Runs from anywhere (it cds to the repo root). Uses .venv/bin/python when the venv exists,
# else $PYTHON, else python3. Safe to run again: the old dist/townsfolk/ is replaced.
set -euo pipefail
cd "$(dirname "$0")/.."

PYINSTALLER_VERSION=6.22.0  # keep in step with pyproject's dev extras

if [ -n "${PYTHON:-}" ]; then
  :
elif [ -x .venv/bin/python ]; then
  PYTHON=.venv/bin/python
else
  PYTHON=python3
fi

clean=()
for arg in "$@"; do
  case "$arg" in
    --clean) clean=(--clean) ;;
    *) echo "usage: $0 [--clean]" >&2; exit 2 ;;
  esac
done

# PyInstaller on Linux shells out to ldd, objdump and objcopy (binutils), which a minimal
# Debian image lacks. Say so up front instead of failing halfway through the analysis.
if [ "$(uname -s)" = Linux ]; then
  for tool in ldd objdump objcopy; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "build.sh: '$tool' is missing; install binutils (apt-get install binutils)" >&2
      exit 1
    fi
  done
fi

# Installed here only until pyinstaller is in the dev extras that bootstrap.sh installs.
if ! "$PYTHON" -c 'import PyInstaller' 2>/dev/null; then
  echo "Installing pyinstaller==$PYINSTALLER_VERSION into $("$PYTHON" -c 'import sys; print(sys.prefix)')"
  "$PYTHON" -m pip install -q "pyinstaller==$PYINSTALLER_VERSION"
fi

# The bundle needs the interpreter as a shared library (libpython3.X.so.1.0). Debian's python3 has
# it in the libpython3.X package; a pyenv/asdf Python must be built with --enable-shared.
if ! "$PYTHON" -c 'from PyInstaller.depend.bindepend import get_python_library_path as p; assert p()' 2>/dev/null; then
  version=$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
  echo "build.sh: no shared libpython$version found. On Debian/Ubuntu: apt-get install libpython$version;" \
       "with pyenv: PYTHON_CONFIGURE_OPTS=--enable-shared pyenv install <version>" >&2
  exit 1
fi

started=$(date +%s)
# --noconfirm replaces dist/townsfolk/ without asking. The work folder lives under build/ so that
# reruns can reuse the analysis cache; neither folder is tracked (see .gitignore / ruff excludes).
"$PYTHON" -m PyInstaller --noconfirm --log-level "${PYINSTALLER_LOG_LEVEL:-WARN}" "${clean[@]}" \
  --distpath dist --workpath build/pyinstaller packaging/townsfolk.spec

if [ ! -x dist/townsfolk/townsfolk ] && [ "$(uname -s)" = Linux ]; then
  echo "build.sh: PyInstaller finished but dist/townsfolk/townsfolk is missing" >&2
  exit 1
fi
echo "Built dist/townsfolk/ ($(du -sh dist/townsfolk | cut -f1)) in $(( $(date +%s) - started )) s"
