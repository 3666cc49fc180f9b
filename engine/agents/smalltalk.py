"""Templated small talk for the rule brain: short, varied, and about real things.

Lines are picked with the simulation's RNG so a replay says the same words.
"""

from __future__ import annotations

import random

OPENERS = (
    "Morning, {other}! Busy day?",
    "Hey {other}, fancy seeing you here.",
    "Oh hi {other}! How have you been?",
    "{other}! I was hoping I'd run into you.",
    "Hello there. It's {other}, right?",
)
TOPICS = (
    "Did you hear they might fix the road on {street}?",
    "{place} is busy today, isn't it?",
    "Work has been a lot lately, honestly.",
    "I keep meaning to spend more time in the park.",
    "Have you tried the pastries at {cafe}?",
    "I think the weather's turning.",
    "My neighbour's been practising the trumpet again...",
    "I've been thinking about learning something new.",
)
WARM_REPLIES = (
    "Ha, tell me about it! Good to see you.",
    "Always nice to chat with you, {other}.",
    "You should come by on the weekend sometime!",
    "That's so true. Let's catch up properly soon.",
)
COOL_REPLIES = (
    "Mm. I suppose so.",
    "Sorry, I'm in a bit of a hurry.",
    "If you say so.",
    "Right. Well, see you around.",
)


def small_talk(
    rng: random.Random, a_name: str, b_name: str, place: str, cafe: str, street: str, warmth: float
) -> tuple[tuple[int, str], ...]:
    """Three or four lines between speaker 0 (``a``) and speaker 1 (``b``)."""
    fill = {"place": place, "cafe": cafe, "street": street}
    lines = [
        (0, rng.choice(OPENERS).format(other=b_name, **fill)),
        (1, rng.choice(TOPICS).format(**fill)),
        (0, rng.choice(WARM_REPLIES if warmth >= 0 else COOL_REPLIES).format(other=b_name, **fill)),
    ]
    if warmth > 0.3:
        lines.append((1, rng.choice(WARM_REPLIES).format(other=a_name, **fill)))
    return tuple(lines)
