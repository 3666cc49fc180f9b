"""People at work and at play: vectorised state, needs, and the rule brain that runs ordinary life.

Profiles (``Person``) are plain data in ``engine.state.person``.
"""
