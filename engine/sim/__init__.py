"""The tick: the simulation step, metrics, word-of-mouth sampling, state encoding and hashing."""
