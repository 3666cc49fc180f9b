"""Generative-agent cognition: perceive, plan, react, converse, reflect — on an LLM.

Only people with a *mind* think; everyone else (and anyone whose thought is late,
over budget or failed) lives on the rule brain. Nothing here blocks a tick.

This is cognition's public face: the rest of the engine uses these names and the
methods of ``Cognition``, never the other modules here nor ``Cognition.ctx``.
"""

from engine.cognition.civic import chosen as proposal_choice
from engine.cognition.cognition import Cognition
from engine.cognition.context import MindContext
from engine.cognition.mind import Mind, PlanStep
from engine.cognition.reflection import THRESHOLD as REFLECTION_THRESHOLD
from engine.cognition.thinker import PROBE_EVERY_S, LLMStatus, Thinker

__all__ = [
    "PROBE_EVERY_S",
    "REFLECTION_THRESHOLD",
    "Cognition",
    "LLMStatus",
    "Mind",
    "MindContext",
    "PlanStep",
    "Thinker",
    "proposal_choice",
]
