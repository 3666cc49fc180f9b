"""Simple rules for a plausible day, for when no model answers: needs first, then the hour."""

from __future__ import annotations

import re
from typing import Any

from townsfolk_agent.actions import Action, do, go_to, plan, say_to

GREETINGS = ("How's your day going?", "Good to see you. What are you up to?", "Anything new in town?")


def _hour(perception: dict[str, Any]) -> float:
    found = re.search(r"(\d{1,2}):(\d{2})", str(perception.get("time", "")))
    return int(found.group(1)) + int(found.group(2)) / 60 if found else 12.0


def _weekend(perception: dict[str, Any]) -> bool:
    return any(day in str(perception.get("time", "")) for day in ("Sat", "Sun"))


def _first(places: list[dict[str, Any]], kind: str) -> int | None:
    return next((p["id"] for p in places if p["kind"] == kind), None)


def rule_actions(perception: dict[str, Any], places: list[dict[str, Any]]) -> list[Action]:
    """What a sensible person does next, from what they perceive and the town's places."""
    needs, hour = perception["needs"], _hour(perception)
    home: int = perception["home"]
    work: int | None = perception.get("work")
    here = (perception.get("place") or {}).get("id")
    actions: list[Action] = []
    if not perception.get("plan"):
        actions.append(plan("Work on weekdays, eat when hungry, see people, home to sleep by eleven."))
    if hour >= 23 or hour < 6 or needs["energy"] < 0.2:
        return [*actions, go_to(home, "sleep", 7 * 60) if here != home else do("sleep", 7 * 60)]
    if needs["hunger"] < 0.4:
        cafe = _first(places, "cafe")
        if cafe is not None:
            return [*actions, go_to(cafe, "eat", 45)]
        return [*actions, go_to(home, "eat", 30)]
    if work is not None and 9 <= hour < 17 and not _weekend(perception):
        return [*actions, go_to(work, "work", 120) if here != work else do("work", 120)]
    if needs["social"] < 0.5 and perception.get("people"):
        other = perception["people"][0]
        greeting = GREETINGS[int(perception.get("tick", 0)) % len(GREETINGS)]
        return [*actions, say_to(other["id"], f"Hello {other['name'].split()[0]}! {greeting}"), do("social", 30)]
    if needs["fun"] < 0.5:
        park = _first(places, "park")
        if park is not None:
            return [*actions, go_to(park, "leisure", 60)]
    return [*actions, go_to(home, "home", 60) if here != home else do("home", 60)]
