"""The actions a person can take, as the API's JSON (see /v1/schema, "Answer")."""

from __future__ import annotations

from typing import Any

Action = dict[str, Any]


def go_to(place: int, activity: str = "leisure", minutes: int = 30) -> Action:
    """Walk to ``place`` (an id from ``Agent.places()``) and do ``activity`` there."""
    return {"type": "go_to", "place": place, "activity": activity, "minutes": minutes}


def do(activity: str, minutes: int = 30) -> Action:
    """``activity`` where they are: sleep, home, work, eat, shop, leisure, social or study."""
    return {"type": "do", "activity": activity, "minutes": minutes}


def say_to(person: int, text: str) -> Action:
    """Say ``text`` to someone at the same place; they answer as they would anyone."""
    return {"type": "say_to", "person": person, "text": text}


def remember(text: str) -> Action:
    return {"type": "remember", "text": text}


def plan(text: str) -> Action:
    return {"type": "plan", "text": text}


def recall(query: str, k: int = 5) -> Action:
    """Ask for memories about ``query`` in the next perception."""
    return {"type": "recall", "query": query, "k": k}
