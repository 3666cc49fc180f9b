"""A client for the Townsfolk agent API: claim a person, perceive what they perceive, act as them."""

from townsfolk_agent.actions import do, go_to, plan, recall, remember, say_to
from townsfolk_agent.client import Agent, TownsfolkError, register

__all__ = ["Agent", "TownsfolkError", "do", "go_to", "plan", "recall", "register", "remember", "say_to"]
