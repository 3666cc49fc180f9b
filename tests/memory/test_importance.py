"""The rule-of-thumb importance: mundane low, dramatic high, always 1..10, always the same."""

from __future__ import annotations

import pytest

from engine.memory.importance import heuristic_importance
from engine.memory.types import KINDS


@pytest.mark.parametrize(
    ("kind", "text", "low", "high"),
    [
        ("observation", "Klaus is sleeping", 1, 2),
        ("observation", "Maria is reading at the library", 2, 3),
        ("plan", "Open the cafe at 8am, then buy flour", 3, 3),
        ("conversation", "Talked with Tom about the weather", 4, 5),
        ("chat", "The user asked how my day was", 4, 5),
        ("event", "A market opened on Main Street", 5, 7),
        ("whisper", "You feel like painting today", 5, 7),
        ("reflection", "I enjoy working with Klaus", 6, 7),
        ("observation", "The bakery is on fire", 7, 8),
        ("conversation", "Isabella said she is planning a party", 5, 6),
        ("event", "Sam was elected mayor in the election", 9, 10),
        ("conversation", "Maria told me she broke up with Wolfgang", 9, 10),
        ("observation", "Old Mr. Lin died this morning", 7, 8),
        ("event", "The wedding party ended in a fight", 10, 10),
    ],
)
def test_scale(kind: str, text: str, low: float, high: float) -> None:
    assert low <= heuristic_importance(kind, text) <= high


def test_keywords_push_up_and_match_whole_words() -> None:
    assert heuristic_importance("observation", "He got fired") > heuristic_importance("observation", "He got tired")
    assert heuristic_importance("observation", "Sitting by the fireplace") == 2.0
    assert heuristic_importance("observation", "They BROKE\nUP") > 5


def test_range_and_determinism() -> None:
    text = "fire fight secret wedding died election love promoted party"
    for kind in (*sorted(KINDS), "unknown-kind"):
        value = heuristic_importance(kind, text)
        assert 1.0 <= value <= 10.0 and value == heuristic_importance(kind, text)
        assert 1.0 <= heuristic_importance(kind, "") <= 10.0
