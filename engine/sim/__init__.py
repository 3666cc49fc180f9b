"""The tick: clock, the simulation step, metrics and state hashing."""
