"""Generative-agent cognition: perceive, plan, react, converse, reflect — on an LLM.

Only people with a *mind* think; everyone else (and anyone whose thought is late,
over budget or failed) lives on the rule brain. Nothing here blocks a tick.
"""
