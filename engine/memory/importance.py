"""Rule-of-thumb importance (1..10) for memories written without asking the LLM.

Park et al. ask the model to rate poignancy ("1 is purely mundane (brushing teeth), 10 is
extremely poignant (a break up)"). Most memories in a big town are written by the rule brain,
where an LLM call per observation is unaffordable, so this gives the same scale from the kind
of memory plus keyword bumps. It only needs to be roughly right: importance is min-max
normalised at retrieval and summed for the reflection trigger (Park: reflect past 150).
Deterministic: no randomness, no model.
"""

from __future__ import annotations

import re

from engine.memory.types import MAX_IMPORTANCE, MIN_IMPORTANCE

#: Starting point per kind: routine perception is mundane, things told by god or reflected are not.
BASE_BY_KIND: dict[str, float] = {
    "observation": 2.0,
    "plan": 3.0,
    "chat": 4.0,
    "conversation": 4.5,
    "event": 6.0,
    "whisper": 6.0,
    "reflection": 6.5,
}

# (bump, phrases). Phrases match whole words, so "fire" does not fire on "fireplace".
_KEYWORDS: tuple[tuple[float, tuple[str, ...]], ...] = (
    (
        5.0,
        (
            "died", "dies", "dead", "death", "killed", "murder", "murdered", "funeral",
            "wedding", "married", "marry", "proposed", "engaged", "broke up", "break up",
            "divorce", "divorced", "pregnant", "baby was born", "gave birth", "arrested",
            "burned down", "on fire", "disaster",
        ),
    ),
    (
        3.0,
        (
            "fire", "fight", "fought", "attack", "attacked", "stole", "stolen", "robbed", "theft",
            "secret", "love", "in love", "kissed", "betrayed", "promoted", "fired", "laid off",
            "election", "elected", "won", "lost", "accident", "injured", "hospital", "sick",
            "emergency", "affair", "lied", "jail", "debt", "bankrupt", "crime", "quit",
        ),
    ),
    (
        1.5,
        (
            "party", "vote", "voted", "campaign", "mayor", "council", "festival", "gift",
            "argument", "argued", "angry", "upset", "crying", "hired", "new job", "moved",
            "date", "birthday", "celebrate", "celebration", "rumor", "rumour", "worried",
            "afraid", "excited", "friend", "apologized", "promise", "promised",
        ),
    ),
)
_MUNDANE = (
    "sleeping", "asleep", "idle", "walking", "brushing", "eating", "resting", "waiting", "commuting",
    "is empty", "nothing",
)


def _pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\b")


_BUMPS = tuple((bump, _pattern(phrases)) for bump, phrases in _KEYWORDS)
_MUNDANE_RE = _pattern(_MUNDANE)


def heuristic_importance(kind: str, text: str) -> float:
    """Importance 1..10 from the memory's kind and the words in it.

    Score = base for the kind + the strongest keyword bump + 1 if a second, different tier of
    keyword also appears; an observation with only mundane words drops by 1. Clamped to 1..10.
    """
    lowered = text.lower()
    score = BASE_BY_KIND.get(kind, 3.0)
    hits = [bump for bump, pattern in _BUMPS if pattern.search(lowered)]
    if hits:
        score += max(hits) + (1.0 if len(hits) > 1 else 0.0)
    elif kind == "observation" and _MUNDANE_RE.search(lowered):
        score -= 1.0
    return float(min(MAX_IMPORTANCE, max(MIN_IMPORTANCE, score)))
