"""People: profiles, vectorised state, and the rule brain that runs ordinary life."""
