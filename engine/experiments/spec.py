"""An experiment spec (a TOML file): what to run, what to vary, how long, and what to ask.

```toml
name = "word of mouth"
worlds = ["../worlds/village.town"]   # relative to the spec file
seeds = [1, 2, 3]
replications = 1                      # runs per world x seed x setting (replication r > 0 derives its seed)
sim_hours = 48
checkpoint_minutes = 60               # 0: none (then a run's saved world cannot be opened at any hour)
save_worlds = true                    # keep each run's world (with its history) in DIR/worlds/

[settings]                            # the same for every run
brain = "rule"
facts = [["Rosa Alvarez", "I'm throwing a party at The Copper Kettle tomorrow at 5pm"]]

[sweep]                               # every combination of these lists is a setting
"policy.tax_rate" = [0.1, 0.3]

[[interviews]]                        # asked in every run at that sim hour
at_hour = 24
question = "How happy are you with life in town?"
who = "all"                           # "all", "sample:N", or a list of names
scale = [1, 5]                        # leave out for free text
```

Setting names (in ``settings`` or ``sweep``): ``brain`` (rule, ollama, fake), ``model``,
``hosts`` (a list), ``budget`` (model calls per sim hour), ``minds``, ``facts`` (a list of
[person, words]), ``policy.NAME`` (every district; ``policy.NAME@District`` one district),
``trait.PERSON.TRAIT`` (``PERSON`` may be ``everyone``), ``scenario`` and ``plugin.NAME.SETTING``.
The last two are carried into each run's plan and manifest unchanged and handed to the
engine's plugins when a build has them (``engine.experiments.run`` says where).
"""

from __future__ import annotations

import itertools
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.state.person import TRAIT_NAMES

BRAINS = ("rule", "ollama", "fake")
SIMPLE_SETTINGS = ("brain", "model", "hosts", "budget", "minds", "facts", "scenario")
PREFIXED_SETTINGS = ("policy.", "trait.", "plugin.")
TOP_LEVEL = ("name", "description", "worlds", "seeds", "replications", "sim_hours", "checkpoint_minutes",
             "save_worlds", "settings", "sweep", "interviews")
MAX_RUNS = 100_000


class SpecError(ValueError):
    """A spec that cannot run; the message is one line and names the spec file."""


@dataclass(frozen=True)
class Interview:
    at_hour: float
    question: str
    who: str | tuple[str, ...] = "all"
    scale: tuple[int, int] | None = None


@dataclass(frozen=True)
class ExperimentSpec:
    path: Path
    name: str
    worlds: tuple[Path, ...]
    seeds: tuple[int, ...]
    replications: int
    sim_hours: float
    checkpoint_minutes: float
    save_worlds: bool
    settings: dict[str, Any]
    sweep: dict[str, list[Any]]
    interviews: tuple[Interview, ...] = ()
    description: str = ""
    raw: dict[str, Any] = field(default_factory=dict)

    def combinations(self) -> list[dict[str, Any]]:
        """Every setting the runs take: the fixed settings with one value of each swept name."""
        names = sorted(self.sweep)
        return [{**self.settings, **dict(zip(names, values, strict=True))}
                for values in itertools.product(*(self.sweep[n] for n in names))]


