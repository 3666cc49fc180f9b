"""The rules a district council can change: defaults, ranges, plain words, and who wants them changed.

Values are floats on the way in and out (that is what the contracts carry) but every
policy except the tax rate is a whole number of cents or minutes, so values are
normalised here once and compared exactly everywhere else.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.contracts.society import POLICIES
from engine.society.voting import CONSCIENTIOUSNESS, EXTRAVERSION, NEUROTICISM, OPENNESS, Standing

CURFEW_EARLIEST = 20 * 60  # a curfew falls between 20:00 ...
CURFEW_LATEST = 2 * 60  # ... and 02:00 the next morning


@dataclass(frozen=True, slots=True)
class PolicySpec:
    default: float
    low: float
    high: float
    whole: bool  # cents or minutes: stored as whole numbers


SPECS: dict[str, PolicySpec] = {
    "tax_rate": PolicySpec(0.10, 0.0, 0.5, whole=False),
    "minimum_wage": PolicySpec(0, 0, 5000, whole=True),  # cents per hour; 0: none
    "curfew": PolicySpec(-1, -1, 1439, whole=True),  # minute of day; -1: none
    "park_funding": PolicySpec(0, 0, 200_000, whole=True),  # cents a day
    "school_funding": PolicySpec(0, 0, 200_000, whole=True),  # cents a day
    "opening_hours": PolicySpec(0, -180, 240, whole=True),  # minutes shops and cafes stay open later
}
assert tuple(SPECS) == POLICIES

LABELS = {
    "tax_rate": "income tax", "minimum_wage": "the minimum wage", "curfew": "the curfew",
    "park_funding": "park funding", "school_funding": "school funding", "opening_hours": "opening hours",
}


# Policies plugins add (``engine.plugins.kinds.PolicyKind``), by name: registered when a plugin runs.
# Only their specs live here, so a council may hold a plugin's value; a town whose plugins do not
# include it never proposes it, and it acts only through its plugin.
PLUGIN_POLICIES: dict[str, Any] = {}


def register(kind: Any) -> None:
    """A plugin's policy (a ``PolicyKind``): councils may now vote on it."""
    if kind.key in SPECS:
        raise ValueError(f"policy '{kind.key}' is the core's own")
    PLUGIN_POLICIES[kind.key] = kind
    LABELS[kind.key] = kind.label


def default(name: str) -> float:
    return float(spec(name).default)


def spec(name: str) -> PolicySpec:
    found = SPECS.get(name)
    if found is None:
        kind = PLUGIN_POLICIES.get(name)
        if kind is not None:
            return PolicySpec(kind.default, kind.low, kind.high, kind.whole)
        raise ValueError(f"there is no policy called '{name}' (there are: {', '.join((*POLICIES, *PLUGIN_POLICIES))})")
    return found


def normalise(name: str, value: float) -> float:
    """The value as it will be stored; raises ValueError in plain words when it is out of range."""
    rule = spec(name)
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{LABELS[name]} needs a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{LABELS[name]} needs a real number")
    if rule.whole:
        value = float(round(value))
    else:
        value = round(value, 4)
    if name == "curfew":
        if value != -1 and not (CURFEW_EARLIEST <= value < 24 * 60 or 0 <= value <= CURFEW_LATEST):
            raise ValueError("a curfew must fall between 20:00 and 02:00 (minute of the day), or be -1 for none")
        return value
    if not rule.low <= value <= rule.high:
        low, high = (_amount(name, bound) for bound in (rule.low, rule.high))
        raise ValueError(f"{LABELS[name]} must be between {low} and {high}")
    return value


def _amount(name: str, value: float) -> str:
    """A bare value in the policy's unit, for range messages: "50%", "$50.00/h", "240 minutes"."""
    if name == "tax_rate":
        return _percent(value)
    if name == "minimum_wage":
        return f"{_money(value)}/h"
    if name in ("park_funding", "school_funding"):
        return f"{_whole_money(value)}/day"
    if name in PLUGIN_POLICIES:
        return f"{value:g}"  # in the plugin's own unit (its label says what)
    return f"{value:g} minutes"


