#!/usr/bin/env bash
# Install everything (first run only) and open Townsfolk on a world, the bundled village by default.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/bootstrap.sh
exec .venv/bin/townsfolk "${@:-worlds/village.town}"