def load_spec(path: str | Path) -> ExperimentSpec:
    """Read and check a spec file; ``SpecError`` (one line, naming the file) when it cannot run."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"{path}: no such spec file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path}: cannot be read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML ({exc})") from None
    return parse_spec(raw, path)


def parse_spec(raw: dict[str, Any], path: Path) -> ExperimentSpec:
    def fail(problem: str) -> SpecError:
        return SpecError(f"{path}: {problem}")

    unknown = sorted(set(raw) - set(TOP_LEVEL))
    if unknown:
        raise fail(f"unknown key '{unknown[0]}' (the keys are: {', '.join(TOP_LEVEL)})")
    worlds = raw.get("worlds")
    if not isinstance(worlds, list) or not worlds or not all(isinstance(w, str) for w in worlds):
        raise fail("'worlds' must be a list of world files")
    world_paths = tuple((path.parent / w).resolve() for w in worlds)
    for world in world_paths:
        if not world.is_file():
            raise fail(f"world file {world} does not exist")
    seeds = raw.get("seeds", [0])
    if not isinstance(seeds, list) or not seeds or not all(type(s) is int for s in seeds):
        raise fail("'seeds' must be a list of whole numbers")
    replications = _whole(raw.get("replications", 1), "replications", 1, fail)
    sim_hours = _number(raw.get("sim_hours"), "sim_hours", fail)
    checkpoint_minutes = _number(raw.get("checkpoint_minutes", 60), "checkpoint_minutes", fail, low=0.0)
    save_worlds = raw.get("save_worlds", True)
    if not isinstance(save_worlds, bool):
        raise fail("'save_worlds' must be true or false")
    settings = raw.get("settings", {})
    if not isinstance(settings, dict):
        raise fail("[settings] must be a table")
    for name, value in settings.items():
        _check_setting(name, value, fail)
    sweep = raw.get("sweep", {})
    if not isinstance(sweep, dict):
        raise fail("[sweep] must be a table of lists")
    for name, values in sweep.items():
        if not isinstance(values, list) or not values:
            raise fail(f"sweep '{name}' must be a non-empty list of values")
        if name in settings:
            raise fail(f"'{name}' is both a fixed setting and swept")
        for value in values:
            _check_setting(name, value, fail)
    interviews = tuple(_interview(item, sim_hours, fail) for item in raw.get("interviews", []))
    spec = ExperimentSpec(
        path=path.resolve(), name=str(raw.get("name", path.stem)), worlds=world_paths, seeds=tuple(seeds),
        replications=replications, sim_hours=sim_hours, checkpoint_minutes=checkpoint_minutes,
        save_worlds=save_worlds, settings=dict(settings), sweep={k: list(v) for k, v in sweep.items()},
        interviews=interviews, description=str(raw.get("description", "")), raw=raw,
    )
    total = len(world_paths) * len(seeds) * replications * math.prod(len(v) for v in spec.sweep.values())
    if total > MAX_RUNS:
        raise fail(f"{total:,} runs is more than {MAX_RUNS:,}: sweep fewer values")
    return spec


def _whole(value: Any, name: str, low: int, fail: Any) -> int:
    if type(value) is not int or value < low:
        raise fail(f"'{name}' must be a whole number of at least {low}")
    return value


def _number(value: Any, name: str, fail: Any, low: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < low:
        raise fail(f"'{name}' must be a number of at least {low:g}")
    if name == "sim_hours" and value <= 0:
        raise fail("'sim_hours' must be more than 0")
    return float(value)


def _check_setting(name: str, value: Any, fail: Any) -> None:
    """One line naming the setting when its name or value cannot work."""
    if name == "brain":
        if value not in BRAINS:
            raise fail(f"'brain' must be one of {', '.join(BRAINS)}, not {value!r}")
    elif name in ("model", "scenario"):
        if not isinstance(value, str):
            raise fail(f"'{name}' must be a string")
    elif name == "hosts":
        if not isinstance(value, list) or not all(isinstance(h, str) for h in value):
            raise fail("'hosts' must be a list of server addresses")
    elif name in ("budget", "minds"):
        if type(value) is not int or value < 0:
            raise fail(f"'{name}' must be a whole number of at least 0")
    elif name == "facts":
        if not isinstance(value, list) or not all(
                isinstance(f, list) and len(f) == 2 and all(isinstance(x, str) for x in f) for f in value):
            raise fail("'facts' must be a list of [person, words] pairs")
    elif name.startswith("policy."):
        from engine.society import policies  # the policies' own ranges and words

        policy = name.removeprefix("policy.").split("@")[0]
        try:
            policies.normalise(policy, value)
        except ValueError as exc:
            raise fail(f"'{name}' = {value!r}: {exc}") from None
    elif name.startswith("trait."):
        parts = name.split(".")
        if len(parts) != 3 or parts[2] not in TRAIT_NAMES:
            raise fail(f"'{name}' must be trait.PERSON.TRAIT with TRAIT one of {', '.join(TRAIT_NAMES)}")
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
            raise fail(f"'{name}' must be a number from 0 to 1")
    elif name.startswith("plugin."):
        if len(name.split(".")) < 3:
            raise fail(f"'{name}' must be plugin.NAME.SETTING")
    else:
        raise fail(f"unknown setting '{name}' (the settings are: {', '.join(SIMPLE_SETTINGS)}, "
                   "policy.NAME, trait.PERSON.TRAIT, plugin.NAME.SETTING)")


def _interview(item: Any, sim_hours: float, fail: Any) -> Interview:
    if not isinstance(item, dict):
        raise fail("each [[interviews]] must be a table")
    question = item.get("question")
    if not isinstance(question, str) or not question.strip():
        raise fail("an interview needs a 'question'")
    at_hour = _number(item.get("at_hour", sim_hours), "at_hour", fail)
    if at_hour > sim_hours:
        raise fail(f"an interview at hour {at_hour:g} comes after the run ends (sim_hours = {sim_hours:g})")
    who = item.get("who", "all")
    if isinstance(who, list):
        if not all(isinstance(w, str) for w in who):
            raise fail("an interview's 'who' must be \"all\", \"sample:N\" or a list of names")
        who = tuple(who)
    elif not isinstance(who, str):
        raise fail("an interview's 'who' must be \"all\", \"sample:N\" or a list of names")
    scale = item.get("scale")
    if scale is not None:
        if (not isinstance(scale, list) or len(scale) != 2 or not all(type(s) is int for s in scale)
                or scale[0] >= scale[1]):
            raise fail("an interview's 'scale' must be [LOW, HIGH], e.g. [1, 5]")
        scale = (scale[0], scale[1])
    return Interview(at_hour, question.strip(), who, scale)