def _money(cents: float) -> str:
    return f"${cents / 100:,.2f}"


def _whole_money(cents: float) -> str:
    return f"${cents / 100:,.0f}" if cents % 100 == 0 else _money(cents)


def _clock(minute: float) -> str:
    m = int(minute) % (24 * 60)
    return f"{m // 60:02d}:{m % 60:02d}"


def _percent(rate: float) -> str:
    shown = round(rate * 100, 1)
    return f"{shown:g}%"


def _duration(minutes: float) -> str:
    minutes = int(abs(minutes))
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"


def text(name: str, value: float) -> str:
    """A policy in force, in plain words: "income tax 12%", "curfew at 22:00"."""
    if name == "tax_rate":
        return f"income tax {_percent(value)}"
    if name == "minimum_wage":
        return f"minimum wage {_money(value)}/h" if value > 0 else "no minimum wage"
    if name == "curfew":
        return f"curfew at {_clock(value)}" if value >= 0 else "no curfew"
    if name in ("park_funding", "school_funding"):
        who = "parks" if name == "park_funding" else "schools"
        return f"{who} get {_whole_money(value)}/day" if value > 0 else f"no {who.rstrip('s')} funding"
    if name == "opening_hours":
        if value > 0:
            return f"shops stay open {_duration(value)} later"
        if value < 0:
            return f"shops close {_duration(value)} earlier"
        return "usual opening hours"
    spec(name)  # raises for an unknown name
    kind = PLUGIN_POLICIES[name]
    return kind.text(value) if kind.text is not None else f"{kind.label} {value:g}"


def proposal_text(name: str, old: float, new: float) -> str:
    """What a proposal asks for, as a council agenda would put it: "Raise the minimum wage to $18.00/h"."""
    if name == "tax_rate":
        return f"{'Raise' if new > old else 'Cut'} income tax to {_percent(new)}"
    if name == "minimum_wage":
        if new <= 0:
            return "Abolish the minimum wage"
        verb = "Bring in" if old <= 0 else "Raise" if new > old else "Lower"
        return f"{verb} the minimum wage {'of' if old <= 0 else 'to'} {_money(new)}/h"
    if name == "curfew":
        if new < 0:
            return "Lift the curfew"
        # "at 22:00" would make the outcome news read like an invitation on the grapevine
        return f"Bring in a {_clock(new)} curfew" if old < 0 else f"Move the curfew to {_clock(new)}"
    if name in ("park_funding", "school_funding"):
        who = "parks" if name == "park_funding" else "schools"
        if new <= 0:
            return f"Stop funding the {who}"
        verb = "Fund the" if old <= 0 else "Raise funding for the" if new > old else "Cut funding for the"
        return f"{verb} {who} {'with' if old <= 0 else 'to'} {_whole_money(new)}/day"
    if name == "opening_hours":
        if new == 0:
            return "Go back to the usual opening hours"
        if new > 0:
            return f"Let shops stay open {_duration(new)} later"
        return f"Make shops close {_duration(new)} earlier"
    spec(name)
    return f"Set {LABELS[name]} to {text(name, new)}"


# -- what residents want changed ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Grievance:
    policy: str
    value: float  # what they want it to be
    reason: str
    proposer: int
    strength: float  # >= 1: strong enough to take to the council


def _share(count: int, total: int, threshold: float, urgency: float = 1.0) -> float:
    """How many times over ``threshold`` the share ``count / total`` is (capped, so no one crowd drowns the
    rest), weighed by how pressing the cause is: money troubles before pleasures."""
    return min(2.0, count / total / threshold) * urgency if total else 0.0


