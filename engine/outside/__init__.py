"""People driven from outside: by a program through the agent API, or by the player.

An outside-driven person stops at each decision point and waits for an answer in
the vocabulary the built-in brains use (go to, do, say to, remember, plan); an
answer that is late or wrong is made by the rule brain instead, counted, and the
reason goes back. Every outcome is an event in the history, so replay does the
same again without asking anyone.

This is the package's public face: the rest of the engine uses these names.
"""

from engine.outside.actions import ACTIVITIES, LIMITS, ActionError, Actions, parse_actions
from engine.outside.brain import OutsideBrain
from engine.outside.exchange import DecisionRequest, Exchange, Outcome

__all__ = [
    "ACTIVITIES",
    "LIMITS",
    "ActionError",
    "Actions",
    "DecisionRequest",
    "Exchange",
    "Outcome",
    "OutsideBrain",
    "parse_actions",
]
