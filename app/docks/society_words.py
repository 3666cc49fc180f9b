"""Words for the society docks: who owns what, where people live, policy values in their own units.

Pure functions over ``engine.contracts`` data (no Qt), so they are tested without a window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.common import formatting as fmt
from app.common.formatting import district_name
from engine.contracts import StaticWorld
from engine.contracts.society import Account, FactView


def person_name(static: StaticWorld | None, person: int, nobody: str = "the player") -> str:
    """A person's full name; ``nobody`` for -1 (the player, or the district as an owner)."""
    return nobody if person < 0 else fmt.person_name(static, person)


def building_name(static: StaticWorld | None, building: int) -> str:
    if static is not None and 0 <= building < len(static.buildings):
        return static.buildings[building].name
    return "—" if building < 0 else f"building {building}"


def account_name(static: StaticWorld | None, account: Account, fallback: str = "") -> str:
    """Who an account belongs to, in words (the ledger names them too; this is for missing names)."""
    if fallback:
        return fallback
    if account.kind == "person":
        return person_name(static, account.id)
    if account.kind == "building":
        return building_name(static, account.id)
    if account.kind == "treasury":
        return f"{district_name(static, account.id)} treasury"
    return "outside the town"


def home_districts(static: StaticWorld) -> list[int]:
    """Each person's district (by their home's neighbourhood), -1 for the homeless."""
    hood_district = {hid: d.id for d in static.districts for hid, _name in d.neighbourhoods}
    out = []
    for person in static.people:
        home = person.home
        inside = 0 <= home < len(static.buildings)
        out.append(hood_district.get(static.buildings[home].neighbourhood, -1) if inside else -1)
    return out


def share_text(knowers: int, population: int) -> str:
    """How much of the town knows a fact: '42% (21 of 50)'."""
    if population <= 0:
        return f"{knowers}"
    return f"{100 * knowers / population:.0f}% ({knowers} of {population})"


def fact_when(fact: FactView, tick_time: Callable[[int], str]) -> str:
    """An event fact's time span in words; ``tick_time`` turns a tick into 'D2 17:00'."""
    if fact.start_tick < 0:
        return ""
    start = tick_time(fact.start_tick)
    return start if fact.end_tick < 0 else f"{start} – {tick_time(fact.end_tick).split(' ')[-1]}"


# -- policies -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PolicyUnit:
    """How a policy's engine value is shown and typed: ``shown = value * scale``."""

    label: str  # plain name of the policy
    suffix: str  # the unit after the number
    scale: float  # engine value -> shown number
    low: float  # shown range
    high: float
    step: float
    decimals: int
    default: float  # shown number a new proposal starts from
    clock: bool = False  # a time of day (minutes), with "none" = -1


POLICY_UNITS: dict[str, PolicyUnit] = {
    "tax_rate": PolicyUnit("Income tax", " %", 100.0, 0, 50, 1, 1, 10),
    "minimum_wage": PolicyUnit("Minimum wage", " $/h", 0.01, 0, 50, 0.5, 2, 15),
    "curfew": PolicyUnit("Curfew", "", 1.0, -1, 1439, 15, 0, 22 * 60, clock=True),
    "park_funding": PolicyUnit("Park funding", " $/day", 0.01, 0, 2000, 50, 2, 500),
    "school_funding": PolicyUnit("School funding", " $/day", 0.01, 0, 2000, 50, 2, 500),
    "opening_hours": PolicyUnit("Opening hours", " min later", 1.0, -180, 240, 15, 0, 60),
}


def policy_label(policy: str) -> str:
    unit = POLICY_UNITS.get(policy)
    return unit.label if unit else policy.replace("_", " ").capitalize()


def to_engine(policy: str, shown: float) -> float:
    """The engine's value for a number typed in the policy's own unit."""
    unit = POLICY_UNITS[policy]
    if unit.clock:
        return float(int(shown)) if shown >= 0 else -1.0
    value = shown / unit.scale
    return round(value, 4) if unit.scale > 1 else float(round(value))


def policy_value_text(policy: str, value: float) -> str:
    """'12 %', '$18.00/h', '22:00', 'none' — what a value means, before the engine words it."""
    unit = POLICY_UNITS.get(policy)
    if unit is None:
        return f"{value:g}"
    if unit.clock:
        return "none" if value < 0 else fmt.clock(int(value))
    if policy in ("minimum_wage", "park_funding", "school_funding"):
        if value <= 0:
            return "none"
        return fmt.money(int(value)) + unit.suffix.replace(" $", "")
    shown = value * unit.scale
    return f"{shown:+g}{unit.suffix}" if policy == "opening_hours" else f"{shown:g}{unit.suffix}"
