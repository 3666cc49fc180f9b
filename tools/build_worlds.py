"""Rebuild the bundled sample worlds in worlds/ from their sources.

    python tools/build_worlds.py

village.town comes from the hand-written worlds/source/village.toml; city.town is
generated (1,000 people, several districts) with a fixed seed.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import api  # noqa: E402
from engine.world.spec import world_from_spec  # noqa: E402

CITY_AGENTS, CITY_SEED, CITY_NAME = 1000, 11, "Brightwater"


def main() -> int:
    worlds = ROOT / "worlds"
    spec = tomllib.loads((worlds / "source" / "village.toml").read_text(encoding="utf-8"))
    built = {
        "village.town": world_from_spec(spec),
        "city.town": api.new_world(CITY_AGENTS, CITY_SEED, "city", CITY_NAME),
    }
    for name, world in built.items():
        problems = api.check_world(world)
        if problems:
            print(f"{name}: {len(problems)} problem(s): {problems[:3]}", file=sys.stderr)
            return 1
        api.save_world(world, worlds / name)
        print(f"wrote worlds/{name}: {world.name}, {len(world.people)} people, {len(world.city.buildings)} buildings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