def grievances(adults: list[Standing], current: Callable[[str], float], treasury: int, district: str) -> list[Grievance]:
    """Every change the adults of a district have cause to ask for, each with who would ask and how strongly."""
    if not adults:
        return []
    found: list[Grievance] = []
    total = len(adults)
    tax = current("tax_rate")
    wage = current("minimum_wage")
    low = [s for s in adults if s.low_earner]
    if low and wage < SPECS["minimum_wage"].high:
        lowest = min((s.pay for s in low if s.pay > 0), default=wage)
        value = min(SPECS["minimum_wage"].high, max(wage + 200, lowest + 200))
        poorest = min(low, key=lambda s: (s.money, s.person))
        found.append(Grievance("minimum_wage", value, f"{len(low)} of {total} adults in {district} earn little "
                               "or are nearly broke", poorest.person, _share(len(low), total, 0.25, 1.25)))
    if treasury < 0 and tax < SPECS["tax_rate"].high:
        dutiful = max(adults, key=lambda s: (s.traits[CONSCIENTIOUSNESS], -s.person))
        found.append(Grievance("tax_rate", round(min(SPECS["tax_rate"].high, tax + 0.02), 4),
                               f"the {district} treasury is {_money(-treasury)} in debt", dutiful.person, 3.0))
    if treasury > 2_000_000 and tax > 0.05:
        rich = [s for s in adults if s.high_earner]
        richest = max(adults, key=lambda s: (s.money, -s.person))
        found.append(Grievance("tax_rate", round(max(0.0, tax - 0.02), 4),
                               f"the {district} treasury holds {_whole_money(treasury)}: taxes can come down",
                               richest.person, 1.0 + len(rich) / total))
    curfew = current("curfew")
    if curfew < 0:
        worried = [s for s in adults if s.age >= 55 and s.traits[NEUROTICISM] > 0.6]
        if worried:
            who = max(worried, key=lambda s: (s.traits[NEUROTICISM], s.age, -s.person))
            found.append(Grievance("curfew", 22 * 60, f"{len(worried)} older residents of {district} "
                                   "fear the streets at night", who.person, _share(len(worried), total, 0.12)))
    else:
        restless = [s for s in adults if s.age < 35 and s.traits[EXTRAVERSION] > 0.6]
        if restless:
            who = max(restless, key=lambda s: (s.traits[EXTRAVERSION], -s.person))
            found.append(Grievance("curfew", -1, f"{len(restless)} young people in {district} want their evenings "
                                   "back", who.person, _share(len(restless), total, 0.12)))
    for policy, people, what, threshold, urgency in (
        ("park_funding", [s for s in adults if s.traits[OPENNESS] > 0.65 and s.traits[EXTRAVERSION] > 0.55],
         "love the parks", 0.15, 0.8),
        ("school_funding", [s for s in adults if s.parent], "have children at school", 0.2, 1.0),
    ):
        funding = current(policy)
        if people and funding < SPECS[policy].high and treasury >= 0:  # nobody asks a broke district to spend
            who = max(people, key=lambda s: (s.traits[OPENNESS] + s.traits[EXTRAVERSION] + s.traits[NEUROTICISM], -s.person))
            found.append(Grievance(policy, min(SPECS[policy].high, funding + 50_000),
                                   f"{len(people)} adults in {district} {what}", who.person,
                                   _share(len(people), total, threshold, urgency)))
    hours = current("opening_hours")
    trade = [s for s in adults if s.shop_worker or s.business_owner]
    if trade and hours < SPECS["opening_hours"].high:
        who = max(trade, key=lambda s: (s.business_owner, s.traits[EXTRAVERSION], -s.person))
        found.append(Grievance("opening_hours", min(SPECS["opening_hours"].high, hours + 60),
                               f"{len(trade)} shop and cafe people in {district} want more trading hours",
                               who.person, _share(len(trade), total, 0.1, 0.8)))
    return found
